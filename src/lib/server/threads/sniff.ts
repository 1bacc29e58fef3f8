/**
 * What an uploaded file is, from its bytes alone (the browser's type and the file name are the
 * uploader's claims, not facts). Only formats people exchange between offices pass: PDF, the four
 * web image formats, OpenDocument and Office Open XML documents, and UTF-8 text or CSV. Markup
 * (HTML, SVG, XML), executables, scripts and any other archive are refused.
 */
import { inflateRawSync } from 'node:zlib';

export const attachmentTypes = {
	'application/pdf': ['pdf'],
	'image/png': ['png'],
	'image/jpeg': ['jpg', 'jpeg'],
	'image/gif': ['gif'],
	'image/webp': ['webp'],
	'application/vnd.oasis.opendocument.text': ['odt'],
	'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
	'application/vnd.oasis.opendocument.presentation': ['odp'],
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
	'text/plain': ['txt', 'text', 'md', 'log'],
	'text/csv': ['csv', 'tsv']
} as const satisfies Record<string, readonly string[]>;

export type AttachmentType = keyof typeof attachmentTypes;

/** Types a browser may show in the page (everything else is offered as a download). */
export const inlineImageTypes: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export type SniffRefusal = 'empty' | 'html' | 'svg' | 'markup' | 'executable' | 'archive' | 'macro' | 'encoding' | 'unknown';
export type SniffResult = { ok: true; mediaType: AttachmentType } | { ok: false; reason: SniffRefusal };

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;

const EXECUTABLE_SIGNATURES: readonly (readonly number[])[] = [
	ascii('MZ'), // Windows PE/DOS
	[0x7f, 0x45, 0x4c, 0x46], // ELF
	[0xfe, 0xed, 0xfa, 0xce],
	[0xfe, 0xed, 0xfa, 0xcf],
	[0xce, 0xfa, 0xed, 0xfe],
	[0xcf, 0xfa, 0xed, 0xfe], // Mach-O
	[0xca, 0xfe, 0xba, 0xbe], // Mach-O fat binary, Java class
	[0x00, 0x61, 0x73, 0x6d], // WebAssembly
	ascii('#!'), // scripts with an interpreter line
	[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] // OLE2: .doc/.xls with macros, .msi
];

/** Sniffs the bytes; `fileName` only chooses between plain text and CSV, both already safe. */
export function sniff(bytes: Uint8Array, fileName = ''): SniffResult {
	if (bytes.length === 0) return { ok: false, reason: 'empty' };
	if (startsWith(bytes, ascii('%PDF-'))) return { ok: true, mediaType: 'application/pdf' };
	if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, mediaType: 'image/png' };
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { ok: true, mediaType: 'image/jpeg' };
	if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return { ok: true, mediaType: 'image/gif' };
	if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { ok: true, mediaType: 'image/webp' };
	if (EXECUTABLE_SIGNATURES.some((sig) => startsWith(bytes, sig))) return { ok: false, reason: 'executable' };
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(bytes);
	if (startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]) || startsWith(bytes, [0x50, 0x4b, 0x07, 0x08])) return { ok: false, reason: 'archive' };
	return sniffText(bytes, fileName);
}

// ---------------------------------------------------------------------------------------------
// Zip containers: OpenDocument (first entry "mimetype", stored) and Office Open XML
// ("[Content_Types].xml" naming the main part). Anything else in a zip is refused.

const ODF_TYPES: Record<string, AttachmentType> = {
	'application/vnd.oasis.opendocument.text': 'application/vnd.oasis.opendocument.text',
	'application/vnd.oasis.opendocument.spreadsheet': 'application/vnd.oasis.opendocument.spreadsheet',
	'application/vnd.oasis.opendocument.presentation': 'application/vnd.oasis.opendocument.presentation'
};

/** Main-part content types in [Content_Types].xml; macro-enabled variants are refused. */
const OOXML_MAIN: { contentType: string; mediaType: AttachmentType }[] = [
	{ contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
	{ contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
	{ contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml', mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' }
];

interface ZipEntry {
	name: string;
	method: number;
	compressedSize: number;
	size: number;
	localOffset: number;
}

/** The central directory's entries, or null when the archive is not a well-formed zip. */
export function zipEntries(b: Uint8Array): ZipEntry[] | null {
	// End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the end.
	let eocd = -1;
	for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
		if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) return null;
	const count = u16(b, eocd + 10);
	const cdSize = u32(b, eocd + 12);
	const cdOffset = u32(b, eocd + 16);
	if (count === 0xffff || cdOffset === 0xffffffff || cdOffset + cdSize > eocd) return null; // zip64: not for office files this size
	const entries: ZipEntry[] = [];
	const decoder = new TextDecoder('utf-8');
	let p = cdOffset;
	for (let n = 0; n < count; n++) {
		if (p + 46 > eocd || u32(b, p) !== 0x02014b50) return null;
		const nameLen = u16(b, p + 28);
		const extraLen = u16(b, p + 30);
		const commentLen = u16(b, p + 32);
		if (p + 46 + nameLen > eocd) return null;
		entries.push({
			name: decoder.decode(b.subarray(p + 46, p + 46 + nameLen)),
			method: u16(b, p + 10),
			compressedSize: u32(b, p + 20),
			size: u32(b, p + 24),
			localOffset: u32(b, p + 42)
		});
		p += 46 + nameLen + extraLen + commentLen;
	}
	return entries;
}

/** An entry's bytes (stored or deflated), capped: a tiny XML part never needs more. */
function readEntry(b: Uint8Array, e: ZipEntry, maxSize = 1 << 20): Uint8Array | null {
	const at = e.localOffset;
	if (at + 30 > b.length || u32(b, at) !== 0x04034b50) return null;
	const start = at + 30 + u16(b, at + 26) + u16(b, at + 28);
	const end = start + e.compressedSize;
	if (end > b.length || e.size > maxSize) return null;
	const data = b.subarray(start, end);
	if (e.method === 0) return data;
	if (e.method !== 8) return null;
	try {
		return new Uint8Array(inflateRawSync(data, { maxOutputLength: maxSize }));
	} catch {
		return null;
	}
}

function sniffZip(b: Uint8Array): SniffResult {
	const entries = zipEntries(b);
	if (!entries) return { ok: false, reason: 'archive' };
	if (entries.some((e) => /(^|\/)vbaProject\.bin$/i.test(e.name) || /\.(exe|dll|js|vbs|bat|cmd|ps1|jar|msi|scr)$/i.test(e.name)))
		return { ok: false, reason: 'macro' };

	// OpenDocument: the spec puts an uncompressed "mimetype" first, at offset 0.
	const first = entries.find((e) => e.localOffset === 0);
	if (first?.name === 'mimetype' && first.method === 0) {
		const data = readEntry(b, first, 200);
		const mime = data ? new TextDecoder().decode(data).trim() : '';
		const type = ODF_TYPES[mime];
		if (type && entries.some((e) => e.name === 'content.xml')) return { ok: true, mediaType: type };
		return { ok: false, reason: 'archive' };
	}

	const ct = entries.find((e) => e.name === '[Content_Types].xml');
	if (ct) {
		const data = readEntry(b, ct);
		if (!data) return { ok: false, reason: 'archive' };
		const xml = new TextDecoder().decode(data);
		if (/macroEnabled/i.test(xml)) return { ok: false, reason: 'macro' };
		for (const main of OOXML_MAIN) {
			const re = new RegExp(`ContentType\\s*=\\s*["']${main.contentType.replace(/[.+]/g, '\\$&')}["']`);
			if (re.test(xml)) return { ok: true, mediaType: main.mediaType };
		}
	}
	return { ok: false, reason: 'archive' };
}

// ---------------------------------------------------------------------------------------------
// Text: valid UTF-8 without NUL or other binary control characters, and not markup.

const MARKUP_TAGS = /<\s*(script|html|body|iframe|frame|frameset|object|embed|applet|svg|math|meta|img)\b/i;

function sniffText(b: Uint8Array, fileName: string): SniffResult {
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
	} catch {
		return { ok: false, reason: 'unknown' };
	}
	// Tab, LF, VT, FF, CR and the DOS end-of-file mark are text; other C0 controls (NUL first) are not.
	if (/[\u0000-\u0008\u000e-\u0019\u001b-\u001f]/.test(text)) return { ok: false, reason: 'unknown' };
	const head = text.replace(/^[\s\uFEFF]+/, '').slice(0, 1024).toLowerCase();
	if (head.startsWith('<svg') || (head.startsWith('<?xml') && /<svg\b/i.test(text.slice(0, 4096)))) return { ok: false, reason: 'svg' };
	if (head.startsWith('<!doctype html') || head.startsWith('<html') || /^<(head|body|script|iframe)\b/.test(head)) return { ok: false, reason: 'html' };
	// Other markup at the start (XML, XSLT, a stray tag) or script-bearing tags anywhere: a browser
	// or a file manager may render it as a page; plain notes and tables do not need it.
	if (/^<[!?a-z]/.test(head)) return { ok: false, reason: 'markup' };
	if (MARKUP_TAGS.test(text)) return { ok: false, reason: 'html' };
	const ext = extensionOf(fileName);
	return { ok: true, mediaType: ext === 'csv' || ext === 'tsv' ? 'text/csv' : 'text/plain' };
}

export function extensionOf(name: string): string {
	const m = /\.([^./\\]{1,10})$/.exec(name);
	return m ? m[1]!.toLowerCase() : '';
}
