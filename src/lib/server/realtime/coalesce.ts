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
		if (scheduled) return;
		scheduled = true;
		queueMicrotask(run);
	};
	c[PATCHED] = true;
	return true;
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
