/**
 * The /collab wire protocol, shared by the server and the browser provider (no server imports here).
 * Payloads are the standard y-protocols messages (see docs/realtime.md):
 *   [varUint messageType] then, for MESSAGE_SYNC: [varUint syncType][varUint8Array data]
 *                              for MESSAGE_AWARENESS: [varUint8Array awarenessUpdate]
 */
import * as encoding from 'lib0/encoding';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export const COLLAB_NAMESPACE = '/collab';
/** Largest payload the server accepts in one message (bytes). */
export const MAX_MESSAGE_BYTES = 1_000_000;
/** Messages a connection may send for a document before its join has completed. */
export const MAX_PENDING_BEFORE_JOIN = 100;
/** Awareness entries (clients with cursors) per document. */
export const MAX_AWARENESS_ENTRIES = 200;

/** `kind:uuid`, e.g. `table-notes:0f8c…`; later `agenda:<meetingId>`, `minutes:<meetingId>`. */
export const DOC_NAME = /^[a-z][a-z-]{1,30}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type Access = 'read' | 'write';
export type JoinReply = { ok: true; access: Access } | { ok: false; error: CollabErrorCode };
export type SendReply = { ok: true } | { ok: false; error: CollabErrorCode };

export type CollabErrorCode =
	| 'bad_request'
	| 'not_found'
	| 'forbidden'
	| 'not_joined'
	| 'read_only'
	| 'too_large'
	| 'malformed'
	| 'too_many_pending'
	| 'awareness_full'
	| 'server_error';

export interface CollabServerToClient {
	/** A y-protocols message for `doc`. */
	msg: (doc: string, payload: Uint8Array) => void;
	/** Something the server refused; the document was not touched. */
	'collab-error': (doc: string | null, code: CollabErrorCode, detail?: string) => void;
	/** The right on a joined document changed (e.g. the agenda was locked): read-only from now on, or writable again. */
	'collab-access': (doc: string, access: Access) => void;
}

export interface CollabClientToServer {
	join: (doc: string, ack: (reply: JoinReply) => void) => void;
	leave: (doc: string) => void;
	/** The ack arrives once the message's effects are durable (written to the update log). */
	msg: (doc: string, payload: Uint8Array, ack?: (reply: SendReply) => void) => void;
}


/** A sync message: [MESSAGE_SYNC][syncType][varUint8Array data]. */
export function encodeSync(syncType: number, data: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	encoding.writeVarUint(e, syncType);
	encoding.writeVarUint8Array(e, data);
	return encoding.toUint8Array(e);
}

/** An awareness message: [MESSAGE_AWARENESS][varUint8Array awarenessUpdate]. */
export function encodeAwareness(update: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(e, update);
	return encoding.toUint8Array(e);
}
