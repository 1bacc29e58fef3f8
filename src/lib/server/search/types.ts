/**
 * The directory search contract shared by both engines (Postgres full-text, Meilisearch): the
 * flattened service document they index, the query, and the result that
 * `GET /api/directory/search` returns as is ({ hits, facets, total, tookMs }).
 */
import type { ServiceStatus } from '../db/schema';

export type SearchEngineKind = 'postgres' | 'meilisearch';

/** Weekly opening range in Europe/Rome wall-clock minutes: [weekday 1–7 (Mon–Sun), from, to), to ≤ 1440. */
export type OpeningRange = [weekday: number, fromMinute: number, toMinute: number];

export interface CodeName {
	code: string;
	name: string;
}

export interface SearchLocation {
	id: string;
	name: string | null;
	/** Street address (address_1, address_2), without the comune. */
	address: string | null;
	/** Comune. */
	city: string | null;
	istatCode: string | null;
	/** Distretto socio-sanitario. */
	district: string | null;
	lat: number | null;
	lon: number | null;
}

export interface SearchPhone {
	number: string;
	type: string;
	languages: string[];
}

/** One service, flattened with everything search shows or filters on. */
export interface SearchDocument {
	id: string;
	name: string;
	alternateName: string | null;
	description: string | null;
	eligibility: string | null;
	organization: { id: string; name: string };
	locations: SearchLocation[];
	phones: SearchPhone[];
	/** Languages of the service (dir_languages) and of its phone lines; ISO 639 codes. */
	languages: CodeName[];
	/** Taxonomy 'categoria'. */
	categories: CodeName[];
	/** Taxonomy 'destinatari'. */
	targets: CodeName[];
	status: ServiceStatus;
	isPublic: boolean;
	/** Last verified, YYYY-MM-DD. */
	assuredDate: string | null;
	/** Opening hours of the service and of its service-at-locations, merged and sorted. */
	hours: OpeningRange[];
}

export const FACETS = ['category', 'district', 'language', 'target', 'openNow'] as const;
export type FacetName = (typeof FACETS)[number];

export interface SearchFilters {
	/** Category codes: a service matches when it has any of them (OR within a filter, AND across filters). */
	category?: string[];
	district?: string[];
	/** Language codes. */
	language?: string[];
	/** Target-group codes. */
	target?: string[];
	/** Comuni. */
	city?: string[];
	/** Only services open at `now` (Europe/Rome). */
	openNow?: boolean;
	/** Only these statuses; absent = every status. */
	status?: ServiceStatus[];
}

export const MAX_PAGE_SIZE = 50;

export interface SearchQuery {
	/** Free text; empty lists everything that passes the filters (by name). */
	q: string;
	filters: SearchFilters;
	facets: FacetName[];
	/** 1-based. */
	page: number;
	/** At most MAX_PAGE_SIZE. */
	pageSize: number;
	/** Anonymous visitors: only services marked public. */
	publicOnly: boolean;
	/** The instant "open now" refers to (default: the current time). */
	now?: Date;
}

export interface SearchHit {
	id: string;
	name: string;
	organizationName: string;
	/** HTML: escaped text with <mark>…</mark> around matched words, and nothing else. */
	snippet: string;
	districts: string[];
	cities: string[];
	/** Language codes (labels: the `language` facet, or labels.ts). */
	languages: string[];
	/** Category codes (labels: the `category` facet). */
	categories: string[];
	openNow: boolean;
	/** Relevance within this result, higher first; not comparable across engines or queries. */
	score: number;
}

export interface FacetValue {
	value: string;
	label: string;
	count: number;
}

export interface SearchResult {
	hits: SearchHit[];
	/**
	 * Counts over the result: the same query and every filter, so that a value's `count` is the
	 * `total` the search would have with that value added as a filter (for openNow: with
	 * openNow: true). Selected values are listed even at 0. Only the facets asked for are present.
	 */
	facets: Partial<Record<FacetName, FacetValue[]>>;
	total: number;
	tookMs: number;
}

/** A discussion post as the search layer indexes it (deleted and hidden posts are not indexed). */
export interface PostSearchDocument {
	id: string;
	threadId: string;
	threadTitle: string;
	/** The thread's table, or null for the Piazza. */
	tableId: string | null;
	tableName: string | null;
	seq: number;
	authorName: string;
	/** ISO 8601. */
	createdAt: string;
	text: string;
}

export interface PostSearchQuery {
	q: string;
	/** Where the reader may read: table ids and 'piazza' (from authz), or 'all' (admins). */
	places: string[] | 'all';
	/** Only this table (a table id), or only the Piazza (null). */
	tableId?: string | null;
	limit: number;
}

export interface PostHit {
	threadId: string;
	threadTitle: string;
	tableId: string | null;
	tableName: string | null;
	seq: number;
	authorName: string;
	createdAt: Date;
	/** HTML: escaped text with <mark>…</mark> around matched words, and nothing else. */
	snippet: string;
}

export interface SearchEngine {
	readonly kind: SearchEngineKind;
	/** Discussion posts: add or replace (Postgres reads the posts table itself: nothing to do). */
	indexPosts(docs: PostSearchDocument[]): Promise<void>;
	removePosts(ids: string[]): Promise<void>;
	/** Posts matching `q` in the places the reader may read, best first. */
	searchPosts(q: PostSearchQuery): Promise<PostHit[]>;
	/** Adds or replaces these documents. */
	index(docs: SearchDocument[]): Promise<void>;
	/** Removes these services (unknown ids are ignored). */
	remove(ids: string[]): Promise<void>;
	search(q: SearchQuery): Promise<SearchResult>;
	/** Replaces the whole index with these documents; searches keep answering meanwhile. */
	reindexAll(docs: AsyncIterable<SearchDocument[]> | SearchDocument[]): Promise<void>;
	health(): Promise<boolean>;
}
