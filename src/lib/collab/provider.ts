/**
 * Browser (and Node) side of /collab: one Socket.IO connection multiplexing many Yjs documents.
 * - joins each document, exchanges sync step 1/2, sends local updates and awareness;
 * - counts a local change as saved only when the server acknowledges it (written to its log);
 * - reconnects with backoff and, on reconnect, merges whatever either side missed (sync step 1/2),
 *   so edits made offline reach the server exactly once in effect (Yjs updates are idempotent);
 *   that includes a handshake the server refused for a passing reason (`server_error`, e.g. the
 *   database was briefly unavailable), which Socket.IO itself never retries;
 * - stops when the session ends (status "unauthorized"): the edits wait in the local copy for the
 *   next login;
 * - stops when the server refuses the page's wire version (status "outdated": the hub was updated
 *   with a new wire format since the page loaded): the edits wait in the local copy for the reload;
 * - in a browser, keeps each document in IndexedDB (y-indexeddb), so offline edits survive a reload.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { io } from '$lib/realtime/io';
import {
	COLLAB_NAMESPACE,
	MESSAGE_AWARENESS,
	MESSAGE_SYNC,
	SYNC_STEP1,
	SYNC_STEP2,
	SYNC_UPDATE,
	type Access,
	type CollabClientToServer,
	type CollabErrorCode,
	type CollabServerToClient,
	type JoinReply,
	type SendReply,
	encodeAwareness,
	encodeSync
} from './protocol';
import { HandshakeRetry, type BackoffOptions } from '../realtime/reconnect';

export type CollabSocket = Socket<CollabServerToClient, CollabClientToServer>;
/**
 * "saved": everything local is durable on the server; "saving": some of it is on its way.
 * "unauthorized": the session ended (logout elsewhere, expiry, revocation): nothing is sent or
 * retried until the person signs in again; edits stay in the local copy and merge then.
 */
export type SyncStatus = 'connecting' | 'saving' | 'saved' | 'offline' | 'unauthorized' | 'outdated' | 'error';

export interface CollabClientOptions {
	/** Server URL; '' (the default) means the page's own origin. */
	url?: string;
	/** Extra Socket.IO options (tests pass cookies through `extraHeaders`). */
	io?: Partial<ManagerOptions & SocketOptions>;
	/** Waits between new attempts after the server refused the handshake (default 1 s doubling to 30 s). */
	retry?: BackoffOptions;
}

export class CollabClient {
	readonly socket: CollabSocket;
	private readonly docs = new Map<string, DocProvider>();
	/** Connects again after a handshake refused for a passing reason (not after the session ended). */
	private readonly retry: HandshakeRetry;

	constructor(options: CollabClientOptions = {}) {
		this.socket = io(`${options.url ?? ''}${COLLAB_NAMESPACE}`, {
			transports: ['websocket', 'polling'],
			withCredentials: true,
			reconnection: true,
			reconnectionDelay: 500,
			reconnectionDelayMax: 4_000,
			// A connection attempt that hangs (e.g. a network that just came back) is retried after 5 s.
			timeout: 5_000,
			randomizationFactor: 0.5,
			...options.io
		});
		this.retry = new HandshakeRetry(this.socket, options.retry);
		this.socket.on('connect', () => {
			for (const d of this.docs.values()) d.onConnect();
		});
		// The server disconnects a session's sockets when it ends, and refuses a handshake without a
		// valid session: retrying cannot help before the person signs in again.
		this.socket.on('disconnect', () => {
			for (const d of this.docs.values()) d.onDisconnect();
		});
		// Any other refusal (`server_error`) is retried by `retry`; the documents show "offline" meanwhile.
		this.socket.on('connect_error', () => {
			for (const d of this.docs.values()) d.onDisconnect();
		});
		this.socket.on('msg', (name, payload) => this.docs.get(name)?.onMessage(new Uint8Array(payload)));
		this.socket.on('collab-access', (name, access) => this.docs.get(name)?.onAccess(access));
		this.socket.on('collab-error', (name, code, detail) => {
			if (name) this.docs.get(name)?.onError(code, detail);
		});
	}

	open(name: string, ydoc: Y.Doc, options: { awareness?: awarenessProtocol.Awareness; indexedDbKey?: string } = {}): DocProvider {
		if (this.docs.has(name)) throw new Error(`document ${name} is already open`);
		const provider = new DocProvider(this, name, ydoc, options.awareness ?? new awarenessProtocol.Awareness(ydoc), options.indexedDbKey);
		this.docs.set(name, provider);
		if (this.socket.connected) provider.onConnect();
		else if (this.sessionEnded || this.outdated || this.retry.pending) provider.onDisconnect();
		return provider;
	}

	/** The session ended: this client stays disconnected (a new login loads a new page). */
	get sessionEnded(): boolean {
		return this.retry.sessionEnded;
	}

	/**
	 * The server refused this page's wire version (the hub was updated since it loaded): this client
	 * stays disconnected, and edits wait in the local copy until the page is reloaded.
	 */
	get outdated(): boolean {
		return this.retry.outdated;
	}

	/** @internal */
	forget(name: string) {
		this.docs.delete(name);
	}

	destroy() {
		for (const d of [...this.docs.values()]) d.destroy();
		this.retry.destroy();
		this.socket.disconnect();
	}
}

export class DocProvider {
	/** The right granted at the last successful join (kept while offline: editing goes on). */
	access: Access | null = null;
	/** Joined on the current connection. */
	private joined = false;
	status: SyncStatus = 'connecting';
	lastError: CollabErrorCode | null = null;
	/** Local messages sent and not yet acknowledged as durable. */
	private pending = 0;
	private syncedFromServer = false;
	private listeners = new Set<(status: SyncStatus) => void>();
	private idb: { destroy(): Promise<void>; whenSynced: Promise<unknown> } | null = null;
	readonly whenLocalReady: Promise<void>;
	private destroyed = false;

	constructor(
		private readonly client: CollabClient,
		readonly name: string,
		readonly ydoc: Y.Doc,
		readonly awareness: awarenessProtocol.Awareness,
		indexedDbKey?: string
	) {
		this.ydoc.on('update', this.onLocalUpdate);
		this.awareness.on('update', this.onLocalAwareness);
		this.whenLocalReady = this.openIndexedDb(indexedDbKey);
	}

	/** A local copy that fails to open (private mode, quota) must not stop the live document. */
	private async openIndexedDb(key?: string) {
		if (!key || typeof indexedDB === 'undefined') return;
		try {
			const { IndexeddbPersistence } = await import('y-indexeddb');
			if (this.destroyed) return;
			const persistence = new IndexeddbPersistence(key, this.ydoc);
			this.idb = persistence;
			await Promise.race([persistence.whenSynced, new Promise((r) => setTimeout(r, 3000))]);
		} catch {
			this.idb = null;
		}
	}

	onStatus(listener: (status: SyncStatus) => void): () => void {
		this.listeners.add(listener);
		listener(this.status);
		return () => this.listeners.delete(listener);
	}

	private setStatus(status: SyncStatus) {
		if (status === this.status) return;
		this.status = status;
		for (const l of this.listeners) l(status);
	}

	private refresh() {
		if (this.destroyed) return;
		if (this.client.sessionEnded) return this.setStatus('unauthorized');
		if (this.client.outdated) return this.setStatus('outdated');
		if (!this.client.socket.connected) return this.setStatus('offline');
		if (this.lastError && this.lastError !== 'read_only') return this.setStatus('error');
		if (!this.joined || !this.syncedFromServer) return this.setStatus('connecting');
		this.setStatus(this.pending > 0 ? 'saving' : 'saved');
	}

	private send(payload: Uint8Array, durable: boolean) {
		const socket = this.client.socket;
		if (!socket.connected || !this.joined) return;
		if (!durable) {
			socket.emit('msg', this.name, payload);
			return;
		}
		this.pending++;
		this.refresh();
		socket.emit('msg', this.name, payload, (reply: SendReply) => {
			this.pending = Math.max(0, this.pending - 1);
			if (!reply.ok) this.lastError = reply.error;
			this.refresh();
		});
	}

	/** @internal */
	onConnect() {
		this.syncedFromServer = false;
		this.lastError = null;
		this.refresh();
		void this.whenLocalReady.then(() => {
			if (this.destroyed || !this.client.socket.connected) return;
			this.client.socket.emit('join', this.name, (reply: JoinReply) => {
				if (!reply.ok) {
					this.lastError = reply.error;
					this.joined = false;
					if (reply.error === 'server_error') {
						// A passing failure on the server (database): try again shortly.
						setTimeout(() => {
							if (!this.destroyed && this.client.socket.connected && !this.joined) this.onConnect();
						}, 1000 + Math.random() * 2000);
					} else this.access = null;
					return this.setStatus('error');
				}
				this.access = reply.access;
				this.joined = true;
				this.send(encodeSync(SYNC_STEP1, Y.encodeStateVector(this.ydoc)), false);
				const local = this.awareness.getLocalState();
				if (local) this.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.ydoc.clientID])), false);
				this.refresh();
			});
		});
	}

	/** @internal */
	onDisconnect() {
		this.joined = false;
		this.pending = 0; // unacknowledged edits are re-sent by the sync exchange after reconnecting
		this.syncedFromServer = false;
		const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.ydoc.clientID);
		if (others.length) awarenessProtocol.removeAwarenessStates(this.awareness, others, 'connection');
		this.refresh();
	}

	/** @internal */
	onAccess(access: Access) {
		if (access !== 'read' && access !== 'write') return;
		this.access = access;
		// Listeners read `access` with the status: tell them even if the status stays the same.
		for (const l of this.listeners) l(this.status);
	}

	onError(code: CollabErrorCode, detail?: string) {
		this.lastError = code;
		if (detail === 'rejoin') {
			// The server dropped the document (a failed write): join again and resync, which
			// resends from this copy whatever the server lacks.
			this.joined = false;
			setTimeout(() => {
				if (!this.destroyed && this.client.socket.connected) this.onConnect();
			}, 500 + Math.random() * 1000);
		}
		this.refresh();
	}

	/** @internal */
	onMessage(payload: Uint8Array) {
		const d = decoding.createDecoder(payload);
		const type = decoding.readVarUint(d);
		if (type === MESSAGE_SYNC) {
			const syncType = decoding.readVarUint(d);
			const data = decoding.readVarUint8Array(d);
			if (syncType === SYNC_STEP1) {
				// The server's state vector: answer with everything it lacks (offline edits included).
				const diff = Y.encodeStateAsUpdate(this.ydoc, data);
				if (this.access === 'write') this.send(encodeSync(SYNC_STEP2, diff), true);
			} else {
				Y.applyUpdate(this.ydoc, data, this);
				if (syncType === SYNC_STEP2) this.syncedFromServer = true;
			}
			this.refresh();
		} else if (type === MESSAGE_AWARENESS) {
			awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(d), this);
		}
	}

	private onLocalUpdate = (update: Uint8Array, origin: unknown) => {
		if (origin === this || (this.idb !== null && origin === this.idb)) return;
		// Offline, the edit waits in the document (and IndexedDB); the sync exchange after
		// reconnecting sends it.
		if (this.joined && this.access === 'write') this.send(encodeSync(SYNC_UPDATE, update), true);
		else this.refresh();
	};

	private onLocalAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
		if (origin === this) return;
		const changed = [...added, ...updated, ...removed].filter((id) => id === this.ydoc.clientID);
		if (changed.length) this.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)), false);
	};

	/** True when the server has acknowledged everything this client changed. */
	get saved(): boolean {
		return this.status === 'saved';
	}

	destroy() {
		if (this.destroyed) return;
		awarenessProtocol.removeAwarenessStates(this.awareness, [this.ydoc.clientID], 'local');
		this.destroyed = true;
		this.ydoc.off('update', this.onLocalUpdate);
		this.awareness.off('update', this.onLocalAwareness);
		if (this.client.socket.connected) this.client.socket.emit('leave', this.name);
		void this.idb?.destroy();
		this.client.forget(this.name);
		this.listeners.clear();
	}
}
