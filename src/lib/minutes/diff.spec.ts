import { describe, expect, it } from 'vitest';
import { diffStats, diffVersions, type DiffPart } from './diff';

const oldText = (parts: DiffPart[]) => parts.filter((p) => p.type !== 'added').map((p) => p.text).join('');
const newText = (parts: DiffPart[]) => parts.filter((p) => p.type !== 'removed').map((p) => p.text).join('');

/** Parts rebuild both texts, are never empty and never repeat a type next to each other. */
function expectWellFormed(a: string, b: string, parts: DiffPart[]) {
	expect(oldText(parts)).toBe(a);
	expect(newText(parts)).toBe(b);
	for (const p of parts) expect(p.text).not.toBe('');
	for (let i = 1; i < parts.length; i++) expect(parts[i]!.type).not.toBe(parts[i - 1]!.type);
}

function words(n: number, seed: number): string[] {
	let s = seed;
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		s = (s * 1103515245 + 12345) % 2147483648;
		out.push(`parola${s % 5000}`);
	}
	return out;
}

const paragraphs = (ws: string[], size: number) => {
	const out: string[] = [];
	for (let i = 0; i < ws.length; i += size) out.push(ws.slice(i, i + size).join(' '));
	return out.join('\n\n');
};

describe('diffVersions', () => {
	it('returns one unchanged part for identical texts', () => {
		const text = 'Verbale\n\nSi apre lo sportello.';
		expect(diffVersions(text, text)).toEqual({ parts: [{ type: 'same', text }], coarse: false });
		expect(diffStats(diffVersions(text, text).parts)).toEqual({ added: 0, removed: 0 });
	});

	it('returns nothing for two empty texts', () => {
		expect(diffVersions('', '')).toEqual({ parts: [], coarse: false });
	});

	it('handles a text that appears or disappears entirely', () => {
		expect(diffVersions('', 'Nuovo testo').parts).toEqual([{ type: 'added', text: 'Nuovo testo' }]);
		expect(diffVersions('Vecchio testo', '').parts).toEqual([{ type: 'removed', text: 'Vecchio testo' }]);
	});

	it('shows an inserted sentence', () => {
		const a = 'Il tavolo si riunisce. Si decide il calendario.';
		const b = 'Il tavolo si riunisce. Sono presenti otto enti. Si decide il calendario.';
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(false);
		expectWellFormed(a, b, parts);
		expect(parts.filter((p) => p.type === 'removed')).toEqual([]);
		expect(parts.filter((p) => p.type === 'added').map((p) => p.text.trim())).toEqual(['Sono presenti otto enti.']);
		expect(diffStats(parts)).toEqual({ added: 4, removed: 0 });
	});

	it('shows an inserted paragraph as added lines', () => {
		const a = 'Uno.\n\nTre.';
		const b = 'Uno.\n\nDue.\n\nTre.';
		const { parts } = diffVersions(a, b);
		expectWellFormed(a, b, parts);
		expect(parts.filter((p) => p.type === 'added').map((p) => p.text)).toEqual(['Due.\n\n']);
	});

	it('shows a changed word inside a line, not the whole line', () => {
		const a = 'Lo sportello apre il martedì mattina.\n\nAltro punto.';
		const b = 'Lo sportello apre il giovedì mattina.\n\nAltro punto.';
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(false);
		expect(parts).toEqual([
			{ type: 'same', text: 'Lo sportello apre il ' },
			{ type: 'removed', text: 'martedì' },
			{ type: 'added', text: 'giovedì' },
			{ type: 'same', text: ' mattina.\n\nAltro punto.' }
		]);
		expect(diffStats(parts)).toEqual({ added: 1, removed: 1 });
	});

	it('treats accented Italian words as whole words', () => {
		const a = 'La città è più accogliente: perché l’attività continua.';
		const b = 'La città è già accogliente: poiché l’attività continua.';
		const { parts } = diffVersions(a, b);
		expectWellFormed(a, b, parts);
		expect(parts.filter((p) => p.type === 'removed').map((p) => p.text)).toEqual(['più', 'perché']);
		expect(parts.filter((p) => p.type === 'added').map((p) => p.text)).toEqual(['già', 'poiché']);
	});

	it('puts the removed text before the added text in a change', () => {
		const { parts } = diffVersions('a b c', 'a x y c');
		expectWellFormed('a b c', 'a x y c', parts);
		const changed = parts.filter((p) => p.type !== 'same').map((p) => p.type);
		expect(changed).toEqual(['removed', 'added']);
	});

	it('diffs changed lines word by word when several lines change together', () => {
		const a = 'Titolo\nprima riga vecchia\nseconda riga vecchia\nFine';
		const b = 'Titolo\nprima riga nuova\nseconda riga nuova\nFine';
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(false);
		expectWellFormed(a, b, parts);
		expect(diffStats(parts)).toEqual({ added: 2, removed: 2 });
	});

	it('diffs 10k-word texts with scattered edits at word level', () => {
		const base = words(10_000, 1);
		const edited = base.slice();
		for (let i = 0; i < edited.length; i += 97) edited[i] = 'cambiata';
		const a = paragraphs(base, 60);
		const b = paragraphs(edited, 60);
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(false);
		expectWellFormed(a, b, parts);
		const changed = Math.ceil(10_000 / 97);
		expect(diffStats(parts)).toEqual({ added: changed, removed: changed });
	});

	it('diffs a 10k-word single paragraph with scattered edits', () => {
		const base = words(10_000, 3);
		const edited = base.slice();
		for (let i = 0; i < edited.length; i += 50) edited[i] = 'cambiata';
		const a = base.join(' ');
		const b = edited.join(' ');
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(false);
		expectWellFormed(a, b, parts);
		expect(diffStats(parts)).toEqual({ added: 200, removed: 200 });
	});

	it('falls back to whole lines, and says so, when a changed paragraph differs too much', () => {
		const a = `Intro\n${words(10_000, 1).join(' ')}\nFine`;
		const b = `Intro\n${words(10_000, 2).join(' ')}\nFine`;
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(true);
		expectWellFormed(a, b, parts);
		expect(parts.map((p) => p.type)).toEqual(['same', 'removed', 'added', 'same']);
		expect(parts[0]!.text).toBe('Intro\n');
		expect(diffStats(parts)).toEqual({ added: 10_000, removed: 10_000 });
	});

	it('falls back to replacing the text between common lines when too many lines change', () => {
		const a = ['Intestazione', ...words(10_000, 1), 'Firma'].join('\n');
		const b = ['Intestazione', ...words(10_000, 2), 'Firma'].join('\n');
		const { parts, coarse } = diffVersions(a, b);
		expect(coarse).toBe(true);
		expectWellFormed(a, b, parts);
		expect(parts[0]).toEqual({ type: 'same', text: 'Intestazione\n' });
		expect(parts[parts.length - 1]).toEqual({ type: 'same', text: 'Firma' });
	});

	it('lets the limits be tuned', () => {
		const a = 'uno due tre quattro cinque';
		const b = 'uno DUE TRE QUATTRO cinque';
		expect(diffVersions(a, b).coarse).toBe(false);
		const tight = diffVersions(a, b, { maxWordEdits: 2 });
		expect(tight.coarse).toBe(true);
		expect(tight.parts).toEqual([
			{ type: 'removed', text: a },
			{ type: 'added', text: b }
		]);
	});
});

describe('diffStats', () => {
	it('counts words of added and removed parts, punctuation included in its word', () => {
		const parts: DiffPart[] = [
			{ type: 'same', text: 'uno due ' },
			{ type: 'removed', text: 'tre quattro, ' },
			{ type: 'added', text: "cinque dell'anno" },
			{ type: 'same', text: ' sei' }
		];
		expect(diffStats(parts)).toEqual({ added: 2, removed: 2 });
	});

	it('counts nothing for whitespace-only changes', () => {
		expect(diffStats([{ type: 'added', text: '\n\n' }])).toEqual({ added: 0, removed: 0 });
	});
});
