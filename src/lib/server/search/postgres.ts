/**
 * The default search engine: Postgres full-text search on the `search_services` table, the same
 * SQL on PGlite and PostgreSQL.
 *
 * - Text: `to_tsvector('italian', f_unaccent(…))`, weighted name A, alternate name and organisation
 *   B, categories, targets and description C, the rest D. The query is expanded with the shared
 *   synonyms; every query word (or synonym phrase) must match; the last word also matches as a
 *   prefix (search as you type).
 * - Typos: when full-text finds fewer than TYPO_FALLBACK_BELOW services, each query word that is
 *   not in the index's vocabulary is replaced by the vocabulary words within edit distance 1–2
 *   (typo.ts), and the search runs again; the corrected words are matched by full text, so they
 *   use the same indexes and get highlighted.
 * - Ranking: services whose name matches every query term first, then ts_rank (weights
 *   D 0.1, C 0.2, B 0.4, A 1), then name.
 * - Facets: counts over the result (every filter applied, so a value's count is the total the
 *   search would have with that value added as a filter), in the same statement as the hits.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { searchServices } from '../db/schema';
import { isOpenAt, romeWeekMinute } from './hours';
import type { LabelResolver } from './labels';
import { facetValues, normalizeQuery } from './query';
import { cropMarked, HL_END, HL_START, renderSnippet, transferMarks } from './snippet';
import { expandQuery, tokenize, type QueryTerm } from './synonyms';
import { createVocabulary, type Vocabulary } from './typo';
import {
	type FacetName,
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
const WRITE_BATCH = 500;

export interface PostgresEngineOptions {
	labels?: LabelResolver;
	/** Typo-correction vocabulary (default: one per engine, built from the index on first need). */
	vocabulary?: Vocabulary;
}

export interface PostgresSearchEngine extends SearchEngine {
	readonly kind: 'postgres';
	readonly vocabulary: Vocabulary;
}

export function createPostgresEngine(database: Db | (() => Db), opts: PostgresEngineOptions = {}): PostgresSearchEngine {
	const getDb = typeof database === 'function' ? database : () => database;
	const vocabulary = opts.vocabulary ?? createVocabulary(getDb);
	return {
		kind: 'postgres',
		vocabulary,
		async index(docs) {
			for (let i = 0; i < docs.length; i += WRITE_BATCH) await upsertRows(getDb(), docs.slice(i, i + WRITE_BATCH));
			vocabulary.add(docs);
		},
		async remove(ids) {
			if (!ids.length) return;
			await getDb().execute(sql`delete from ${searchServices} where service_id = any(${uuidArray(ids)})`);
		},
		search: (q) => searchPostgres(getDb(), q, vocabulary, opts.labels),
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
			await db.execute(sql`delete from ${searchServices} where indexed_at < ${start}::timestamptz`);
			vocabulary.invalidate();
			// Every row was rewritten: reclaim the old versions and refresh the planner's statistics
			// now rather than whenever autovacuum comes by. (VACUUM cannot run inside a transaction:
			// then the statistics wait for autovacuum.)
			await db.execute(sql`vacuum (analyze) ${searchServices}`).catch(() => {});
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
	await db.execute(sql`
		insert into ${searchServices} (service_id, name, name_norm, words_norm, document, tsv, categories, targets, languages,
			districts, cities, organization_id, status, is_public, hours, assured_date, indexed_at)
		select d.id, d.name, lower(f_unaccent(d.name)), lower(f_unaccent(d.words)), d.document,
			setweight(to_tsvector('italian', f_unaccent(coalesce(d.ta, ''))), 'A') ||
			setweight(to_tsvector('italian', f_unaccent(coalesce(d.tb, ''))), 'B') ||
			setweight(to_tsvector('italian', f_unaccent(coalesce(d.tc, ''))), 'C') ||
			setweight(to_tsvector('italian', f_unaccent(coalesce(d.td, ''))), 'D'),
			d.categories, d.targets, d.languages, d.districts, d.cities, d.organization_id, d.status::service_status,
			d.is_public, d.hours, d.assured_date::date, now()
		from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as d(id uuid, name text, words text, document jsonb,
			ta text, tb text, tc text, td text, categories text[], targets text[], languages text[], districts text[],
			cities text[], organization_id uuid, status text, is_public boolean, hours jsonb, assured_date text)
		on conflict (service_id) do update set
			name = excluded.name, name_norm = excluded.name_norm, words_norm = excluded.words_norm, document = excluded.document,
			tsv = excluded.tsv, categories = excluded.categories, targets = excluded.targets, languages = excluded.languages,
			districts = excluded.districts, cities = excluded.cities, organization_id = excluded.organization_id,
			status = excluded.status, is_public = excluded.is_public, hours = excluded.hours,
			assured_date = excluded.assured_date, indexed_at = excluded.indexed_at`);
}

// ---------------------------------------------------------------- query text

export interface TsQueries {
	/** Every term matches anywhere. */
	any: string;
	/** Every term matches in the name (weight A). */
	name: string;
}

/**
 * tsquery source text for the terms: `(w | synonym | …) & (…)`, phrases with `<->`, the last word
 * also as a prefix (`medi:*`). Tokens hold letters and digits only, so the text is always valid
 * to_tsquery syntax. `corrections` adds vocabulary words for a token (typo tolerance).
 */
export function buildTsQueries(terms: QueryTerm[], corrections: Map<string, string[]> = new Map()): TsQueries | null {
	if (!terms.length) return null;
	const render = (weight: string) =>
		terms
			.map((term, i) => {
				const last = i === terms.length - 1;
				const alts: string[] = [];
				const own = term.tokens.map((t, j) => {
					const prefix = last && j === term.tokens.length - 1 && term.tokens.length === 1 && t.length >= PREFIX_MIN;
					return prefix ? `${t}:*${weight}` : weight ? `${t}:${weight}` : t;
				});
				alts.push(own.join(' <-> '));
				for (const alt of term.alternatives) alts.push(alt.map((t) => (weight ? `${t}:${weight}` : t)).join(' <-> '));
				if (term.tokens.length === 1) for (const c of corrections.get(term.tokens[0]!) ?? []) alts.push(weight ? `${c}:${weight}` : c);
				return `(${[...new Set(alts)].join(' | ')})`;
			})
			.join(' & ');
	return { any: render(''), name: render('A') };
}

// ---------------------------------------------------------------- search

type FacetDim = Exclude<FacetName, 'openNow'>;
const FACET_DIMS: FacetDim[] = ['category', 'district', 'language', 'target'];
const FACET_COLUMN: Record<FacetDim, SQL> = {
	category: sql.raw('categories'),
	district: sql.raw('districts'),
	language: sql.raw('languages'),
	target: sql.raw('targets')
};

interface Row extends Record<string, unknown> {
	total: number;
	hits: { id: string; document: SearchDocument; score: number; headline: string | null }[];
	/** Per row of the result, the values of each facet asked for (see ROW_SEP…). */
	facets: string | null;
	open_now: number | null;
}

const ROW_SEP = '\u001d';
const FIELD_SEP = '\u001f';
const VALUE_SEP = '\u001e';

/** Counts per value of each facet from the concatenated rows. */
export function countFacetText(text: string | null, dims: FacetDim[]): Map<FacetDim, Map<string, number>> {
	const out = new Map<FacetDim, Map<string, number>>(dims.map((d) => [d, new Map()]));
	if (!text) return out;
	const maps = dims.map((d) => out.get(d)!);
	for (const row of text.split(ROW_SEP)) {
		const fields = row.split(FIELD_SEP);
		for (let i = 0; i < maps.length; i++) {
			const field = fields[i];
			if (!field) continue;
			const map = maps[i]!;
			for (const v of field.split(VALUE_SEP)) map.set(v, (map.get(v) ?? 0) + 1);
		}
	}
	return out;
}

async function searchPostgres(db: Db, input: SearchQuery, vocabulary: Vocabulary, labels?: LabelResolver): Promise<SearchResult> {
	const started = performance.now();
	const query = normalizeQuery(input);
	const terms = expandQuery(query.q);
	let ts = buildTsQueries(terms);
	let row = await runSearch(db, query, ts);
	if (ts && row.total < TYPO_FALLBACK_BELOW) {
		const lastTerm = terms[terms.length - 1]!;
		const corrections = await vocabulary.correct(
			terms.filter((t) => t.tokens.length === 1).map((t) => t.tokens[0]!),
			lastTerm.tokens.length === 1 ? lastTerm.tokens[0] : undefined
		);
		if (corrections.size) {
			ts = buildTsQueries(terms, corrections);
			row = await runSearch(db, query, ts);
		}
	}
	const now = query.now ?? new Date();
	const hits: SearchHit[] = row.hits.map((h) => {
		const d = h.document;
		const source = d.description?.trim() ? d.description : d.name;
		const marked = h.headline ? transferMarks(h.headline, source) : source;
		return {
			id: h.id,
			name: d.name,
			organizationName: d.organization.name,
			snippet: renderSnippet(cropMarked(marked)),
			districts: [...new Set(d.locations.map((l) => l.district).filter((x): x is string => !!x))],
			cities: [...new Set(d.locations.map((l) => l.city).filter((x): x is string => !!x))],
			languages: d.languages.map((l) => l.code),
			categories: d.categories.map((c) => c.code),
			openNow: isOpenAt(d.hours, now),
			score: Math.round(h.score * 10000) / 10000
		};
	});
	const facets: SearchResult['facets'] = {};
	const dims = FACET_DIMS.filter((d) => query.facets.includes(d));
	const counted = countFacetText(row.facets, dims);
	for (const f of query.facets) {
		if (f === 'openNow') facets.openNow = [{ value: 'true', label: 'Aperto ora', count: row.open_now ?? 0 }];
		else facets[f] = await facetValues(f, [...counted.get(f)!], query.filters[f] ?? [], labels);
	}
	return { hits, facets, total: row.total, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}

/** tsquery texts as Postgres parsed them (stemmed, stop words gone), by source text. */
export interface CompiledTsQueries {
	any: string;
	name: string;
}
const compiled = new Map<string, CompiledTsQueries | null>();

/**
 * Runs the dictionaries once per query text (one small statement, cached per process): the search
 * statement then carries `'…'::tsquery` literals, which cost nothing to plan, instead of a
 * to_tsquery() call per use. Null when the text has no lexemes (only stop words).
 */
export async function compileTsQueries(db: Db, ts: TsQueries): Promise<CompiledTsQueries | null> {
	const key = `${ts.any}\n${ts.name}`;
	if (compiled.has(key)) return compiled.get(key)!;
	const [row] = await queryRows<{ any: string; name: string }>(
		db,
		sql`select to_tsquery('italian', f_unaccent(${ts.any}))::text as any, to_tsquery('italian', f_unaccent(${ts.name}))::text as name`
	);
	const out = row && row.any.trim() ? { any: row.any, name: row.name } : null;
	if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
	compiled.set(key, out);
	return out;
}

async function runSearch(db: Db, query: SearchQuery, ts: TsQueries | null): Promise<Row> {
	const tsq = ts ? await compileTsQueries(db, ts) : null;
	const statement = buildSearchSql(query, tsq);
	if (!tsq) return (await queryRows<Row>(db, statement))[0]!;
	// Text queries read the GIN index: the planner's estimate for an OR of synonyms is the sum of
	// their frequencies, and it then prefers a sequential scan that evaluates the query on every
	// row — slower than the bitmap scan even when half the services match (measured on both engines).
	return db.transaction(async (tx) => {
		await tx.execute(sql`set local enable_seqscan = off`);
		return (await queryRows<Row>(tx as unknown as Db, statement))[0]!;
	});
}

/** The one statement of a search (exported for EXPLAIN in benchmarks). */
export function buildSearchSql(query: SearchQuery, ts: CompiledTsQueries | null): SQL {
	const f = query.filters;
	const now = query.now ?? new Date();
	const where: SQL[] = [];
	if (query.publicOnly) where.push(sql`s.is_public`);
	if (f.status?.length) where.push(sql`s.status::text = any(${textArray(f.status)})`);
	if (f.city?.length) where.push(sql`s.cities && ${textArray(f.city)}`);
	for (const dim of FACET_DIMS) {
		const values = f[dim];
		if (values?.length) where.push(sql`s.${FACET_COLUMN[dim]} && ${textArray(values)}`);
	}
	const tsq = ts ? sql`${ts.any}::tsquery` : null;
	const tsqName = ts ? sql`${ts.name}::tsquery` : null;
	if (tsq) where.push(sql`s.tsv @@ ${tsq}`);
	const { weekday, minute } = romeWeekMinute(now);
	// Constants inline (two integers): the path is parsed once, and runs ~25% faster than with vars.
	const openPath = `strict $[*] ? (@[0] == ${weekday} && @[1] <= ${minute} && @[2] > ${minute})`;
	const openExpr = sql`jsonb_path_exists(s.hours, ${openPath}::jsonpath)`;
	if (f.openNow) where.push(openExpr);

	const wantOpenCount = query.facets.includes('openNow');
	const facetDims = FACET_DIMS.filter((d) => query.facets.includes(d));
	const score = tsq ? sql`(case when s.tsv @@ ${tsqName} then 1 else 0 end + ts_rank('{0.1, 0.2, 0.4, 1.0}', s.tsv, ${tsq}))` : sql`0::real`;
	const columns: SQL[] = [sql`s.service_id`, sql`s.name`, sql`${score} as score`, ...facetDims.map((dim) => sql`s.${FACET_COLUMN[dim]}`)];
	if (wantOpenCount) columns.push(f.openNow ? sql`true as is_open` : sql`${openExpr} as is_open`);
	const offset = (query.page - 1) * query.pageSize;
	const source = sql`case when coalesce(s.document->>'description', '') ~ '\\S' then s.document->>'description' else s.name end`;
	const headline = tsq
		? sql`ts_headline('italian', translate(f_unaccent(${source}), '<>', '  '), ${tsq}, ${`HighlightAll=true, StartSel=${HL_START}, StopSel=${HL_END}`})`
		: sql`null::text`;
	// Facets count the rows of the result (the same query and filters as the total). Postgres
	// only concatenates each row's values (string_agg is ~3x cheaper than unnest + GROUP BY here);
	// they are counted in JS. Values never contain control characters (documents.ts).
	const facetText = facetDims.length
		? sql`(select string_agg(concat_ws(${FIELD_SEP}, ${sql.join(
				facetDims.map((dim) => sql`array_to_string(base.${FACET_COLUMN[dim]}, ${VALUE_SEP})`),
				sql`, `
			)}), ${ROW_SEP}) from base)`
		: sql`null::text`;

	return sql`with base as materialized (
			select ${sql.join(columns, sql`, `)}
			from ${searchServices} s
			${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
		),
		page as (
			select service_id, name, score from base
			order by score desc, name, service_id limit ${query.pageSize} offset ${offset}
		)
		select
			(select count(*)::int from base) as total,
			${wantOpenCount ? sql`(select count(*)::int from base where is_open)` : sql`null::int`} as open_now,
			(select coalesce(json_agg(json_build_object('id', s.service_id, 'document', s.document, 'score', p.score, 'headline', ${headline})
				order by p.score desc, p.name, p.service_id), '[]'::json)
				from page p join ${searchServices} s on s.service_id = p.service_id) as hits,
			${facetText} as facets`;
}
