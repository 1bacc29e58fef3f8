import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import type { Namespace, Socket } from 'socket.io';
import {
	DOC_NAME,
	MAX_AWARENESS_ENTRIES,
	MAX_MESSAGE_BYTES,
	MAX_PENDING_BEFORE_JOIN,
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
	encodeSync
} from '$lib/collab/protocol';
import type { Db } from '../../db/client';
import { can } from '../../authz';
import { getActor } from '../../network/people';
import { getLogger } from '../../logger';
import type { SocketData } from '../events';
import { resolveDocument } from './documents';
import { subscribe, type DomainEvents } from '../../events';
import type { CollabDocument, Connection, DocumentRegistry, PreparedMessage } from './document';
import { writeNow, wsBinaryFrame, wsTextFrame } from '../coalesce';
import { inspectUpdate } from './update-check';
import { binaryEventEncoder, type Decoder } from '$lib/realtime/parser';
import { PacketType, type Packet } from 'socket.io-parser';

export type CollabNamespace = Namespace<CollabClientToServer, CollabServerToClient, Record<string, never>, SocketData>;
type CollabSocket = Socket<CollabClientToServer, CollabServerToClient, Record<string, never>, SocketData>;

class Refused extends Error {
	constructor(readonly code: CollabErrorCode) {
		super(code);
	}
}

function toBytes(payload: unknown): Uint8Array | null {
	if (payload instanceof Uint8Array) return payload;
	if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
	return null;
}

interface Prepared extends PreparedMessage {
	readonly opts: { preEncoded: true; wsPreEncodedFrame?: [Uint8Array, Uint8Array] };
}

/** Each loaded document's `msg` packet header, encoded once (see `binaryEventEncoder`). */
const msgEncoders = new WeakMap<CollabDocument, (payload: Uint8Array) => Uint8Array>();

/**
 * Encodes a `msg` event once for all the receivers of a document, as Socket.IO's adapter does for a
 * room broadcast: the packet as the hub's parser writes it (one binary frame, from the document's
 * header encoded once; the server is created with that parser) and that frame's WebSocket framing.
 * `Connection.sendPrepared` hands it to each connection's engine.io socket.
 */
export function prepareMessage(nsp: CollabNamespace, doc: CollabDocument, payload: Uint8Array): PreparedMessage {
	let encode = msgEncoders.get(doc);
	if (!encode) msgEncoders.set(doc, (encode = binaryEventEncoder(nsp.name, 'msg', doc.name)));
	const frame = encode(payload);
	const prepared: Prepared = { frames: [frame], opts: { preEncoded: true, wsPreEncodedFrame: wsBinaryFrame(frame) } };
	return prepared;
}

export const encodeStep1 = (doc: Y.Doc) => encodeSync(SYNC_STEP1, Y.encodeStateVector(doc));

/** Awareness entries one connection may introduce (one per editor; a few for safety). */
const MAX_AWARENESS_PER_CONNECTION = 4;
/** Bytes of one awareness state (name, colour, cursor: small). */
const MAX_AWARENESS_STATE_BYTES = 4096;

/**
 * Reads an awareness update fully (a malformed one is refused whole) and checks it: a connection
 * may only change the entries it introduced, a few at most, each small.
 */
function inspectAwareness(update: Uint8Array, known: Map<number, unknown>, owned: Set<number>): { newcomers: number } {
	const d = decoding.createDecoder(update);
	const n = decoding.readVarUint(d);
	if (n > MAX_AWARENESS_PER_CONNECTION) throw new Refused('awareness_full');
	let newcomers = 0;
	for (let i = 0; i < n; i++) {
		const clientId = decoding.readVarUint(d);
		decoding.readVarUint(d); // clock
		const state = decoding.readVarString(d);
		if (state.length > MAX_AWARENESS_STATE_BYTES) throw new Refused('too_large');
		JSON.parse(state);
		if (known.has(clientId) && !owned.has(clientId)) throw new Refused('forbidden');
		if (!known.has(clientId) && state !== 'null') newcomers++;
	}
	if (decoding.hasContent(d)) throw new Refused('malformed');
	if (owned.size + newcomers > MAX_AWARENESS_PER_CONNECTION) throw new Refused('awareness_full');
	return { newcomers };
}

interface Joined {
	doc: CollabDocument;
	conn: Connection;
	access: Access;
}

/**
 * The /collab namespace: y-protocols messages for many documents over one Socket.IO connection.
 * Every join is authorized (read or write) before the document is loaded or a byte is sent.
 */
export interface CollabNamespaceHandle {
	detach(): void;
	/** A domain event (from this instance or another) that may change rights on open documents. */
	onEvent(name: string, payload: unknown): void;
	/** Re-checks every open join (e.g. after missing other instances' events). */
	recheckAll(): void;
}

export function attachCollabNamespace(nsp: CollabNamespace, opts: { getDb: () => Db; registry: DocumentRegistry }): CollabNamespaceHandle {
	const log = getLogger().child({ mod: 'collab' });
	// A document dropped after a failed log write: its connections are told and must join again.
	const failureListeners = new Set<(doc: CollabDocument) => void>();
	opts.registry.onFailed = (doc) => {
		for (const l of failureListeners) l(doc);
	};
	// Rights follow the table: members removed, visibility changed, table archived.
	// Meetings: participants, status and the agenda lock decide who reads and who writes.
	const recheckListeners = new Set<(affects: (doc: string) => boolean) => void>();
	const recheck = (affects: (doc: string) => boolean) => {
		for (const l of recheckListeners) l(affects);
	};
	const onEvent: CollabNamespaceHandle['onEvent'] = (name, payload) => {
		if (name === 'table.changed') {
			const { tableId } = payload as DomainEvents['table.changed'];
			recheck((doc) => doc === `table-notes:${tableId}` || doc.startsWith('agenda:'));
		} else if (name === 'meeting.updated') {
			const { meetingId, what } = payload as DomainEvents['meeting.updated'];
			if (what === 'details' || what === 'status' || what === 'participants' || what === 'agenda' || what === 'minutes')
				recheck((doc) => doc === `agenda:${meetingId}` || doc === `minutes:${meetingId}`);
		}
	};
	const unsubscribers = [subscribe('table.changed', (p) => onEvent('table.changed', p)), subscribe('meeting.updated', (p) => onEvent('meeting.updated', p))];
	const unsubscribe = () => unsubscribers.forEach((u) => u());

	nsp.on('connection', (socket: CollabSocket) => {
		const joined = new Map<string, Joined>();
		const joining = new Map<string, { payload: Uint8Array; reply: (r: SendReply) => void }[]>();
		/** Documents left while their join was still in progress. */
		const cancelled = new Set<string>();
		/** Joins in progress whose rights may have changed since they were decided. */
		const staleJoins = new Set<string>();
		const onDocFailed = (doc: CollabDocument) => {
			const entry = joined.get(doc.name);
			if (!entry || entry.doc !== doc) return;
			joined.delete(doc.name);
			socket.emit('collab-error', doc.name, 'server_error', 'rejoin');
		};
		failureListeners.add(onDocFailed);
		const recheck = async (affects: (doc: string) => boolean) => {
			for (const name of joining.keys()) if (affects(name)) staleJoins.add(name);
			const affected = [...joined.entries()].filter(([name]) => affects(name));
			if (!affected.length) return;
			try {
				const db = opts.getDb();
				const actor = await getActor(db, socket.data.userId);
				for (const [name, entry] of affected) {
					const ref = await resolveDocument(db, name, socket.data.userId);
					if (!ref || !can(actor, 'document.read', ref)) {
						joined.delete(name);
						entry.doc.removeConnection(entry.conn);
						opts.registry.release(entry.doc);
						socket.emit('collab-error', name, 'forbidden');
					} else {
						const access: Access = can(actor, 'document.write', ref) ? 'write' : 'read';
						if (access !== entry.access) {
							entry.access = access;
							socket.emit('collab-access', name, access);
						}
					}
				}
			} catch (err) {
				log.warn({ err }, 'rights re-check failed');
			}
		};
		recheckListeners.add(recheck);

		const refuse = (doc: string | null, code: CollabErrorCode, reply?: (r: SendReply) => void, detail?: string) => {
			socket.emit('collab-error', doc, code, detail);
			reply?.({ ok: false, error: code });
		};

		// The fast path (see `Decoder.intercept` in the hub's parser): a `msg` for a document this
		// socket has joined is handled as soon as it is decoded, without Socket.IO's per-packet
		// pipeline, and its ack is a frame encoded here. The order of a socket's messages is kept:
		// while any packet for the handlers below ('join', 'leave', 'msg') is on its way through
		// Socket.IO, the messages after it follow it there (`throughSocketIo` counts them; each handler
		// counts its own packet off on entry). Same checks, same answers, on either path.
		const decoder = (socket.client as unknown as { decoder?: Decoder }).decoder;
		let throughSocketIo = 0;
		const onDecoded = (packet: Packet) => {
			if (packet.nsp !== nsp.name || (packet.type !== PacketType.EVENT && packet.type !== PacketType.BINARY_EVENT)) return;
			const event = Array.isArray(packet.data) ? packet.data[0] : undefined;
			if (event === 'join' || event === 'leave' || event === 'msg') throughSocketIo++;
		};
		const arrived = () => {
			if (throughSocketIo > 0) throughSocketIo--;
		};
		const ackPrefix = `3${nsp.name},`;
		const fastAck = (id: number) => {
			let sent = false;
			return (r: SendReply) => {
				if (sent || !socket.connected) return;
				sent = true;
				const text = `${ackPrefix}${id}${r.ok ? '[{"ok":true}]' : JSON.stringify([r])}`;
				socket.client._packet([text] as never, { preEncoded: true, wsPreEncodedFrame: wsTextFrame(`4${text}`) } as never);
			};
		};
		// Per-socket middlewares (`socket.use`) run only on Socket.IO's path: with any, nothing is taken.
		const middlewares = (socket as unknown as { fns?: unknown[] }).fns;
		const intercept = (packet: Packet): boolean => {
			if (throughSocketIo > 0 || packet.nsp !== nsp.name || !socket.connected || (middlewares?.length ?? 0) > 0) return false;
			const args = packet.data as unknown[];
			if (args.length !== 3 || args[0] !== 'msg' || typeof args[1] !== 'string') return false;
			const entry = joined.get(args[1]);
			const bytes = toBytes(args[2]);
			if (!entry || !bytes) return false;
			const reply = typeof packet.id === 'number' ? fastAck(packet.id) : undefined;
			if (bytes.byteLength > MAX_MESSAGE_BYTES) refuse(args[1], 'too_large', reply);
			else handle(args[1], entry, bytes, reply);
			return true;
		};
		const fastPath = !!decoder && 'intercept' in decoder && typeof decoder.on === 'function';
		if (fastPath) {
			decoder.on('decoded', onDecoded);
			decoder.intercept = intercept;
		}

		socket.on('join', async (name, ack) => {
			arrived();
			if (typeof ack !== 'function') return refuse(typeof name === 'string' ? name : null, 'bad_request');
			const answer = ack as (r: JoinReply) => void;
			if (typeof name !== 'string' || !DOC_NAME.test(name)) return answer({ ok: false, error: 'bad_request' });
			const already = joined.get(name);
			if (already) return answer({ ok: true, access: already.access });
			if (joining.has(name)) return answer({ ok: false, error: 'bad_request' });
			joining.set(name, []);
			let doc: CollabDocument | null = null;
			try {
				const db = opts.getDb();
				const decide = async (): Promise<Access> => {
					const ref = await resolveDocument(db, name, socket.data.userId);
					if (!ref) throw new Refused('not_found');
					const actor = await getActor(db, socket.data.userId);
					if (!can(actor, 'document.read', ref)) throw new Refused('forbidden');
					return can(actor, 'document.write', ref) ? 'write' : 'read';
				};
				let access = await decide();
				// Loaded (snapshot + log) before the first sync message goes out.
				doc = await opts.registry.get(name);
				// Rights changed while the document was loading (e.g. the agenda was locked): decide again.
				while (staleJoins.delete(name)) access = await decide();
				if (!socket.connected || cancelled.delete(name)) {
					opts.registry.release(doc);
					joining.delete(name);
					return answer({ ok: false, error: 'not_joined' });
				}
				const conn: Connection = {
					id: socket.id,
					userId: socket.data.userId,
					send: (payload) => socket.emit('msg', name, payload),
					sendPrepared: (message) => {
						if (!socket.connected) return;
						writeNow(() => socket.client._packet(message.frames as never, (message as Prepared).opts));
					},
					awarenessIds: new Set()
				};
				doc.connections.add(conn);
				const entry: Joined = { doc, conn, access };
				joined.set(name, entry);
				answer({ ok: true, access });
				conn.send(encodeStep1(doc.ydoc));
				const aw = doc.awarenessSnapshot();
				if (aw) conn.send(aw);
				const buffered = joining.get(name) ?? [];
				joining.delete(name);
				for (const m of buffered) handle(name, entry, m.payload, m.reply);
			} catch (err) {
				joining.delete(name);
				staleJoins.delete(name);
				if (doc) opts.registry.release(doc);
				if (err instanceof Refused) return answer({ ok: false, error: err.code });
				log.error({ err, doc: name }, 'join failed');
				answer({ ok: false, error: 'server_error' });
			}
		});

		socket.on('msg', (name, payload, ack) => {
			arrived();
			const reply = typeof ack === 'function' ? (ack as (r: SendReply) => void) : undefined;
			if (typeof name !== 'string') return refuse(null, 'bad_request', reply);
			const bytes = toBytes(payload);
			if (!bytes) return refuse(name, 'bad_request', reply);
			if (bytes.byteLength > MAX_MESSAGE_BYTES) return refuse(name, 'too_large', reply);
			const pending = joining.get(name);
			if (pending) {
				if (pending.length >= MAX_PENDING_BEFORE_JOIN) return refuse(name, 'too_many_pending', reply);
				pending.push({ payload: bytes, reply: reply ?? (() => {}) });
				return;
			}
			const entry = joined.get(name);
			if (!entry) return refuse(name, 'not_joined', reply);
			handle(name, entry, bytes, reply);
		});

		socket.on('leave', (name) => {
			arrived();
			if (typeof name !== 'string') return;
			if (joining.has(name)) cancelled.add(name);
			const entry = joined.get(name);
			if (!entry) return;
			joined.delete(name);
			entry.doc.removeConnection(entry.conn);
			opts.registry.release(entry.doc);
		});

		socket.on('disconnect', () => {
			if (fastPath && decoder.intercept === intercept) {
				decoder.intercept = null;
				decoder.off('decoded', onDecoded);
			}
			failureListeners.delete(onDocFailed);
			recheckListeners.delete(recheck);
			for (const entry of joined.values()) {
				entry.doc.removeConnection(entry.conn);
				opts.registry.release(entry.doc);
			}
			joined.clear();
		});

		function handle(name: string, entry: Joined, bytes: Uint8Array, reply?: (r: SendReply) => void) {
			const { doc, conn } = entry;
			if (doc.failed) return refuse(name, 'server_error', reply);
			try {
				const d = decoding.createDecoder(bytes);
				const type = decoding.readVarUint(d);
				if (type === MESSAGE_SYNC) {
					const syncType = decoding.readVarUint(d);
					const data = decoding.readVarUint8Array(d);
					if (decoding.hasContent(d)) throw new Refused('malformed');
					if (syncType === SYNC_STEP1) {
						Y.decodeStateVector(data);
						conn.send(encodeSync(SYNC_STEP2, Y.encodeStateAsUpdate(doc.ydoc, data)));
						return reply?.({ ok: true });
					}
					if (syncType !== SYNC_STEP2 && syncType !== SYNC_UPDATE) throw new Refused('malformed');
					// Read and check it whole before touching the document: Yjs can throw half-way
					// through an update it could read, so a malformed one is refused before applying.
					const { empty, stale, ready } = inspectUpdate(data, doc.ydoc.store);
					if (empty) return reply?.({ ok: true });
					if (entry.access !== 'write') throw new Refused('read_only');
					if (stale) {
						// Yjs cannot integrate it over what the document has collected since the client
						// computed it: this connection joins again, and its sync step 2 resends the rest.
						joined.delete(name);
						doc.removeConnection(conn);
						opts.registry.release(doc);
						return refuse(name, 'server_error', reply, 'rejoin');
					}
					// An update Yjs takes whole goes to the other readers as it came, before the server
					// integrates it (see applyClientUpdate); any other, after.
					if (!doc.applyClientUpdate(data, conn, ready && syncType === SYNC_UPDATE ? bytes : undefined)) throw new Refused('malformed');
					// An update whose dependencies the server lacks waits inside Yjs, unlogged: it is not
					// durable, so it is not acknowledged, and the document is reloaded from the log (which
					// holds only what integrated) while its clients rejoin and resend what is missing.
					if (doc.ydoc.store.pendingStructs || doc.ydoc.store.pendingDs) {
						refuse(name, 'malformed', reply, 'missing dependencies');
						if (!doc.failed) {
							doc.failed = true;
							doc.onFailure?.();
						}
						return;
					}
					// Acknowledge only once the update (and everything before it) is in the log.
					if (reply) doc.afterWrites((err) => (err === undefined ? reply({ ok: true }) : refuse(name, 'server_error', reply)));
					return;
				}
				if (type === MESSAGE_AWARENESS) {
					const update = decoding.readVarUint8Array(d);
					if (decoding.hasContent(d)) throw new Refused('malformed');
					const { newcomers } = inspectAwareness(update, doc.awareness.getStates(), conn.awarenessIds);
					if (doc.awareness.getStates().size + newcomers > MAX_AWARENESS_ENTRIES) throw new Refused('awareness_full');
					awarenessProtocol.applyAwarenessUpdate(doc.awareness, update, conn);
					return reply?.({ ok: true });
				}
				throw new Refused('malformed');
			} catch (err) {
				refuse(name, err instanceof Refused ? err.code : 'malformed', reply);
			}
		}
	});
	return { detach: unsubscribe, onEvent, recheckAll: () => recheck(() => true) };
}
