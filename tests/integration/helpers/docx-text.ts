/**
 * Reads the Word documents we write with docx, for tests: a minimal zip reader (central directory,
 * stored or deflated entries, no zip64) and a few readings of word/document.xml.
 */
import { inflateRawSync } from 'node:zlib';

/** Every entry of a zip archive, by name. */
export function unzip(zip: Buffer): Map<string, Buffer> {
	// End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
	let eocd = -1;
	for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--)
		if (zip.readUInt32LE(i) === 0x06054b50) {
			eocd = i;
			break;
		}
	if (eocd < 0) throw new Error('not a zip archive');
	const count = zip.readUInt16LE(eocd + 10);
	let p = zip.readUInt32LE(eocd + 16);
	const out = new Map<string, Buffer>();
	for (let n = 0; n < count; n++) {
		if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
		const method = zip.readUInt16LE(p + 10);
		const compressed = zip.readUInt32LE(p + 20);
		const nameLen = zip.readUInt16LE(p + 28);
		const extraLen = zip.readUInt16LE(p + 30);
		const commentLen = zip.readUInt16LE(p + 32);
		const local = zip.readUInt32LE(p + 42);
		const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		// The local header's name and extra field may differ in length from the central one's.
		const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
		const data = zip.subarray(dataStart, dataStart + compressed);
		if (method === 0) out.set(name, Buffer.from(data));
		else if (method === 8) out.set(name, inflateRawSync(data));
		else throw new Error(`unsupported compression ${method} for ${name}`);
		p += 46 + nameLen + extraLen + commentLen;
	}
	return out;
}

export function docxPart(docx: Buffer, name: string): string {
	const part = unzip(docx).get(name);
	if (!part) throw new Error(`no ${name} in the document`);
	return part.toString('utf8');
}

const decodeXml = (s: string) =>
	s
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
		.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
		.replace(/&amp;/g, '&');

/** The text of each paragraph (w:p) of a WordprocessingML part, runs joined, breaks as "\n". */
export function xmlParagraphs(xml: string): string[] {
	const paragraphs = xml.match(/<w:p[ >][\s\S]*?<\/w:p>|<w:p\/>/g) ?? [];
	return paragraphs.map((p) =>
		[...p.matchAll(/<w:t(?:\s[^>]*)?>([\s\S]*?)<\/w:t>|<w:br\/>|<w:tab\/>/g)]
			.map((mm) => (mm[1] !== undefined ? decodeXml(mm[1]) : mm[0] === '<w:tab/>' ? '\t' : '\n'))
			.join('')
	);
}

/** All paragraph text of the document body, a line per paragraph. */
export function docxText(docx: Buffer): string {
	return xmlParagraphs(docxPart(docx, 'word/document.xml')).join('\n');
}

/** The paragraph style ids (w:pStyle) of the paragraphs whose text includes `text`. */
export function paragraphStyles(xml: string, text: string): string[] {
	const paragraphs = xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? [];
	return paragraphs.filter((p) => xmlParagraphs(p).join('').includes(text)).map((p) => /<w:pStyle w:val="([^"]+)"/.exec(p)?.[1] ?? '');
}

/** The tables of the document body: rows of cell texts (not for nested tables). */
export function docxTables(xml: string): string[][][] {
	return (xml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g) ?? []).map((tbl) =>
		(tbl.match(/<w:tr[ >][\s\S]*?<\/w:tr>/g) ?? []).map((tr) => (tr.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? []).map((tc) => xmlParagraphs(tc).join('\n')))
	);
}
