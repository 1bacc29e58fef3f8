/**
 * The hub's Socket.IO parser: the standard one (socket.io-parser, Socket.IO protocol v5), except
 * that a packet carrying binary data travels as ONE binary WebSocket frame instead of a text frame
 * (the packet with placeholders) followed by one frame per attachment.
 *
 * Every Yjs update is a binary event; with the standard parser each one was two frames on every
 * hop (author → server → each receiver), two engine.io packets to queue, frame, parse and
 * reassemble. One frame halves that work on the server and on every client. Packets without
 * binary data are exactly the standard text frames.
 *
 * Binary frame (see docs/realtime.md, "Wire format"):
 *   frame  = chunk, chunk*        every chunk = varUint byteLength, bytes
 *   chunk 0 = the standard header as UTF-8: what the standard parser sends as the text frame,
 *             e.g. `51-/collab,7["msg","agenda:…",{"_placeholder":true,"num":0}]`
 *   chunk 1… = the attachments, in order (as many as the header announces)
 * varUint: unsigned LEB128 (7 bits per byte, low first, high bit = more), as in lib0/y-protocols.
 *
 * Decoding also accepts the standard form (a text header then its attachments as separate binary
 * frames), so a client with the standard parser can still send; it cannot read the one-frame
 * packets, so clients must use this parser (`$lib/realtime/io`). The encoder keeps the standard
 * form for attachments it cannot copy synchronously (a browser Blob).
 */
import { Decoder as StandardDecoder, Encoder as StandardEncoder, PacketType, type Packet } from 'socket.io-parser';

/**
 * The version of this wire format. Clients send it as the `wire` query parameter of the Engine.IO
 * handshake (`$lib/realtime/io` does), and the server refuses a handshake of any other version with
 * `outdated`, a text packet every version can read: a page loaded before a deploy that changed how
 * packets are framed learns that it must reload, instead of reconnecting to frames it cannot decode.
 * Bump it with any change of the encoding that a client of the previous version cannot read.
 */
export const WIRE_VERSION = '2';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
/** A binary packet's header: type 5 (binary event) or 6 (binary ack), then `<attachments>-`. */
const BINARY_HEADER = /^[56](\d{1,3})-/;

const varUintSize = (n: number) => {
	let size = 1;
	while (n > 0x7f) {
		n = Math.floor(n / 128);
		size++;
	}
	return size;
};

function writeVarUint(out: Uint8Array, pos: number, n: number): number {
	while (n > 0x7f) {
		out[pos++] = (n & 0x7f) | 0x80;
		n = Math.floor(n / 128);
	}
	out[pos++] = n;
	return pos;
}

function asView(part: unknown): Uint8Array | null {
	if (part instanceof Uint8Array) return part;
	if (part instanceof ArrayBuffer) return new Uint8Array(part);
	if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
	return null;
}

/** Joins a standard header and its attachments into one frame (see the module comment). */
export function joinFrame(header: string, attachments: Uint8Array[]): Uint8Array {
	const head = utf8Encoder.encode(header);
	let size = varUintSize(head.byteLength) + head.byteLength;
	for (const a of attachments) size += varUintSize(a.byteLength) + a.byteLength;
	const out = new Uint8Array(size);
	let pos = writeVarUint(out, 0, head.byteLength);
	out.set(head, pos);
	pos += head.byteLength;
	for (const a of attachments) {
		pos = writeVarUint(out, pos, a.byteLength);
		out.set(a, pos);
		pos += a.byteLength;
	}
	return out;
}

/** Splits a one-frame binary packet into its header and attachments; throws when malformed. */
export function splitFrame(frame: Uint8Array, maxAttachments: number): { header: string; attachments: Uint8Array[] } {
	const chunks = frameChunks(frame, maxAttachments);
	let header: string;
	try {
		header = utf8Decoder.decode(chunks[0]);
	} catch {
		throw new Error('malformed binary packet: header is not UTF-8');
	}
	const m = BINARY_HEADER.exec(header);
	if (!m || Number(m[1]) !== chunks.length - 1) throw new Error('malformed binary packet: header does not match its attachments');
	return { header, attachments: chunks.slice(1) };
}

/** A one-frame binary packet's chunks (views into it): the header's bytes, then the attachments. */
export function frameChunks(frame: Uint8Array, maxAttachments: number): Uint8Array[] {
	const chunks: Uint8Array[] = [];
	let pos = 0;
	while (pos < frame.byteLength) {
		let len = 0;
		let shift = 1;
		for (let i = 0; ; i++) {
			if (pos >= frame.byteLength || i > 4) throw new Error('malformed binary packet: bad length');
			const b = frame[pos++]!;
			len += (b & 0x7f) * shift;
			shift *= 128;
			if (b < 0x80) break;
		}
		if (pos + len > frame.byteLength) throw new Error('malformed binary packet: truncated chunk');
		if (chunks.length > maxAttachments) throw new Error('too many attachments');
		chunks.push(frame.subarray(pos, pos + len));
		pos += len;
	}
	if (chunks.length < 2) throw new Error('malformed binary packet: no attachment');
	return chunks;
}

/**
 * What `Encoder` writes for the event `[event, name, bytes]` to `nsp`, with the header encoded once:
 * for a server that sends the same event for the same document many times (every update).
 */
export function binaryEventEncoder(nsp: string, event: string, name: string): (bytes: Uint8Array) => Uint8Array {
	const header = `51-${nsp === '/' ? '' : `${nsp},`}${JSON.stringify([event, name, { _placeholder: true, num: 0 }])}`;
	const head = utf8Encoder.encode(header);
	const prefix = new Uint8Array(varUintSize(head.byteLength) + head.byteLength);
	prefix.set(head, writeVarUint(prefix, 0, head.byteLength));
	return (bytes) => {
		const out = new Uint8Array(prefix.byteLength + varUintSize(bytes.byteLength) + bytes.byteLength);
		out.set(prefix, 0);
		out.set(bytes, writeVarUint(out, prefix.byteLength, bytes.byteLength));
		return out;
	};
}

export class Encoder extends StandardEncoder {
	override encode(packet: Packet): (string | Uint8Array)[] {
		const parts = super.encode(packet) as unknown[];
		if (parts.length < 2) return parts as string[];
		const attachments: Uint8Array[] = [];
		for (let i = 1; i < parts.length; i++) {
			const view = asView(parts[i]);
			if (!view) return parts as (string | Uint8Array)[]; // a Blob: the standard form
			attachments.push(view);
		}
		return [joinFrame(parts[0] as string, attachments)];
	}
}

/** Event names a packet may not carry (as socket.io-parser refuses them). */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Puts the attachments where the header has placeholders, at any depth (socket.io-parser's rule). */
function reconstruct(data: unknown, attachments: Uint8Array[]): unknown {
	if (!data || typeof data !== 'object') return data;
	if (Array.isArray(data)) {
		for (let i = 0; i < data.length; i++) if (data[i] && typeof data[i] === 'object') data[i] = reconstruct(data[i], attachments);
		return data;
	}
	const o = data as Record<string, unknown>;
	if (o._placeholder === true) {
		const n = o.num;
		if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= attachments.length) throw new Error('illegal attachments');
		return attachments[n];
	}
	// Assigned only where a placeholder was (a "__proto__" key must not become a prototype).
	for (const key of Object.keys(o)) {
		const v = reconstruct(o[key], attachments);
		if (v !== o[key]) Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
	}
	return o;
}

/**
 * A one-frame binary packet, decoded as socket.io-parser decodes the standard form (header rules,
 * payload validation, placeholders), without going through its string scanner and reassembly.
 */
function decodeBinaryPacket(header: string, attachments: Uint8Array[], reviver: ((key: string, value: unknown) => unknown) | undefined): Packet {
	const event = header.charCodeAt(0) === 0x35; // "5": binary event, "6": binary ack
	let i = header.indexOf('-') + 1;
	let nsp = '/';
	if (header.charCodeAt(i) === 0x2f /* "/" */) {
		const comma = header.indexOf(',', i);
		nsp = header.slice(i, comma < 0 ? header.length : comma);
		i = comma < 0 ? header.length : comma + 1;
	}
	let j = i;
	while (j < header.length && header.charCodeAt(j) >= 0x30 && header.charCodeAt(j) <= 0x39) j++;
	const id = j > i ? Number(header.slice(i, j)) : undefined;
	let data: unknown;
	try {
		data = JSON.parse(header.slice(j), reviver);
	} catch {
		throw new Error('invalid payload');
	}
	const valid = Array.isArray(data) && (!event || typeof data[0] === 'number' || (typeof data[0] === 'string' && !RESERVED_EVENTS.has(data[0])));
	if (!valid) throw new Error('invalid payload');
	const packet: Packet = { type: event ? PacketType.EVENT : PacketType.ACK, nsp, data: reconstruct(data, attachments) };
	if (id !== undefined) packet.id = id;
	return packet;
}

/**
 * Takes a decoded binary event before Socket.IO dispatches it (server side, see `Decoder.intercept`):
 * returns true when it handled the packet, false to let Socket.IO have it.
 */
export type PacketInterceptor = (packet: Packet) => boolean;

export class Decoder extends StandardDecoder {
	/**
	 * Set by the server's /collab namespace on the decoder of each connection it serves: a binary
	 * event it takes is handled at once, without Socket.IO's per-packet pipeline (packet routing, two
	 * `process.nextTick`s, the ack closure). Every other packet goes to Socket.IO as usual.
	 */
	intercept: PacketInterceptor | null = null;
	private readonly maxAttachments: number;
	private readonly reviver: ((key: string, value: unknown) => unknown) | undefined;

	constructor(opts?: ConstructorParameters<typeof StandardDecoder>[0]) {
		super(opts);
		this.maxAttachments = (typeof opts === 'object' && opts?.maxAttachments) || 10;
		this.reviver = typeof opts === 'function' ? opts : typeof opts === 'object' ? opts.reviver : undefined;
	}

	override add(chunk: unknown): void {
		// Text frames, and the attachments of a standard binary packet, go the standard way.
		if (typeof chunk === 'string' || (this as unknown as { reconstructor?: unknown }).reconstructor) return super.add(chunk);
		const frame = asView(chunk);
		if (!frame) return super.add(chunk);
		const { header, attachments } = splitFrame(frame, this.maxAttachments);
		const packet = decodeBinaryPacket(header, attachments, this.reviver);
		if (packet.type === PacketType.EVENT && this.intercept?.(packet)) return;
		this.emitReserved('decoded', packet);
	}
}

/** The parser to give Socket.IO servers and clients (`parser` option). */
export const parser = { Encoder, Decoder };
