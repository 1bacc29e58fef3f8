import { afterAll, beforeAll, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { io as connect } from '../../src/lib/realtime/io';
import { describeEachDb } from './helpers/db';
import { makePerson } from './helpers/factories';
import { attachRealtime, type Realtime, type RealtimeServer } from '../../src/lib/server/realtime';
import { SESSION_COOKIE, createSession, generateSessionToken, invalidateSession, invalidateUserSessions } from '../../src/lib/server/auth/session';
import { hashToken } from '../../src/lib/server/auth/tokens';

type Outcome = { ok: true; ready: { userId: string } } | { ok: false; message: string };
const outcomes = new WeakMap<Socket, Promise<Outcome>>();

/**
 * Opens a socket and starts listening for its outcome at once: a second socket's `ready` may arrive
 * while the test is still awaiting the first one's, and a listener attached later would miss it.
 */
function open(url: string, headers: Record<string, string> = {}): Socket {
	const socket = connect(url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true, timeout: 5000 });
	outcomes.set(
		socket,
		new Promise((resolve) => {
			socket.on('ready', (ready) => resolve({ ok: true, ready }));
			socket.on('connect_error', (err) => resolve({ ok: false, message: err.message }));
		})
	);
	return socket;
}

function outcome(socket: Socket): Promise<Outcome> {
	const known = outcomes.get(socket);
	if (!known) throw new Error('socket not opened with open()');
	return known;
}

describeEachDb('socket handshake', (get) => {
	let server: http.Server;
	let ioServer: RealtimeServer;
	let rt: Realtime;
	let url: string;

	beforeAll(async () => {
		server = http.createServer((_req, res) => res.end('ok'));
		rt = await attachRealtime(server, { getDb: () => get().db });
		ioServer = rt.io;
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await rt.close();
	});

	it('refuses an anonymous socket', async () => {
		const s = open(url);
		expect(await outcome(s)).toEqual({ ok: false, message: 'unauthorized' });
		s.close();
	});

	it('refuses a forged or revoked session cookie', async () => {
		const forged = open(url, { cookie: `${SESSION_COOKIE}=${generateSessionToken()}` });
		expect(await outcome(forged)).toEqual({ ok: false, message: 'unauthorized' });
		forged.close();
		const user = await makePerson(get().db);
		const token = generateSessionToken();
		await createSession(get().db, token, user.id);
		await invalidateUserSessions(get().db, user.id);
		const revoked = open(url, { cookie: `${SESSION_COOKIE}=${token}` });
		expect(await outcome(revoked)).toEqual({ ok: false, message: 'unauthorized' });
		revoked.close();
	});

	it('connects a logged-in socket and knows who it is', async () => {
		const user = await makePerson(get().db);
		const token = generateSessionToken();
		await createSession(get().db, token, user.id);
		const s = open(url, { cookie: `other=1; ${SESSION_COOKIE}=${token}` });
		const result = await outcome(s);
		expect(result).toEqual({ ok: true, ready: { userId: user.id, name: user.name } });
		const pong = await s.timeout(5000).emitWithAck('ping');
		expect(pong.userId).toBe(user.id);
		const sockets = await ioServer.in(`user:${user.id}`).fetchSockets();
		expect(sockets).toHaveLength(1);
		s.close();
	});

	it('disconnects the sockets of a session when it ends, and only those', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const [t1, t2] = [generateSessionToken(), generateSessionToken()];
		await createSession(db, t1, user.id);
		await createSession(db, t2, user.id);
		const a = open(url, { cookie: `${SESSION_COOKIE}=${t1}` });
		const b = open(url, { cookie: `${SESSION_COOKIE}=${t2}` });
		expect((await outcome(a)).ok).toBe(true);
		expect((await outcome(b)).ok).toBe(true);
		const gone = (s: Socket) => new Promise<string>((resolve) => s.on('disconnect', (reason) => resolve(reason)));
		const aGone = gone(a);
		await invalidateSession(db, hashToken(t1));
		expect(await aGone).toBe('io server disconnect');
		expect(b.connected).toBe(true);
		const bGone = gone(b);
		await invalidateUserSessions(db, user.id);
		expect(await bGone).toBe('io server disconnect');
		a.close();
		b.close();
	});

	it('someone removed from a members-only table leaves its presence room at once', async () => {
		const { db } = get();
		const { makeTable } = await import('./helpers/factories');
		const { removeTableMember } = await import('../../src/lib/server/network/tables');
		const coordinator = await makePerson(db);
		const member = await makePerson(db);
		const { table, admin } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const cookieOf = async (id: string) => {
			const token = generateSessionToken();
			await createSession(db, token, id);
			return `${SESSION_COOKIE}=${token}`;
		};
		const a = open(url, { cookie: await cookieOf(coordinator.id) });
		const b = open(url, { cookie: await cookieOf(member.id) });
		expect((await outcome(a)).ok).toBe(true);
		expect((await outcome(b)).ok).toBe(true);
		const room = `table:${table.id}`;
		const lists: string[][] = [];
		a.on('presence', (_r: string, members: { userId: string }[]) => lists.push(members.map((m) => m.userId)));
		expect((await a.timeout(5000).emitWithAck('presence:join', room, null)).ok).toBe(true);
		const joined = await b.timeout(5000).emitWithAck('presence:join', room, null);
		expect(joined.ok && joined.members.length).toBe(2);
		const until = (check: () => boolean, what: string) =>
			new Promise<void>((resolve, reject) => {
				const t0 = Date.now();
				const tick = () => (check() ? resolve() : Date.now() - t0 > 5000 ? reject(new Error(what)) : setTimeout(tick, 20));
				tick();
			});
		await until(() => lists.at(-1)?.length === 2, 'both listed');
		await removeTableMember(db, admin.id, table.id, member.id);
		await until(() => lists.at(-1)?.length === 1, 'still listed');
		expect(lists.at(-1)).toEqual([coordinator.id]);
		const rooms = await ioServer.in(room).fetchSockets();
		expect(rooms.map((s) => s.data.userId)).toEqual([coordinator.id]);
		a.close();
		b.close();
	});

	it('refuses a browser handshake from another origin, even with a valid cookie', async () => {
		const user = await makePerson(get().db);
		const token = generateSessionToken();
		await createSession(get().db, token, user.id);
		const s = open(url, { cookie: `${SESSION_COOKIE}=${token}`, origin: 'https://evil.example' });
		const result = await outcome(s);
		expect(result.ok).toBe(false);
		s.close();
	});
});
