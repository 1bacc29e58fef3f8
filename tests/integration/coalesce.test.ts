import http from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { coalesceServerWrites, coalesceWrites } from '../../src/lib/server/realtime/coalesce';
import { waitFor } from './helpers/server';

/** A bare Socket.IO server (with or without coalescing) whose connections count their TCP writes. */
async function start(coalesce: boolean) {
	const httpServer = http.createServer();
	const io = new Server(httpServer);
	let unsupported = 0;
	if (coalesce) coalesceServerWrites(io, () => unsupported++);
	const writes = { n: 0 };
	io.on('connection', (socket) => {
		const raw = (socket.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket._socket;
		const writev = raw._writev?.bind(raw);
		const write = raw._write.bind(raw);
		raw._writev = (chunks, cb) => {
			writes.n++;
			writev!(chunks, cb);
		};
		raw._write = (chunk, encoding, cb) => {
			writes.n++;
			write(chunk, encoding, cb);
		};
		socket.on('burst', (n: number) => {
			for (let i = 0; i < n; i++) socket.emit('bin', i, Buffer.from([i, 1, 2, 3]));
			socket.emit('text', 'end');
		});
		socket.on('one', () => socket.emit('bin', 0, Buffer.from([9, 9])));
	});
	await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
	const client = connect(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, { transports: ['websocket'] });
	await new Promise<void>((r) => client.on('connect', () => r()));
	return {
		io,
		client,
		writes,
		unsupported: () => unsupported,
		close: async () => {
			client.close();
			await io.close();
		}
	};
}

let running: Awaited<ReturnType<typeof start>> | undefined;
afterEach(async () => {
	await running?.close();
	running = undefined;
});

/** Everything the client received, in order, until the 'text' event. */
function collect(client: ClientSocket) {
	const got: string[] = [];
	const done = new Promise<string[]>((resolve) => {
		client.on('bin', (i: number, b: ArrayBuffer) => got.push(`${i}:${Buffer.from(b).toString('hex')}`));
		client.on('text', (t: string) => {
			got.push(t);
			resolve(got);
		});
	});
	return done;
}

describe('coalesced engine.io writes', () => {
	it('an event with binary data leaves in one write instead of two (header and attachment)', async () => {
		for (const coalesce of [false, true]) {
			running = await start(coalesce);
			const got = new Promise<void>((resolve) => running!.client.once('bin', () => resolve()));
			running.writes.n = 0;
			running.client.emit('one');
			await got;
			// Let a second write, if any, happen before counting.
			await new Promise((r) => setTimeout(r, 50));
			expect(running.writes.n, coalesce ? 'coalesced' : 'as engine.io does alone').toBe(coalesce ? 1 : 2);
			expect(running.unsupported()).toBe(0);
			await running.close();
			running = undefined;
		}
	});

	it('keeps every frame, in order, across text and binary events', async () => {
		running = await start(true);
		const done = collect(running.client);
		running.writes.n = 0;
		running.client.emit('burst', 50);
		const got = await done;
		expect(got).toEqual([...Array.from({ length: 50 }, (_, i) => `${i}:${Buffer.from([i, 1, 2, 3]).toString('hex')}`), 'end']);
		// 101 packets queued in one synchronous run: one flush.
		await waitFor(() => running!.writes.n >= 1);
		expect(running.writes.n).toBe(1);
	});

	it('leaves a connection whose internals are not engine.io’s as it is', () => {
		expect(coalesceWrites({})).toBe(false);
		const conn = { flush() {} };
		expect(coalesceWrites(conn)).toBe(true);
		expect(coalesceWrites(conn)).toBe(true);
	});
});
