/**
 * Socket.IO never retries a handshake the server refused (a middleware error on the namespace
 * connect leaves `socket.active` false). Our handshake refuses with `server_error` when the database
 * is briefly unavailable: both browser connections (the collab provider on /collab, the presence
 * connection on /) must then connect again on their own, with backoff, and must not after
 * `unauthorized` (the session ended). Real server, real socket.io-client; the database "fails" by
 * the server's own `getDb` throwing, which the handshake reports as `server_error`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eq } from 'drizzle-orm';
import { io as standardIo, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { describeEachDb } from './helpers/db';
import { makePerson, makeTable } from './helpers/factories';
import { openWithFirstEdit, sessionCookie, startRealtimeServer, text, waitFor, whenSaved, type TestServer } from './helpers/server';
import { CollabClient } from '../../src/lib/collab/provider';
import { COLLAB_NAMESPACE } from '../../src/lib/collab/protocol';
import { RootConnection } from '../../src/lib/realtime/socket';
import { parser, WIRE_VERSION } from '../../src/lib/realtime/parser';
import type { Db } from '../../src/lib/server/db/client';
import { sessions } from '../../src/lib/server/db/schema';
import { invalidateSession } from '../../src/lib/server/auth/session';
import { hashToken } from '../../src/lib/server/auth/tokens';
import { publish } from '../../src/lib/server/events';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A realtime server whose database access can be made to fail for the next `n` uses. Between a
 * dropped connection and the client's next handshake nothing else on these servers reads the
 * database (no idle unload, no session re-check due), so each failure refuses one handshake.
 */
function failingServer(get: () => { db: Db }) {
	const state = { server: undefined as unknown as TestServer, failures: 0 };
	const getDb = () => {
		if (state.failures > 0) {
			state.failures--;
			throw new Error('database unavailable (test)');
		}
		return get().db;
	};
	return { state, start: async () => (state.server = await startRealtimeServer(getDb)) };
}

/** Records each connection the server sees carrying `token` (each handshake attempt is one), with its time. */
function handshakes(server: TestServer, token: string) {
	const at: number[] = [];
	const onConnection = (conn: { request: { headers: { cookie?: string } } }) => {
		if (conn.request.headers.cookie?.includes(token)) at.push(Date.now());
	};
	server.realtime.io.engine.on('connection', onConnection);
	return { at, stop: () => server.realtime.io.engine.off('connection', onConnection) };
}

/** The server drops the transport of a session's sockets (a network cut): Socket.IO reconnects by itself. */
function dropConnections(server: TestServer, namespace: string, token: string) {
	for (const s of server.realtime.io.of(namespace).sockets.values()) if (s.data.sessionId === hashToken(token)) s.conn.close();
}

/** The connect errors a socket reports, with their time. */
function refusals(socket: { on(ev: 'connect_error', fn: (err: Error) => void): unknown }) {
	const list: { message: string; at: number }[] = [];
	socket.on('connect_error', (err) => list.push({ message: err.message, at: Date.now() }));
	return list;
}

const testIo = (cookie: string): Partial<ManagerOptions & SocketOptions> => ({ transports: ['websocket'], extraHeaders: { cookie }, reconnectionDelay: 100, reconnectionDelayMax: 500 });

describeEachDb('collaboration after a handshake refused for a passing reason', (get) => {
	const { state, start } = failingServer(get);
	let coordinatorId: string;

	beforeAll(async () => {
		await start();
		coordinatorId = (await makePerson(get().db)).id;
	});
	afterAll(async () => {
		await state.server.close();
	});

	async function personWithNotes() {
		const { db } = get();
		const person = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId, members: [{ id: person.id }] });
		const cookie = await sessionCookie(db, person.id);
		return { person, docName: `table-notes:${table.id}`, cookie, token: cookie.split('=')[1]! };
	}

	/** The real provider with its production backoff (1 s doubling, ±50 %); Socket.IO's own reconnection is quick. */
	const client = (cookie: string) => new CollabClient({ url: state.server.url, io: testIo(cookie) });

	it('reconnects on its own with growing waits, resyncs the edits made meanwhile, and starts again from the first wait', async () => {
		const { docName, cookie, token } = await personWithNotes();
		const c = client(cookie);
		const errors = refusals(c.socket);
		const { doc, provider: p, statuses } = await openWithFirstEdit(c, docName, 'Prima. ');
		const seen = handshakes(state.server, token);

		// The network drops and the database is unavailable for the next two handshakes.
		state.failures = 2;
		dropConnections(state.server, COLLAB_NAMESPACE, token);
		await waitFor(() => errors.length === 1, 5000, 'the first refusal');
		expect(c.socket.active).toBe(false); // Socket.IO itself has given up
		doc.getText('notes').insert(0, 'Durante il guasto. ');
		expect(p.status).toBe('offline');
		await waitFor(() => p.status === 'saved', 15_000, `saved again (status ${p.status}, refusals ${JSON.stringify(errors.map((e) => e.message))})`);
		expect(errors.map((e) => e.message)).toEqual(['server_error', 'server_error']);
		expect(state.failures).toBe(0);
		// Handshakes: Socket.IO's reconnection (refused), our first retry (refused), the second (accepted).
		expect(seen.at).toHaveLength(3);
		const firstWait = seen.at[1]! - errors[0]!.at;
		const secondWait = seen.at[2]! - errors[1]!.at;
		expect(firstWait).toBeGreaterThanOrEqual(450); // 1 s ± 50 %
		expect(secondWait).toBeGreaterThanOrEqual(950); // 2 s ± 50 %
		expect(statuses).not.toContain('unauthorized');
		expect(statuses).not.toContain('error');
		const serverDoc = (await state.server.realtime.registry.loaded(docName))!.ydoc;
		expect(text(serverDoc)).toBe('Durante il guasto. Prima. ');

		// A later outage starts again from the first wait (0.5–1.5 s; without the reset it would be 2–6 s).
		state.failures = 1;
		dropConnections(state.server, COLLAB_NAMESPACE, token);
		await waitFor(() => errors.length === 3, 5000, 'the next refusal');
		doc.getText('notes').insert(0, 'Ancora. ');
		await waitFor(() => p.status === 'saved', 15_000, `saved again (status ${p.status})`);
		expect(seen.at).toHaveLength(5);
		expect(seen.at[4]! - errors[2]!.at).toBeLessThan(1_900);
		expect(text(serverDoc)).toBe('Ancora. Durante il guasto. Prima. ');
		seen.stop();
		c.destroy();
	});

	it('a provider refused at its very first handshake for a passing reason connects on its own', async () => {
		const { docName, cookie } = await personWithNotes();
		state.failures = 1;
		const c = client(cookie);
		const errors = refusals(c.socket);
		await waitFor(() => errors.length === 1, 5000, 'the refusal');
		// A document opened while the retry waits says it is offline, and its edits wait for the connection.
		const doc = new Y.Doc();
		const p = c.open(docName, doc);
		expect(p.status).toBe('offline');
		doc.getText('notes').insert(0, 'Scritto prima della connessione. ');
		await whenSaved(p, 10_000);
		expect(errors.map((e) => e.message)).toEqual(['server_error']);
		expect(text((await state.server.realtime.registry.loaded(docName))!.ydoc)).toBe('Scritto prima della connessione. ');
		c.destroy();
	});

	it('a retry refused because the session ended meanwhile says so, and stops', async () => {
		const { db } = get();
		const { docName, cookie, token } = await personWithNotes();
		const c = client(cookie);
		const errors = refusals(c.socket);
		const p = c.open(docName, new Y.Doc());
		await whenSaved(p);
		const statuses: string[] = [];
		p.onStatus((s) => statuses.push(s));
		const seen = handshakes(state.server, token);
		// The network drops, the database fails once, and the session runs out meanwhile (no event announces it).
		await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, hashToken(token)));
		state.failures = 1;
		dropConnections(state.server, COLLAB_NAMESPACE, token);
		await waitFor(() => p.status === 'unauthorized', 10_000, `the session-ended status (status ${p.status})`);
		expect(errors.map((e) => e.message)).toEqual(['server_error', 'unauthorized']);
		expect(statuses).toEqual(['saved', 'offline', 'unauthorized']);
		expect(seen.at).toHaveLength(2);
		await sleep(3_000); // longer than any retry of the first two waits
		expect(seen.at).toHaveLength(2);
		expect(c.socket.active).toBe(false);
		expect(p.status).toBe('unauthorized');
		seen.stop();
		c.destroy();
	});

	it('destroying the provider cancels a pending retry', async () => {
		const { docName, cookie, token } = await personWithNotes();
		const c = client(cookie);
		const errors = refusals(c.socket);
		const p = c.open(docName, new Y.Doc());
		await whenSaved(p);
		const seen = handshakes(state.server, token);
		state.failures = 1;
		dropConnections(state.server, COLLAB_NAMESPACE, token);
		await waitFor(() => errors.length === 1, 5000, 'the refusal');
		c.destroy();
		await sleep(2_000);
		expect(seen.at).toHaveLength(1);
		seen.stop();
	});
});

describeEachDb('the presence connection after a refused handshake', (get) => {
	const { state, start } = failingServer(get);

	beforeAll(async () => {
		await start();
	});
	afterAll(async () => {
		await state.server.close();
	});

	async function person() {
		const { db } = get();
		const p = await makePerson(db);
		const cookie = await sessionCookie(db, p.id);
		return { id: p.id, cookie, token: cookie.split('=')[1]! };
	}

	function connection(cookie: string) {
		const c = new RootConnection({ url: state.server.url, io: testIo(cookie) });
		const ready: string[] = [];
		let sessionEnded = 0;
		c.socket.on('ready', ({ userId }) => ready.push(userId));
		c.onSessionEnded(() => sessionEnded++);
		return { c, ready, sessionEnded: () => sessionEnded, errors: refusals(c.socket) };
	}

	it('reconnects on its own after the handshake failed for a passing reason, and hears events again', async () => {
		const { id, cookie, token } = await person();
		state.failures = 1; // the very first handshake too
		const { c, ready, sessionEnded, errors } = connection(cookie);
		await waitFor(() => ready.length === 1, 10_000, 'connected after the first refusal');
		const seen = handshakes(state.server, token);
		state.failures = 2;
		dropConnections(state.server, '/', token);
		await waitFor(() => ready.length === 2, 15_000, `connected again (refusals ${JSON.stringify(errors.map((e) => e.message))})`);
		expect(errors.map((e) => e.message)).toEqual(['server_error', 'server_error', 'server_error']);
		expect(seen.at).toHaveLength(3);
		expect(seen.at[2]! - errors[2]!.at).toBeGreaterThanOrEqual(950); // the second wait: 2 s ± 50 %
		const notified = new Promise<void>((resolve) => c.socket.once('notification', () => resolve()));
		publish('notification.created', { userIds: [id] });
		await notified;
		expect(sessionEnded()).toBe(0);
		expect(c.sessionEnded).toBe(false);
		seen.stop();
		c.destroy();
	});

	it('stops when the session is revoked, says so once, and does not try again', async () => {
		const { db } = get();
		const { cookie, token } = await person();
		const { c, ready, sessionEnded } = connection(cookie);
		await waitFor(() => ready.length === 1, 5000, 'connected');
		const seen = handshakes(state.server, token);
		await invalidateSession(db, hashToken(token)); // e.g. "log out everywhere" from another device
		await waitFor(() => c.sessionEnded, 5000, 'the session-ended state');
		expect(sessionEnded()).toBe(1);
		await sleep(2_000);
		expect(seen.at).toHaveLength(0);
		expect(c.socket.active).toBe(false);
		expect(sessionEnded()).toBe(1);
		seen.stop();
		c.destroy();
	});

	it('refused as unauthorized at a reconnection after the session ended meanwhile: says so once, no further attempts', async () => {
		const { db } = get();
		const { cookie, token } = await person();
		const { c, ready, sessionEnded, errors } = connection(cookie);
		await waitFor(() => ready.length === 1, 5000, 'connected');
		const seen = handshakes(state.server, token);
		// The network drops, the database fails once, and the session runs out meanwhile.
		await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, hashToken(token)));
		state.failures = 1;
		dropConnections(state.server, '/', token);
		await waitFor(() => c.sessionEnded, 10_000, `the session-ended state (refusals ${JSON.stringify(errors.map((e) => e.message))})`);
		expect(errors.map((e) => e.message)).toEqual(['server_error', 'unauthorized']);
		expect(sessionEnded()).toBe(1);
		expect(seen.at).toHaveLength(2);
		await sleep(3_000);
		expect(seen.at).toHaveLength(2);
		expect(c.socket.active).toBe(false);
		expect(sessionEnded()).toBe(1);
		seen.stop();
		c.destroy();
	});
});

describeEachDb('a page loaded before a deploy that changed the wire format', (get) => {
	const { state, start } = failingServer(get);

	beforeAll(async () => {
		await start();
	});
	afterAll(async () => {
		await state.server.close();
	});

	// What such a page sends: the version it was built with. A manager of its own (socket.io-client
	// shares one per origin between namespaces, and would reuse an earlier test's connection).
	const olderIo = (cookie: string) => ({ ...testIo(cookie), forceNew: true, query: { wire: String(Number(WIRE_VERSION) - 1) } });

	async function personWithNotes() {
		const { db } = get();
		const person = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: person.id });
		const cookie = await sessionCookie(db, person.id);
		return { docName: `table-notes:${table.id}`, cookie, token: cookie.split('=')[1]! };
	}

	it('the editors say "outdated" at once, keep their edits locally, and never try again', async () => {
		const { docName, cookie, token } = await personWithNotes();
		const seen = handshakes(state.server, token);
		const c = new CollabClient({ url: state.server.url, io: olderIo(cookie) });
		const errors = refusals(c.socket);
		const doc = new Y.Doc();
		const p = c.open(docName, doc);
		const statuses: string[] = [];
		p.onStatus((s) => statuses.push(s));
		doc.getText('notes').insert(0, 'Scritto prima di ricaricare. ');
		await waitFor(() => p.status === 'outdated', 5000, `the outdated status (status ${p.status})`);
		expect(errors.map((e) => e.message)).toEqual(['outdated']);
		expect(c.outdated).toBe(true);
		expect(c.sessionEnded).toBe(false);
		await sleep(2_500); // longer than the first retry wait and Socket.IO's own reconnection
		expect(seen.at).toHaveLength(1);
		expect(c.socket.active).toBe(false);
		expect(statuses.at(-1)).toBe('outdated');
		// Nothing reached the server; the edit waits in the page's copy (and IndexedDB in a browser).
		expect(await state.server.realtime.registry.loaded(docName)).toBeNull();
		expect(text(doc)).toBe('Scritto prima di ricaricare. ');
		seen.stop();
		c.destroy();

		// The reloaded page (current version) sends it, and the server keeps it.
		const fresh = new CollabClient({ url: state.server.url, io: testIo(cookie) });
		const p2 = fresh.open(docName, doc);
		await waitFor(() => p2.status === 'saved', 10_000, `saved after the reload (status ${p2.status})`);
		expect(text((await state.server.realtime.registry.loaded(docName))!.ydoc)).toBe('Scritto prima di ricaricare. ');
		fresh.destroy();
	});

	it('the presence connection says so once and stops; a client announcing no version at all is refused too', async () => {
		const { cookie, token } = await personWithNotes();
		const seen = handshakes(state.server, token);
		const c = new RootConnection({ url: state.server.url, io: olderIo(cookie) });
		let heard = 0;
		c.onOutdated(() => heard++);
		let sessionEnded = 0;
		c.onSessionEnded(() => sessionEnded++);
		await waitFor(() => c.outdated, 5000, 'the outdated state');
		await sleep(2_500);
		expect(heard).toBe(1);
		expect(sessionEnded).toBe(0);
		expect(seen.at).toHaveLength(1);
		expect(c.socket.active).toBe(false);
		c.destroy();

		// A page from before the version was announced (Socket.IO's own client with the hub's parser).
		for (const nsp of ['', COLLAB_NAMESPACE]) {
			const old = standardIo(`${state.server.url}${nsp}`, { ...testIo(cookie), reconnection: false, parser, forceNew: true });
			const message = await new Promise<string>((resolve) => old.once('connect_error', (err) => resolve(err.message)));
			expect(message).toBe('outdated');
			old.close();
		}
		seen.stop();
	});
});
