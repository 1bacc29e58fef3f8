/**
 * The same search contract on Meilisearch (official client, `meilisearch` 0.62): one index of
 * flattened services, configured once per process before the first write or search.
 *
 * - Typos, prefixes and accents are Meilisearch's own (typo rule as in typo.ts: 1 typo from 5
 *   letters, 2 from 9); stemming does not exist there, so the shared synonyms carry the word families
 *   (mediazione / mediatrice / mediatore…). Every query word must match (`matchingStrategy: all`),
 *   as on Postgres.
 * - Ranking: the default rules, with `name` first among the searchable attributes.
 * - Open now: each document lists the 15-minute slots of the week it is open for in full
 *   (hours.ts `openSlots`); the filter is `openSlots = <slot of now>`.
 * - Facets: Meilisearch's facet distribution of the filtered result (as the Postgres engine counts
 *   them); the openNow count is a second query of the multi-search (the filters plus the slot).
 * - Totals are exact (page/hitsPerPage), up to `pagination.maxTotalHits` (set to 100,000).
 */
import { Meilisearch, type Index, type IndexSwap, type MultiSearchQuery, type SearchResponse, type Settings, type Task } from 'meilisearch';
import { openSlots, romeSlot } from './hours';
import type { LabelResolver } from './labels';
import { facetValues, normalizeQuery } from './query';
import { HL_END, HL_START, renderSnippet } from './snippet';
import { meiliSynonyms } from './synonyms';
import type { FacetName, PostHit, PostSearchDocument, SearchDocument, SearchEngine, SearchHit, SearchQuery, SearchResult } from './types';
import { meiliPlaceFilter } from './posts';

export interface MeilisearchEngineOptions {
	host: string;
	apiKey?: string;
	/** Index uid (tests use their own). */
	indexUid?: string;
	/** The posts index (default intarsi_posts). */
	postsIndexUid?: string;
	labels?: LabelResolver;
	/** Longest wait for one indexing task. */
	taskTimeoutMs?: number;
}

/** What Meilisearch stores per service: searchable text fields, filter fields, and the document. */
export interface MeiliPostDoc {
	id: string;
	threadId: string;
	threadTitle: string;
	/** The thread's table id, or 'piazza'. */
	place: string;
	tableName: string | null;
	seq: number;
	authorName: string;
	createdAt: string;
	text: string;
}

export const MEILI_POST_SETTINGS: Settings = {
	searchableAttributes: ['text', 'threadTitle'],
	filterableAttributes: ['place', 'threadId'],
	sortableAttributes: ['createdAt'],
	displayedAttributes: ['*']
};

const toMeiliPost = (d: PostSearchDocument): MeiliPostDoc => ({
	id: d.id,
	threadId: d.threadId,
	threadTitle: d.threadTitle,
	place: d.tableId ?? 'piazza',
	tableName: d.tableName,
	seq: d.seq,
	authorName: d.authorName,
	createdAt: d.createdAt,
	text: d.text
});

export interface MeiliServiceDoc {
	id: string;
	name: string;
	alternateName: string | null;
	organizationName: string;
	categoryNames: string[];
	targetNames: string[];
	description: string | null;
	eligibility: string | null;
	locationNames: string[];
	addresses: string[];
	cities: string[];
	districts: string[];
	languageNames: string[];
	categories: string[];
	targets: string[];
	languages: string[];
	status: string;
	isPublic: boolean;
	assuredDate: string | null;
	openSlots: number[];
	doc: SearchDocument;
}

/** Articles, prepositions and conjunctions: they would otherwise be required words of a query. */
export const ITALIAN_STOP_WORDS = [
	'il', 'lo', 'la', 'i', 'gli', 'le', 'un', 'uno', 'una', 'di', 'a', 'da', 'in', 'con', 'su', 'per', 'tra', 'fra',
	'del', 'dello', 'della', 'dei', 'degli', 'delle', 'al', 'allo', 'alla', 'ai', 'agli', 'alle', 'dal', 'dallo',
	'dalla', 'dai', 'dagli', 'dalle', 'nel', 'nello', 'nella', 'nei', 'negli', 'nelle', 'sul', 'sullo', 'sulla',
	'sui', 'sugli', 'sulle', 'e', 'ed', 'o', 'od', 'che', 'l', 'd', 'dell', 'all', 'dall', 'nell', 'sull'
];

export const MEILI_SETTINGS: Settings = {
	searchableAttributes: [
		'name',
		'alternateName',
		'organizationName',
		'categoryNames',
		'targetNames',
		'description',
		'eligibility',
		'locationNames',
		'cities',
		'districts',
		'addresses',
		'languageNames'
	],
	filterableAttributes: ['categories', 'targets', 'languages', 'districts', 'cities', 'isPublic', 'status', 'openSlots'],
	sortableAttributes: ['name', 'assuredDate'],
	typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
	synonyms: meiliSynonyms(),
	stopWords: ITALIAN_STOP_WORDS,
	pagination: { maxTotalHits: 100_000 },
	faceting: { maxValuesPerFacet: 200, sortFacetValuesBy: { '*': 'count' } },
	localizedAttributes: [{ attributePatterns: ['*'], locales: ['ita'] }]
};

const FIELD: Record<Exclude<FacetName, 'openNow'>, string> = {
	category: 'categories',
	district: 'districts',
	language: 'languages',
	target: 'targets'
};

const uniq = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x && !!x.trim()))];

export function toMeiliDoc(d: SearchDocument): MeiliServiceDoc {
	return {
		id: d.id,
		name: d.name,
		alternateName: d.alternateName,
		organizationName: d.organization.name,
		categoryNames: d.categories.map((c) => c.name),
		targetNames: d.targets.map((t) => t.name),
		description: d.description,
		eligibility: d.eligibility,
		locationNames: uniq(d.locations.map((l) => l.name)),
		addresses: uniq(d.locations.map((l) => l.address)),
		cities: uniq(d.locations.map((l) => l.city)),
		districts: uniq(d.locations.map((l) => l.district)),
		languageNames: d.languages.map((l) => l.name),
		categories: d.categories.map((c) => c.code),
		targets: d.targets.map((t) => t.code),
		languages: d.languages.map((l) => l.code),
		status: d.status,
		isPublic: d.isPublic,
		assuredDate: d.assuredDate,
		openSlots: openSlots(d.hours),
		doc: d
	};
}

/** A filter value as a Meilisearch string literal. */
const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const inList = (field: string, values: string[]) => `${field} IN [${values.map(quote).join(', ')}]`;

/** The query's filters as Meilisearch filter expressions (ANDed by the caller). */
export function meiliFilters(q: SearchQuery, now: Date): string[] {
	const f = q.filters;
	const out: string[] = [];
	if (q.publicOnly) out.push('isPublic = true');
	if (f.status?.length) out.push(inList('status', f.status));
	if (f.city?.length) out.push(inList('cities', f.city));
	for (const dim of ['category', 'district', 'language', 'target'] as const) {
		const values = f[dim];
		if (values?.length) out.push(inList(FIELD[dim], values));
	}
	if (f.openNow) out.push(`openSlots = ${romeSlot(now)}`);
	return out;
}

const andAll = (exprs: string[]) => (exprs.length ? exprs.map((e) => `(${e})`).join(' AND ') : undefined);

async function succeeded(task: Promise<Task>): Promise<Task> {
	const t = await task;
	if (t.status !== 'succeeded') throw new Error(`Meilisearch task ${t.uid} (${t.type}) ${t.status}: ${t.error?.message ?? 'no detail'}`);
	return t;
}

export function createMeilisearchEngine(opts: MeilisearchEngineOptions): SearchEngine {
	const client = new Meilisearch({
		host: opts.host,
		apiKey: opts.apiKey,
		timeout: 15_000,
		defaultWaitOptions: { timeout: opts.taskTimeoutMs ?? 120_000, interval: 50 }
	});
	const uid = opts.indexUid ?? 'intarsi_services';
	let ready: Promise<Index<MeiliServiceDoc>> | undefined;

	const prepare = async (indexUid: string): Promise<Index<MeiliServiceDoc>> => {
		const created = await client.createIndex(indexUid, { primaryKey: 'id' }).waitTask();
		if (created.status !== 'succeeded' && created.error?.code !== 'index_already_exists')
			throw new Error(`Meilisearch: cannot create index ${indexUid}: ${created.error?.message}`);
		const index = client.index<MeiliServiceDoc>(indexUid);
		await succeeded(index.updateSettings(MEILI_SETTINGS).waitTask());
		return index;
	};
	// Settings are applied once per process (idempotent); a failure is retried on the next call.
	const main = () => {
		ready ??= prepare(uid).catch((err) => {
			ready = undefined;
			throw err;
		});
		return ready;
	};

	// Discussion posts: their own index; `place` is the thread's table id or 'piazza'.
	const postsUid = opts.postsIndexUid ?? 'intarsi_posts';
	let postsReady: Promise<Index<MeiliPostDoc>> | undefined;
	const posts = () => {
		postsReady ??= (async () => {
			const created = await client.createIndex(postsUid, { primaryKey: 'id' }).waitTask();
			if (created.status !== 'succeeded' && created.error?.code !== 'index_already_exists')
				throw new Error(`Meilisearch: cannot create index ${postsUid}: ${created.error?.message}`);
			const index = client.index<MeiliPostDoc>(postsUid);
			await succeeded(index.updateSettings(MEILI_POST_SETTINGS).waitTask());
			return index;
		})().catch((err) => {
			postsReady = undefined;
			throw err;
		});
		return postsReady;
	};

	return {
		kind: 'meilisearch',
		async indexPosts(docs) {
			if (!docs.length) return;
			await succeeded((await posts()).addDocuments(docs.map(toMeiliPost), { primaryKey: 'id' }).waitTask());
		},
		async removePosts(ids) {
			if (!ids.length) return;
			await succeeded((await posts()).deleteDocuments(ids).waitTask());
		},
		async searchPosts(q) {
			const text = q.q.trim().slice(0, 200);
			if (!text) return [];
			const res = await (await posts()).search(text, {
				filter: meiliPlaceFilter(q),
				limit: q.limit,
				matchingStrategy: 'all',
				locales: ['ita'],
				attributesToHighlight: ['text'],
				attributesToCrop: ['text'],
				cropLength: 30,
				cropMarker: '…',
				highlightPreTag: HL_START,
				highlightPostTag: HL_END
			});
			return res.hits.map(
				(h): PostHit => ({
					threadId: h.threadId,
					threadTitle: h.threadTitle,
					tableId: h.place === 'piazza' ? null : h.place,
					tableName: h.tableName,
					seq: h.seq,
					authorName: h.authorName,
					createdAt: new Date(h.createdAt),
					snippet: renderSnippet(String((h._formatted as Partial<MeiliPostDoc> | undefined)?.text ?? h.text))
				})
			);
		},
		async index(docs) {
			if (!docs.length) return;
			const index = await main();
			await succeeded(index.addDocuments(docs.map(toMeiliDoc), { primaryKey: 'id' }).waitTask());
		},
		async remove(ids) {
			if (!ids.length) return;
			const index = await main();
			await succeeded(index.deleteDocuments(ids).waitTask());
		},
		async reindexAll(docs) {
			// Build a fresh index beside the live one, then swap them atomically: searches never see a
			// half-built index.
			await main();
			const tmpUid = `${uid}__reindex`;
			await client.deleteIndexIfExists(tmpUid);
			const tmp = await prepare(tmpUid);
			const batches: AsyncIterable<SearchDocument[]> | SearchDocument[][] = Array.isArray(docs) ? [docs] : docs;
			for await (const batch of batches) {
				for (let i = 0; i < batch.length; i += 1000) await succeeded(tmp.addDocuments(batch.slice(i, i + 1000).map(toMeiliDoc), { primaryKey: 'id' }).waitTask());
			}
			// No `rename` field (false is the default; servers before v1.18 reject the field).
			await succeeded(client.swapIndexes([{ indexes: [uid, tmpUid] } as IndexSwap]).waitTask());
			await succeeded(client.deleteIndex(tmpUid).waitTask());
		},
		async health() {
			try {
				return await client.isHealthy();
			} catch {
				return false;
			}
		},
		async search(input) {
			const started = performance.now();
			const query = normalizeQuery(input);
			const now = query.now ?? new Date();
			await main();
			const filter = andAll(meiliFilters(query, now));
			const base = { indexUid: uid, q: query.q, matchingStrategy: 'all' as const, locales: ['ita'] };
			const facetDims = query.facets.filter((f): f is Exclude<FacetName, 'openNow'> => f !== 'openNow');
			const queries: MultiSearchQuery[] = [
				{
					...base,
					filter,
					page: query.page,
					hitsPerPage: query.pageSize,
					facets: facetDims.map((d) => FIELD[d]),
					attributesToRetrieve: ['id', 'name', 'description', 'doc'],
					attributesToHighlight: ['name', 'description'],
					attributesToCrop: ['description'],
					cropLength: 30,
					cropMarker: '…',
					highlightPreTag: HL_START,
					highlightPostTag: HL_END,
					showRankingScore: true
				}
			];
			// How many of the results are open now (with an openNow filter: all of them).
			const countOpen = query.facets.includes('openNow') && !query.filters.openNow;
			if (countOpen) {
				const open = `openSlots = ${romeSlot(now)}`;
				queries.push({ ...base, filter: filter ? `${filter} AND (${open})` : open, page: 1, hitsPerPage: 1, attributesToRetrieve: ['id'] });
			}
			const { results } = (await client.multiSearch({ queries })) as { results: SearchResponse<MeiliServiceDoc>[] };
			const mainResult = results[0]!;
			const total = mainResult.totalHits ?? mainResult.estimatedTotalHits ?? 0;

			const slot = romeSlot(now);
			const hits: SearchHit[] = mainResult.hits.map((h) => {
				const d = h.doc;
				const formatted = h._formatted as Partial<MeiliServiceDoc> | undefined;
				const useDescription = !!d.description?.trim();
				const marked = (useDescription ? formatted?.description : formatted?.name) ?? (useDescription ? d.description! : d.name);
				return {
					id: d.id,
					name: d.name,
					organizationName: d.organization.name,
					snippet: renderSnippet(String(marked)),
					districts: uniq(d.locations.map((l) => l.district)),
					cities: uniq(d.locations.map((l) => l.city)),
					languages: d.languages.map((l) => l.code),
					categories: d.categories.map((c) => c.code),
					openNow: openSlots(d.hours).includes(slot),
					score: Math.round((h._rankingScore ?? 0) * 10000) / 10000
				};
			});
			const facets: SearchResult['facets'] = {};
			for (const dim of facetDims) {
				const counts: [string, number][] = Object.entries(mainResult.facetDistribution?.[FIELD[dim]] ?? {});
				facets[dim] = await facetValues(dim, counts, query.filters[dim] ?? [], opts.labels);
			}
			if (query.facets.includes('openNow'))
				facets.openNow = [{ value: 'true', label: 'Aperto ora', count: countOpen ? (results[1]!.totalHits ?? 0) : total }];
			return {
				hits,
				facets,
				total,
				tookMs: Math.round((performance.now() - started) * 10) / 10
			};
		}
	};
}
