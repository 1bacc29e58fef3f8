import * as Y from 'yjs';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { queryRows } from '../../db/client';
import { collabSnapshots, collabUpdates } from '../../db/schema';
import { getLogger } from '../../logger';

interface Pending {
	doc: string;
	update: Uint8Array;
	userId: string | null;
	/** Called once: with nothing when the row is in the log, with the error when its insert failed. */
	done: (err?: unknown) => void;
}

export interface PersistenceOptions {
	/** Fold a document's log into its snapshot once it has this many rows. */
	compactAfter?: number;
	/** Least time between the starts of two inserts (group commit under load); default 25 ms. */
	minIntervalMs?: number;
	/** PostgreSQL: how long the log keeps its own connection after its last insert; default 2 s. */
	connectionIdleMs?: number;
}

/**
 * Postgres persistence (both drivers): an append-only update log written by group commit — every
 * update that arrives while one insert is in flight, or less than `minIntervalMs` after the last
 * one started, goes into the next multi-row insert — plus snapshots produced by compaction.
 */
export class CollabPersistence {
	private queue: Pending[] = [];
	private inflight: Promise<void> | null = null;
	private readonly rowsSinceLoad = new Map<string, number>();
	private readonly compacting = new Map<string, Promise<void>>();
	private readonly compactAfter: number;
	private readonly minIntervalMs: number;
	private lastBatchAt = -Infinity;
	private closed = false;
	/** PostgreSQL: the connection the log is written on (see LogConnection). */
	readonly connection: LogConnection;
	/** Inserts written and rows in them since start (for tests and diagnostics). */
	readonly stats = { batches: 0, rows: 0 };
	private readonly log = getLogger().child({ mod: 'collab-persistence' });

	constructor(
		private readonly getDb: () => Db,
		options: PersistenceOptions = {}
	) {
		this.compactAfter = options.compactAfter ?? 500;
		this.minIntervalMs = options.minIntervalMs ?? 25;
		this.connection = new LogConnection(options.connectionIdleMs ?? 2_000);
	}

	/** Snapshot first, then the log in order, read by one statement (one consistent view). */
	async load(doc: string): Promise<Uint8Array[]> {
		const rows = await queryRows<{ kind: number; data: Uint8Array; id: string | number }>(
			this.getDb(),
			sql`select 0 as kind, ${collabSnapshots.state} as data, 0::bigint as id from ${collabSnapshots} where ${collabSnapshots.doc} = ${doc}
			    union all
			    select 1 as kind, ${collabUpdates.update} as data, ${collabUpdates.id} as id from ${collabUpdates} where ${collabUpdates.doc} = ${doc}
			    order by kind, id`
		);
		this.rowsSinceLoad.set(doc, rows.filter((r) => Number(r.kind) === 1).length);
		return rows.map((r) => toBytes(r.data));
	}

	/** Resolves once the update is in the log (the author may then be told it is durable). */
	append(doc: string, update: Uint8Array, userId: string | null): Promise<void> {
		return new Promise((resolve, reject) => this.enqueue(doc, update, userId, (err) => (err === undefined ? resolve() : reject(err))));
	}

	/**
	 * `append` without a promise, for the server's hot path (one per update): `done` is called once,
	 * with no argument when the row is in the log, with the error when its insert failed. Rows are
	 * written in the order they were queued, and `done` called in that order.
	 */
	enqueue(doc: string, update: Uint8Array, userId: string | null, done: (err?: unknown) => void): void {
		// Answered later, never from inside the caller (a Yjs update event, where dropping the document
		// at once would destroy it mid-transaction).
		if (this.closed) return queueMicrotask(() => done(new Error('persistence closed')));
		this.queue.push({ doc, update, userId, done });
		this.kick();
	}

	private kick() {
		if (this.inflight || this.queue.length === 0) return;
		// Under load, inserts start at most every `minIntervalMs`, each with every row queued by
		// then: fewer statements (the log write is most of the server's work per update) for a
		// few milliseconds more before the ack. A lone update is written at once. 25 ms rather than
		// 10: a quarter less server CPU at bench:collab 100/20/2 and a sixth off its p95, for an
		// ack ~8 ms later that nobody sees; 50 ms gained no more latency (see docs/realtime.md).
		const wait = this.lastBatchAt + this.minIntervalMs - performance.now();
		this.inflight = new Promise<void>((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r))).then(() => this.writeBatch());
	}

	private async writeBatch(): Promise<void> {
		this.lastBatchAt = performance.now();
		// At most 1,000 rows or ~8 MB per insert; the rest goes into the next one.
		let bytes = 0;
		let take = 0;
		while (take < this.queue.length && take < 1000 && (take === 0 || bytes + this.queue[take]!.update.byteLength <= 8_000_000)) {
			bytes += this.queue[take]!.update.byteLength;
			take++;
		}
		const batch = this.queue.splice(0, take);
		let failure: unknown = null;
		try {
			if (batch.length) await appendRows(this.getDb(), batch, this.connection);
		} catch (err) {
			failure = err ?? new Error('update log write failed');
			this.log.error({ err, rows: batch.length }, 'update log write failed');
		}
		try {
			if (failure === null) {
				this.stats.batches += batch.length ? 1 : 0;
				this.stats.rows += batch.length;
			}
			for (const p of batch) this.settle(p, failure);
			if (failure === null) {
				const touched = new Set<string>();
				for (const p of batch) {
					this.rowsSinceLoad.set(p.doc, (this.rowsSinceLoad.get(p.doc) ?? 0) + 1);
					touched.add(p.doc);
				}
				for (const doc of touched) if ((this.rowsSinceLoad.get(doc) ?? 0) >= this.compactAfter) void this.compact(doc);
			}
		} finally {
			this.inflight = null;
			this.kick();
		}
	}

	/** Tells one row's waiter; a waiter that throws does not keep the others from hearing. */
	private settle(p: Pending, failure: unknown) {
		try {
			if (failure === null) p.done();
			else p.done(failure);
		} catch (err) {
			this.log.error({ err, doc: p.doc }, 'update log waiter failed');
		}
	}

	/** Waits until everything queued so far is written. */
	async flush(): Promise<void> {
		while (this.inflight || this.queue.length) {
			this.kick();
			await this.inflight;
		}
	}

	/**
	 * Folds the log into the snapshot. Under a per-document advisory lock (instances may share the
	 * database); deletes exactly the rows it read, so updates written meanwhile stay in the log.
	 */
	compact(doc: string): Promise<void> {
		const running = this.compacting.get(doc);
		if (running) return running;
		const job = this.getDb()
			.transaction(async (tx) => {
				await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'collab:' + doc}))`);
				const rows = await queryRows<{ kind: number; data: Uint8Array; id: string | number }>(
					tx,
					sql`select 0 as kind, ${collabSnapshots.state} as data, 0::bigint as id from ${collabSnapshots} where ${collabSnapshots.doc} = ${doc}
					    union all
					    select 1 as kind, ${collabUpdates.update} as data, ${collabUpdates.id} as id from ${collabUpdates} where ${collabUpdates.doc} = ${doc}
					    order by kind, id`
				);
				const ids = rows.filter((r) => Number(r.kind) === 1).map((r) => Number(r.id));
				if (ids.length === 0) return;
				const ydoc = new Y.Doc();
				for (const r of rows) Y.applyUpdate(ydoc, toBytes(r.data));
				const state = Y.encodeStateAsUpdate(ydoc);
				ydoc.destroy();
				await tx
					.insert(collabSnapshots)
					.values({ doc, state, compactedRows: ids.length })
					.onConflictDoUpdate({
						target: collabSnapshots.doc,
						set: { state, updatedAt: new Date(), compactedRows: sql`${collabSnapshots.compactedRows} + ${ids.length}` }
					});
				await tx.execute(sql`delete from ${collabUpdates} where ${collabUpdates.doc} = ${doc} and ${collabUpdates.id} = any(${`{${ids.join(',')}}`}::bigint[])`);
				this.rowsSinceLoad.set(doc, Math.max(0, (this.rowsSinceLoad.get(doc) ?? 0) - ids.length));
			})
			.catch((err) => this.log.error({ err, doc }, 'compaction failed'))
			.finally(() => this.compacting.delete(doc));
		this.compacting.set(doc, job);
		return job;
	}

	async close(): Promise<void> {
		await this.flush();
		await Promise.all(this.compacting.values());
		this.closed = true;
		this.connection.drop();
	}
}

/** node-postgres under drizzle: it takes named, i.e. prepared, statements. */
interface PgQueryable {
	query(config: { name?: string; text: string; values: unknown[] }): Promise<unknown>;
}
interface PgPoolClient extends PgQueryable {
	release(err?: Error): void;
	on(event: 'error', listener: (err: Error) => void): unknown;
	removeListener(event: 'error', listener: (err: Error) => void): unknown;
}
interface PgPool extends PgQueryable {
	connect(): Promise<PgPoolClient>;
	totalCount: number;
}
const isPgPool = (c: unknown): c is PgPool =>
	!!c && typeof (c as PgPool).connect === 'function' && typeof (c as PgPool).query === 'function' && typeof (c as PgPool).totalCount === 'number';

interface Held {
	client: PgPoolClient;
	released: boolean;
	onError: (err: Error) => void;
}

/**
 * The log's own connection, taken from the pool while updates arrive and given back after
 * `idleMs` without one: the hottest statement skips the pool's checkout and release (and its
 * queue) per batch, and its prepared statements stay parsed on one connection. A connection whose
 * query failed, or that the server closed meanwhile (restart, failover, an administrator), is
 * destroyed rather than given back; the next batch takes another.
 */
class LogConnection {
	private held: Promise<Held> | null = null;
	private pool: PgPool | null = null;
	private lastUsed = 0;
	private idle: NodeJS.Timeout | null = null;
	private readonly log = getLogger().child({ mod: 'collab-persistence' });

	constructor(private readonly idleMs: number) {}

	async query(pool: PgPool, config: { name?: string; text: string; values: unknown[] }): Promise<void> {
		if (this.pool !== pool) this.drop();
		let current = this.held;
		if (!current) {
			const taking: Promise<Held> = pool.connect().then((client) => {
				const held: Held = {
					client,
					released: false,
					// Checked out, the client has no listener of the pool's: without this one an error
					// on it while idle (the server closed it) would be an uncaught 'error' event.
					onError: (err) => {
						this.log.warn({ err: err.message }, 'update log connection lost');
						this.forget(taking);
						this.release(held, err);
					}
				};
				client.on('error', held.onError);
				return held;
			});
			taking.catch(() => this.forget(taking));
			this.held = current = taking;
			this.pool = pool;
		}
		const held = await current;
		try {
			await held.client.query(config);
		} catch (err) {
			this.forget(current);
			this.release(held, err instanceof Error ? err : new Error(String(err)));
			throw err;
		}
		this.lastUsed = performance.now();
		this.idle ??= setTimeout(() => this.onIdleTimer(), this.idleMs).unref();
	}

	/** One timer, re-armed for the rest of the idle time while batches keep coming. */
	private onIdleTimer() {
		this.idle = null;
		const left = this.lastUsed + this.idleMs - performance.now();
		if (left > 0) this.idle = setTimeout(() => this.onIdleTimer(), left).unref();
		else this.drop();
	}

	private forget(held: Promise<Held>) {
		if (this.held !== held) return;
		this.held = null;
		this.pool = null;
	}

	/** Back to the pool, or destroyed (`err`); once. */
	private release(held: Held, err?: Error) {
		if (held.released) return;
		held.released = true;
		held.client.removeListener('error', held.onError);
		held.client.release(err);
	}

	/** Gives the connection back to its pool. */
	drop() {
		if (this.idle) clearTimeout(this.idle);
		this.idle = null;
		const held = this.held;
		this.held = null;
		this.pool = null;
		held?.then(
			(h) => this.release(h),
			() => {}
		);
	}

	/** The server process id of the connection held now (tests and diagnostics). */
	async backendPid(): Promise<number | null> {
		const held = await this.held?.catch(() => null);
		return (held?.client as { processID?: number } | undefined)?.processID ?? null;
	}
}

const PREPARED_UP_TO = 8;
const appendText = (rows: number) =>
	`insert into collab_updates (doc, update, user_id) values ${Array.from({ length: rows }, (_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')}`;

/**
 * One multi-row insert. The log append is the hottest statement of the server (about one per
 * update: group commit rarely finds more than one row waiting), so on PostgreSQL it bypasses
 * drizzle's query builder, which cost the main thread more than the driver itself, runs on the
 * log's own connection (`LogConnection`) and is a prepared statement for batches of up to 8 rows
 * (parsed once per connection). Elsewhere (PGlite) it goes through drizzle.
 */
async function appendRows(db: Db, batch: Pending[], connection: LogConnection): Promise<void> {
	const pool = (db as unknown as { $client?: unknown }).$client;
	if (isPgPool(pool)) {
		const values = batch.flatMap((p) => [p.doc, p.update, p.userId]);
		const n = batch.length;
		await connection.query(pool, { name: n <= PREPARED_UP_TO ? `intarsi_collab_append_${n}` : undefined, text: appendText(n), values });
		return;
	}
	await db.insert(collabUpdates).values(batch.map((p) => ({ doc: p.doc, update: p.update, userId: p.userId })));
}

function toBytes(v: unknown): Uint8Array {
	if (v instanceof Uint8Array) return v;
	if (typeof v === 'string' && v.startsWith('\\x')) return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
	throw new Error('unexpected bytea value');
}
