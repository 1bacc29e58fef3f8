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
	resolve: () => void;
	reject: (err: unknown) => void;
}

export interface PersistenceOptions {
	/** Fold a document's log into its snapshot once it has this many rows. */
	compactAfter?: number;
}

/**
 * Postgres persistence (both drivers): an append-only update log written by group commit — every
 * update that arrives while one insert is in flight goes into the next multi-row insert — plus
 * snapshots produced by compaction.
 */
export class CollabPersistence {
	private queue: Pending[] = [];
	private inflight: Promise<void> | null = null;
	private readonly rowsSinceLoad = new Map<string, number>();
	private readonly compacting = new Map<string, Promise<void>>();
	private readonly compactAfter: number;
	private closed = false;
	private readonly log = getLogger().child({ mod: 'collab-persistence' });

	constructor(
		private readonly getDb: () => Db,
		options: PersistenceOptions = {}
	) {
		this.compactAfter = options.compactAfter ?? 500;
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
		if (this.closed) return Promise.reject(new Error('persistence closed'));
		return new Promise((resolve, reject) => {
			this.queue.push({ doc, update, userId, resolve, reject });
			this.kick();
		});
	}

	private kick() {
		if (this.inflight || this.queue.length === 0) return;
		this.inflight = new Promise<void>((r) => setImmediate(r)).then(() => this.writeBatch());
	}

	private async writeBatch(): Promise<void> {
		// At most 1,000 rows or ~8 MB per insert; the rest goes into the next one.
		let bytes = 0;
		let take = 0;
		while (take < this.queue.length && take < 1000 && (take === 0 || bytes + this.queue[take]!.update.byteLength <= 8_000_000)) {
			bytes += this.queue[take]!.update.byteLength;
			take++;
		}
		const batch = this.queue.splice(0, take);
		try {
			if (batch.length) {
				await this.getDb()
					.insert(collabUpdates)
					.values(batch.map((p) => ({ doc: p.doc, update: p.update, userId: p.userId })));
				for (const p of batch) p.resolve();
				const touched = new Set<string>();
				for (const p of batch) {
					this.rowsSinceLoad.set(p.doc, (this.rowsSinceLoad.get(p.doc) ?? 0) + 1);
					touched.add(p.doc);
				}
				for (const doc of touched) if ((this.rowsSinceLoad.get(doc) ?? 0) >= this.compactAfter) void this.compact(doc);
			}
		} catch (err) {
			this.log.error({ err, rows: batch.length }, 'update log write failed');
			for (const p of batch) p.reject(err);
		} finally {
			this.inflight = null;
			this.kick();
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
	}
}

function toBytes(v: unknown): Uint8Array {
	if (v instanceof Uint8Array) return v;
	if (typeof v === 'string' && v.startsWith('\\x')) return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
	throw new Error('unexpected bytea value');
}
