/**
 * The search contract, run on every engine available: the Postgres engine on PGlite and on
 * PostgreSQL (describeEachDb), Meilisearch when MEILI_URL (and MEILI_KEY) are set. Directory rows
 * are inserted directly with drizzle.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, isNull, sql } from 'drizzle-orm';
import { Meilisearch } from 'meilisearch';
import { createTestDatabase, describeEachDb, type TestDatabase } from './helpers/db';
import { queryRows, type Db } from '../../src/lib/server/db/client';
import { seedDemoNetwork } from '../../src/lib/server/network/demo-seed';
import { seedDemoDirectory } from '../../src/lib/server/directory/demo-seed';
import { expandQuery } from '../../src/lib/server/search/synonyms';
import {
	dirLanguages,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServiceAtLocations,
	dirServiceTerms,
	dirServices,
	dirTaxonomyTerms,
	searchOutbox,
	searchServices
} from '../../src/lib/server/db/schema';
import { enqueueSearch } from '../../src/lib/server/search/outbox';
import { allSearchDocuments, buildSearchDocuments } from '../../src/lib/server/search/documents';
import { buildTsQueries, compileTsQueries, createPostgresEngine } from '../../src/lib/server/search/postgres';
import { createMeilisearchEngine } from '../../src/lib/server/search/meilisearch';
import { directoryLabels } from '../../src/lib/server/search/labels';
import { drainSearchOutbox, queueScheduleChanges, reindexAll, startSearchWorker } from '../../src/lib/server/search/worker';
import { FACETS, type FacetName, type SearchEngine, type SearchQuery, type SearchResult } from '../../src/lib/server/search/types';

// ---------------------------------------------------------------- fixture

interface Fixture {
	ids: Record<'mediation' | 'listening' | 'legal' | 'script' | 'dorm' | 'work' | 'deleted', string>;
}

async function seedDirectory(db: Db): Promise<Fixture> {
	const term = async (taxonomy: 'categoria' | 'destinatari', code: string, name: string) => {
		const id = randomUUID();
		await db.insert(dirTaxonomyTerms).values({ id, taxonomy, code, name });
		return id;
	};
	const t = {
		mediazione: await term('categoria', 'mediazione', 'Mediazione linguistico-culturale'),
		legale: await term('categoria', 'tutela-legale', 'Tutela legale'),
		abitare: await term('categoria', 'abitare', 'Abitare'),
		lavoro: await term('categoria', 'lavoro', 'Lavoro'),
		asilo: await term('destinatari', 'richiedenti-asilo', 'Richiedenti asilo'),
		donne: await term('destinatari', 'donne', 'Donne')
	};
	const ponte = randomUUID();
	const comune = randomUUID();
	await db.insert(dirOrganizations).values([
		{ id: ponte, name: 'Cooperativa Sociale Il Ponte' },
		{ id: comune, name: 'Comune di Cesena' }
	]);
	const loc = async (city: string, district: string, istatCode: string) => {
		const id = randomUUID();
		await db.insert(dirLocations).values({ id, organizationId: ponte, name: `Sede di ${city}`, address1: 'Via Roma 1', city, istatCode, district, latitude: 44, longitude: 12 });
		return id;
	};
	const rimini = await loc('Rimini', 'Rimini', '099014');
	const cesena = await loc('Cesena', 'Cesena Valle Savio', '040007');
	const modena = await loc('Modena', 'Modena', '036023');

	const service = async (
		s: { name: string; description?: string | null; org?: string; isPublic?: boolean; deleted?: boolean },
		where: string[],
		terms: string[],
		languages: string[],
		hours: [number, string, string][] = [],
		hoursAtLocation = false
	) => {
		const id = randomUUID();
		await db.insert(dirServices).values({
			id,
			organizationId: s.org ?? ponte,
			name: s.name,
			description: s.description ?? null,
			isPublic: s.isPublic ?? true,
			deletedAt: s.deleted ? new Date() : null
		});
		const sals: string[] = [];
		for (const locationId of where) {
			const salId = randomUUID();
			sals.push(salId);
			await db.insert(dirServiceAtLocations).values({ id: salId, serviceId: id, locationId });
		}
		for (const termId of terms) await db.insert(dirServiceTerms).values({ serviceId: id, termId });
		for (const code of languages) await db.insert(dirLanguages).values({ serviceId: id, code });
		for (const [weekday, opensAt, closesAt] of hours)
			await db.insert(dirSchedules).values(hoursAtLocation ? { serviceAtLocationId: sals[0]!, weekday, opensAt, closesAt } : { serviceId: id, weekday, opensAt, closesAt });
		return id;
	};
	const weekdays = (from: string, to: string) => [1, 2, 3, 4, 5].map((d): [number, string, string] => [d, from, to]);
	const ids: Fixture['ids'] = {
		mediation: await service(
			{ name: 'Sportello di mediazione linguistico-culturale', description: 'Mediatori e interpreti per i colloqui con i servizi, in arabo e tigrino.' },
			[rimini],
			[t.mediazione, t.asilo],
			['it', 'ar', 'ti'],
			weekdays('09:00', '13:00')
		),
		listening: await service(
			{ name: 'Centro di ascolto', description: 'Offriamo anche un servizio di mediazione per le famiglie & i minori della città. <b>Gratuito</b>.', org: comune },
			[cesena],
			[t.abitare],
			['it', 'fr'],
			weekdays('14:00', '18:00')
		),
		legal: await service(
			{ name: 'Consulenza legale', description: 'Tutela legale per richiedenti asilo: permesso di soggiorno e ricorsi.' },
			[cesena],
			[t.legale, t.asilo],
			['it', 'en', 'fr'],
			[
				[2, '14:30', '18:00'],
				[4, '14:30', '18:00']
			]
		),
		script: await service({ name: '<script>alert(1)</script>', description: null, isPublic: false }, [modena], [t.lavoro], ['it']),
		dorm: await service(
			{ name: 'Dormitorio notturno', description: 'Accoglienza notturna per persone senza dimora.' },
			[modena],
			[t.abitare, t.donne],
			['it', 'uk'],
			[1, 2, 3, 4, 5, 6, 7].map((d): [number, string, string] => [d, '20:00', '08:00'])
		),
		work: await service(
			{ name: 'Sportello lavoro', description: 'Orientamento al lavoro e curriculum per donne straniere.' },
			[rimini],
			[t.lavoro, t.donne],
			['it', 'uk'],
			[[6, '09:00', '12:00']],
			true
		),
		deleted: await service({ name: 'Mediazione chiusa', description: 'Servizio di mediazione non più attivo.', deleted: true }, [rimini], [t.mediazione], ['it'])
	};
	// A phone line in Chinese: its language counts as a language of the service.
	await db.insert(dirPhones).values({ serviceId: ids.legal, number: '+39 0547 000000', languages: ['zh'] });
	return { ids };
}

// ---------------------------------------------------------------- helpers

const WINTER_MONDAY_10 = new Date('2026-01-12T09:00:00Z'); // Monday 10:00 in Rome (UTC+1)
const query = (q: string, extra: Partial<SearchQuery> = {}): SearchQuery => ({
	q,
	filters: {},
	facets: [],
	page: 1,
	pageSize: 20,
	publicOnly: false,
	now: WINTER_MONDAY_10,
	...extra
});
const ids = (r: SearchResult) => r.hits.map((h) => h.id);

/** The HTML of a snippet holds no markup but <mark> and </mark>. */
function expectSafeSnippet(html: string) {
	const rest = html.replace(/<\/?mark>/g, '');
	expect(rest).not.toMatch(/[<>]/);
	expect(rest).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
}

/**
 * The contract. `engine()` is the engine under test on the fixture's database, already indexed with
 * `reindexAll`. Opening hours and test instants are on quarter hours: the Postgres engine checks to
 * the minute, Meilisearch on 15-minute slots, and there both must agree.
 */
function contract(getDb: () => Db, engine: () => SearchEngine, fixture: () => Fixture) {
	it('indexes the live services only (deleted ones stay out)', async () => {
		const r = await engine().search(query(''));
		const f = fixture().ids;
		expect(r.total).toBe(6);
		expect(ids(r)).not.toContain(f.deleted);
		expect(r.hits.every((h) => typeof h.score === 'number')).toBe(true);
	});

	it('stems Italian and expands synonyms ("mediatrice" finds "mediazione", plurals find singulars)', async () => {
		const f = fixture().ids;
		expect(ids(await engine().search(query('mediatrice')))).toContain(f.mediation);
		expect(ids(await engine().search(query('consulenze legali')))).toContain(f.legal);
		expect(ids(await engine().search(query('avvocato')))).toContain(f.legal);
	});

	it('ignores accents ("citta" finds "città")', async () => {
		expect(ids(await engine().search(query('citta')))).toContain(fixture().ids.listening);
		expect(ids(await engine().search(query('CITTÀ')))).toContain(fixture().ids.listening);
	});

	it('tolerates typos ("mediazone", "tuttela legale")', async () => {
		expect(ids(await engine().search(query('mediazone')))).toContain(fixture().ids.mediation);
		expect(ids(await engine().search(query('tuttela legale')))).toContain(fixture().ids.legal);
	});

	it('matches the last word as a prefix ("medi", "dormi")', async () => {
		const r = await engine().search(query('medi'));
		expect(ids(r)).toContain(fixture().ids.mediation);
		expect(ids(await engine().search(query('dormi')))).toEqual([fixture().ids.dorm]);
	});

	it('ranks name matches first', async () => {
		const r = await engine().search(query('mediazione'));
		const f = fixture().ids;
		expect(ids(r)).toContain(f.listening); // "mediazione" in its description only
		expect(ids(r)[0]).toBe(f.mediation);
		expect(r.hits[0]!.score).toBeGreaterThan(r.hits.find((h) => h.id === f.listening)!.score);
	});

	it('ranks name matches first also through typo corrections and synonyms ("mediazone", "interpreti")', async () => {
		const f = fixture().ids;
		// "Centro di ascolto" mentions mediazione in its description only; the mediation desk has it
		// in its name ("Sportello di mediazione linguistico-culturale").
		for (const q of ['mediazone', 'mediazion', 'mediaizone', 'interpreti', 'mediatori']) {
			const r = await engine().search(query(q));
			expect({ q, found: ids(r).includes(f.listening) }).toEqual({ q, found: true });
			expect({ q, first: ids(r)[0] }).toEqual({ q, first: f.mediation });
			expect(r.hits[0]!.score).toBeGreaterThan(r.hits.find((h) => h.id === f.listening)!.score);
		}
	});

	it('returns the hit fields of the API, with highlighted, escaped snippets', async () => {
		const r = await engine().search(query('mediazione'));
		const hit = r.hits.find((h) => h.id === fixture().ids.listening)!;
		expect(hit).toMatchObject({
			name: 'Centro di ascolto',
			organizationName: 'Comune di Cesena',
			districts: ['Cesena Valle Savio'],
			cities: ['Cesena'],
			categories: ['abitare'],
			openNow: false
		});
		expect(hit.languages.sort()).toEqual(['fr', 'it']);
		expect(hit.snippet).toContain('<mark>mediazione</mark>');
		expect(hit.snippet).toContain('&amp; i minori');
		expect(hit.snippet).toContain('&lt;b&gt;Gratuito&lt;/b&gt;');
		expectSafeSnippet(hit.snippet);
		for (const h of r.hits) expectSafeSnippet(h.snippet);
	});

	it('escapes a service named <script>alert(1)</script>', async () => {
		const r = await engine().search(query('alert'));
		const hit = r.hits.find((h) => h.id === fixture().ids.script);
		expect(hit).toBeDefined();
		expect(hit!.name).toBe('<script>alert(1)</script>'); // plain text in JSON; the snippet is the HTML
		expect(hit!.snippet).not.toContain('<script');
		expect(hit!.snippet).toContain('&lt;script&gt;');
		expect(hit!.snippet).toContain('<mark>alert</mark>');
		expectSafeSnippet(hit!.snippet);
	});

	it('publicOnly leaves out services not marked public', async () => {
		const f = fixture().ids;
		expect(ids(await engine().search(query('', { publicOnly: false })))).toContain(f.script);
		const pub = await engine().search(query('', { publicOnly: true }));
		expect(ids(pub)).not.toContain(f.script);
		expect(pub.total).toBe(5);
		expect((await engine().search(query('alert', { publicOnly: true }))).total).toBe(0);
	});

	it('filters by category, district, language (phones included), target and city', async () => {
		const f = fixture().ids;
		const s = (filters: SearchQuery['filters']) => engine().search(query('', { filters }));
		expect(ids(await s({ category: ['abitare'] })).sort()).toEqual([f.listening, f.dorm].sort());
		expect(ids(await s({ category: ['abitare', 'lavoro'], district: ['Modena'] })).sort()).toEqual([f.dorm, f.script].sort());
		expect(ids(await s({ language: ['zh'] }))).toEqual([f.legal]);
		expect(ids(await s({ target: ['donne'], city: ['Rimini'] }))).toEqual([f.work]);
		expect((await s({ district: ['Nowhere'] })).total).toBe(0);
	});

	it('facet counts equal the totals of the filtered searches', async () => {
		const facets = [...FACETS];
		const cases: SearchQuery[] = [
			query('', { facets }),
			query('', { facets, publicOnly: true }),
			query('mediazione', { facets }),
			query('', { facets, filters: { district: ['Rimini'] } }),
			query('', { facets, filters: { category: ['abitare', 'lavoro'], language: ['uk'] } }),
			query('', { facets, filters: { openNow: true, target: ['richiedenti-asilo'] }, now: new Date('2026-01-13T14:00:00Z') })
		];
		for (const c of cases) {
			const r = await engine().search(c);
			expect(Object.keys(r.facets).sort()).toEqual([...facets].sort());
			for (const facet of facets) {
				for (const v of r.facets[facet]!) {
					if (facet !== 'openNow') expect(v.count).toBeGreaterThan(0);
					expect(v.count).toBeLessThanOrEqual(r.total);
					const own = facet === 'openNow' ? [] : (c.filters[facet] ?? []);
					// A value of a facet with a filter of its own, not among the selected ones, counts the
					// results that have it besides a selected one: no single filter gives that total.
					if (own.length && !own.includes(v.value)) continue;
					const filters = { ...c.filters };
					if (facet === 'openNow') filters.openNow = true;
					else filters[facet] = [v.value];
					const check = await engine().search({ ...c, filters, facets: [] });
					expect({ facet, value: v.value, count: check.total }).toEqual({ facet, value: v.value, count: v.count });
				}
			}
			// The counts are those of the hits themselves.
			const all = await engine().search({ ...c, pageSize: 50 });
			const counted = new Map<string, number>();
			for (const h of all.hits) for (const cat of h.categories) counted.set(cat, (counted.get(cat) ?? 0) + 1);
			expect(new Map(r.facets.category!.map((v) => [v.value, v.count]))).toEqual(counted);
			expect(r.facets.openNow).toEqual([{ value: 'true', label: 'Aperto ora', count: all.hits.filter((h) => h.openNow).length }]);
		}
		// Labels come from the taxonomy; a selected value is listed even without results.
		const some = await engine().search(query('dormitorio', { facets }));
		expect(some.facets.category).toEqual([{ value: 'abitare', label: 'Abitare', count: 1 }]);
		expect(some.facets.language).toContainEqual({ value: 'uk', label: 'Ucraino', count: 1 });
		const none = await engine().search(query('dormitorio', { facets, filters: { category: ['mediazione'] } }));
		expect(none.total).toBe(0);
		expect(none.facets.category).toEqual([{ value: 'mediazione', label: 'Mediazione linguistico-culturale', count: 0 }]);
	});

	it('knows what is open now in Europe/Rome, across the change to summer time', async () => {
		const f = fixture().ids;
		const open = async (iso: string) => {
			const r = await engine().search(query('', { now: new Date(iso), filters: { openNow: true }, facets: ['openNow'] }));
			expect(r.facets.openNow).toEqual([{ value: 'true', label: 'Aperto ora', count: r.total }]);
			for (const h of r.hits) expect(h.openNow).toBe(true);
			return ids(r).sort();
		};
		// Winter (UTC+1): Monday 12 January 2026.
		expect(await open('2026-01-12T09:00:00Z')).toEqual([f.mediation].sort()); // 10:00
		expect(await open('2026-01-12T06:45:00Z')).toEqual([f.dorm]); // 07:45: the dormitory's night, from Sunday
		expect(await open('2026-01-12T07:30:00Z')).toEqual([]); // 08:30
		expect(await open('2026-01-12T11:45:00Z')).toEqual([f.mediation].sort()); // 12:45
		expect(await open('2026-01-12T12:00:00Z')).toEqual([]); // 13:00: closed
		// Sunday 29 March 2026, the night clocks go forward: 23:00 in Rome is 21:00 UTC.
		expect(await open('2026-03-29T21:00:00Z')).toEqual([f.dorm]);
		// Summer (UTC+2): Monday 30 March 2026. 07:30 UTC is 09:30 in Rome (in winter it was 08:30).
		expect(await open('2026-03-30T05:45:00Z')).toEqual([f.dorm]); // 07:45, still the night before's opening
		expect(await open('2026-03-30T07:30:00Z')).toEqual([f.mediation]);
		expect(await open('2026-03-30T12:15:00Z')).toEqual([f.listening]); // 14:15
		// Tuesday 31 March, 16:00 in Rome (14:00 UTC): the legal desk and the listening centre.
		expect(await open('2026-03-31T14:00:00Z')).toEqual([f.listening, f.legal].sort());
		// Hours of a service at a location count too: Saturday 10:00.
		expect(await open('2026-04-04T08:00:00Z')).toEqual([f.work]);
		// The hit flag follows `now` without a filter.
		const r = await engine().search(query('sportello lavoro', { now: new Date('2026-04-04T08:00:00Z') }));
		expect(r.hits.find((h) => h.id === f.work)?.openNow).toBe(true);
	});

	it('pages through results', async () => {
		const all = await engine().search(query('', { pageSize: 50 }));
		const p1 = await engine().search(query('', { pageSize: 4, page: 1 }));
		const p2 = await engine().search(query('', { pageSize: 4, page: 2 }));
		expect(p1.total).toBe(all.total);
		expect([...ids(p1), ...ids(p2)]).toEqual(ids(all));
		expect((await engine().search(query('', { pageSize: 500 }))).hits.length).toBe(all.total); // capped at 50, enough here
	});

	it('delivers the outbox after an engine outage: rows wait with their error, nothing is lost', async () => {
		const db = getDb();
		const f = fixture().ids;
		let down = true;
		const real = engine();
		const flaky: SearchEngine = {
			...real,
			kind: real.kind,
			index: async (docs) => {
				if (down) throw new Error('engine unreachable');
				return real.index(docs);
			},
			remove: async (list) => {
				if (down) throw new Error('engine unreachable');
				return real.remove(list);
			}
		};
		await db.delete(searchOutbox);
		// A new service, a renamed one and a deleted one, each queued as the directory does.
		const [org] = await db.select({ id: dirOrganizations.id }).from(dirOrganizations).limit(1);
		const fresh = randomUUID();
		await db.transaction(async (tx) => {
			await tx.insert(dirServices).values({ id: fresh, organizationId: org!.id, name: 'Sportello asilo Ravenna', description: 'Protezione internazionale e permesso di soggiorno.' });
			await enqueueSearch(tx as unknown as Db, fresh);
		});
		await db.update(dirServices).set({ name: 'Consulenza legale gratuita' }).where(eq(dirServices.id, f.legal));
		await enqueueSearch(db, f.legal);
		await db.update(dirServices).set({ deletedAt: new Date() }).where(eq(dirServices.id, f.work));
		await enqueueSearch(db, f.work, 'delete');

		const failed = await drainSearchOutbox(db, flaky, { backoffMs: () => 0 });
		expect(failed).toMatchObject({ delivered: 0, failed: 3 });
		const pending = await db.select().from(searchOutbox);
		expect(pending).toHaveLength(3);
		for (const row of pending) expect(row).toMatchObject({ processedAt: null, lastError: 'engine unreachable', attempts: 1 });
		expect((await real.search(query('ravenna'))).total).toBe(0);

		// Still down: a second attempt, still nothing lost.
		await new Promise((r) => setTimeout(r, 20));
		expect(await drainSearchOutbox(db, flaky, { backoffMs: () => 0 })).toMatchObject({ failed: 3 });

		down = false;
		await new Promise((r) => setTimeout(r, 20));
		const ok = await drainSearchOutbox(db, flaky, { backoffMs: () => 0 });
		expect(ok).toMatchObject({ delivered: 3, indexed: 2, removed: 1, failed: 0 });
		const done = await db.select().from(searchOutbox);
		for (const row of done) expect(row).toMatchObject({ lastError: null, attempts: 3 });
		expect(done.every((r) => r.processedAt instanceof Date)).toBe(true);
		expect(await db.select().from(searchOutbox).where(isNull(searchOutbox.processedAt))).toHaveLength(0);

		expect(ids(await real.search(query('ravenna')))).toEqual([fresh]);
		expect((await real.search(query('consulenza'))).hits[0]?.name).toBe('Consulenza legale gratuita');
		expect(ids(await real.search(query('sportello lavoro')))).not.toContain(f.work);
		// Nothing left to do.
		expect(await drainSearchOutbox(db, real)).toMatchObject({ delivered: 0 });
	});

	it('reindexAll rebuilds the index from the directory (stale entries go, missing ones come back)', async () => {
		const db = getDb();
		const f = fixture().ids;
		const [doc] = await buildSearchDocuments(db, [f.mediation]);
		// A stale entry for a service that does not exist, and a live service missing from the index.
		await engine().index([{ ...doc!, id: randomUUID(), name: 'Servizio fantasma' }]);
		await engine().remove([f.mediation]);
		expect((await engine().search(query('fantasma'))).total).toBe(1);
		expect(ids(await engine().search(query('mediazione')))).not.toContain(f.mediation);

		await reindexAll(db, engine());
		expect((await engine().search(query('fantasma'))).total).toBe(0);
		expect(ids(await engine().search(query('mediazione')))[0]).toBe(f.mediation);
		const live = await db.select({ id: dirServices.id }).from(dirServices).where(isNull(dirServices.deletedAt));
		expect((await engine().search(query('', { pageSize: 50 }))).total).toBe(live.length);
	});
}

// ---------------------------------------------------------------- Postgres engine (PGlite, PostgreSQL)

describeEachDb('search: postgres engine', (get) => {
	let fixture: Fixture;
	let engine: SearchEngine;
	beforeAll(async () => {
		fixture = await seedDirectory(get().db);
		engine = createPostgresEngine(get().db, { labels: directoryLabels(() => get().db) });
		await reindexAll(get().db, engine);
	});
	contract(
		() => get().db,
		() => engine,
		() => fixture
	);

	it('matches synonym phrases as phrases, and finds versions written after the facet table was read', async () => {
		const [base] = await buildSearchDocuments(get().db, [fixture.ids.legal]);
		const doc = (id: string, name: string, description: string) => ({ ...base!, id, name, description });
		const phrase = doc(randomUUID(), 'Scuola serale', 'Corso di italiano per adulti, la sera.');
		const apart = doc(randomUUID(), 'Laboratorio di cucina', 'Un corso di cucina in italiano e in arabo.');
		const named = doc(randomUUID(), 'Corso di italiano per donne', 'Il martedì.');
		await engine.index([phrase, apart, named]);
		try {
			// "cpia" has "corso di italiano" among its synonyms: the words must be adjacent.
			const r = await engine.search(query('cpia'));
			expect(ids(r)).toContain(phrase.id);
			expect(ids(r)).not.toContain(apart.id);
			expect(ids(r)[0]).toBe(named.id); // the phrase in the name
			expect(r.hits.find((h) => h.id === phrase.id)!.snippet).toBe('<mark>Corso</mark> di <mark>italiano</mark> per adulti, la sera.');
			// A new version of a service replaces the old one in results and counts at once.
			await engine.index([{ ...phrase, name: 'Scuola di sera', categories: [{ code: 'lavoro', name: 'Lavoro' }] }]);
			const again = await engine.search(query('cpia', { facets: ['category'] }));
			expect(again.hits.find((h) => h.id === phrase.id)?.name).toBe('Scuola di sera');
			expect(again.facets.category).toContainEqual({ value: 'lavoro', label: 'Lavoro', count: 1 });
		} finally {
			await engine.remove([phrase.id, apart.id, named.id]);
		}
		expect(ids(await engine.search(query('cpia')))).not.toContain(phrase.id);
	});

	it('the search without text (reused between calls) follows every write and delete at once', async () => {
		const all = async () => (await engine.search(query('', { pageSize: 50, facets: ['category'] }))).total;
		const before = await all();
		expect(await all()).toBe(before); // served from the reused list
		const [base] = await buildSearchDocuments(get().db, [fixture.ids.legal]);
		const extra = { ...base!, id: randomUUID(), name: 'Servizio in più' };
		await engine.index([extra]);
		expect(await all()).toBe(before + 1);
		await engine.index([{ ...extra, name: 'Servizio in più, nuova versione' }]);
		expect(await all()).toBe(before + 1);
		const r = await engine.search(query('', { pageSize: 50 }));
		expect(r.hits.find((h) => h.id === extra.id)?.name).toBe('Servizio in più, nuova versione');
		await engine.remove([extra.id]);
		expect(await all()).toBe(before);
	});

	it('puts name matches before descriptions full of synonyms (ts_rank alone reaches 1 there)', async () => {
		const [base] = await buildSearchDocuments(get().db, [fixture.ids.legal]);
		const wordy = {
			...base!,
			id: randomUUID(),
			name: 'Centro servizi per le famiglie',
			alternateName: 'Mediatori e interpreti',
			description: 'Mediazione, mediatori, mediatrici, interpreti e interpretariato: mediazione linguistica e mediazione culturale. '.repeat(4)
		};
		// Two words: ts_rank of the description's many close pairs reaches 1, as much as the name
		// bonus used to add.
		const wordyRimini = { ...wordy, id: randomUUID(), description: 'Mediazione a Rimini, mediatori a Rimini, mediatrici a Rimini, interpreti a Rimini. '.repeat(3) };
		const namedRimini = { ...base!, id: randomUUID(), name: 'Mediazione linguistico-culturale – Rimini', description: 'Colloqui in arabo e tigrino.' };
		await engine.index([wordy, wordyRimini, namedRimini]);
		try {
			const f = fixture.ids;
			for (const [q, first, after] of [
				['mediazone', f.mediation, wordy.id],
				['mediazione', f.mediation, wordy.id],
				['interpreti', f.mediation, wordy.id],
				['mediazone rimini', namedRimini.id, wordyRimini.id],
				['mediazione rimini', namedRimini.id, wordyRimini.id],
				['interpreti rimini', namedRimini.id, wordyRimini.id]
			] as const) {
				const r = await engine.search(query(q));
				expect({ q, first: ids(r)[0] }).toEqual({ q, first });
				expect(ids(r).indexOf(after)).toBeGreaterThan(0);
				const scores = r.hits.map((h) => h.score);
				expect(scores).toEqual([...scores].sort((a, b) => b - a));
				expect(r.hits[0]!.score).toBeGreaterThan(r.hits.find((h) => h.id === after)!.score);
			}
		} finally {
			await engine.remove([wordy.id, wordyRimini.id, namedRimini.id]);
		}
	});

	it('stores one weighted row per service (name A) with the facet arrays', async () => {
		const [row] = await get()
			.db.select({ name: searchServices.name, categories: searchServices.categories, districts: searchServices.districts, languages: searchServices.languages })
			.from(searchServices)
			.where(eq(searchServices.serviceId, fixture.ids.legal));
		expect(row).toMatchObject({ categories: ['tutela-legale'], districts: ['Cesena Valle Savio'] });
		expect(row!.languages.sort()).toEqual(['en', 'fr', 'it', 'zh']);
	});

	it('the worker delivers a change soon after a kick', async () => {
		const db = get().db;
		const worker = startSearchWorker(() => db, { engine, intervalMs: 60_000, bootstrap: false });
		try {
			await db.update(dirServices).set({ name: 'Dormitorio di Modena' }).where(eq(dirServices.id, fixture.ids.dorm));
			await enqueueSearch(db, fixture.ids.dorm);
			worker.kick();
			const renamed = async () => (await engine.search(query('dormitorio modena'))).hits.some((h) => h.name === 'Dormitorio di Modena');
			const deadline = Date.now() + 10_000;
			while (!(await renamed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
			expect(await renamed()).toBe(true);
		} finally {
			await worker.stop();
		}
		const left = await db.select().from(searchOutbox).where(inArray(searchOutbox.entityId, [fixture.ids.dorm]));
		expect(left.every((r) => r.processedAt)).toBe(true);
	});
	it('queues services whose schedules start or stop being valid, once a day', async () => {
		const db = get().db;
		await db.delete(searchOutbox);
		const [sal] = await db.select({ id: dirServiceAtLocations.id }).from(dirServiceAtLocations).where(eq(dirServiceAtLocations.serviceId, fixture.ids.mediation));
		await db.insert(dirSchedules).values([
			{ serviceId: fixture.ids.legal, weekday: 6, opensAt: '09:00', closesAt: '12:00', validFrom: '2026-06-01' },
			{ serviceAtLocationId: sal!.id, weekday: 6, opensAt: '09:00', closesAt: '12:00', validTo: '2026-05-31' },
			{ serviceId: fixture.ids.dorm, weekday: 6, opensAt: '09:00', closesAt: '12:00', validFrom: '2026-01-01' }
		]);
		expect(await queueScheduleChanges(db, '2026-06-01')).toBe(2);
		const queued = await db.select({ id: searchOutbox.entityId, op: searchOutbox.op }).from(searchOutbox);
		expect(queued.map((q) => q.id).sort()).toEqual([fixture.ids.legal, fixture.ids.mediation].sort());
		expect(queued.every((q) => q.op === 'upsert')).toBe(true);
		expect(await queueScheduleChanges(db, '2026-09-01')).toBe(0);
		// Documents carry the hours valid on the day they are built.
		const [before] = await buildSearchDocuments(db, [fixture.ids.legal], new Date('2026-05-31T10:00:00Z'));
		const [after] = await buildSearchDocuments(db, [fixture.ids.legal], new Date('2026-06-01T10:00:00Z'));
		expect(before!.hours).not.toContainEqual([6, 540, 720]);
		expect(after!.hours).toContainEqual([6, 540, 720]);
	});
});

// ---------------------------------------------------------------- Meilisearch (only with MEILI_URL)

describe.runIf(!!process.env.MEILI_URL)('search: meilisearch engine', () => {
	let db: TestDatabase;
	let fixture: Fixture;
	let engine: SearchEngine;
	const indexUid = `intarsi_test_${randomUUID().slice(0, 8)}`;
	beforeAll(async () => {
		db = await createTestDatabase('pglite');
		fixture = await seedDirectory(db.db);
		engine = createMeilisearchEngine({ host: process.env.MEILI_URL!, apiKey: process.env.MEILI_KEY, indexUid, postsIndexUid: `${indexUid}_posts`, labels: directoryLabels(() => db.db) });
		expect(await engine.health()).toBe(true);
		await reindexAll(db.db, engine);
	});
	afterAll(async () => {
		const client = new Meilisearch({ host: process.env.MEILI_URL!, apiKey: process.env.MEILI_KEY });
		await client.deleteIndexIfExists(indexUid);
		await client.deleteIndexIfExists(`${indexUid}__reindex`);
		await client.deleteIndexIfExists(`${indexUid}_posts`);
		await db?.destroy();
	});
	contract(
		() => db.db,
		() => engine,
		() => fixture
	);

	it('searches discussion posts within the reader’s places only, and forgets removed ones', async () => {
		const post = (id: string, tableId: string | null, text: string) => ({
			id,
			threadId: randomUUID(),
			threadTitle: 'Prova',
			tableId,
			tableName: tableId ? 'Tavolo' : null,
			seq: 1,
			authorName: 'Persona',
			createdAt: new Date().toISOString(),
			text
		});
		const table = randomUUID();
		const [inTable, inPiazza] = [randomUUID(), randomUUID()];
		await engine.indexPosts([post(inTable, table, 'Mediazione linguistica per il consultorio'), post(inPiazza, null, 'Mediazione in Piazza')]);
		const found = async (places: string[] | 'all') => (await engine.searchPosts({ q: 'mediazione', places, limit: 10 })).map((h) => h.tableId ?? 'piazza').sort();
		expect(await found(['piazza'])).toEqual(['piazza']);
		expect(await found([table, 'piazza'])).toEqual([table, 'piazza'].sort());
		expect(await found([])).toEqual([]);
		const hit = (await engine.searchPosts({ q: 'consultorio', places: 'all', limit: 10 }))[0]!;
		expect(hit.snippet).toContain('<mark>consultorio</mark>');
		await engine.removePosts([inTable]);
		expect(await found('all')).toEqual(['piazza']);
	});
});

// Documents are engine-independent: checked once.
describeEachDb('search: postgres engine, matching in memory', (get) => {
	let engine: SearchEngine;
	beforeAll(async () => {
		await seedDemoNetwork(get().db);
		await seedDemoDirectory(get().db, new Date('2026-11-26T10:00:00Z'));
		engine = createPostgresEngine(get().db, { labels: directoryLabels(() => get().db) });
		await reindexAll(get().db, engine);
	});

	/** Every service the engine returns for `q`, over all pages. */
	async function allIds(e: SearchEngine, q: string): Promise<{ total: number; ids: string[] }> {
		const out: string[] = [];
		let total = 0;
		for (let page = 1; page <= 10; page++) {
			const r = await e.search(query(q, { page, pageSize: 50 }));
			total = r.total;
			out.push(...ids(r));
			if (out.length >= r.total || !r.hits.length) break;
		}
		return { total, ids: out.sort() };
	}

	/** What the GIN index of search_terms answers for the query Postgres compiled from `q`. */
	async function indexAnswer(q: string): Promise<string[]> {
		const ts = buildTsQueries(expandQuery(q));
		const compiledQuery = ts ? await compileTsQueries(get().db, ts) : null;
		const rows = compiledQuery
			? await queryRows<{ id: string }>(get().db, sql`select service_id::text as id from search_terms where tsv @@ ${compiledQuery.any}::tsquery`)
			: await queryRows<{ id: string }>(get().db, sql`select service_id::text as id from search_terms`);
		return rows.map((r) => r.id).sort();
	}

	it('answers exactly what the GIN index answers (words, synonyms, phrases, prefixes, several terms)', async () => {
		const queries = [
			'', 'mediazione', 'mediatrice', 'casa', 'lavoro modena', 'tutela leg', 'tutela legale rimini', 'cpia',
			'italiano per stranieri', 'scuola', 'sportello sociale', 'consultorio', 'ca', 'med', 'arabo', "dell'infanzia",
			'permesso di soggiorno', 'centro per le famiglie cesena', 'salute mentale', 'doposcuola ravenna'
		];
		let nonEmpty = 0;
		for (const q of queries) {
			const expected = await indexAnswer(q);
			const got = await allIds(engine, q);
			if (expected.length < 5 && q) continue; // the typo fallback may add corrections below 5
			expect({ q, ids: got.ids }).toEqual({ q, ids: expected });
			expect(got.total).toBe(expected.length);
			if (expected.length) nonEmpty++;
		}
		expect(nonEmpty).toBeGreaterThan(10);
	});

	it('sees at once what another process wrote, rewrote or removed', async () => {
		// Two engines, two facet tables: like two server processes on one database.
		const reader = createPostgresEngine(get().db);
		const writer = createPostgresEngine(get().db);
		const before = (await reader.search(query('', { pageSize: 1 }))).total;
		expect((await reader.search(query('zanzibarite'))).total).toBe(0); // loaded, nothing found
		const [first] = await queryRows<{ id: string }>(get().db, sql`select id::text as id from dir_services where deleted_at is null limit 1`);
		const [base] = await buildSearchDocuments(get().db, [first!.id]);
		const doc = { ...base!, id: randomUUID(), name: 'Sportello zanzibarite', description: 'Un servizio di prova.' };
		await writer.index([doc]);
		expect(ids(await reader.search(query('zanzibarite')))).toEqual([doc.id]);
		expect((await reader.search(query('', { pageSize: 1 }))).total).toBe(before + 1);
		// A new version without the word: the old one is not found any more, the new one is.
		await writer.index([{ ...doc, name: 'Sportello di prova', description: 'Ora si chiama pirandellite.' }]);
		expect((await reader.search(query('zanzibarite'))).total).toBe(0);
		expect(ids(await reader.search(query('pirandell')))).toEqual([doc.id]);
		await writer.remove([doc.id]);
		expect((await reader.search(query('pirandellite'))).total).toBe(0);
		expect((await reader.search(query('', { pageSize: 1 }))).total).toBe(before);
	});
});

describeEachDb('search: documents', (get) => {
	it('flattens services with locations, phone languages, terms and merged hours', async () => {
		const { ids: f } = await seedDirectory(get().db);
		const docs = await buildSearchDocuments(get().db, [f.legal, f.work, f.dorm, f.deleted, randomUUID()]);
		expect(docs.map((d) => d.id).sort()).toEqual([f.legal, f.work, f.dorm].sort());
		const legal = docs.find((d) => d.id === f.legal)!;
		expect(legal.languages.map((l) => l.code)).toEqual(['en', 'fr', 'it', 'zh']);
		expect(legal.languages.find((l) => l.code === 'zh')?.name).toBe('Cinese');
		expect(legal.categories).toEqual([{ code: 'tutela-legale', name: 'Tutela legale' }]);
		expect(legal.targets).toEqual([{ code: 'richiedenti-asilo', name: 'Richiedenti asilo' }]);
		expect(legal.hours).toEqual([
			[2, 870, 1080],
			[4, 870, 1080]
		]);
		expect(legal.locations[0]).toMatchObject({ city: 'Cesena', district: 'Cesena Valle Savio', istatCode: '040007', address: 'Via Roma 1' });
		// Overnight hours run into the next day (Sunday night into Monday).
		const dorm = docs.find((d) => d.id === f.dorm)!;
		expect(dorm.hours[0]).toEqual([1, 0, 480]);
		expect(dorm.hours).toContainEqual([7, 1200, 1440]);
		// Hours of a service at a location belong to the service.
		expect(docs.find((d) => d.id === f.work)!.hours).toEqual([[6, 540, 720]]);
		let count = 0;
		for await (const batch of allSearchDocuments(get().db, 2)) count += batch.length;
		expect(count).toBe(6);
	});
});
