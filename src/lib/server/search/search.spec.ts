import { describe, expect, it } from 'vitest';
import { expandQuery, meiliSynonyms, tokenize } from './synonyms';
import { cropMarked, escapeHtml, HL_END, HL_START, renderSnippet, transferMarks } from './snippet';
import { isOpenAt, openSlots, romeSlot, romeWeekMinute, scheduleToHours } from './hours';
import { editDistance, maxTypos } from './typo';
import { buildTsQueries, dedupeAlternatives, firstK, parseDocNos } from './postgres';
import { meiliFilters, MEILI_SETTINGS, toMeiliDoc } from './meilisearch';
import { tsvectorLexemes } from './facet-table';

const m = (s: string) => s.replace(/\[/g, HL_START).replace(/\]/g, HL_END);

describe('synonyms', () => {
	it('normalises words and recognises phrases of the list, longest first', () => {
		expect(tokenize("Città dell'Unità, CPIA!")).toEqual(['citta', 'dell', 'unita', 'cpia']);
		const terms = expandQuery('tutela legale Rimini');
		expect(terms.map((t) => t.tokens)).toEqual([['tutela', 'legale'], ['rimini']]);
		expect(terms[0]!.alternatives).toContainEqual(['avvocato']);
		expect(terms[1]!.alternatives).toEqual([]);
		expect(expandQuery('mediatrice')[0]!.alternatives).toContainEqual(['mediazione']);
	});

	it('gives Meilisearch every entry mapped to the rest of its group', () => {
		const s = meiliSynonyms();
		expect(s['mediatrice']).toContain('mediazione');
		expect(s['mediazione']).toContain('mediatrice');
		expect(s['mediazione']).not.toContain('mediazione');
	});
});

describe('tsquery text', () => {
	it('ORs synonyms, ANDs terms and prefixes the last word', () => {
		const q = buildTsQueries(expandQuery('casa medi'))!;
		expect(q.any).toMatch(/^\(casa \| case \| abitare .*\) & \(medi:\*\)$/);
		expect(buildTsQueries(expandQuery('permesso di soggiorno'))!.any).toContain('permesso <-> di <-> soggiorno');
		expect(buildTsQueries(expandQuery('  ;; '))).toBeNull();
		// Two letters are not a prefix yet; corrections join the word's alternatives.
		expect(buildTsQueries(expandQuery('co'))!.any).toBe('(co)');
		expect(buildTsQueries(expandQuery('mediazone'), new Map([['mediazone', ['mediazione']]]))!.any).toBe('(mediazone:* | mediazione)');
	});
});

describe('snippets', () => {
	it('escapes everything but the marks', () => {
		expect(renderSnippet(m('<script>[alert](1)</script> & "x"'))).toBe('&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &amp; &quot;x&quot;');
		expect(escapeHtml(`<a href='x'>`)).toBe('&lt;a href=&#39;x&#39;&gt;');
		// Unbalanced or stray markers never produce unbalanced HTML.
		expect(renderSnippet(m('[a [b'))).toBe('<mark>a b</mark>');
		expect(renderSnippet(m('a] b'))).toBe('a b');
	});

	it('moves marks from the unaccented text to the original', () => {
		expect(transferMarks(m('la [citta] di Forli'), 'la città di Forlì')).toBe(m('la [città] di Forlì'));
		// Different lengths (œ → oe): the original, unmarked.
		expect(transferMarks(m('[coeur]'), 'cœur')).toBe('cœur');
	});

	it('crops long text around the first match, on word boundaries', () => {
		const words = Array.from({ length: 80 }, (_, i) => `parola${i}`);
		words[50] = m('[mediazione]');
		const out = cropMarked(words.join(' '), 120);
		expect(out.startsWith('… ')).toBe(true);
		expect(out.endsWith(' …')).toBe(true);
		expect(out).toContain(m('[mediazione]'));
		expect(out.length).toBeLessThan(140);
		expect(cropMarked('breve')).toBe('breve');
	});
});

describe('opening hours', () => {
	it('merges ranges, runs overnight ranges into the next day, skips expired rows', () => {
		const hours = scheduleToHours(
			[
				{ weekday: 1, opensAt: '09:00', closesAt: '12:00' },
				{ weekday: 1, opensAt: '11:30', closesAt: '13:00' },
				{ weekday: 7, opensAt: '22:00', closesAt: '02:00' },
				{ weekday: 3, opensAt: '08:00', closesAt: '24:00' },
				{ weekday: 2, opensAt: '08:00', closesAt: '12:00', validTo: '2025-12-31' },
				{ weekday: 4, opensAt: 'boh', closesAt: '12:00' }
			],
			'2026-01-10'
		);
		expect(hours).toEqual([
			[1, 0, 120],
			[1, 540, 780],
			[3, 480, 1440],
			[7, 1320, 1440]
		]);
	});

	it('reads the Rome wall clock in winter and summer', () => {
		expect(romeWeekMinute(new Date('2026-01-12T09:00:00Z'))).toEqual({ weekday: 1, minute: 600 });
		expect(romeWeekMinute(new Date('2026-03-30T08:00:00Z'))).toEqual({ weekday: 1, minute: 600 });
		expect(romeWeekMinute(new Date('2026-03-29T22:30:00Z'))).toEqual({ weekday: 1, minute: 30 });
		const hours: [number, number, number][] = [[1, 540, 780]];
		expect(isOpenAt(hours, new Date('2026-03-30T07:00:00Z'))).toBe(true); // 09:00 CEST
		expect(isOpenAt(hours, new Date('2026-01-12T07:00:00Z'))).toBe(false); // 08:00 CET
	});

	it('lists the quarter hours open in full', () => {
		expect(openSlots([[1, 540, 600]])).toEqual([36, 37, 38, 39]);
		expect(openSlots([[2, 545, 600]])).toEqual([96 + 37, 96 + 38, 96 + 39]);
		expect(romeSlot(new Date('2026-01-12T09:05:00Z'))).toBe(40);
	});
});

describe('typo distance', () => {
	it('counts substitutions, insertions, deletions and transpositions', () => {
		expect(editDistance('mediazone', 'mediazione', 2)).toBe(1);
		expect(editDistance('tuttela', 'tutela', 1)).toBe(1);
		expect(editDistance('mediaizone', 'mediazione', 1)).toBe(1);
		expect(editDistance('casa', 'cosa', 0)).toBe(1);
		expect(editDistance('abc', 'xyz', 1)).toBe(2);
		expect([maxTypos(4), maxTypos(5), maxTypos(9)]).toEqual([0, 1, 2]);
	});
});

describe('tsquery alternatives', () => {
	it('drops repeats, words under the prefix and phrases covered by one of their words', () => {
		expect(dedupeAlternatives("'cas':* | 'cas' | 'abit' | 'abit' | 'casell' | 'housing'")).toBe("'cas':* | 'abit' | 'housing'");
		expect(dedupeAlternatives("'mediazion' | 'mediator' | 'mediazion' <-> 'linguist' | 'interpret'")).toBe("'mediazion' | 'mediator' | 'interpret'");
		expect(dedupeAlternatives("'cpia' | 'italian' <2> 'stranier' | 'cors' <2> 'italian'")).toBe("'cpia' | 'italian' <2> 'stranier' | 'cors' <2> 'italian'");
		expect(dedupeAlternatives("'anagraf':* | 'residenz' | 'iscrizion' <-> 'anagraf'")).toBe("'anagraf':* | 'residenz'");
		expect(dedupeAlternatives("( 'a' | 'a' ) <-> 'b'")).toBe("( 'a' | 'a' ) <-> 'b'");
	});
});

describe('doc_no lists', () => {
	it('parses signed numbers', () => {
		expect(parseDocNos('12,-7,30,9007199254740991')).toEqual([12, -7, 30, 9007199254740991]);
		expect(parseDocNos('5')).toEqual([5]);
		expect(parseDocNos(null)).toEqual([]);
	});
});

describe('first k', () => {
	it('gives the k first items in order, like a full sort', () => {
		const items = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
		const cmp = (a: number, b: number) => a - b;
		expect(firstK(items, 10, cmp)).toEqual([...items].sort(cmp).slice(0, 10));
		expect(firstK(items, 200, cmp)).toEqual([...items].sort(cmp).slice(0, 200));
		expect(firstK(items, 0, cmp)).toEqual([]);
		expect(firstK([3, 1, 2], 5, cmp)).toEqual([1, 2, 3]);
	});
});

describe('meilisearch mapping', () => {
	it('quotes filter values and ANDs the filters', () => {
		const filters = meiliFilters(
			{
				q: '',
				filters: { district: ['Cesena "Valle" Savio'], status: ['active', 'temporarily closed'], openNow: true },
				facets: [],
				page: 1,
				pageSize: 20,
				publicOnly: true
			},
			new Date('2026-01-12T09:05:00Z')
		);
		expect(filters).toEqual([
			'isPublic = true',
			'status IN ["active", "temporarily closed"]',
			'districts IN ["Cesena \\"Valle\\" Savio"]',
			'openSlots = 40'
		]);
	});

	it('stores searchable text, filter fields and the document', () => {
		const doc = toMeiliDoc({
			id: 'x',
			name: 'Sportello',
			alternateName: null,
			description: 'd',
			eligibility: null,
			organization: { id: 'o', name: 'Org' },
			locations: [{ id: 'l', name: null, address: 'Via Roma 1', city: 'Rimini', istatCode: '099014', district: 'Rimini', lat: null, lon: null }],
			phones: [],
			languages: [{ code: 'ar', name: 'Arabo' }],
			categories: [{ code: 'mediazione', name: 'Mediazione' }],
			targets: [],
			status: 'active',
			isPublic: true,
			assuredDate: null,
			hours: [[1, 540, 600]]
		});
		expect(doc).toMatchObject({ cities: ['Rimini'], districts: ['Rimini'], languages: ['ar'], languageNames: ['Arabo'], categories: ['mediazione'], openSlots: [36, 37, 38, 39] });
		expect(MEILI_SETTINGS.searchableAttributes![0]).toBe('name');
		for (const f of ['categories', 'districts', 'languages', 'targets', 'cities', 'isPublic', 'status', 'openSlots']) expect(MEILI_SETTINGS.filterableAttributes).toContain(f);
	});
});

describe('tsvector text', () => {
	it('reads the lexemes of a tsvector, with quotes doubled inside them, positions and weights ignored', () => {
		expect(tsvectorLexemes("'scuol' 'seral':2A '~ital<2>stranier' 'dell''infanz' 'l''''x':1,3")).toEqual(['scuol', 'seral', '~ital<2>stranier', "dell'infanz", "l''x"]);
		expect(tsvectorLexemes('')).toEqual([]);
		expect(tsvectorLexemes("'solo'")).toEqual(['solo']);
	});
});
