/**
 * One write per flush instead of one per packet.
 *
 * Socket.IO sends an event that carries binary data (every Yjs update) as two engine.io packets:
 * a text header, then the attachment. engine.io flushes its write buffer as soon as a packet is
 * queued and then waits for the WebSocket write to complete before it flushes again, so the
 * attachment went out in a later write — one more system call per recipient, and one more turn of
 * the event loop before a receiver can decode the update. Here each engine.io connection flushes
 * once per microtask (all packets queued by the same synchronous run — an event's header and
 * attachments, an ack and a broadcast — leave together) and its TCP socket is corked while the
 * WebSocket transport writes them, so they reach the kernel in one `writev`.
 *
 * Nothing about the wire format changes: the same WebSocket frames, in the same order. It relies
 * on engine.io 6 internals (`Socket#flush`, `transport.socket._socket`, the `ws` socket of the
 * WebSocket transport); `coalesceWrites` checks them and leaves the connection as it is if they
 * are missing (returns false).
 */
import type { Server } from 'socket.io';

interface CorkableSocket {
	cork(): void;
	uncork(): void;
}
interface EngineConnection {
	flush(): void;
	transport?: { name?: string; socket?: { _socket?: CorkableSocket } };
}

const PATCHED = Symbol.for('intarsi.coalesced');
/** Set while `writeNow` queues a packet: the flush it triggers runs at once. */
let immediate = 0;

/** Coalesces the writes of one engine.io connection; false when its internals are not as expected. */
export function coalesceWrites(conn: unknown): boolean {
	const c = conn as EngineConnection & { [PATCHED]?: true };
	if (c[PATCHED]) return true;
	if (typeof c.flush !== 'function') return false;
	const flushNow = c.flush;
	let scheduled = false;
	const run = () => {
		scheduled = false;
		const raw = c.transport?.name === 'websocket' ? c.transport.socket?._socket : undefined;
		const cork = raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function';
		if (cork) raw.cork();
		try {
			flushNow.call(c);
		} finally {
			if (cork) raw.uncork();
		}
	};
	c.flush = function flush() {
		// Everything queued so far leaves now; a microtask already scheduled will find nothing to do.
		if (immediate > 0) return run();
		if (scheduled) return;
		scheduled = true;
		queueMicrotask(run);
	};
	c[PATCHED] = true;
	return true;
}

/**
 * Runs `write` (which queues packets on an engine.io connection) and has that connection write what
 * it has queued now rather than at the end of the current synchronous run (a document update's
 * receivers: their bytes leave before the server goes on to log the update), with no microtask
 * scheduled for it. For a connection `coalesceWrites` did not patch, engine.io flushes as it always
 * does; either way engine.io still waits, as always, for the previous write to complete.
 */
export function writeNow(write: () => void): void {
	immediate++;
	try {
		write();
	} finally {
		immediate--;
	}
}

/** Applies `coalesceWrites` to every connection of this Socket.IO server. */
export function coalesceServerWrites(io: Server, onUnsupported: () => void): void {
	let warned = false;
	io.engine.on('connection', (conn: unknown) => {
		if (!coalesceWrites(conn) && !warned) {
			warned = true;
			onUnsupported();
		}
	});
}

/**
 * The WebSocket frame of a binary message as a server sends it (RFC 6455 section 5.2: FIN, opcode
 * 2, unmasked), as engine.io takes a pre-encoded frame (`wsPreEncodedFrame`: header, payload), so
 * that a message sent to many connections is framed once.
 */
export function wsBinaryFrame(data: Uint8Array): [Uint8Array, Uint8Array] {
	return wsFrame(0x82, data);
}

/** The WebSocket frame of a text message (opcode 1), as `wsBinaryFrame`; `text` is the whole message. */
export function wsTextFrame(text: string): [Uint8Array, Uint8Array] {
	return wsFrame(0x81, Buffer.from(text, 'utf8'));
}

function wsFrame(first: number, data: Uint8Array): [Uint8Array, Uint8Array] {
	const n = data.byteLength;
	let header: Buffer;
	if (n < 126) {
		header = Buffer.allocUnsafe(2);
		header[1] = n;
	} else if (n < 65_536) {
		header = Buffer.allocUnsafe(4);
		header[1] = 126;
		header.writeUInt16BE(n, 2);
	} else {
		header = Buffer.allocUnsafe(10);
		header[1] = 127;
		header.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
		header.writeUInt32BE(n >>> 0, 6);
	}
	header[0] = first;
	return [header, data];
}
