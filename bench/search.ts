/**
 * npm run bench:search — directory search latency on generated data.
 *
 * For each engine: a new database (PGlite in a temporary directory; PostgreSQL when
 * BENCH_DATABASE_URL is set, in a database created and dropped here), N generated services
 * (src/cli/directory-generate.ts), the index built from them (timed), then Q mixed queries — exact
 * words, typos, prefixes (search as you type), faceted — each asking for every facet like the
 * directory page does. Prints the index build time and p50/p95/p99/max per engine and query type.
 * With MEILI_URL (+MEILI_KEY) the Meilisearch engine is measured too, on the PGlite data.
 *
 * Options: --count 50000 --queries 200 --seed 1 --only pglite|postgres|meilisearch --slowest N (list
 * the N slowest queries) --repeat N (run each query N times in a row and keep the median: damps the
 * load of other jobs on a shared machine, with warmer caches than a single run)
 * To iterate without generating the directory every run: --keep-pglite DIR (a PGlite data dir) and
 * --keep-postgres URL (an existing database) are used instead of new ones and kept; the directory
 * is generated there only when empty, and the index rebuilt (timed) unless --no-reindex.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromPglite, fromPostgresUrl, openPglite, type DatabaseHandle } from '../src/lib/server/db/client';
import { arg, createScratchDatabase } from './lib';
import { generateDirectory, prng, DISTRICTS, CATEGORIES, TARGETS } from '../src/cli/directory-generate';
import { createPostgresEngine, type PostgresSearchEngine } from '../src/lib/server/search/postgres';
import { createMeilisearchEngine } from '../src/lib/server/search/meilisearch';
import { directoryLabels } from '../src/lib/server/search/labels';
import { reindexAll } from '../src/lib/server/search/worker';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/lib/server/db/client';
import { FACETS, type SearchEngine, type SearchQuery } from '../src/lib/server/search/types';

const root = path.resolve(import.meta.dirname, '..');
const COUNT = Number(arg('count', '50000'));
const QUERIES = Number(arg('queries', '200'));
const SEED = Number(arg('seed', '1'));
const ONLY = arg('only', '');
const KEEP_PGLITE = arg('keep-pglite', '');
const KEEP_POSTGRES = arg('keep-postgres', '');
const REINDEX = !process.argv.includes('--no-reindex');
const SLOWEST = Number(arg('slowest', '0'));
/** Each query this many times in a row, its median recorded (damps other jobs' load spikes). */
const REPEAT = Math.max(1, Number(arg('repeat', '1')));

type Kind = 'exact' | 'typo' | 'prefix' | 'faceted';
interface BenchQuery {
	kind: Kind;
	query: SearchQuery;
}

const EXACT = [
	'mediazione', 'mediatrice', 'interprete', 'lavoro', 'casa', 'alloggio', 'affitto', 'scuola', 'doposcuola', 'salute',
	'consultorio', 'dentista', 'permesso di soggiorno', 'protezione internazionale', 'avvocato', 'tutela legale',
	'corso di italiano', 'cpia', 'tirocini', 'curriculum', 'dormitorio', 'mensa', 'pacchi alimentari', 'antiviolenza',
	'tratta', 'spid', 'anagrafe', 'patronato', 'ludoteca', 'affido', 'arabo', 'ucraino', 'cinese', 'cesena', 'riccione',
	'santarcangelo', 'nonantola', 'cervia', 'albinea', 'mediazione rimini', 'lavoro modena', 'casa ravenna',
	'italiano per stranieri', 'sportello donna', 'centro per le famiglie', 'emporio solidale', 'vaccinazioni',
	'ricongiungimento familiare', 'cittadinanza', 'babysitting', 'muletto', 'sartoria', 'microcredito', 'etnopsichiatria',
	'commissione territoriale', 'senza dimora', 'questura', 'licenza media', 'neoarrivati', 'unità di strada'
];

function typo(word: string, r: ReturnType<typeof prng>): string {
	// One edit in the longest word of 5+ letters: substitution, deletion, insertion or transposition.
	const words = word.split(' ');
	const i = words.reduce((best, w, j) => (w.length > words[best]!.length ? j : best), 0);
	const w = words[i]!;
	if (w.length < 5) return word;
	const p = 1 + r.int(w.length - 2);
	const letters = 'aeioulnrst';
	const edits = [
		() => w.slice(0, p) + letters[r.int(letters.length)] + w.slice(p + 1),
		() => w.slice(0, p) + w.slice(p + 1),
		() => w.slice(0, p) + letters[r.int(letters.length)] + w.slice(p),
		() => w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2)
	];
	words[i] = r.pick(edits)();
	return words.join(' ');
}

export function benchQueries(n: number, seed: number): BenchQuery[] {
	const r = prng(seed);
	const districts = Object.keys(DISTRICTS);
	const langs = ['ar', 'en', 'fr', 'uk', 'zh', 'ro', 'sq'];
	const out: BenchQuery[] = [];
	const base = (q: string, filters: SearchQuery['filters'] = {}): SearchQuery => ({
		q,
		filters,
		facets: [...FACETS],
		page: r.next() < 0.85 ? 1 : 2,
		pageSize: 20,
		publicOnly: r.next() < 0.5,
		now: new Date(Date.UTC(2026, 2, 9 + r.int(7), 6 + r.int(14), r.int(60)))
	});
	const kinds: Kind[] = [];
	for (let i = 0; i < n; i++) kinds.push(i % 10 < 3 ? 'exact' : i % 10 < 5 ? 'typo' : i % 10 < 7 ? 'prefix' : 'faceted');
	for (const kind of kinds) {
		const word = r.pick(EXACT);
		if (kind === 'exact') out.push({ kind, query: base(word) });
		else if (kind === 'typo') out.push({ kind, query: base(typo(word, r)) });
		else if (kind === 'prefix') {
			const words = word.split(' ');
			const last = words.pop()!;
			const cut = Math.min(last.length, 3 + r.int(4));
			out.push({ kind, query: base([...words, last.slice(0, cut)].join(' ')) });
		} else {
			const filters: SearchQuery['filters'] = {};
			const roll = r.next();
			if (roll < 0.3) filters.category = [r.pick(CATEGORIES).code];
			else if (roll < 0.5) filters.district = [r.pick(districts)];
			else if (roll < 0.7) filters.language = [r.pick(langs)];
			else if (roll < 0.85) filters.target = [r.pick(TARGETS).code];
			else filters.openNow = true;
			if (r.next() < 0.4) filters.district = [r.pick(districts)];
			out.push({ kind, query: base(r.next() < 0.75 ? word : '', filters) });
		}
	}
	return out;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const f1 = (n: number) => n.toFixed(1).padStart(7);

async function measure(name: string, engine: SearchEngine, queries: BenchQuery[]) {
	// Warm-up: the first queries load labels, the typo vocabulary and the page cache.
	for (const q of queries.slice(0, 20)) await engine.search(q.query);
	const times: Record<string, number[]> = { all: [] };
	const totals: Record<string, number[]> = {};
	const slow: { ms: number; total: number; q: BenchQuery }[] = [];
	for (const q of queries) {
		const runs: number[] = [];
		let r!: Awaited<ReturnType<SearchEngine['search']>>;
		for (let i = 0; i < REPEAT; i++) {
			const t = performance.now();
			r = await engine.search(q.query);
			runs.push(performance.now() - t);
		}
		const ms = runs.sort((a, b) => a - b)[Math.floor(REPEAT / 2)]!;
		slow.push({ ms, total: r.total, q });
		(times[q.kind] ??= []).push(ms);
		times.all!.push(ms);
		(totals[q.kind] ??= []).push(r.total);
	}
	console.log(`\n${name}: ${queries.length} queries (ms, measured around engine.search${REPEAT > 1 ? `, median of ${REPEAT} runs each` : ''})`);
	console.log('  type       n      p50      p95      p99      max   median total');
	for (const [kind, list] of Object.entries(times)) {
		const s = [...list].sort((a, b) => a - b);
		const tot = kind === 'all' ? Object.values(totals).flat() : totals[kind]!;
		const ts = [...tot].sort((a, b) => a - b);
		console.log(`  ${kind.padEnd(8)} ${String(s.length).padStart(3)} ${f1(pct(s, 50))}  ${f1(pct(s, 95))}  ${f1(pct(s, 99))}  ${f1(s[s.length - 1]!)}  ${String(pct(ts, 50)).padStart(8)}`);
	}
	if (SLOWEST) {
		console.log(`  slowest ${SLOWEST} (--slowest):`);
		for (const x of slow.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST))
			console.log(`  ${f1(x.ms)} ms  ${String(x.total).padStart(6)}  ${x.q.kind.padEnd(8)} ${JSON.stringify(x.q.query.q)} ${JSON.stringify(x.q.query.filters)} page ${x.q.query.page}`);
	}
}

async function benchDatabase(kind: 'pglite' | 'postgres', queries: BenchQuery[]) {
	let handle: DatabaseHandle;
	let cleanup = async () => {};
	const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-bench-search-'));
	const kept = kind === 'postgres' ? !!KEEP_POSTGRES : !!KEEP_PGLITE;
	if (kind === 'postgres' && KEEP_POSTGRES) {
		handle = await fromPostgresUrl(KEEP_POSTGRES, 4);
	} else if (kind === 'pglite' && KEEP_PGLITE) {
		handle = await fromPglite(await openPglite({ dataDir: KEEP_PGLITE }));
	} else if (kind === 'postgres') {
		const scratch = await createScratchDatabase('intarsi_bench_search');
		handle = await fromPostgresUrl(scratch.url, 4);
		cleanup = scratch.drop;
	} else {
		handle = await fromPglite(await openPglite({ dataDir: path.join(dir, 'pglite') }));
	}
	try {
		await handle.migrate(path.join(root, 'drizzle'));
		let t = performance.now();
		const [existing] = kept ? await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from dir_services`) : [];
		if (!existing?.n) await generateDirectory(handle.db, COUNT, { seed: SEED });
		const genMs = performance.now() - t;
		const engine: PostgresSearchEngine = createPostgresEngine(handle.db, { labels: directoryLabels(() => handle.db) });
		t = performance.now();
		const rebuilt = !kept || REINDEX || !existing?.n;
		if (rebuilt) await reindexAll(handle.db, engine);
		const indexMs = performance.now() - t;
		t = performance.now();
		const words = await engine.vocabulary.load();
		const vocabMs = performance.now() - t;
		console.log(
			`\n[${kind}] ${existing?.n ? `${existing.n} services kept` : `${COUNT} services generated in ${(genMs / 1000).toFixed(1)} s`}; ` +
				(rebuilt ? `index built (documents + search_services + VACUUM ANALYZE) in ${(indexMs / 1000).toFixed(1)} s; ` : 'index kept; ') +
				`typo vocabulary (${words} words) loaded in ${vocabMs.toFixed(0)} ms`
		);
		await measure(`postgres engine on ${kind}`, engine, queries);
		if (kind === 'pglite' && process.env.MEILI_URL && (!ONLY || ONLY === 'meilisearch')) {
			const meili = createMeilisearchEngine({
				host: process.env.MEILI_URL,
				apiKey: process.env.MEILI_KEY,
				indexUid: `intarsi_bench_${Date.now()}`,
				labels: directoryLabels(() => handle.db)
			});
			t = performance.now();
			await reindexAll(handle.db, meili);
			console.log(`\n[meilisearch] index built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
			await measure('meilisearch engine', meili, queries);
		}
	} finally {
		await handle.close();
		await cleanup();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	const queries = benchQueries(QUERIES, SEED + 1);
	console.log(`bench:search — ${COUNT} services, ${QUERIES} queries (30% exact, 20% typo, 20% prefix, 30% faceted), every facet asked for`);
	if (!ONLY || ONLY === 'pglite' || ONLY === 'meilisearch') await benchDatabase('pglite', queries);
	if (!ONLY || ONLY === 'postgres') {
		if (process.env.BENCH_DATABASE_URL || KEEP_POSTGRES) await benchDatabase('postgres', queries);
		else console.log('\n[postgres] skipped: set BENCH_DATABASE_URL=postgres://… (a database is created and dropped there)');
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((err) => {
		console.error(err);
		process.exit(1);
	});
}
