import { describe, expect, it } from 'vitest';
import { Decoder as StandardDecoder, Encoder as StandardEncoder, PacketType, type Packet } from 'socket.io-parser';
import { Decoder, Encoder, binaryEventEncoder, joinFrame, splitFrame } from './parser';

function decodeAll(decoder: StandardDecoder, frames: unknown[]): Packet[] {
	const out: Packet[] = [];
	decoder.on('decoded', (p: Packet) => out.push(p));
	for (const f of frames) decoder.add(f);
	return out;
}

const bytes = (...b: number[]) => new Uint8Array(b);

describe('the hub’s Socket.IO parser', () => {
	it('encodes packets without binary data exactly as the standard parser does', () => {
		const packets: Packet[] = [
			{ type: PacketType.CONNECT, nsp: '/collab', data: { sid: 'abc' } },
			{ type: PacketType.EVENT, nsp: '/', data: ['presence', 'table:1', [{ name: 'Àlba' }], 3] },
			{ type: PacketType.ACK, nsp: '/collab', id: 12, data: [{ ok: true }] }
		];
		for (const p of packets) expect(new Encoder().encode(p)).toEqual(new StandardEncoder().encode(p));
	});

	it('sends a binary event as one binary frame: the standard header, then each attachment, each with its length', () => {
		const update = bytes(0, 2, 5, 1, 2, 3, 4, 5);
		const frames = new Encoder().encode({ type: PacketType.EVENT, nsp: '/collab', id: 7, data: ['msg', 'agenda:x', update] });
		expect(frames).toHaveLength(1);
		const frame = frames[0] as Uint8Array;
		const header = '51-/collab,7["msg","agenda:x",{"_placeholder":true,"num":0}]';
		expect(frame[0]).toBe(header.length);
		expect(new TextDecoder().decode(frame.subarray(1, 1 + header.length))).toBe(header);
		expect(frame[1 + header.length]).toBe(update.length);
		expect([...frame.subarray(2 + header.length)]).toEqual([...update]);
		expect(frame.byteLength).toBe(2 + header.length + update.length);
	});

	it('decodes its own frames back into the packet, with the bytes in place', () => {
		const a = bytes(1, 2, 3);
		const b = new Uint8Array(300).fill(7); // a two-byte length
		const [frame] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/collab', id: 3, data: ['msg', { nested: [a, 'x', { b }] }] });
		const [packet] = decodeAll(new Decoder(), [frame]);
		expect(packet!.type).toBe(PacketType.EVENT);
		expect(packet!.nsp).toBe('/collab');
		expect(packet!.id).toBe(3);
		const data = packet!.data as [string, { nested: [Uint8Array, string, { b: Uint8Array }] }];
		expect(data[0]).toBe('msg');
		expect([...data[1].nested[0]]).toEqual([1, 2, 3]);
		expect(data[1].nested[1]).toBe('x');
		expect([...data[1].nested[2].b]).toEqual([...b]);
	});

	it('decodes binary acks and an ArrayBuffer frame (as browsers receive it)', () => {
		const [frame] = new Encoder().encode({ type: PacketType.ACK, nsp: '/', id: 9, data: [bytes(4, 2)] }) as Uint8Array[];
		const copy = frame!.slice().buffer;
		const [packet] = decodeAll(new Decoder(), [copy]);
		expect(packet!.type).toBe(PacketType.ACK);
		expect(packet!.id).toBe(9);
		expect([...(packet!.data as Uint8Array[])[0]!]).toEqual([4, 2]);
	});

	it('decodes a one-frame packet into exactly what the standard parser makes of the standard form', () => {
		const packets: Packet[] = [
			{ type: PacketType.EVENT, nsp: '/collab', id: 0, data: ['msg', 'table-notes:x', bytes(0, 2, 1, 9)] },
			{ type: PacketType.EVENT, nsp: '/', data: ['evento', { a: [bytes(1), { b: bytes(2) }], ü: 'è', n: null }, 7] },
			{ type: PacketType.EVENT, nsp: '/collab', data: [42, bytes(3)] },
			{ type: PacketType.ACK, nsp: '/collab', id: 123456, data: [{ ok: true }, bytes(4, 5)] }
		];
		for (const p of packets) {
			const standard = decodeAll(new StandardDecoder(), new StandardEncoder().encode(structuredClone(p)));
			const ours = decodeAll(new Decoder(), new Encoder().encode(structuredClone(p)));
			expect(ours).toHaveLength(1);
			const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? { bytes: [...(v as Uint8Array)] } : v)));
			expect(plain(ours[0])).toEqual(plain(standard[0]));
		}
	});

	it('still accepts the standard form (a text header, then its attachments as separate frames)', () => {
		const standard = new StandardEncoder().encode({ type: PacketType.EVENT, nsp: '/collab', data: ['msg', 'd', Buffer.from([5, 6])] });
		expect(standard).toHaveLength(2);
		const decoder = new Decoder();
		const got = decodeAll(decoder, standard);
		expect(got).toHaveLength(1);
		expect([...(got[0]!.data as [string, string, Uint8Array])[2]]).toEqual([5, 6]);
		// …and a one-frame packet right after it.
		const [frame] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/collab', data: ['msg', 'd', bytes(8)] });
		decoder.add(frame);
		expect(got).toHaveLength(2);
	});

	it('keeps the standard form for attachments it cannot copy synchronously', () => {
		const blob = new Blob(['x']);
		const frames = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['file', blob] });
		expect(frames).toHaveLength(2);
		expect(frames[1]).toBe(blob);
	});

	it('refuses malformed binary frames with an error, and never emits a packet from one', () => {
		const header = '51-/collab,["msg","d",{"_placeholder":true,"num":0}]';
		const good = joinFrame(header, [bytes(1, 2)]);
		const cases: [string, Uint8Array][] = [
			['empty', bytes()],
			['header only', joinFrame(header, [])],
			['truncated', good.subarray(0, good.byteLength - 1)],
			['trailing byte', new Uint8Array([...good, 0])],
			['unterminated length', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80)],
			['two attachments announced as one', joinFrame(header, [bytes(1), bytes(2)])],
			['not a binary packet', joinFrame('2/collab,["msg"]', [bytes(1)])],
			['not UTF-8', new Uint8Array([2, 0xff, 0xfe, 1, 1])],
			['too many attachments', joinFrame('511-/,["x"]', Array.from({ length: 11 }, () => bytes(1)))],
			['placeholder out of range', joinFrame('51-/,["x",{"_placeholder":true,"num":4}]', [bytes(1)])],
			['reserved event name', joinFrame('51-/,["connect",{"_placeholder":true,"num":0}]', [bytes(1)])]
		];
		for (const [name, frame] of cases) {
			const decoder = new Decoder();
			const got: Packet[] = [];
			decoder.on('decoded', (p: Packet) => got.push(p));
			expect(() => decoder.add(frame), name).toThrow();
			expect(got, name).toEqual([]);
		}
	});

	it('survives random bytes: every frame either decodes or throws an Error', () => {
		let seed = 42;
		const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
		const [good] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/collab', data: ['msg', 'd', bytes(0, 2, 3, 1, 2, 3)] }) as Uint8Array[];
		for (let i = 0; i < 2000; i++) {
			const frame = good!.slice();
			for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) frame[Math.floor(rand() * frame.length)] = Math.floor(rand() * 256);
			try {
				new Decoder().add(frame);
			} catch (err) {
				expect(err).toBeInstanceOf(Error);
			}
		}
	});

	it('a "__proto__" key in a packet stays a plain property', () => {
		const header = '51-/,["x",{"__proto__":{"_placeholder":true,"num":0},"a":{"__proto__":{"polluted":1}}}]';
		const [packet] = decodeAll(new Decoder(), [joinFrame(header, [bytes(7)])]);
		const arg = (packet!.data as [string, Record<string, unknown>])[1];
		expect(Object.getPrototypeOf(arg)).toBe(Object.prototype);
		expect([...(Object.getOwnPropertyDescriptor(arg, '__proto__')!.value as Uint8Array)]).toEqual([7]);
		expect(Object.getPrototypeOf(arg.a)).toBe(Object.prototype);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('binaryEventEncoder writes exactly what the Encoder writes for [event, name, bytes]', () => {
		for (const nsp of ['/', '/collab'])
			for (const name of ['agenda:3f8a2c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', 'virgolette " e \\ àè', ''])
				for (const size of [0, 1, 127, 128, 20_000]) {
					const payload = new Uint8Array(size).map((_, i) => i % 251);
					const [expected] = new Encoder().encode({ type: PacketType.EVENT, nsp, data: ['msg', name, payload] });
					expect(Buffer.from(binaryEventEncoder(nsp, 'msg', name)(payload)).equals(Buffer.from(expected as Uint8Array)), `${nsp} ${name} ${size}`).toBe(true);
				}
	});

	it('splits and joins frames symmetrically', () => {
		const parts = [bytes(), new Uint8Array(20_000).fill(3)];
		const { header, attachments } = splitFrame(joinFrame('62-/,5[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', parts), 10);
		expect(header.startsWith('62-')).toBe(true);
		expect(attachments.map((a) => a.byteLength)).toEqual([0, 20_000]);
	});
});
