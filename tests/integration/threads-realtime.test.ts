import { afterAll, beforeAll, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { io as connect } from '../../src/lib/realtime/io';
import { describeEachDb } from './helpers/db';
import { actorFor, makePerson, makeTable } from './helpers/factories';
import { attachRealtime, type Realtime } from '../../src/lib/server/realtime';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../../src/lib/server/auth/session';
import { removeTableMember } from '../../src/lib/server/network/tables';
import { createPost, createThread, moveThread } from '../../src/lib/server/threads/threads';

const until = (check: () => boolean, what: string, ms = 5000) =>
	new Promise<void>((resolve, reject) => {
		const t0 = Date.now();
		const tick = () => (check() ? resolve() : Date.now() - t0 > ms ? reject(new Error(what)) : setTimeout(tick, 20));
		tick();
	});

describeEachDb('threads over sockets', (get) => {
	let server: http.Server;
	let rt: Realtime;
	let url: string;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		server = http.createServer((_req, res) => res.end('ok'));
		rt = await attachRealtime(server, { getDb: () => get().db });
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		for (const s of sockets) s.close();
		await rt.close();
	});

	async function socketOf(userId: string): Promise<Socket> {
		const token = generateSessionToken();
		await createSession(get().db, token, userId);
		const s = connect(url, { transports: ['websocket'], extraHeaders: { cookie: `${SESSION_COOKIE}=${token}` }, reconnection: false, forceNew: true });
		sockets.push(s);
		await new Promise<void>((resolve, reject) => {
			s.on('ready', () => resolve());
			s.on('connect_error', (e) => reject(e));
		});
		return s;
	}

	it('a new post reaches the thread’s room and its table’s room, live; typing is relayed to the others', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const member = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const c = await actorFor(db, coordinator);
		const t = await createThread(db, c, { tableId: table.id, title: 'Dal vivo', body: 'primo' });
		const [sc, sm] = await Promise.all([socketOf(coordinator.id), socketOf(member.id)]);
		expect((await sm.timeout(5000).emitWithAck('presence:join', `thread:${t.id}`, null)).ok).toBe(true);
		expect((await sc.timeout(5000).emitWithAck('presence:join', `table:${table.id}`, null)).ok).toBe(true);
		expect((await sc.timeout(5000).emitWithAck('presence:join', `thread:${t.id}`, null)).ok).toBe(true);
		const atMember: unknown[] = [];
		const atTable: unknown[] = [];
		sm.on('thread:post', (p) => atMember.push(p));
		sc.on('thread:post', (p) => atTable.push(p));
		const reply = await createPost(db, await actorFor(db, member), t.id, { body: 'secondo' });
		await until(() => atMember.length === 1 && atTable.length >= 1, 'post not delivered');
		expect(atMember[0]).toEqual({ threadId: t.id, tableId: table.id, postId: reply.id, seq: 2 });

		const typing: { userId: string; name: string }[] = [];
		sc.on('thread:typing', (p) => typing.push(p));
		sm.on('thread:typing', () => typing.push({ userId: 'self', name: 'self' }));
		sm.emit('thread:typing', t.id);
		sm.emit('thread:typing', t.id); // within 2 s: dropped
		await until(() => typing.length >= 1, 'typing not relayed');
		await new Promise((r) => setTimeout(r, 150));
		expect(typing).toEqual([{ threadId: t.id, userId: member.id, name: member.name }]);
	});

	it('an outsider cannot enter a private thread’s room, hears nothing of it, and cannot fake typing', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const outsider = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id });
		const t = await createThread(db, await actorFor(db, coordinator), { tableId: table.id, title: 'Riservato', body: 'x' });
		const [so, sc] = await Promise.all([socketOf(outsider.id), socketOf(coordinator.id)]);
		expect(await so.timeout(5000).emitWithAck('presence:join', `thread:${t.id}`, null)).toEqual({ ok: false, error: 'forbidden' });
		expect(await so.timeout(5000).emitWithAck('presence:join', `table:${table.id}`, null)).toEqual({ ok: false, error: 'forbidden' });
		expect((await so.timeout(5000).emitWithAck('presence:join', 'piazza', null)).ok).toBe(true);
		expect((await sc.timeout(5000).emitWithAck('presence:join', `thread:${t.id}`, null)).ok).toBe(true);
		const heard: unknown[] = [];
		so.onAny((name, payload) => name.startsWith('thread:') && heard.push(payload));
		const typing: unknown[] = [];
		sc.on('thread:typing', (p) => typing.push(p));
		so.emit('thread:typing', t.id);
		await createPost(db, await actorFor(db, coordinator), t.id, { body: 'solo per il tavolo' });
		// The Piazza's room is told of Piazza threads only.
		const piazza = await createThread(db, await actorFor(db, coordinator), { tableId: null, title: 'Per tutti', body: 'ciao' });
		await until(() => heard.length === 1, 'piazza post not heard');
		await new Promise((r) => setTimeout(r, 150));
		expect(heard).toEqual([{ threadId: piazza.id, tableId: null, postId: expect.any(String), seq: 1 }]);
		expect(typing).toEqual([]);
	});

	it('someone removed from the table, or a thread moved away, leaves the thread’s room', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const member = await makePerson(db);
		const admin = await makePerson(db, { role: 'admin' });
		const { table, admin: tableAdmin } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const { table: other } = await makeTable(db, { visibility: 'members', coordinatorId: admin.id });
		const c = await actorFor(db, coordinator);
		const t1 = await createThread(db, c, { tableId: table.id, title: 'Uno', body: 'x' });
		const sm = await socketOf(member.id);
		expect((await sm.timeout(5000).emitWithAck('presence:join', `thread:${t1.id}`, null)).ok).toBe(true);
		await removeTableMember(db, tableAdmin.id, table.id, member.id);
		await until(() => !rt.io.of('/').adapter.rooms.get(`thread:${t1.id}`)?.size, 'still in the thread room');

		const member2 = await makePerson(db);
		const { table: t2table, admin: a2 } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member2.id }] });
		void a2;
		const t2 = await createThread(db, await actorFor(db, coordinator), { tableId: t2table.id, title: 'Due', body: 'x' });
		const s2 = await socketOf(member2.id);
		expect((await s2.timeout(5000).emitWithAck('presence:join', `thread:${t2.id}`, null)).ok).toBe(true);
		await moveThread(db, await actorFor(db, admin), t2.id, other.id);
		await until(() => !rt.io.of('/').adapter.rooms.get(`thread:${t2.id}`)?.size, 'still in the moved thread room');
	});

	it('a crowd in one room: presence lists 50 people with the total, in a few coalesced broadcasts', async () => {
		const { db } = get();
		const people = await Promise.all(Array.from({ length: 60 }, () => makePerson(db)));
		const watcher = await socketOf(people[0]!.id);
		const seen: { n: number; total: number }[] = [];
		watcher.on('presence', (room: string, members: unknown[], total: number) => room === 'piazza' && seen.push({ n: members.length, total }));
		const joined = await watcher.timeout(5000).emitWithAck('presence:join', 'piazza', null);
		if (!joined.ok) throw new Error('join refused');
		// Sockets of earlier tests of this file may still be in the Piazza.
		const base = joined.total;
		const others = await Promise.all(people.slice(1).map((p) => socketOf(p.id)));
		const before = seen.length;
		await Promise.all(others.map((s) => s.timeout(5000).emitWithAck('presence:join', 'piazza', null)));
		await until(() => seen.at(-1)?.total === base + 59, 'crowd not announced');
		expect(seen.at(-1)!.n).toBe(50);
		// Sixty arrivals, far fewer broadcasts.
		expect(seen.length - before).toBeLessThan(20);
		for (const s of others) s.close();
		await until(() => seen.at(-1)?.total === base, 'departures not announced');
	});
});
