/**
 * Typo tolerance for the Postgres engine: the vocabulary of the index (every distinct normalised
 * word of `words_norm`, with the number of services using it), held in memory, and corrections of
 * query words within a Damerau–Levenshtein distance of 1 (words of 5+ letters) or 2 (9+), the same
 * rule as Meilisearch's defaults. Corrected words are then searched with full text, so a typo costs
 * one extra indexed query instead of a trigram scan of every description.
 *
 * The vocabulary is read from the database in chunks (PGlite answers other queries in between),
 * grows with every document this process indexes, and is re-read when older than `refreshMs`
 * (another instance may have indexed new words) — in the background, the old one answering meanwhile.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { searchServices } from '../db/schema';
import { tokenize } from './synonyms';
import type { SearchDocument } from './types';

export interface Vocabulary {
	/**
	 * Corrections for the words that are not in the vocabulary; `prefix` (the word being typed) is
	 * left alone when some vocabulary word starts with it.
	 */
	correct(tokens: string[], prefix?: string): Promise<Map<string, string[]>>;
	/** Words of documents just indexed by this process. */
	add(docs: SearchDocument[]): void;
	/** Forget everything: the next correction re-reads the index. */
	invalidate(): void;
	/** Reads the vocabulary now (start-up warm-up); resolves with the number of words. */
	load(): Promise<number>;
	readonly size: number;
}

const MAX_CORRECTIONS = 4;
const CHUNK = 5000;

export const maxTypos = (len: number) => (len >= 9 ? 2 : len >= 5 ? 1 : 0);

/** Optimal-string-alignment distance, or max+1 as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
	if (Math.abs(a.length - b.length) > max) return max + 1;
	if (a === b) return 0;
	const n = b.length;
	let prev2 = new Array<number>(n + 1).fill(0);
	let prev = Array.from({ length: n + 1 }, (_, j) => j);
	let cur = new Array<number>(n + 1).fill(0);
	for (let i = 1; i <= a.length; i++) {
		cur[0] = i;
		let rowMin = cur[0];
		for (let j = 1; j <= n; j++) {
			const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
			let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
			if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2]! + 1);
			cur[j] = v;
			if (v < rowMin) rowMin = v;
		}
		if (rowMin > max) return max + 1;
		[prev2, prev, cur] = [prev, cur, prev2];
	}
	return prev[n]!;
}

export function createVocabulary(getDb: () => Db, opts: { refreshMs?: number } = {}): Vocabulary {
	const refreshMs = opts.refreshMs ?? 10 * 60_000;
	/** word → number of services */
	let words = new Map<string, number>();
	/** Same words, by length, for the scan. */
	let byLength = new Map<number, string[]>();
	let sorted: string[] = [];
	let loadedAt = 0;
	let loading: Promise<number> | undefined;
	let dirty = false;

	const rebuildIndexes = () => {
		byLength = new Map();
		for (const w of words.keys()) {
			const list = byLength.get(w.length);
			if (list) list.push(w);
			else byLength.set(w.length, [w]);
		}
		sorted = [...words.keys()].sort();
		dirty = false;
	};

	const load = (): Promise<number> => {
		loading ??= (async () => {
			const next = new Map<string, number>();
			let after: string | null = null;
			for (;;) {
				// One chunk of services at a time: on PGlite other queries run between chunks.
				const rows: { last: string | null; words: [string, number][] | null }[] = await queryRows(
					getDb(),
					sql`with chunk as (
						select service_id, words_norm from ${searchServices}
						${after ? sql`where service_id > ${after}::uuid` : sql``}
						order by service_id limit ${CHUNK}
					)
					select (select service_id::text from chunk order by service_id desc limit 1) as last,
						(select json_agg(json_build_array(w, c)) from (
							select w, count(*)::int as c from chunk, unnest(string_to_array(chunk.words_norm, ' ')) w
							where length(w) >= 4 group by w) x) as words`
				);
				const r = rows[0];
				if (!r?.last) break;
				for (const [w, c] of r.words ?? []) next.set(w, (next.get(w) ?? 0) + c);
				after = r.last;
			}
			words = next;
			loadedAt = Date.now();
			rebuildIndexes();
			return words.size;
		})().finally(() => {
			loading = undefined;
		});
		return loading;
	};

	const has = (w: string) => words.has(w);
	const isPrefix = (p: string) => {
		let lo = 0;
		let hi = sorted.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (sorted[mid]! < p) lo = mid + 1;
			else hi = mid;
		}
		return lo < sorted.length && sorted[lo]!.startsWith(p);
	};

	return {
		get size() {
			return words.size;
		},
		load,
		invalidate() {
			loadedAt = 0;
			words = new Map();
			rebuildIndexes();
		},
		add(docs) {
			if (!loadedAt) return; // not loaded yet: the load will read them
			for (const d of docs) {
				const text = [d.name, d.alternateName, d.organization.name, d.description, d.eligibility, ...d.categories.map((c) => c.name), ...d.targets.map((t) => t.name)].join(' ');
				for (const w of new Set(tokenize(text))) if (w.length >= 4 && !words.has(w)) {
					words.set(w, 1);
					dirty = true;
				}
			}
		},
		async correct(tokens, prefix) {
			const out = new Map<string, string[]>();
			const candidates = tokens.filter((t) => maxTypos(t.length) > 0);
			if (!candidates.length) return out;
			if (!loadedAt) await load();
			else if (Date.now() - loadedAt > refreshMs && !loading) void load().catch(() => {});
			if (dirty) rebuildIndexes();
			for (const t of candidates) {
				if (has(t) || (t === prefix && isPrefix(t))) continue;
				const max = maxTypos(t.length);
				const found: { w: string; d: number; c: number }[] = [];
				for (let len = t.length - max; len <= t.length + max; len++) {
					for (const w of byLength.get(len) ?? []) {
						const d = editDistance(t, w, max);
						if (d <= max) found.push({ w, d, c: words.get(w) ?? 0 });
					}
				}
				found.sort((a, b) => a.d - b.d || b.c - a.c);
				if (found.length) out.set(t, found.slice(0, MAX_CORRECTIONS).map((f) => f.w));
			}
			return out;
		}
	};
}
