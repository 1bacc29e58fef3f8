import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { SYNC_UPDATE, encodeAwareness, encodeSync } from '$lib/collab/protocol';
import type { CollabPersistence } from './persistence';
import { getLogger } from '../../logger';

/** Origin of updates that came from another instance (already persisted there). */
export const REMOTE = Symbol('remote');
/** Origin of updates loaded from storage. */
export const STORAGE = Symbol('storage');

export interface Connection {
	id: string;
	userId: string;
	/** Sends one y-protocols message to this connection's client. */
	send(payload: Uint8Array): void;
	/** Sends a message encoded once for all its receivers (`LocalBroadcast`), without waiting for the end of the run. */
	sendPrepared(message: PreparedMessage): void;
	/** Awareness client ids this connection introduced (removed when it leaves). */
	awarenessIds: Set<number>;
}

/** A `msg` event encoded once for every receiver (opaque here: see namespace.ts, `prepareMessage`). */
export interface PreparedMessage {
	readonly frames: unknown[];
}

/** Sends one message to every connection of a document on this instance, but one (encoded once). */
export type LocalBroadcast = (doc: CollabDocument, payload: Uint8Array, except?: Connection) => void;

export interface Broadcaster {
	/** Tells the other instances (Redis); no-op when running alone. */
	publish(doc: string, type: 'update' | 'awareness', payload: Uint8Array): void;
}

/** One Y.Doc with its awareness and its connections on this instance. */
export class CollabDocument {
	readonly ydoc = new Y.Doc();
	readonly awareness = new awarenessProtocol.Awareness(this.ydoc);
	readonly connections = new Set<Connection>();
	/** Updates this instance handed to the log for the document, and how many of them are in it. */
	private appended = 0;
	private durable = 0;
	/** The error of the first failed log write: nothing accepted after it is acknowledged. */
	private writeError: unknown = null;
	/** Waiting for the updates up to `upTo` to be durable, in order (`upTo` never decreases). */
	private readonly writeWaiters: { upTo: number; cb: (err?: unknown) => void }[] = [];
	idleTimer: NodeJS.Timeout | null = null;
	/** Joins holding the document (from registry.get until registry.release). */
	holds = 0;
	destroyed = false;
	/**
	 * Set when a log write failed: the in-memory state is ahead of the database. Nothing more is
	 * acknowledged; the registry drops the document and its clients rejoin, resending from their
	 * own state what the database lacks.
	 */
	failed = false;
	onFailure: (() => void) | null = null;
	/** Called after every change that did not come from storage (projections listen here). */
	onChange: ((doc: CollabDocument, userId: string | null) => void) | null = null;

	constructor(
		readonly name: string,
		private readonly persistence: CollabPersistence,
		private readonly broadcaster: Broadcaster,
		private readonly local: LocalBroadcast
	) {
		// The server's own awareness state is not a participant.
		this.awareness.setLocalState(null);
		this.ydoc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin));
		this.awareness.on('update', (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) =>
			this.onAwareness(changes, origin)
		);
	}

	/** Set while a client's update that made Yjs throw is being discarded (see applyClientUpdate). */
	private discarding = false;
	/** Set while applying an update already passed on to the other connections (see applyClientUpdate). */
	private forwardedBy: Connection | null = null;

	/**
	 * Applies a client's update (checked by `inspectUpdate` first). Should Yjs throw part-way all the
	 * same, the part it integrated is neither logged nor projected (nor broadcast, unless it was
	 * `forward`ed); the in-memory state is then ahead of the log, so the document is failed and dropped
	 * like after a failed write (its clients rejoin from the log). Returns false in that case.
	 *
	 * `forward`: the client's message as received (a y-protocols sync update), for an update that
	 * `inspectUpdate` found `ready` (Yjs integrates it whole, nothing pending). It goes to the other
	 * connections before Yjs integrates it, rather than the server's re-encoding of it after: the
	 * same changes for every reader, without the integration's time on the way.
	 */
	applyClientUpdate(update: Uint8Array, conn: Connection, forward?: Uint8Array): boolean {
		let threw = false;
		if (forward) {
			if (this.connections.size > 1) this.local(this, forward, conn);
			this.forwardedBy = conn;
		}
		try {
			// The outer transaction lets the error be caught before Yjs ends it and emits `update`.
			Y.transact(
				this.ydoc,
				() => {
					try {
						Y.applyUpdate(this.ydoc, update, conn);
					} catch (err) {
						threw = true;
						this.discarding = true;
						getLogger().child({ mod: 'collab' }).error({ err, doc: this.name }, 'an update that passed inspection made Yjs throw: document dropped');
					}
				},
				conn,
				false
			);
		} catch (err) {
			threw = true;
			getLogger().child({ mod: 'collab' }).error({ err, doc: this.name }, 'applying an update failed: document dropped');
		} finally {
			this.discarding = false;
			this.forwardedBy = null;
		}
		if (threw && !this.failed) {
			this.failed = true;
			this.onFailure?.();
		}
		return !threw;
	}

	private onUpdate(update: Uint8Array, origin: unknown) {
		if (origin === STORAGE || this.discarding) return;
		const author = origin && typeof origin === 'object' ? (origin as Connection) : undefined;
		if (this.connections.size > (author ? 1 : 0) && (!author || author !== this.forwardedBy)) this.local(this, encodeSyncUpdate(update), author);
		// Another instance's change: that instance persists and projects it.
		if (origin === REMOTE) return;
		this.onChange?.(this, author?.userId ?? null);
		const seq = ++this.appended;
		this.persistence.enqueue(this.name, update, author?.userId ?? null, (err) => this.onWritten(seq, update, err));
	}

	/** The log's answer for the `seq`th update (answers come in order: rows are written in order). */
	private onWritten(seq: number, update: Uint8Array, err: unknown) {
		if (err !== undefined) {
			// Once a write has failed, every later ack fails too.
			if (this.writeError === null) this.writeError = err;
			for (const w of this.writeWaiters.splice(0)) this.tell(w.cb, this.writeError);
			if (!this.failed) {
				this.failed = true;
				this.onFailure?.();
			}
			return;
		}
		this.durable = seq;
		// Other instances hear of it once it is durable: an instance that loads the document from the
		// database after this message arrives is sure to find the update there.
		this.broadcaster.publish(this.name, 'update', update);
		const waiters = this.writeWaiters;
		let n = 0;
		while (n < waiters.length && waiters[n]!.upTo <= seq) n++;
		if (n > 0) for (const w of waiters.splice(0, n)) this.tell(w.cb, undefined);
	}

	/** One waiter that throws does not keep the others from hearing. */
	private tell(cb: (err?: unknown) => void, err: unknown) {
		try {
			if (err === undefined) cb();
			else cb(err);
		} catch (e) {
			getLogger().child({ mod: 'collab' }).error({ err: e, doc: this.name }, 'a write waiter failed');
		}
	}

	/**
	 * Calls `cb` once everything this instance accepted for the document so far is in the log (at once
	 * when it already is), or with the error once a log write of the document has failed. No promise
	 * per call: acks of updates take this path.
	 */
	afterWrites(cb: (err?: unknown) => void): void {
		if (this.writeError !== null) return cb(this.writeError);
		if (this.durable >= this.appended) return cb();
		this.writeWaiters.push({ upTo: this.appended, cb });
	}

	/** Settles when everything this instance accepted for the document so far is in the log. */
	get lastWrite(): Promise<void> {
		return new Promise((resolve, reject) => this.afterWrites((err) => (err === undefined ? resolve() : reject(err))));
	}

	private onAwareness(changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) {
		const changed = [...changes.added, ...changes.updated, ...changes.removed];
		if (origin && typeof origin === 'object' && 'awarenessIds' in origin) {
			const conn = origin as Connection;
			for (const id of changes.added) conn.awarenessIds.add(id);
			for (const id of changes.removed) conn.awarenessIds.delete(id);
		}
		const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
		this.local(this, encodeAwareness(update), origin && typeof origin === 'object' ? (origin as Connection) : undefined);
		if (origin !== REMOTE) this.broadcaster.publish(this.name, 'awareness', update);
	}

	/** Everyone's current awareness, for a connection that just joined. */
	awarenessSnapshot(): Uint8Array | null {
		const ids = [...this.awareness.getStates().keys()];
		return ids.length ? encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)) : null;
	}

	removeConnection(conn: Connection) {
		this.connections.delete(conn);
		if (conn.awarenessIds.size) awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
	}

	destroy() {
		this.destroyed = true;
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.awareness.destroy();
		this.ydoc.destroy();
	}
}

export const encodeSyncUpdate = (update: Uint8Array) => encodeSync(SYNC_UPDATE, update);

/**
 * Loads each document once, however many joins race for it, and unloads it after it has had no
 * connection for `idleMs` (once its pending writes are flushed).
 */
export class DocumentRegistry {
	private readonly docs = new Map<string, Promise<CollabDocument>>();
	private readonly log = getLogger().child({ mod: 'collab-registry' });

	constructor(
		private readonly persistence: CollabPersistence,
		private readonly broadcaster: Broadcaster,
		private readonly local: LocalBroadcast,
		private readonly idleMs = 30_000,
		private readonly onChange: ((doc: CollabDocument, userId: string | null) => void) | null = null
	) {}

	/** The loaded document, held until `release` (a held document is never unloaded). */
	async get(name: string): Promise<CollabDocument> {
		for (;;) {
			let p = this.docs.get(name);
			if (!p) {
				p = this.load(name);
				this.docs.set(name, p);
				p.catch(() => this.docs.delete(name));
			}
			const doc = await p;
			if (doc.destroyed) continue;
			doc.holds++;
			if (doc.idleTimer) {
				clearTimeout(doc.idleTimer);
				doc.idleTimer = null;
			}
			return doc;
		}
	}

	/** The document if this instance has it in memory (remote updates for others are ignored). */
	async loaded(name: string): Promise<CollabDocument | null> {
		const p = this.docs.get(name);
		return p ? p.catch(() => null) : null;
	}

	/** Called with a document whose log write failed, after it left the registry. */
	onFailed: (doc: CollabDocument) => void = () => {};

	private async load(name: string): Promise<CollabDocument> {
		const doc = new CollabDocument(name, this.persistence, this.broadcaster, this.local);
		doc.onChange = this.onChange;
		doc.onFailure = () => {
			if (this.docs.get(name)) this.docs.delete(name);
			this.log.error({ doc: name }, 'update log write failed: document dropped, clients will resync');
			this.onFailed(doc);
			doc.destroy();
		};
		const updates = await this.persistence.load(name);
		Y.transact(doc.ydoc, () => {
			for (const u of updates) Y.applyUpdate(doc.ydoc, u, STORAGE);
		}, STORAGE);
		return doc;
	}

	release(doc: CollabDocument) {
		doc.holds = Math.max(0, doc.holds - 1);
		if (doc.holds > 0 || doc.idleTimer || doc.destroyed) return;
		doc.idleTimer = setTimeout(() => {
			doc.idleTimer = null;
			if (doc.holds > 0) return;
			void doc.lastWrite
				.catch(() => {})
				.then(() => {
					if (doc.holds > 0 || doc.destroyed) return;
					this.docs.delete(doc.name);
					doc.destroy();
					this.log.debug({ doc: doc.name }, 'unloaded');
				});
		}, this.idleMs);
		doc.idleTimer.unref();
	}

	get size() {
		return this.docs.size;
	}

	/**
	 * Re-reads every loaded document from the log and applies it (a no-op for what is already
	 * there): used after missing other instances' messages. Local clients receive what was new.
	 */
	async resyncAll(): Promise<number> {
		let applied = 0;
		for (const p of [...this.docs.values()]) {
			const doc = await p.catch(() => null);
			if (!doc || doc.destroyed || doc.failed) continue;
			const updates = await this.persistence.load(doc.name);
			const before = Y.encodeStateVector(doc.ydoc);
			Y.transact(doc.ydoc, () => {
				for (const u of updates) Y.applyUpdate(doc.ydoc, u, REMOTE);
			}, REMOTE);
			if (!Buffer.from(Y.encodeStateVector(doc.ydoc)).equals(Buffer.from(before))) applied++;
		}
		return applied;
	}

	async closeAll() {
		for (const p of this.docs.values()) {
			const doc = await p.catch(() => null);
			if (doc) {
				await doc.lastWrite.catch(() => {});
				doc.destroy();
			}
		}
		this.docs.clear();
	}
}
