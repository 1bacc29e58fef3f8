import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { Document, Packer, Paragraph } from 'docx';
import { sniff, zipEntries } from './sniff';

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (Uint8Array | number[])[]) => {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
const crc32 = (b: Uint8Array) => {
	let c = 0xffffffff;
	for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
};
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** A minimal zip writer: entries stored or deflated, in the order given. */
function makeZip(entries: { name: string; data: string | Uint8Array; deflate?: boolean }[]): Uint8Array {
	const locals: Uint8Array[] = [];
	const centrals: Uint8Array[] = [];
	let offset = 0;
	for (const e of entries) {
		const raw = typeof e.data === 'string' ? enc(e.data) : e.data;
		const body = e.deflate ? new Uint8Array(deflateRawSync(raw)) : raw;
		const name = enc(e.name);
		const method = e.deflate ? 8 : 0;
		const common = [...le16(20), ...le16(0), ...le16(method), ...le16(0), ...le16(0), ...le32(crc32(raw)), ...le32(body.length), ...le32(raw.length), ...le16(name.length), ...le16(0)];
		const local = cat([0x50, 0x4b, 0x03, 0x04], common, name, body);
		centrals.push(cat([0x50, 0x4b, 0x01, 0x02], le16(20), common, le16(0), le16(0), le16(0), le32(0), le32(offset), name));
		locals.push(local);
		offset += local.length;
	}
	const cd = cat(...centrals);
	const eocd = cat([0x50, 0x4b, 0x05, 0x06], le16(0), le16(0), le16(entries.length), le16(entries.length), le32(cd.length), le32(offset), le16(0));
	return cat(...locals, cd, eocd);
}

const odf = (mime: string) =>
	makeZip([
		{ name: 'mimetype', data: mime },
		{ name: 'content.xml', data: '<office:document-content/>', deflate: true },
		{ name: 'META-INF/manifest.xml', data: '<manifest:manifest/>', deflate: true }
	]);

const ooxml = (main: string, part: string, extra: { name: string; data: string }[] = []) =>
	makeZip([
		{ name: '[Content_Types].xml', data: `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${main}"/></Types>`, deflate: true },
		{ name: part, data: '<x/>', deflate: true },
		...extra.map((e) => ({ ...e, deflate: true }))
	]);

describe('sniff', () => {
	it('recognises PDF and the four image formats by their signatures', () => {
		expect(sniff(enc('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toEqual({ ok: true, mediaType: 'application/pdf' });
		expect(sniff(cat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'verbale.pdf')).toEqual({ ok: true, mediaType: 'image/png' });
		expect(sniff(cat([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toEqual({ ok: true, mediaType: 'image/jpeg' });
		expect(sniff(enc('GIF89a\x01\x00'))).toEqual({ ok: true, mediaType: 'image/gif' });
		expect(sniff(cat(enc('RIFF'), le32(100), enc('WEBPVP8 ')))).toEqual({ ok: true, mediaType: 'image/webp' });
		// RIFF that is not WebP (a WAV) is not an image; its bytes are not text either.
		expect(sniff(cat(enc('RIFF'), le32(100), enc('WAVEfmt '), [0, 0, 1, 0]))).toMatchObject({ ok: false });
	});

	it('recognises OpenDocument by its stored mimetype entry', () => {
		expect(sniff(odf('application/vnd.oasis.opendocument.text'))).toEqual({ ok: true, mediaType: 'application/vnd.oasis.opendocument.text' });
		expect(sniff(odf('application/vnd.oasis.opendocument.spreadsheet'))).toEqual({ ok: true, mediaType: 'application/vnd.oasis.opendocument.spreadsheet' });
		expect(sniff(odf('application/vnd.oasis.opendocument.presentation'))).toEqual({ ok: true, mediaType: 'application/vnd.oasis.opendocument.presentation' });
		// Other OpenDocument kinds (drawings, formulas, databases) and unknown mimetypes are not offered.
		expect(sniff(odf('application/vnd.oasis.opendocument.graphics'))).toEqual({ ok: false, reason: 'archive' });
		expect(sniff(odf('text/html'))).toEqual({ ok: false, reason: 'archive' });
	});

	it('recognises Office Open XML by the main part in [Content_Types].xml', () => {
		expect(sniff(ooxml('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', 'xl/workbook.xml'))).toEqual({
			ok: true,
			mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
		});
		expect(sniff(ooxml('application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml', 'ppt/presentation.xml'))).toEqual({
			ok: true,
			mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation'
		});
		expect(sniff(ooxml('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml', 'word/document.xml'))).toEqual({
			ok: true,
			mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
		});
	});

	it('recognises a real .docx written by the docx library', async () => {
		const doc = new Document({ sections: [{ children: [new Paragraph('Verbale del tavolo')] }] });
		const bytes = new Uint8Array(await Packer.toBuffer(doc));
		expect(zipEntries(bytes)?.map((e) => e.name)).toContain('[Content_Types].xml');
		expect(sniff(bytes, 'verbale.docx')).toEqual({ ok: true, mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
	});

	it('refuses macro-enabled documents and other archives', () => {
		expect(sniff(ooxml('application/vnd.ms-word.document.macroEnabled.main+xml', 'word/document.xml'))).toEqual({ ok: false, reason: 'macro' });
		expect(
			sniff(ooxml('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml', 'word/document.xml', [{ name: 'word/vbaProject.bin', data: 'x' }]))
		).toEqual({ ok: false, reason: 'macro' });
		expect(sniff(makeZip([{ name: 'setup.exe', data: 'MZ' }]))).toEqual({ ok: false, reason: 'macro' });
		expect(sniff(makeZip([{ name: 'foto.jpg', data: 'x' }]))).toEqual({ ok: false, reason: 'archive' });
		expect(sniff(makeZip([{ name: 'META-INF/MANIFEST.MF', data: 'Main-Class: X', deflate: true }]))).toEqual({ ok: false, reason: 'archive' });
		// A truncated zip (no central directory) is not guessed at.
		expect(sniff(odf('application/vnd.oasis.opendocument.text').subarray(0, 60))).toEqual({ ok: false, reason: 'archive' });
	});

	it('refuses executables and scripts', () => {
		expect(sniff(cat(enc('MZ'), [0x90, 0, 3, 0, 0, 0, 4, 0]), 'relazione.pdf')).toEqual({ ok: false, reason: 'executable' });
		expect(sniff(cat([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]))).toEqual({ ok: false, reason: 'executable' });
		expect(sniff(cat([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toEqual({ ok: false, reason: 'executable' });
		expect(sniff(enc('#!/bin/sh\nrm -rf ~\n'), 'note.txt')).toEqual({ ok: false, reason: 'executable' });
		expect(sniff(cat([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'vecchio.doc')).toEqual({ ok: false, reason: 'executable' });
	});

	it('refuses HTML, SVG and other markup, whatever the name says', () => {
		expect(sniff(enc('<!DOCTYPE html><html><body>ciao</body></html>'), 'verbale.pdf')).toEqual({ ok: false, reason: 'html' });
		expect(sniff(enc('\uFEFF  \n<html><script>alert(1)</script>'), 'a.txt')).toEqual({ ok: false, reason: 'html' });
		expect(sniff(enc('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'logo.png')).toEqual({ ok: false, reason: 'svg' });
		expect(sniff(enc('<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toEqual({ ok: false, reason: 'svg' });
		expect(sniff(enc('<?xml version="1.0"?><root/>'), 'dati.csv')).toEqual({ ok: false, reason: 'markup' });
		expect(sniff(enc('Nota per il tavolo\nsegue: <script src="//x.example/a.js"></script>'), 'nota.txt')).toEqual({ ok: false, reason: 'html' });
		expect(sniff(enc('riga 1\n<IMG SRC=x onerror=alert(1)>'), 'nota.txt')).toEqual({ ok: false, reason: 'html' });
	});

	it('accepts UTF-8 text and CSV; refuses other encodings, NUL and binary controls', () => {
		expect(sniff(enc('Comune;Posti;Note\nCesena;4;"mediazione arabo"\nRimini;2;"è urgente"\n'), 'posti.csv')).toEqual({ ok: true, mediaType: 'text/csv' });
		expect(sniff(enc('Appunti: la formazione <del> 12 dicembre è confermata. 3 < 5 > 2\n'), 'appunti.txt')).toEqual({ ok: true, mediaType: 'text/plain' });
		expect(sniff(enc('senza estensione, ma testo\r\n'), 'LEGGIMI')).toEqual({ ok: true, mediaType: 'text/plain' });
		// Windows-1252 "è" is not valid UTF-8.
		expect(sniff(cat(enc('Citt'), [0xe8], enc(';2\n')), 'posti.csv')).toEqual({ ok: false, reason: 'unknown' });
		expect(sniff(enc('testo\u0000con NUL'), 'a.txt')).toEqual({ ok: false, reason: 'unknown' });
		expect(sniff(enc('a\u0001b'), 'a.txt')).toEqual({ ok: false, reason: 'unknown' });
		// UTF-16 text (with its BOM) is full of NULs: refused.
		expect(sniff(cat([0xff, 0xfe], enc('a\u0000b\u0000')), 'a.txt')).toMatchObject({ ok: false });
		expect(sniff(new Uint8Array())).toEqual({ ok: false, reason: 'empty' });
	});
});
