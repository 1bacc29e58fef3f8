/**
 * The Postgres engine's in-memory facet table: for each version of an indexed service (`doc_no` of
 * `search_terms`, new on every write), what filtering, facet counting, "open now" and ordering by
 * name need. The database says which versions match a search (a GIN scan of the narrow
 * `search_terms`); this table answers the rest in JS, which at 15,000 matching services costs a
 * few milliseconds where Postgres spent 40–50 (jsonpath over the hours, array aggregation).
 *
 * A version never changes, so an entry never goes stale: results stay exact with several
 * processes writing. Versions this process has not seen are read on demand; the whole table is
 * read on first use (in chunks, like the typo vocabulary) and again when superseded versions have
 * piled up.
 *
 * Layout: a search walks tens of thousands of entries, so they are packed into one Int32Array
 * (one run of integers per entry, facet values as ids of per-field dictionaries) rather than an
 * object with arrays each: the walk then reads memory in order instead of chasing pointers.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { searchServices, searchTerms } from '../db/schema';
import { normalizeText } from './synonyms';
import type { OpeningRange } from './types';

/**
 * Fields with values as dictionary ids, in their order within an entry. `nameLexemes`: the
 * lexemes of `name_tsv` (the name as Postgres stemmed it, and its synonym phrases), so that "does
 * the name match every term" is answered here rather than by Postgres on every matching row.
 */
export const PACKED_FIELDS = ['categories', 'targets', 'languages', 'districts', 'cities', 'nameLexemes'] as const;
export type PackedField = (typeof PACKED_FIELDS)[number];

/**
 * One entry in `pool`, from its offset: flags (bit 0: public), status id, day mask (bit `weekday`
 * set when some range is on that day), then for each PACKED_FIELDS field a count and that many
 * ids, then the number of ranges and [weekday, from, to] for each.
 */
export const FLAGS = 0;
export const STATUS = 1;
export const DAY_MASK = 2;
export const FIELDS_AT = 3;
export const PUBLIC = 1;

/** What the page and the order by name need of an entry. */
export interface FacetEntry {
	docNo: number;
	id: string;
	/** normalizeText(name): the name order ("Città" among the c's). */
	nameKey: string;
}

/** The table as it is (a reload swaps in a new one; a search keeps the one it started with). */
export interface FacetStore {
	pool: Int32Array;
	/** Offset in `pool` of each slot's entry. */
	offset: Int32Array;
	entries: FacetEntry[];
	/** The first six characters of each slot's nameKey as one number, compared before the string. */
	namePrefix: Float64Array;
	/** Dictionaries: id → value, per field, and the statuses. */
	values: Record<PackedField | 'status', string[]>;
	/** Id of a value (-1 when no entry has it). */
	idOf(field: PackedField | 'status', value: string): number;
	/**
	 * The lexemes of `search_terms.tsv` (stripped: no positions, no weights; synonym phrases as
	 * lexemes of their own): id → lexeme, and for each lexeme the slots of the entries that have it,
	 * in slot order — an inverted index of every version this table holds, current or superseded.
	 */
	terms: string[];
	postings: number[][];
	/** Id of a lexeme (-1 when no entry has it). */
	termId(lexeme: string): number;
	/** Entries (slots 0 … size - 1). */
	readonly size: number;
}

export interface FacetTable {
	/**
	 * Reads the whole table when it was never read (or too many versions are superseded). Call it
	 * outside a transaction: on PGlite a query outside waits for the open transaction.
	 */
	ready(): Promise<void>;
	/**
	 * The slots of these versions, in the same order, reading the versions not cached yet with `db`
	 * (the search's transaction); versions gone from the index are left out.
	 */
	lookup(db: Db, docNos: number[]): Promise<{ store: FacetStore; slots: Int32Array }>;
	/** Reads every row now (start-up warm-up); resolves with the number of rows. */
	load(): Promise<number>;
	/** Forget everything (after a full reindex nothing cached is current). */
	invalidate(): void;
	readonly size: number;
}

const CHUNK = 5000;

interface DbRow extends Record<string, unknown> {
	doc_no: string;
	service_id: string;
	name: string;
	is_public: boolean;
	status: string;
	categories: string[] | null;
	targets: string[] | null;
	languages: string[] | null;
	districts: string[] | null;
	cities: string[] | null;
	hours: OpeningRange[] | null;
	name_tsv: string;
	/** search_terms.tsv as text: the lexemes the service is found by. */
	tsv: string;
}

const columns = sql`t.doc_no::text as doc_no, s.service_id, s.name, s.is_public, s.status::text as status, s.categories,
	s.targets, s.languages, s.districts, s.cities, s.hours, t.name_tsv::text as name_tsv, t.tsv::text as tsv`;

/**
 * The lexemes of a tsvector's text form (`'scuol' 'seral':2A`, a quote inside a lexeme doubled),
 * read with a plain loop: a full load parses millions of them.
 */
export function tsvectorLexemes(text: string): string[] {
	const out: string[] = [];
	let i = text.indexOf("'");
	while (i >= 0 && i < text.length) {
		let j = i + 1;
		let lexeme = '';
		let from = j;
		for (;;) {
			const q = text.indexOf("'", j);
			if (q < 0) return out;
			if (text.charCodeAt(q + 1) === 39) {
				lexeme += text.slice(from, q + 1);
				j = from = q + 2;
				continue;
			}
			lexeme += text.slice(from, q);
			out.push(lexeme);
			i = text.indexOf("'", q + 1);
			break;
		}
	}
	return out;
}

/** Six characters, 8 bits each (48 bits: exact in a double); codes above 255 compare as 255. */
function prefixNumber(key: string): number {
	let n = 0;
	for (let i = 0; i < 6; i++) n = n * 256 + (i < key.length ? Math.min(255, key.charCodeAt(i)) : 0);
	return n;
}

/** Name order of two slots: the normalised name, then the id (pages never overlap). */
export function compareSlotsByName(store: FacetStore, a: number, b: number): number {
	const pa = store.namePrefix[a]!;
	const pb = store.namePrefix[b]!;
	if (pa !== pb) return pa - pb;
	const ea = store.entries[a]!;
	const eb = store.entries[b]!;
	if (ea.nameKey !== eb.nameKey) return ea.nameKey < eb.nameKey ? -1 : 1;
	return ea.id < eb.id ? -1 : ea.id > eb.id ? 1 : 0;
}

export const bigintArray = (values: number[]) => sql`${`{${values.join(',')}}`}::bigint[]`;

/**
 * doc_no → slot. The doc_no of live rows lie close together (every write takes the next one), so
 * an array from the smallest one answers in one read where a Map hashes; doc_no too far from the
 * others go to a Map.
 */
function createSlotIndex() {
	const MAX_SPAN = 1 << 24;
	let base = -1;
	let slots = new Int32Array(0); // slot + 1; 0: none
	const far = new Map<number, number>();
	return {
		get(docNo: number): number {
			const i = docNo - base;
			if (base >= 0 && i >= 0 && i < slots.length) return slots[i]! - 1;
			return far.get(docNo) ?? -1;
		},
		set(docNo: number, slot: number) {
			if (base < 0) {
				base = docNo;
				slots = new Int32Array(1024);
			}
			let i = docNo - base;
			if (i < 0 || i >= MAX_SPAN) {
				far.set(docNo, slot);
				return;
			}
			if (i >= slots.length) {
				const next = new Int32Array(Math.min(MAX_SPAN, Math.max(slots.length * 2, i + 1)));
				next.set(slots);
				slots = next;
			}
			slots[i] = slot + 1;
		}
	};
}

function createStore(): FacetStore & { slotOf: ReturnType<typeof createSlotIndex>; add(r: DbRow): void; size: number } {
	const dictionaries = new Map<string, Map<string, number>>();
	const values = { categories: [], targets: [], languages: [], districts: [], cities: [], nameLexemes: [], status: [] } as Record<PackedField | 'status', string[]>;
	for (const k of Object.keys(values)) dictionaries.set(k, new Map());
	const intern = (field: PackedField | 'status', v: string) => {
		const dict = dictionaries.get(field)!;
		let id = dict.get(v);
		if (id === undefined) {
			id = values[field].length;
			dict.set(v, id);
			values[field].push(v);
		}
		return id;
	};
	let used = 0;
	const termIds = new Map<string, number>();
	const store = {
		pool: new Int32Array(1 << 16),
		offset: new Int32Array(1024),
		namePrefix: new Float64Array(1024),
		entries: [] as FacetEntry[],
		values,
		slotOf: createSlotIndex(),
		size: 0,
		idOf: (field: PackedField | 'status', v: string) => dictionaries.get(field)!.get(v) ?? -1,
		terms: [] as string[],
		postings: [] as number[][],
		termId: (lexeme: string) => termIds.get(lexeme) ?? -1,
		add(r: DbRow) {
			const hours = r.hours ?? [];
			const fields: Record<PackedField, string[]> = {
				categories: r.categories ?? [],
				targets: r.targets ?? [],
				languages: r.languages ?? [],
				districts: r.districts ?? [],
				cities: r.cities ?? [],
				nameLexemes: tsvectorLexemes(r.name_tsv ?? '')
			};
			const need = FIELDS_AT + PACKED_FIELDS.reduce((n, f) => n + 1 + fields[f].length, 0) + 1 + hours.length * 3;
			if (used + need > store.pool.length) {
				const next = new Int32Array(Math.max(store.pool.length * 2, used + need));
				next.set(store.pool);
				store.pool = next;
			}
			const slot = store.size;
			if (slot >= store.offset.length) {
				const offset = new Int32Array(store.offset.length * 2);
				offset.set(store.offset);
				store.offset = offset;
				const prefix = new Float64Array(store.namePrefix.length * 2);
				prefix.set(store.namePrefix);
				store.namePrefix = prefix;
			}
			const pool = store.pool;
			const at = used;
			let dayMask = 0;
			for (const h of hours) dayMask |= 1 << h[0];
			pool[at + FLAGS] = r.is_public ? PUBLIC : 0;
			pool[at + STATUS] = intern('status', r.status);
			pool[at + DAY_MASK] = dayMask;
			let p = at + FIELDS_AT;
			for (const f of PACKED_FIELDS) {
				const list = fields[f];
				pool[p++] = list.length;
				for (const v of list) pool[p++] = intern(f, v);
			}
			pool[p++] = hours.length;
			for (const h of hours) {
				pool[p++] = h[0];
				pool[p++] = h[1];
				pool[p++] = h[2];
			}
			used = p;
			const nameKey = normalizeText(r.name);
			const docNo = Number(r.doc_no);
			store.offset[slot] = at;
			store.namePrefix[slot] = prefixNumber(nameKey);
			store.entries.push({ docNo, id: r.service_id, nameKey });
			store.slotOf.set(docNo, slot);
			for (const lexeme of tsvectorLexemes(r.tsv ?? '')) {
				let id = termIds.get(lexeme);
				if (id === undefined) {
					id = store.terms.length;
					termIds.set(lexeme, id);
					store.terms.push(lexeme);
					store.postings.push([]);
				}
				store.postings[id]!.push(slot);
			}
			store.size++;
		}
	};
	return store;
}

export function createFacetTable(getDb: () => Db): FacetTable {
	let store = createStore();
	/** Rows current at the last full read: more than twice that many cached means reading again. */
	let loadedRows = 0;
	let loaded = false;
	let loading: Promise<number> | undefined;

	const load = (): Promise<number> => {
		loading ??= (async () => {
			const next = createStore();
			let after = 0;
			for (;;) {
				// One chunk at a time: on PGlite other queries run in between.
				const rows = await queryRows<DbRow>(
					getDb(),
					sql`select ${columns} from ${searchTerms} t join ${searchServices} s on s.service_id = t.service_id
						where t.doc_no > ${after} order by t.doc_no limit ${CHUNK}`
				);
				for (const r of rows) next.add(r);
				if (rows.length < CHUNK) break;
				after = Number(rows[rows.length - 1]!.doc_no);
			}
			// Versions written meanwhile that this read missed are read again on demand.
			store = next;
			loadedRows = next.size;
			loaded = true;
			return next.size;
		})().finally(() => {
			loading = undefined;
		});
		return loading;
	};

	return {
		get size() {
			return store.size;
		},
		load,
		invalidate() {
			store = createStore();
			loaded = false;
			loadedRows = 0;
		},
		async ready() {
			if (!loaded) await load();
			else if (store.size > 2 * loadedRows + 1000 && !loading) void load().catch(() => {});
		},
		async lookup(db, docNos) {
			const current = store;
			const slotOf = current.slotOf;
			let missing: number[] | undefined;
			for (let i = 0; i < docNos.length; i++) if (slotOf.get(docNos[i]!) < 0) (missing ??= []).push(docNos[i]!);
			for (let i = 0; missing && i < missing.length; i += CHUNK) {
				const rows = await queryRows<DbRow>(
					db,
					sql`select ${columns} from ${searchTerms} t join ${searchServices} s on s.service_id = t.service_id
						where t.doc_no = any(${bigintArray(missing.slice(i, i + CHUNK))})`
				);
				for (const r of rows) if (slotOf.get(Number(r.doc_no)) < 0) current.add(r);
			}
			const slots = new Int32Array(docNos.length);
			let n = 0;
			for (let i = 0; i < docNos.length; i++) {
				const slot = slotOf.get(docNos[i]!);
				if (slot >= 0) slots[n++] = slot;
			}
			return { store: current, slots: n === docNos.length ? slots : slots.subarray(0, n) };
		}
	};
}
