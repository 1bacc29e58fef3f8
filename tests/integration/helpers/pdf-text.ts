/**
 * A small text extractor for the PDFs we write with pdfkit (agenda, minutes): enough to assert on
 * content, not a general PDF parser. It inflates FlateDecode streams, reads the strings shown by
 * TJ/Tj inside BT…ET (pdfkit writes one BT…ET per line, hex-encoded in WinAnsi) and decodes them.
 */
import { inflateSync } from 'node:zlib';

/** Windows-1252 bytes 0x80–0x9F (the rest of WinAnsi is Latin-1). */
const WIN_ANSI_HIGH: Record<number, string> = {
	0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰', 0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž',
	0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ'
};

export function decodeWinAnsi(bytes: number[]): string {
	return bytes.map((b) => WIN_ANSI_HIGH[b] ?? String.fromCharCode(b)).join('');
}

/** The raw (inflated when compressed) content of every stream, in file order. */
export function pdfStreams(pdf: Buffer): Buffer[] {
	const raw = pdf.toString('latin1');
	const out: Buffer[] = [];
	const re = /stream\r?\n/g;
	let match: RegExpExecArray | null;
	while ((match = re.exec(raw))) {
		if (raw.slice(match.index - 3, match.index) === 'end') continue;
		const start = match.index + match[0].length;
		const end = raw.indexOf('endstream', start);
		if (end < 0) break;
		const dictStart = raw.lastIndexOf('<<', match.index);
		const dict = raw.slice(dictStart, match.index);
		const lengthMatch = /\/Length (\d+)(?!\s+\d+\s+R)/.exec(dict);
		let data = pdf.subarray(start, lengthMatch ? start + Number(lengthMatch[1]) : end);
		if (/\/Filter\s*\/FlateDecode/.test(dict)) {
			try {
				data = inflateSync(data);
			} catch {
				re.lastIndex = end;
				continue;
			}
		}
		out.push(Buffer.from(data));
		re.lastIndex = end;
	}
	return out;
}

/** Bytes of a PDF literal string starting after "(", and the index after its ")". */
function readLiteral(s: string, i: number): { bytes: number[]; next: number } {
	const bytes: number[] = [];
	let depth = 1;
	while (i < s.length) {
		const c = s[i]!;
		if (c === '\\') {
			const n = s[i + 1]!;
			const esc: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
			if (n in esc) {
				bytes.push(esc[n]!);
				i += 2;
			} else if (/[0-7]/.test(n)) {
				const oct = /^[0-7]{1,3}/.exec(s.slice(i + 1))![0];
				bytes.push(parseInt(oct, 8) & 0xff);
				i += 1 + oct.length;
			} else if (n === '\r' || n === '\n') {
				i += n === '\r' && s[i + 2] === '\n' ? 3 : 2;
			} else {
				bytes.push(n.charCodeAt(0));
				i += 2;
			}
			continue;
		}
		if (c === '(') depth++;
		if (c === ')' && --depth === 0) return { bytes, next: i + 1 };
		bytes.push(c.charCodeAt(0) & 0xff);
		i++;
	}
	return { bytes, next: i };
}

function hexBytes(hex: string): number[] {
	const clean = hex.replace(/\s+/g, '');
	const padded = clean.length % 2 ? clean + '0' : clean;
	const out: number[] = [];
	for (let i = 0; i < padded.length; i += 2) out.push(parseInt(padded.slice(i, i + 2), 16));
	return out;
}

/** The text lines shown by one content stream (one line per BT…ET block). */
export function contentLines(content: string): string[] {
	const lines: string[] = [];
	const blocks = content.match(/\bBT\b[\s\S]*?\bET\b/g) ?? [];
	for (const block of blocks) {
		let line = '';
		// [ <hex> -12 (lit) ] TJ   |   <hex> Tj   |   (lit) Tj
		const ops = /\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9a-fA-F\s]*)>\s*Tj|\(((?:[^)\\]|\\.)*)\)\s*Tj/g;
		let op: RegExpExecArray | null;
		while ((op = ops.exec(block))) {
			if (op[1] !== undefined) {
				const arr = op[1];
				let i = 0;
				while (i < arr.length) {
					const c = arr[i]!;
					if (c === '<') {
						const close = arr.indexOf('>', i);
						line += decodeWinAnsi(hexBytes(arr.slice(i + 1, close)));
						i = close + 1;
					} else if (c === '(') {
						const { bytes, next } = readLiteral(arr, i + 1);
						line += decodeWinAnsi(bytes);
						i = next;
					} else if (/[-\d.]/.test(c)) {
						const num = /^-?\d*\.?\d+/.exec(arr.slice(i));
						// A large negative adjustment is a word gap, not kerning.
						if (num && Number(num[0]) < -200) line += ' ';
						i += num ? num[0].length : 1;
					} else i++;
				}
			} else if (op[2] !== undefined) line += decodeWinAnsi(hexBytes(op[2]));
			else if (op[3] !== undefined) line += decodeWinAnsi(readLiteral(`${op[3]})`, 0).bytes);
		}
		lines.push(line);
	}
	return lines;
}

/** The text of each page-like content stream (streams that show text), in file order. */
export function pdfPageTexts(pdf: Buffer): string[] {
	return pdfStreams(pdf)
		.map((s) => s.toString('latin1'))
		.filter((s) => /\bBT\b/.test(s) && /T[Jj]\b/.test(s))
		.map((s) => contentLines(s).join('\n'));
}

/** All text of the document, a line per shown fragment. */
export function extractPdfText(pdf: Buffer): string {
	return pdfPageTexts(pdf).join('\n');
}

/** Decodes a PDF text string: UTF-16BE with its BOM, or PDFDocEncoding (≈ Latin-1). */
function decodeTextString(bytes: number[]): string {
	if (bytes[0] === 0xfe && bytes[1] === 0xff) {
		let s = '';
		for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
		return s;
	}
	return String.fromCharCode(...bytes);
}

/** The document information dictionary's string entries (Title, Author, Subject, …). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
	const raw = pdf.toString('latin1');
	const ref = /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(raw);
	if (!ref) return {};
	const object = (num: string, gen: string) => {
		const start = raw.lastIndexOf(`\n${num} ${gen} obj`);
		if (start < 0) return null;
		const body = raw.indexOf('obj', start) + 3;
		return raw.slice(body, raw.indexOf('endobj', body)).trim();
	};
	const dict = object(ref[1]!, ref[2]!);
	if (!dict) return {};
	const info: Record<string, string> = {};
	// Values are inline literals, or (as pdfkit writes them) references to string objects.
	const entry = /\/([A-Za-z]+)\s*(?:\(|(\d+)\s+(\d+)\s+R)/g;
	let k: RegExpExecArray | null;
	while ((k = entry.exec(dict))) {
		if (k[2] !== undefined) {
			const value = object(k[2], k[3]!);
			if (value?.startsWith('(')) info[k[1]!] = decodeTextString(readLiteral(value, 1).bytes);
		} else {
			const { bytes, next } = readLiteral(dict, k.index + k[0].length);
			info[k[1]!] = decodeTextString(bytes);
			entry.lastIndex = next;
		}
	}
	return info;
}

/** Number of pages (the /Count of the page tree root). */
export function pdfPageCount(pdf: Buffer): number {
	const counts = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Pages\b[\s\S]*?\/Count\s+(\d+)/g)].map((mm) => Number(mm[1]));
	return counts.length ? Math.max(...counts) : 0;
}
