/**
 * The default search engine: Postgres full-text search on `search_terms` (what is matched, narrow)
 * and `search_services` (documents, the weighted tsvector for ts_rank, facet values), the same SQL
 * on PGlite and PostgreSQL.
 *
 * - Text: `to_tsvector('italian', f_unaccent(…))`, weighted name A, alternate name and organisation
 *   B, categories, targets and description C, the rest D. The query is expanded with the shared
 *   synonyms; every query word (or synonym phrase) must match; the last word also matches as a
 *   prefix (search as you type). Synonym phrases are indexed as lexemes of their own
 *   (indexedPhrases), so every query is decided by the GIN index without reading positions.
 * - Typos: when full-text finds fewer than TYPO_FALLBACK_BELOW services, each query word that is
 *   not in the index's vocabulary is replaced by the vocabulary words within edit distance 1–2
 *   (typo.ts), and the search runs again; the corrected words are matched by full text, so they
 *   use the same indexes and get highlighted.
 * - Matching: one GIN scan of `search_terms` gives the matching versions (`doc_no`). Filters, facet
 *   counts, "open now", the name matches and the order by name are computed in JS on the
 *   in-memory facet table (facet-table.ts): exact, since a version never changes.
 * - Ranking: services whose name matches every query term (through synonyms and typo corrections
 *   too) first, then the others — two groups, whatever ts_rank says. Within a group, ts_rank
 *   (weights D 0.1, C 0.2, B 0.4, A 1) when it has at most RANK_LIMIT services, else by name:
 *   ranking tens of thousands of services cost more than the rest of the search together.
 * - Facets: counts over the result (every filter applied, so a value's count is the total the
 *   search would have with that value added as a filter).
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { searchServices, searchState, searchTerms } from '../db/schema';
import { bigintArray, compareSlotsByName, createFacetTable, DAY_MASK, FIELDS_AT, FLAGS, PACKED_FIELDS, PUBLIC, STATUS, type FacetStore, type FacetTable } from './facet-table';
import { searchPostsInPostgres } from './posts';
import { isOpenAt, romeWeekMinute } from './hours';
import type { LabelResolver } from './labels';
import { facetValues, normalizeQuery } from './query';
import { cropMarked, HL_END, HL_START, renderSnippet, transferMarks } from './snippet';
import { expandQuery, SYNONYM_GROUPS, tokenize, type QueryTerm } from './synonyms';
import { createVocabulary, type Vocabulary } from './typo';
import {
	type FacetName,
	type OpeningRange,
	type SearchDocument,
	type SearchEngine,
	type SearchHit,
	type SearchQuery,
	type SearchResult
} from './types';

/** The last word matches as a prefix from this many letters (shorter prefixes match too much). */
export const PREFIX_MIN = 3;
/** Below this many full-text hits, typo correction is tried. */
export const TYPO_FALLBACK_BELOW = 5;
/** Groups of matches (name matches, the rest) up to this size are ordered by ts_rank. */
export const RANK_LIMIT = 500;
const WRITE_BATCH = 500;

export interface PostgresEngineOptions {
	labels?: LabelResolver;
	/** Typo-correction vocabulary (default: one per engine, built from the index on first need). */
	vocabulary?: Vocabulary;
	/** Facet values per indexed version (default: one per engine, read on first need). */
	facetTable?: FacetTable;
}

export interface PostgresSearchEngine extends SearchEngine {
	readonly kind: 'postgres';
	readonly vocabulary: Vocabulary;
	readonly facetTable: FacetTable;
}

export function createPostgresEngine(database: Db | (() => Db), opts: PostgresEngineOptions = {}): PostgresSearchEngine {
	const getDb = typeof database === 'function' ? database : () => database;
	const vocabulary = opts.vocabulary ?? createVocabulary(getDb);
	const facetTable = opts.facetTable ?? createFacetTable(getDb);
	return {
		kind: 'postgres',
		vocabulary,
		facetTable,
		async index(docs) {
			for (let i = 0; i < docs.length; i += WRITE_BATCH) await upsertRows(getDb(), docs.slice(i, i + WRITE_BATCH));
			vocabulary.add(docs);
		},
		async remove(ids) {
			if (!ids.length) return;
			await getDb().execute(sql`with gone as (delete from ${searchServices} where service_id = any(${uuidArray(ids)}))
				delete from ${searchTerms} where service_id = any(${uuidArray(ids)})`);
		},
		search: (q) => searchPostgres(getDb(), q, vocabulary, facetTable, opts.labels),
		// Posts are searched in the posts table itself (its full-text index follows every write).
		async indexPosts() {},
		async removePosts() {},
		searchPosts: (q) => searchPostsInPostgres(getDb(), q),
		async reindexAll(docs) {
			const db = getDb();
			// Rows written from here on are current; whatever was not rewritten is gone from the
			// directory. Searches keep answering throughout (no long transaction, no empty index).
			const [first] = await queryRows<{ start: string }>(db, sql`select now()::text as start`);
			const start = first!.start;
			const batches: AsyncIterable<SearchDocument[]> | SearchDocument[][] = Array.isArray(docs) ? [docs] : docs;
			for await (const batch of batches) {
				for (let i = 0; i < batch.length; i += WRITE_BATCH) await upsertRows(db, batch.slice(i, i + WRITE_BATCH));
			}
			await db.execute(sql`with gone as (delete from ${searchServices} where indexed_at < ${start}::timestamptz returning service_id)
				delete from ${searchTerms} t using gone where t.service_id = gone.service_id`);
			vocabulary.invalidate();
			facetTable.invalidate();
			// Every row was rewritten: reclaim the old versions and refresh the planner's statistics
			// (and the visibility map: an empty query reads doc_no from the index alone) now rather
			// than whenever autovacuum comes by. (VACUUM cannot run inside a transaction: then the
			// statistics wait for autovacuum.)
			await db.execute(sql`vacuum (analyze) ${searchServices}, ${searchTerms}`).catch(() => {});
		},
		async health() {
			try {
				await getDb().execute(sql`select 1 from ${searchServices} limit 1`);
				return true;
			} catch {
				return false;
			}
		}
	};
}

const uuidArray = (ids: string[]) => sql`${`{${ids.map((id) => `"${id.replace(/[^0-9a-fA-F-]/g, '')}"`).join(',')}}`}::uuid[]`;
const textArray = (values: string[]) => sql`${`{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`}::text[]`;

/**
 * Text for to_tsvector: our texts are plain text, but Postgres' parser reads <…> as HTML tags and
 * drops them, with everything inside <script> or <style>: angle brackets become spaces.
 */
const plain = (s: string) => s.replace(/[<>]/g, ' ');
const joinText = (...parts: (string | null | undefined)[]) => plain(parts.filter((p) => p && p.trim()).join(' \n '));

/** One row of search_services, as text for SQL to normalise and weigh. */
function toRow(d: SearchDocument) {
	const districts = [...new Set(d.locations.map((l) => l.district).filter((x): x is string => !!x))];
	const cities = [...new Set(d.locations.map((l) => l.city).filter((x): x is string => !!x))];
	const a = plain(d.name);
	const b = joinText(d.alternateName, d.organization.name);
	const c = joinText(...d.categories.map((t) => t.name), ...d.targets.map((t) => t.name), d.description);
	const dd = joinText(
		d.eligibility,
		...d.locations.flatMap((l) => [l.name, l.address]),
		...cities,
		...districts,
		...d.languages.map((l) => l.name)
	);
	return {
		id: d.id,
		name: d.name,
		words: [...new Set(tokenize(joinText(a, b, c, dd)))].join(' '),
		document: d,
		ta: a,
		tb: b,
		tc: c,
		td: dd,
		categories: d.categories.map((t) => t.code),
		targets: d.targets.map((t) => t.code),
		languages: d.languages.map((l) => l.code),
		districts,
		cities,
		organization_id: d.organization.id,
		status: d.status,
		is_public: d.isPublic,
		hours: d.hours,
		assured_date: d.assuredDate
	};
}

async function upsertRows(db: Db, docs: SearchDocument[]) {
	if (!docs.length) return;
	// The last version of a service wins within a batch (ON CONFLICT cannot touch a row twice).
	const rows = [...new Map(docs.map((d) => [d.id, toRow(d)])).values()];
	const phrases = await indexedPhrases(db);
	// One statement writes both tables (atomic without a transaction); every row gets a new doc_no.
	// search_terms gets the tsvectors without positions or weights (half the size: fewer pages to
	// read per search) plus a lexeme for each synonym phrase the row contains (see indexedPhrases);
	// search_services keeps the weighted one for ts_rank.
	await db.execute(sql`
		with ph as (
			select x.query::tsquery as q, x.token from jsonb_to_recordset(${JSON.stringify(phrases)}::jsonb) as x(query text, token text)
		),
		d as materialized (
			select nextval('search_doc_no') as doc_no, r.*,
				setweight(to_tsvector('italian', f_unaccent(coalesce(r.ta, ''))), 'A') ||
				setweight(to_tsvector('italian', f_unaccent(coalesce(r.tb, ''))), 'B') ||
				setweight(to_tsvector('italian', f_unaccent(coalesce(r.tc, ''))), 'C') ||
				setweight(to_tsvector('italian', f_unaccent(coalesce(r.td, ''))), 'D') as tsv0,
				to_tsvector('italian', f_unaccent(coalesce(r.ta, ''))) as name0
			from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, name text, words text, document jsonb,
				ta text, tb text, tc text, td text, categories text[], targets text[], languages text[], districts text[],
				cities text[], organization_id uuid, status text, is_public boolean, hours jsonb, assured_date text)
		),
		services as (
			insert into ${searchServices} (service_id, name, name_norm, words_norm, document, tsv, categories, targets, languages,
				districts, cities, organization_id, status, is_public, hours, assured_date, indexed_at)
			select d.id, d.name, lower(f_unaccent(d.name)), lower(f_unaccent(d.words)), d.document, d.tsv0,
				d.categories, d.targets, d.languages, d.districts, d.cities, d.organization_id, d.status::service_status,
				d.is_public, d.hours, d.assured_date::date, now()
			from d
			on conflict (service_id) do update set
				name = excluded.name, name_norm = excluded.name_norm, words_norm = excluded.words_norm, document = excluded.document,
				tsv = excluded.tsv, categories = excluded.categories, targets = excluded.targets, languages = excluded.languages,
				districts = excluded.districts, cities = excluded.cities, organization_id = excluded.organization_id,
				status = excluded.status, is_public = excluded.is_public, hours = excluded.hours,
				assured_date = excluded.assured_date, indexed_at = excluded.indexed_at
			returning service_id
		)
		insert into ${searchTerms} (service_id, doc_no, tsv, name_tsv)
		select d.id, d.doc_no,
			strip(d.tsv0) || array_to_tsvector(array(select ph.token from ph where d.tsv0 @@ ph.q)),
			strip(d.name0) || array_to_tsvector(array(select ph.token from ph where d.name0 @@ ph.q))
		from d
		on conflict (service_id) do update set doc_no = excluded.doc_no, tsv = excluded.tsv, name_tsv = excluded.name_tsv`);
}

/** A synonym phrase as Postgres parses it (`'ital' <2> 'stranier'`) and the lexeme it is indexed as. */
export interface IndexedPhrase {
	query: string;
	token: string;
}

/** `'ital' <2> 'stranier'` → `~ital<2>stranier` (no word of a text can look like that). */
export const phraseToken = (compiled: string) => `~${compiled.replace(/'/g, '').replace(/\s+/g, '')}`;

let phrasesOnce: Promise<IndexedPhrase[]> | undefined;

/**
 * Every phrase of the synonym list that parses to several lexemes. A phrase is the only part of a
 * query the GIN index cannot decide (it has no positions: every candidate row is read and its
 * positions checked, thousands of rows for 'ital' <2> 'stranier'), so each row gets one lexeme
 * per listed phrase it contains, and queries ask for that lexeme instead: an index lookup like
 * any word. Queries only ever hold phrases of this list (expandQuery). Changing the phrases of the
 * list takes a reindexAll (the nightly one, or at deploy) before the new ones are found.
 */
export function indexedPhrases(db: Db): Promise<IndexedPhrase[]> {
	phrasesOnce ??= (async () => {
		const sources = [...new Set(SYNONYM_GROUPS.flat().map(tokenize).filter((t) => t.length > 1).map((t) => t.join(' <-> ')))];
		const rows = await queryRows<{ q: string }>(db, sql`select to_tsquery('italian', f_unaccent(p))::text as q from unnest(${textArray(sources)}) as p`);
		const out = new Map<string, IndexedPhrase>();
		for (const r of rows) {
			const query = r.q.trim();
			if (query.includes('<') && !query.includes('|') && !query.includes('(')) out.set(query, { query, token: phraseToken(query) });
		}
		return [...out.values()];
	})().catch((err) => {
		phrasesOnce = undefined;
		throw err;
	});
	return phrasesOnce;
}

// ---------------------------------------------------------------- query text

export interface TsQueries {
	/** Every term matches (anywhere in `tsv`; in the name when run on `name_tsv`). */
	any: string;
	/** Each term's alternatives (`any` is these, parenthesised, joined by `&`). */
	groups: string[];
}

/**
 * tsquery source text for the terms: `(w | synonym | …) & (…)`, phrases with `<->`, the last word
 * also as a prefix (`medi:*`). Tokens hold letters and digits only, so the text is always valid
 * to_tsquery syntax. `corrections` adds vocabulary words for a token (typo tolerance).
 */
export function buildTsQueries(terms: QueryTerm[], corrections: Map<string, string[]> = new Map()): TsQueries | null {
	if (!terms.length) return null;
	const groups = terms.map((term, i) => {
			const last = i === terms.length - 1;
			const alts: string[] = [];
			const own = term.tokens.map((t, j) => {
				const prefix = last && j === term.tokens.length - 1 && term.tokens.length === 1 && t.length >= PREFIX_MIN;
				return prefix ? `${t}:*` : t;
			});
			alts.push(own.join(' <-> '));
			for (const alt of term.alternatives) alts.push(alt.join(' <-> '));
			if (term.tokens.length === 1) for (const c of corrections.get(term.tokens[0]!) ?? []) alts.push(c);
			return [...new Set(alts)].join(' | ');
		});
	return { any: groups.map((g) => `(${g})`).join(' & '), groups };
}

// ---------------------------------------------------------------- search

type FacetDim = Exclude<FacetName, 'openNow'>;
const FACET_DIMS: FacetDim[] = ['category', 'district', 'language', 'target'];
/** Index of each facet's field among an entry's packed fields (facet-table.ts). */
const FIELD_INDEX: Record<FacetDim | 'city', number> = {
	category: PACKED_FIELDS.indexOf('categories'),
	target: PACKED_FIELDS.indexOf('targets'),
	language: PACKED_FIELDS.indexOf('languages'),
	district: PACKED_FIELDS.indexOf('districts'),
	city: PACKED_FIELDS.indexOf('cities')
};
const FIELD_NAME: Record<FacetDim, (typeof PACKED_FIELDS)[number]> = {
	category: 'categories',
	target: 'targets',
	language: 'languages',
	district: 'districts'
};

/** What a hit needs of its row (the columns, not the whole document: less to send and parse). */
interface PageRow extends Record<string, unknown> {
	doc_no: string;
	id: string;
	name: string;
	organization_name: string | null;
	description: string | null;
	districts: string[];
	cities: string[];
	languages: string[];
	categories: string[];
	hours: OpeningRange[];
	headline: string | null;
}

interface Found {
	total: number;
	/** The page was not read (fewer results than asked for by runSearch's `pageFrom`). */
	pageDeferred?: boolean;
	page: { row: PageRow; score: number }[];
	counts: Map<FacetDim, Map<string, number>>;
	openNow: number;
}

async function searchPostgres(db: Db, input: SearchQuery, vocabulary: Vocabulary, facetTable: FacetTable, labels?: LabelResolver): Promise<SearchResult> {
	const started = performance.now();
	const query = normalizeQuery(input);
	const terms = expandQuery(query.q);
	let ts = buildTsQueries(terms);
	// Below TYPO_FALLBACK_BELOW the search runs again with typo corrections: the page is read only
	// when it is known which search it comes from.
	let found = await runSearch(db, query, ts, facetTable, ts ? TYPO_FALLBACK_BELOW : 0);
	if (ts && found.total < TYPO_FALLBACK_BELOW) {
		const lastTerm = terms[terms.length - 1]!;
		const corrections = await vocabulary.correct(
			terms.filter((t) => t.tokens.length === 1).map((t) => t.tokens[0]!),
			lastTerm.tokens.length === 1 ? lastTerm.tokens[0] : undefined
		);
		if (corrections.size) {
			ts = buildTsQueries(terms, corrections);
			found = await runSearch(db, query, ts, facetTable);
		}
	}
	if (found.pageDeferred) found = await runSearch(db, query, ts, facetTable);
	const now = query.now ?? new Date();
	const hits: SearchHit[] = found.page.map(({ row: h, score }) => {
		const source = h.description?.trim() ? h.description : h.name;
		const marked = h.headline ? transferMarks(h.headline, source) : source;
		return {
			id: h.id,
			name: h.name,
			organizationName: h.organization_name ?? '',
			snippet: renderSnippet(cropMarked(marked)),
			districts: h.districts,
			cities: h.cities,
			languages: h.languages,
			categories: h.categories,
			openNow: isOpenAt(h.hours, now),
			score: Math.round(score * 10000) / 10000
		};
	});
	const facets: SearchResult['facets'] = {};
	for (const f of query.facets) {
		if (f === 'openNow') facets.openNow = [{ value: 'true', label: 'Aperto ora', count: found.openNow }];
		else facets[f] = await facetValues(f, [...found.counts.get(f)!], query.filters[f] ?? [], labels);
	}
	return { hits, facets, total: found.total, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}

/** tsquery text as Postgres parsed it (stemmed, stop words gone), by source text. */
export interface CompiledTsQueries {
	/** For matching: listed phrases as their lexemes (indexedPhrases). */
	any: string;
	/** For ts_headline and ts_rank, which read the text or positions: the phrases as phrases. */
	highlight: string;
	/** `any` as its terms' alternatives (tsquery items: `'lexeme'`, `'prefix':*`, a phrase…). */
	groups: string[][];
}
const compiled = new Map<string, CompiledTsQueries | null>();

/**
 * One term's alternatives as Postgres parsed them, without the redundant ones: synonyms often stem
 * alike ("abitare", "abitazione", "abitativo" are all 'abit'), a prefix covers its own word ('cas':*
 * covers 'cas'), and a phrase is covered by any of its words that is an alternative on its own
 * ('mediazion' covers 'mediazion' <-> 'linguist'). The result is the same set of services; what
 * it saves is work per matching row, above all for phrases, which the GIN index cannot decide
 * (every candidate row's positions are checked). Texts with parentheses are left as they are.
 */
export function dedupeAlternatives(text: string): string {
	if (text.includes('(')) return text;
	const items = [...new Set(text.split(' | ').map((t) => t.trim()))];
	const words = new Set<string>();
	const prefixes: string[] = [];
	for (const item of items) {
		const m = /^'((?:[^']|'')*)'(:\*)?$/.exec(item);
		if (m) (m[2] ? prefixes.push(m[1]!) : words.add(m[1]!));
	}
	const covered = (lexeme: string) => words.has(lexeme) || prefixes.some((p) => lexeme.startsWith(p));
	return items
		.filter((item) => {
			const m = /^'((?:[^']|'')*)'(:\*)?$/.exec(item);
			if (m) return !!m[2] || !prefixes.some((p) => m[1]!.startsWith(p));
			// A phrase: covered when one of its words is.
			const lexemes = [...item.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!);
			return !lexemes.some(covered);
		})
		.join(' | ');
}

/**
 * Runs the dictionaries once per query text (one small statement, cached per process): the search
 * statements then carry a `'…'::tsquery` literal, which costs nothing to plan, instead of a
 * to_tsquery() call per use. Each term is parsed on its own (a term of stop words only drops out,
 * as to_tsquery does with the whole text) and its alternatives deduplicated. Null when no term has
 * lexemes.
 */
export async function compileTsQueries(db: Db, ts: TsQueries): Promise<CompiledTsQueries | null> {
	const key = ts.any;
	if (compiled.has(key)) return compiled.get(key)!;
	const phrases = new Map((await indexedPhrases(db)).map((p) => [p.query, p.token]));
	const [row] = await queryRows<{ parts: string[] | null }>(
		db,
		sql`select array_agg(to_tsquery('italian', f_unaccent(g))::text order by i) as parts
			from unnest(${textArray(ts.groups)}) with ordinality as u(g, i)`
	);
	const groups = (row?.parts ?? []).map((p) => dedupeAlternatives(p.trim())).filter((p) => p);
	const tokens = (group: string): string[] =>
		group.includes('(')
			? [group]
			: group.split(' | ').map((item) => {
					const token = phrases.get(item.trim());
					return token ? `'${token}'` : item.trim();
				});
	const join = (list: string[]) => list.map((g) => `(${g})`).join(' & ');
	const matching = groups.map(tokens);
	const out = groups.length ? { any: join(matching.map((g) => g.join(' | '))), highlight: join(groups), groups: matching } : null;
	if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
	compiled.set(key, out);
	return out;
}

/** `12,-7,30` → [12, -7, 30] without the intermediate strings of split() (50,000 numbers at times). */
export function parseDocNos(text: string | null): number[] {
	const out: number[] = [];
	if (!text) return out;
	let n = 0;
	let negative = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 44) {
			out.push(negative ? -n : n);
			n = 0;
			negative = false;
		} else if (c === 45) negative = true;
		else n = n * 10 + (c - 48);
	}
	out.push(negative ? -n : n);
	return out;
}

/** The k first of `items` in `cmp` order (a bounded max-heap: n log k, not n log n). */
export function firstK<T>(items: T[], k: number, cmp: (a: T, b: T) => number): T[] {
	if (k <= 0) return [];
	if (items.length <= k * 4) return [...items].sort(cmp).slice(0, k);
	const heap: T[] = [];
	const up = (i: number) => {
		while (i > 0) {
			const p = (i - 1) >> 1;
			if (cmp(heap[i]!, heap[p]!) <= 0) return;
			[heap[i], heap[p]] = [heap[p]!, heap[i]!];
			i = p;
		}
	};
	const down = (i: number) => {
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < heap.length && cmp(heap[l]!, heap[m]!) > 0) m = l;
			if (r < heap.length && cmp(heap[r]!, heap[m]!) > 0) m = r;
			if (m === i) return;
			[heap[i], heap[m]] = [heap[m]!, heap[i]!];
			i = m;
		}
	};
	for (const item of items) {
		if (heap.length < k) {
			heap.push(item);
			up(heap.length - 1);
		} else if (cmp(item, heap[0]!) < 0) {
			heap[0] = item;
			down(0);
		}
	}
	return heap.sort(cmp);
}

interface ScanOptions {
	publicOnly: boolean;
	statuses: Uint8Array | null;
	/** Filters: the field (index in PACKED_FIELDS) and the member ids, AND across filters. */
	filterIndex: Int32Array;
	filterMember: Uint8Array[];
	/** Facets to count: the field and its counters by value id. */
	counterIndex: Int32Array;
	counted: Int32Array[];
	checkOpen: boolean;
	onlyOpen: boolean;
	weekday: number;
	minute: number;
	nameIndex: number;
	/** Per query term, the name lexeme ids that satisfy it (decideNames), */
	nameSets: Uint8Array[];
	decideNames: boolean;
	/** else the doc_no of the name matches as Postgres decided them. */
	namedDocs: Set<number>;
}

/**
 * The hot loop of a search (up to every service): filters, facet counts, "open now" and the split
 * into name matches and the rest. A function of its own with the same argument shapes every time,
 * so that V8 optimises it once for every kind of search (a closure per search was re-optimised).
 */
function scanEntries(store: FacetStore, slots: Int32Array, o: ScanOptions): { tiers: number[][]; openNow: number } {
	const pool = store.pool;
	const offset = store.offset;
	const fields = PACKED_FIELDS.length;
	const fieldAt = new Int32Array(fields);
	const filters = o.filterIndex.length;
	const counts = o.counterIndex.length;
	const terms = o.nameSets.length;
	const named: number[] = [];
	const rest: number[] = [];
	let openNow = 0;
	for (let i = 0; i < slots.length; i++) {
		const slot = slots[i]!;
		const at = offset[slot]!;
		if (o.publicOnly && (pool[at + FLAGS]! & PUBLIC) === 0) continue;
		if (o.statuses !== null && o.statuses[pool[at + STATUS]!] !== 1) continue;
		let p = at + FIELDS_AT;
		for (let k = 0; k < fields; k++) {
			fieldAt[k] = p;
			p += pool[p]! + 1;
		}
		let pass = true;
		for (let k = 0; k < filters && pass; k++) {
			const start = fieldAt[o.filterIndex[k]!]!;
			const member = o.filterMember[k]!;
			pass = false;
			for (let j = 1, n = pool[start]!; j <= n; j++) {
				if (member[pool[start + j]!] === 1) {
					pass = true;
					break;
				}
			}
		}
		if (!pass) continue;
		if (o.checkOpen) {
			// After the fields: the number of ranges, then [weekday, from, to] each.
			let open = false;
			if ((pool[at + DAY_MASK]! & (1 << o.weekday)) !== 0) {
				for (let j = 0, n = pool[p]!, h = p + 1; j < n; j++, h += 3) {
					if (pool[h] === o.weekday && pool[h + 1]! <= o.minute && o.minute < pool[h + 2]!) {
						open = true;
						break;
					}
				}
			}
			if (o.onlyOpen && !open) continue;
			if (open) openNow++;
		}
		for (let c = 0; c < counts; c++) {
			const start = fieldAt[o.counterIndex[c]!]!;
			const into = o.counted[c]!;
			for (let j = 1, n = pool[start]!; j <= n; j++) into[pool[start + j]!]!++;
		}
		let isNamed = false;
		if (o.decideNames) {
			const start = fieldAt[o.nameIndex]!;
			const n = pool[start]!;
			isNamed = true;
			for (let t = 0; t < terms && isNamed; t++) {
				const member = o.nameSets[t]!;
				let found = false;
				for (let j = 1; j <= n && !found; j++) found = member[pool[start + j]!] === 1;
				isNamed = found;
			}
		} else if (o.namedDocs.size > 0) isNamed = o.namedDocs.has(store.entries[slot]!.docNo);
		if (isNamed) named.push(slot);
		else rest.push(slot);
	}
	return { tiers: [named, rest], openNow };
}

/** The versions current in a snapshot: their slots in the facet table, and a slot → current map. */
interface Current {
	version: string;
	store: FacetStore;
	slots: Int32Array;
	/** 1 at the slot of every current version (slots added to the store later are past its end). */
	live: Uint8Array;
}
const currentByTable = new WeakMap<FacetTable, Current>();

/**
 * The current versions as of the search's snapshot. `search_state.version` moves with every
 * statement that writes `search_terms` (a trigger), so while it is unchanged the list read last
 * time is still exact: one primary-key read per search. When it moved, every `doc_no` is read again
 * (an index-only aggregate) and versions this process has not seen are read into the facet table.
 */
async function currentDocs(db: Db, facetTable: FacetTable): Promise<Current> {
	const cached = currentByTable.get(facetTable);
	// One statement (one snapshot): the version, and every doc_no only when it is not the cached one.
	const [state] = await queryRows<{ version: string; docs: string | null }>(
		db,
		sql`select s.version::text as version,
				case when s.version::text = ${cached?.version ?? ''} then null
				else (select string_agg(doc_no::text, ',') from ${searchTerms}) end as docs
			from ${searchState} s where s.id = 1`
	);
	if (cached && state && cached.version === state.version) return cached;
	const docs = state
		? state.docs
		: (await queryRows<{ docs: string | null }>(db, sql`select string_agg(doc_no::text, ',') as docs from ${searchTerms}`))[0]?.docs;
	// Versions superseded since that statement are not found any more: they are left out.
	const { store, slots } = await facetTable.lookup(db, parseDocNos(docs ?? null));
	const live = new Uint8Array(store.size);
	for (let i = 0; i < slots.length; i++) live[slots[i]!] = 1;
	const current = { version: state?.version ?? 'none', store, slots, live };
	if (state) currentByTable.set(facetTable, current);
	return current;
}

/** A term's alternatives as tsquery items: a lexeme, or a prefix (`'cas':*`). */
type Alternative = { lexeme: string; prefix: boolean };

/**
 * Ids in a lexeme dictionary (`values`, `idOf`) of what a term's alternatives stand for: a lexeme
 * itself, a prefix every lexeme starting with it. Used for the stored lexemes and the names' ones.
 */
function lexemeIds(values: string[], idOf: (lexeme: string) => number, alternatives: Alternative[]): number[] {
	const ids = new Set<number>();
	for (const a of alternatives) {
		if (!a.prefix) {
			const id = idOf(a.lexeme);
			if (id >= 0) ids.add(id);
		} else for (let id = 0; id < values.length; id++) if (values[id]!.startsWith(a.lexeme)) ids.add(id);
	}
	return [...ids];
}

/**
 * `tsv @@ query` for a query that is an AND of terms, each an OR of lexemes and prefixes, answered
 * from the facet table's inverted index of the same lexemes Postgres stored (what the GIN index of
 * `search_terms` answers, without reading tens of thousands of heap rows for a common word). The
 * slots of current versions that have, for every term, one of its alternatives.
 */
export function matchInMemory(current: Current, terms: Alternative[][]): Int32Array {
	const { store, live } = current;
	const groups = terms.map((t) => lexemeIds(store.terms, store.termId, t));
	if (!groups.length || groups.some((g) => !g.length)) return new Int32Array(0);
	const size = (g: number[]) => g.reduce((n, id) => n + store.postings[id]!.length, 0);
	groups.sort((a, b) => size(a) - size(b));
	// level[slot] = how many terms (in this order) the slot has satisfied so far.
	const level = new Uint16Array(store.size);
	for (let k = 0; k < groups.length; k++) {
		for (const id of groups[k]!) {
			const list = store.postings[id]!;
			for (let j = 0; j < list.length; j++) if (level[list[j]!] === k) level[list[j]!] = k + 1;
		}
	}
	const want = groups.length;
	let n = 0;
	for (let slot = 0; slot < live.length; slot++) if (live[slot] && level[slot] === want) n++;
	const out = new Int32Array(n);
	n = 0;
	for (let slot = 0; slot < live.length; slot++) if (live[slot] && level[slot] === want) out[n++] = slot;
	return out;
}

/**
 * One search: the matching versions (in memory from the facet table's index of the stored lexemes,
 * or from the GIN index for queries that are not a plain AND of ORs), filters and counts on the
 * facet table, the order, then the page's documents and highlights. The GIN path runs in one
 * read-only transaction (one snapshot); see the end for the in-memory path.
 */
async function runSearch(db: Db, query: SearchQuery, ts: TsQueries | null, facetTable: FacetTable, pageFrom = 0): Promise<Found> {
	const tsq = ts ? await compileTsQueries(db, ts) : null;
	const f = query.filters;
	const now = query.now ?? new Date();
	const { weekday, minute } = romeWeekMinute(now);
	const countDims = FACET_DIMS.filter((d) => query.facets.includes(d));
	const wantOpen = query.facets.includes('openNow');
	const tsLiteral = tsq ? sql`${tsq.any}::tsquery` : null;
	const highlightLiteral = tsq ? sql`${tsq.highlight}::tsquery` : null;
	// Name matches are decided in JS on the names' lexemes when every alternative is a lexeme or a
	// prefix (phrases are lexemes of their own, see indexedPhrases): the same answer as
	// `name_tsv @@ query`, without evaluating it on every matching row.
	const ITEM = /^'((?:[^']|'')*)'(:\*)?$/;
	const nameTerms = tsq?.groups.every((g) => g.every((item) => ITEM.test(item)))
		? tsq.groups.map((g) => g.map((item) => {
				const m = ITEM.exec(item)!;
				return { lexeme: m[1]!.replace(/''/g, "'"), prefix: !!m[2] };
			}))
		: null;

	const run = async (tx: Db): Promise<Found> => {
		let store: FacetStore;
		let slots: Int32Array;
		const named = new Set<number>();
		if (!tsLiteral) ({ store, slots } = await currentDocs(tx, facetTable));
		else if (nameTerms) {
			const current = await currentDocs(tx, facetTable);
			store = current.store;
			slots = matchInMemory(current, nameTerms);
		} else {
			// Text queries read the GIN index: the planner's estimate for an OR of synonyms is the sum
			// of their frequencies, and it then prefers a sequential scan that evaluates the query on
			// every row (slower than the bitmap scan even when half the services match).
			await tx.execute(sql`set local enable_seqscan = off`);
			// JS cannot decide the name matches here: they come back negated (one aggregate, one list).
			const [m] = await queryRows<{ docs: string | null }>(
				tx,
				sql`select string_agg((case when name_tsv @@ ${tsLiteral} then -doc_no else doc_no end)::text, ',') as docs
					from ${searchTerms} where tsv @@ ${tsLiteral}`
			);
			const signed = parseDocNos(m?.docs ?? null);
			for (let i = 0; i < signed.length; i++) {
				if (signed[i]! < 0) {
					signed[i] = -signed[i]!;
					named.add(signed[i]!);
				}
			}
			({ store, slots } = await facetTable.lookup(tx, signed));
		}

		// Filters as membership arrays over a field's dictionary ids (a value no entry has matches nothing).
		const members = (field: (typeof PACKED_FIELDS)[number] | 'status', values: string[]) => {
			const member = new Uint8Array(store.values[field].length + 1);
			for (const v of values) {
				const id = store.idOf(field, v);
				if (id >= 0) member[id] = 1;
			}
			return member;
		};
		const statuses = f.status?.length ? members('status', f.status) : null;
		const filterIndex: number[] = [];
		const filterMember: Uint8Array[] = [];
		if (f.city?.length) {
			filterIndex.push(FIELD_INDEX.city);
			filterMember.push(members('cities', f.city));
		}
		for (const d of FACET_DIMS) {
			if (!f[d]?.length) continue;
			filterIndex.push(FIELD_INDEX[d]);
			filterMember.push(members(FIELD_NAME[d], f[d]!));
		}
		const counterIndex = countDims.map((d) => FIELD_INDEX[d]);
		const counted = countDims.map((d) => new Int32Array(store.values[FIELD_NAME[d]].length));
		const checkOpen = !!f.openNow || wantOpen;
		// Each term: which name lexemes (dictionary ids) satisfy it.
		const nameIndex = PACKED_FIELDS.indexOf('nameLexemes');
		const lexemes = store.values.nameLexemes;
		const nameSets = nameTerms?.map((alternatives) => {
			const member = new Uint8Array(lexemes.length + 1);
			for (const id of lexemeIds(lexemes, (l) => store.idOf('nameLexemes', l), alternatives)) member[id] = 1;
			return member;
		});
		const scanned = scanEntries(store, slots, {
			publicOnly: !!query.publicOnly,
			statuses,
			filterIndex: Int32Array.from(filterIndex),
			filterMember,
			counterIndex: Int32Array.from(counterIndex),
			counted,
			checkOpen,
			onlyOpen: !!f.openNow,
			weekday,
			minute,
			nameIndex,
			nameSets: nameSets ?? [],
			decideNames: !!nameSets,
			namedDocs: named
		});
		const tiers = scanned.tiers;
		const openNow = scanned.openNow;
		const total = tiers[0]!.length + tiers[1]!.length;
		if (total < pageFrom) return { total, page: [], counts: new Map(), openNow: 0, pageDeferred: true };
		const facetCounts = new Map<FacetDim, Map<string, number>>();
		countDims.forEach((dim, c) => {
			const values = store.values[FIELD_NAME[dim]];
			const into = counted[c]!;
			const map = new Map<string, number>();
			for (let id = 0; id < into.length; id++) if (into[id]) map.set(values[id]!, into[id]!);
			facetCounts.set(dim, map);
		});

		// The page: name matches (score 1 + rank), then the rest (rank).
		const from = (query.page - 1) * query.pageSize;
		const to = from + query.pageSize;
		const byName = (a: number, b: number) => compareSlotsByName(store, a, b);
		const page: { slot: number; score: number }[] = [];
		let start = 0;
		for (const [i, tier] of tiers.entries()) {
			const end = start + tier.length;
			if (tier.length && from < end && to > start) {
				const bonus = i === 0 ? 1 : 0;
				const want = Math.min(end, to) - start;
				let ordered: { slot: number; score: number }[];
				if (tsLiteral && tier.length <= RANK_LIMIT) {
					// The weighted tsvector with positions is in search_services (phrases as phrases).
					const ranks = await queryRows<{ id: string; rank: number }>(
						tx,
						sql`select service_id as id, ts_rank('{0.1, 0.2, 0.4, 1.0}', tsv, ${highlightLiteral}) as rank
							from ${searchServices} where service_id = any(${uuidArray(tier.map((slot) => store.entries[slot]!.id))})`
					);
					const rank = new Map(ranks.map((r) => [r.id, Number(r.rank)]));
					// ts_rank can reach 1 and more (many synonyms in a long description): the score shown
					// stays below the next group's, the order uses the rank itself.
					ordered = tier
						.map((slot) => ({ slot, rank: rank.get(store.entries[slot]!.id) ?? 0 }))
						.sort((a, b) => b.rank - a.rank || byName(a.slot, b.slot))
						.slice(0, want)
						.map((r) => ({ slot: r.slot, score: bonus + Math.min(r.rank, 0.9999) }));
				} else {
					ordered = firstK(tier, want, byName).map((slot) => ({ slot, score: bonus }));
				}
				page.push(...ordered.slice(Math.max(0, from - start)));
			}
			start = end;
		}
		if (!page.length) return { total, page: [], counts: facetCounts, openNow: f.openNow ? total : openNow };

		const source = sql`case when coalesce(s.document->>'description', '') ~ '\\S' then s.document->>'description' else s.name end`;
		const headline = highlightLiteral
			? sql`ts_headline('italian', translate(f_unaccent(${source}), '<>', '  '), ${highlightLiteral}, ${`HighlightAll=true, StartSel=${HL_START}, StopSel=${HL_END}`})`
			: sql`null::text`;
		const docs = await queryRows<PageRow>(
			tx,
			sql`select t.doc_no::text as doc_no, s.service_id as id, s.name, s.document->'organization'->>'name' as organization_name,
					s.document->>'description' as description, s.districts, s.cities, s.languages, s.categories, s.hours, ${headline} as headline
				from ${searchTerms} t join ${searchServices} s on s.service_id = t.service_id
				where t.doc_no = any(${bigintArray(page.map((p) => store.entries[p.slot]!.docNo))})`
		);
		const byDoc = new Map(docs.map((d) => [Number(d.doc_no), d]));
		return {
			total,
			page: page.flatMap((p) => {
				const row = byDoc.get(store.entries[p.slot]!.docNo);
				return row ? [{ row, score: p.score }] : [];
			}),
			counts: facetCounts,
			openNow: f.openNow ? total : openNow
		};
	};
	await facetTable.ready();
	// Matching in memory needs no transaction: which versions are current comes from one statement,
	// and the page's rows are read by version (one superseded in between is left out of the page).
	// The GIN path sets enable_seqscan for its transaction and decides name matches in it.
	if (!tsLiteral || nameTerms) return run(db);
	return db.transaction((tx) => run(tx as unknown as Db), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}
