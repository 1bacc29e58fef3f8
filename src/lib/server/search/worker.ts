/**
 * Delivers the search outbox to the engine. Each row names a service that changed; the worker
 * builds the service's current document from the directory tables (or removes it when the service
 * is gone), so rows may be delivered in any order, twice, or merged: the index always ends at the
 * directory's state. An engine failure leaves the rows pending with their error and a later retry;
 * nothing is lost and nothing is given up.
 */
import { inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { dirServiceAtLocations, dirSchedules, dirServices, searchOutbox } from '../db/schema';
import { addDays, romeDay } from '../../time/rome';
import { getLogger } from '../logger';
import { allSearchDocuments, buildSearchDocuments } from './documents';
import { allPostDocuments, buildPostDocuments } from './posts';
import { sharedSearchEngine } from './engine';
import type { SearchEngine } from './types';
import type { PostgresSearchEngine } from './postgres';

/** 5 s, 10 s, 20 s … capped at 15 minutes. */
export function searchBackoffMs(attempt: number): number {
	return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
}

export interface SearchDrainOptions {
	/** Rows claimed per round. */
	batch?: number;
	/** Stop after this many rounds (a long outbox drains over several ticks). */
	maxRounds?: number;
	/** How long claimed rows stay invisible to other instances while this one delivers them. */
	leaseMs?: number;
	backoffMs?: (attempt: number) => number;
}

export interface SearchDrainResult {
	/** Outbox rows delivered. */
	delivered: number;
	indexed: number;
	removed: number;
	/** Rows left pending after a failure (retried later). */
	failed: number;
}

interface Claimed extends Record<string, unknown> {
	id: number;
	entity: string;
	entity_id: string;
	attempts: number;
}

/**
 * Claims due rows (`FOR UPDATE SKIP LOCKED` in a MATERIALIZED CTE, so two instances never claim the
 * same row and a claim takes exactly `batch` rows), delivers them, and marks them processed. On
 * failure the claimed rows get `last_error` and `next_attempt_at` = now + backoff.
 */
export async function drainSearchOutbox(db: Db, engine: SearchEngine, opts: SearchDrainOptions = {}): Promise<SearchDrainResult> {
	const batch = opts.batch ?? 200;
	const leaseMs = opts.leaseMs ?? 5 * 60_000;
	const backoff = opts.backoffMs ?? searchBackoffMs;
	const result: SearchDrainResult = { delivered: 0, indexed: 0, removed: 0, failed: 0 };
	for (let round = 0; round < (opts.maxRounds ?? 20); round++) {
		const claimed = await queryRows<Claimed>(
			db,
			sql`with due as materialized (
				select id from ${searchOutbox}
				where processed_at is null and next_attempt_at <= now()
				order by id limit ${batch}
				for update skip locked
			)
			update ${searchOutbox} o set attempts = o.attempts + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
			from due where o.id = due.id
			returning o.id, o.entity, o.entity_id, o.attempts`
		);
		if (!claimed.length) break;
		const ids = claimed.map((r) => Number(r.id));
		try {
			const serviceIds = [...new Set(claimed.filter((r) => r.entity === 'service').map((r) => r.entity_id))];
			const docs = await buildSearchDocuments(db, serviceIds);
			const live = new Set(docs.map((d) => d.id));
			const gone = serviceIds.filter((id) => !live.has(id));
			if (docs.length) await engine.index(docs);
			if (gone.length) await engine.remove(gone);
			// Discussion posts: indexed while they stand; deleted or hidden ones (or of a deleted thread) go.
			const postIds = [...new Set(claimed.filter((r) => r.entity === 'post').map((r) => r.entity_id))];
			if (postIds.length) {
				const postDocs = await buildPostDocuments(db, postIds);
				const standing = new Set(postDocs.map((d) => d.id));
				if (postDocs.length) await engine.indexPosts(postDocs);
				const removed = postIds.filter((id) => !standing.has(id));
				if (removed.length) await engine.removePosts(removed);
			}
			await db
				.update(searchOutbox)
				.set({ processedAt: sql`now()`, lastError: null })
				.where(inArray(searchOutbox.id, ids));
			result.delivered += ids.length;
			result.indexed += docs.length;
			result.removed += gone.length;
		} catch (err) {
			const message = (err instanceof Error ? err.message : String(err)).replace(/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, '$1***@').slice(0, 1000);
			const attempts = Math.max(...claimed.map((r) => Number(r.attempts)));
			await db
				.update(searchOutbox)
				.set({ lastError: message, nextAttemptAt: sql`now() + ${Math.max(0, backoff(attempts))} * interval '1 millisecond'` })
				.where(inArray(searchOutbox.id, ids));
			result.failed += ids.length;
			getLogger().warn({ rows: ids.length, attempt: attempts, err: message }, 'search: outbox delivery failed, will retry');
			break;
		}
		if (claimed.length < batch) break;
	}
	return result;
}

/**
 * Rebuilds the whole index from the directory. Changes delivered while it ran went to the old
 * index, which a swap (Meilisearch) may discard: they are delivered again afterwards.
 */
export async function reindexAll(db: Db, engine: SearchEngine = sharedSearchEngine(() => db), opts: { batch?: number } = {}): Promise<{ ms: number }> {
	const started = performance.now();
	const [first] = await queryRows<{ start: string }>(db, sql`select now()::text as start`);
	await engine.reindexAll(allSearchDocuments(db, opts.batch ?? 500));
	// Posts: the Postgres engine reads the posts table itself; other engines get every standing post.
	if (engine.kind !== 'postgres') for await (const batch of allPostDocuments(db, opts.batch ?? 500)) await engine.indexPosts(batch);
	const again = await queryRows<{ entity_id: string }>(
		db,
		sql`select distinct entity_id from ${searchOutbox} where entity = 'service' and processed_at >= ${first!.start}::timestamptz`
	);
	if (again.length) {
		const ids = again.map((r) => r.entity_id);
		const docs = await buildSearchDocuments(db, ids);
		const live = new Set(docs.map((d) => d.id));
		if (docs.length) await engine.index(docs);
		const gone = ids.filter((id) => !live.has(id));
		if (gone.length) await engine.remove(gone);
	}
	return { ms: Math.round(performance.now() - started) };
}

/**
 * Opening hours are indexed as they stand on the day of indexing (schedules carry valid_from /
 * valid_to): services whose schedules start or stop being valid around `today` (Rome) are queued
 * again. A week back, so that a process that was down over a boundary catches up; queuing a
 * service twice costs one more delivery.
 */
export async function queueScheduleChanges(db: Db, today = romeDay(new Date())): Promise<number> {
	const rows = await queryRows<{ n: number }>(
		db,
		sql`with due as (
			select distinct coalesce(sc.service_id, sal.service_id) as service_id
			from ${dirSchedules} sc left join ${dirServiceAtLocations} sal on sal.id = sc.service_at_location_id
			where (sc.valid_from > ${addDays(today, -7)}::date and sc.valid_from <= ${today}::date)
				or (sc.valid_to >= ${addDays(today, -8)}::date and sc.valid_to < ${today}::date)
		), queued as (
			insert into ${searchOutbox} (entity, entity_id, op)
			select 'service', service_id, 'upsert' from due where service_id is not null
			returning 1
		)
		select count(*)::int as n from queued`
	);
	return rows[0]?.n ?? 0;
}

export interface SearchWorker {
	readonly engine: SearchEngine;
	/** Deliver soon instead of at the next tick (e.g. right after a directory change). */
	kick(): void;
	stop(): Promise<void>;
}

const KEY = Symbol.for('intarsi.search.worker');
type G = typeof globalThis & { [KEY]?: SearchWorker };

/** Delivers pending changes now (no-op when no worker runs in this process). */
export function kickSearchWorker(): void {
	(globalThis as G)[KEY]?.kick();
}

/**
 * Drains the outbox every `intervalMs` (one drain at a time, on a timer that does not keep the
 * process alive). At its first tick it fills an empty index from the directory (a new Meilisearch,
 * a new database with services); once a day it queues the services whose schedules' validity
 * begins or ends (queueScheduleChanges); once an hour it prunes rows delivered over a week ago.
 * `stop()` waits for a running drain.
 */
export function startSearchWorker(
	getDb: () => Db,
	opts: { engine?: SearchEngine; intervalMs?: number; drain?: SearchDrainOptions; bootstrap?: boolean } = {}
): SearchWorker {
	const log = getLogger();
	const engine = opts.engine ?? sharedSearchEngine(getDb);
	const intervalMs = opts.intervalMs ?? 3_000;
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<void> | undefined;
	let stopped = false;
	let kickedWhileRunning = false;
	let bootstrapped = opts.bootstrap === false;
	let prunedAt = 0;
	let scheduleDay = '';

	const schedule = (ms: number) => {
		if (stopped) return;
		clearTimeout(timer);
		timer = setTimeout(tick, ms);
		timer.unref();
	};
	const tick = () => {
		if (running) return;
		running = (async () => {
			const db = getDb();
			try {
				if (!bootstrapped) {
					await bootstrapIndex(db, engine);
					bootstrapped = true;
					// The Postgres engine's first search would read its facet table (about 2.5 s at 50,000
					// services): read it now, in the background.
					if ('facetTable' in engine) void (engine as PostgresSearchEngine).facetTable.load().catch(() => {});
				}
				const today = romeDay(new Date());
				if (today !== scheduleDay) {
					await queueScheduleChanges(db, today);
					scheduleDay = today;
				}
				const r = await drainSearchOutbox(db, engine, opts.drain);
				if (r.delivered) log.debug(r, 'search: outbox delivered');
				if (Date.now() - prunedAt > 3600_000) {
					prunedAt = Date.now();
					await db.execute(sql`delete from ${searchOutbox} where processed_at < now() - interval '7 days'`);
				}
			} catch (err) {
				log.warn({ err: err instanceof Error ? err.message : String(err) }, 'search: worker tick failed');
			}
		})().finally(() => {
			running = undefined;
			schedule(kickedWhileRunning ? 50 : intervalMs);
			kickedWhileRunning = false;
		});
	};
	log.info({ engine: engine.kind }, 'search: worker started');
	schedule(500);
	const worker: SearchWorker = {
		engine,
		kick() {
			if (running) kickedWhileRunning = true;
			else schedule(50);
		},
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await running;
			if ((globalThis as G)[KEY] === worker) (globalThis as G)[KEY] = undefined;
		}
	};
	(globalThis as G)[KEY] = worker;
	return worker;
}

/** An empty index while the directory has services: build it (first start on a new engine). */
async function bootstrapIndex(db: Db, engine: SearchEngine): Promise<void> {
	const probe = await engine.search({ q: '', filters: {}, facets: [], page: 1, pageSize: 1, publicOnly: false });
	if (probe.total > 0) return;
	const [any] = await db.select({ id: dirServices.id }).from(dirServices).where(sql`${dirServices.deletedAt} is null`).limit(1);
	if (!any) return;
	const { ms } = await reindexAll(db, engine);
	getLogger().info({ engine: engine.kind, ms }, 'search: index built from the directory');
}
