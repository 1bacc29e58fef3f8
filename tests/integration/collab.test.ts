import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { io as connect } from '../../src/lib/realtime/io';
import { count, eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { makePerson, makeTable } from './helpers/factories';
import { collabClient, sessionCookie, startRealtimeServer, text, waitFor, whenSaved, type TestServer } from './helpers/server';
import { collabSnapshots, collabUpdates } from '../../src/lib/server/db/schema';
import { COLLAB_NAMESPACE, SYNC_UPDATE, encodeSync } from '../../src/lib/collab/protocol';
import { CollabPersistence } from '../../src/lib/server/realtime/collab/persistence';
import { splitFrame, WIRE_VERSION } from '../../src/lib/realtime/parser';
import { CollabClient } from '../../src/lib/collab/provider';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number) {
	return () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return seed / 0x7fffffff;
	};
}

function randomEdit(doc: Y.Doc, rand: () => number, tag: string) {
	const t = doc.getText('notes');
	if (t.length > 0 && rand() < 0.3) {
		const at = Math.floor(rand() * t.length);
		t.delete(at, Math.min(t.length - at, 1 + Math.floor(rand() * 3)));
	} else {
		t.insert(Math.floor(rand() * (t.length + 1)), `${tag}${Math.floor(rand() * 100)} `);
	}
}

describeEachDb('collaboration', (get, kind) => {
	let server: TestServer;
	let writerCookies: string[] = [];
	let tableId: string;
	let privateTableId: string;
	let outsiderCookie: string;
	const docName = () => `table-notes:${tableId}`;

	beforeAll(async () => {
		const { db } = get();
		server = await startRealtimeServer(() => get().db, { idleUnloadMs: 200, compactAfter: 40, sessionRecheckMs: 500 });
		const members = await Promise.all(Array.from({ length: 10 }, () => makePerson(db)));
		const { table } = await makeTable(db, { coordinatorId: members[0]!.id, members: members.slice(1).map((m) => ({ id: m.id })) });
		tableId = table.id;
		const { table: priv } = await makeTable(db, { visibility: 'members', coordinatorId: members[0]!.id });
		privateTableId = priv.id;
		writerCookies = await Promise.all(members.map((m) => sessionCookie(db, m.id)));
		outsiderCookie = await sessionCookie(db, (await makePerson(db)).id);
	});
	afterAll(async () => {
		await server.close();
	});

	async function converge(n: number, rounds: number, seed: number) {
		const rand = rng(seed);
		const clients = writerCookies.slice(0, n).map((c) => collabClient(server.url, c));
		const docs = clients.map(() => new Y.Doc());
		const providers = clients.map((c, i) => c.open(docName(), docs[i]!));
		await Promise.all(providers.map((p) => whenSaved(p)));
		for (let r = 0; r < rounds; r++) {
			for (let i = 0; i < n; i++) if (rand() < 0.7) randomEdit(docs[i]!, rand, `c${i}r${r}`);
			await new Promise((res) => setTimeout(res, Math.floor(rand() * 5)));
		}
		await Promise.all(providers.map((p) => whenSaved(p, 20_000)));
		const serverDoc = (await server.realtime.registry.loaded(docName()))!.ydoc;
		const expected = Y.encodeStateAsUpdate(serverDoc);
		await waitFor(() => docs.every((d) => Buffer.from(Y.encodeStateAsUpdate(d)).equals(Buffer.from(expected))), 10_000, 'byte-identical convergence');
		for (const d of docs) expect(text(d)).toBe(text(serverDoc));
		expect(text(serverDoc).length).toBeGreaterThan(0);
		for (const c of clients) c.destroy();
		return text(serverDoc);
	}

	it('the server writes each connection’s packets coalesced (an update’s header and bytes in one write)', async () => {
		const client = collabClient(server.url, writerCookies[0]!);
		const provider = client.open(docName(), new Y.Doc());
		await whenSaved(provider);
		const sockets = await server.realtime.io.of(COLLAB_NAMESPACE).fetchSockets();
		expect(sockets.length).toBeGreaterThan(0);
		for (const s of sockets) expect((s as unknown as { conn: Record<symbol, unknown> }).conn[Symbol.for('intarsi.coalesced')]).toBe(true);
		client.destroy();
	});

	it('on the wire, each update reaches the other clients as one binary WebSocket frame (docs/realtime.md)', async () => {
		// A raw WebSocket client speaking Engine.IO v4 / Socket.IO v5 by hand, as another client would.
		const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket&wire=${WIRE_VERSION}`, { headers: { cookie: writerCookies[1]! } });
		const frames: { binary: boolean; data: Buffer }[] = [];
		const joined = new Promise<void>((resolve, reject) => {
			ws.on('error', reject);
			ws.on('message', (data: Buffer, binary: boolean) => {
				const text = binary ? '' : data.toString();
				if (text === '2') return ws.send('3');
				if (text.startsWith('0')) return ws.send(`40${COLLAB_NAMESPACE},`);
				if (text.startsWith(`40${COLLAB_NAMESPACE},`)) return ws.send(`42${COLLAB_NAMESPACE},0${JSON.stringify(['join', docName()])}`);
				if (text.startsWith(`43${COLLAB_NAMESPACE},0`)) {
					expect(JSON.parse(text.slice(`43${COLLAB_NAMESPACE},0`.length))).toEqual([{ ok: true, access: 'write' }]);
					return resolve();
				}
				frames.push({ binary, data });
			});
		});
		await joined;
		await waitFor(() => frames.length > 0, 5_000, 'sync step 1');
		frames.length = 0;

		const client = collabClient(server.url, writerCookies[0]!);
		const doc = new Y.Doc();
		const provider = client.open(docName(), doc);
		await whenSaved(provider);
		frames.length = 0;
		doc.getText('notes').insert(0, 'una riga ');
		await waitFor(() => frames.some((f) => f.binary), 5_000, 'the update');
		await new Promise((r) => setTimeout(r, 100));
		const updates = frames.filter((f) => f.binary);
		expect(frames.filter((f) => !f.binary).map((f) => f.data.toString())).toEqual([]); // no separate text header
		expect(updates).toHaveLength(1);
		const { header, attachments } = splitFrame(updates[0]!.data, 10);
		expect(header).toBe(`51-${COLLAB_NAMESPACE},${JSON.stringify(['msg', docName()])}`.replace(/]$/, `,{"_placeholder":true,"num":0}]`));
		expect(attachments).toHaveLength(1);
		// The attachment is the y-protocols message: sync (0), update (2), then the update itself.
		const d = decoding.createDecoder(attachments[0]!);
		expect([decoding.readVarUint(d), decoding.readVarUint(d)]).toEqual([0, 2]);
		const received = new Y.Doc();
		Y.applyUpdate(received, decoding.readVarUint8Array(d));
		expect(decoding.hasContent(d)).toBe(false);
		expect(text(received)).toBe('una riga ');
		ws.close();
		client.destroy();
	});

	it('a client on HTTP long-polling (binary packets base64 in Engine.IO payloads) edits with the others', async () => {
		const polling = new CollabClient({ url: server.url, io: { transports: ['polling'], extraHeaders: { cookie: writerCookies[2]! } } });
		const ws = collabClient(server.url, writerCookies[3]!);
		const a = new Y.Doc();
		const b = new Y.Doc();
		const pa = polling.open(docName(), a);
		const pb = ws.open(docName(), b);
		await Promise.all([whenSaved(pa), whenSaved(pb)]);
		expect(polling.socket.io.engine.transport.name).toBe('polling');
		a.getText('notes').insert(0, 'dal polling ');
		b.getText('notes').insert(0, 'dal websocket ');
		await Promise.all([whenSaved(pa), whenSaved(pb)]);
		await waitFor(() => text(a) === text(b) && text(a).includes('dal polling') && text(a).includes('dal websocket'), 5_000, 'both edits on both sides');
		polling.destroy();
		ws.destroy();
	});

	it('two clients editing at random converge byte-identically with the server', async () => {
		await converge(2, 60, 1);
	});

	it('ten clients editing at random converge byte-identically with the server', async () => {
		await converge(10, 30, 2);
	});

	it('every acknowledged edit is in the log; compaction folds it into a snapshot, deleting exactly what it read', async () => {
		const { db } = get();
		await server.realtime.persistence.flush();
		// An automatic compaction may be running already (it read the log before the last writes):
		// the second call starts after it and folds the rest.
		await server.realtime.persistence.compact(docName());
		await server.realtime.persistence.compact(docName());
		const [snap] = await db.select().from(collabSnapshots).where(eq(collabSnapshots.doc, docName()));
		expect(snap).toBeDefined();
		const [left] = await db.select({ n: count() }).from(collabUpdates).where(eq(collabUpdates.doc, docName()));
		expect(left!.n).toBe(0);
		// The stored state, read back cold, is the document the clients have.
		const cold = new Y.Doc();
		Y.applyUpdate(cold, snap!.state);
		const live = (await server.realtime.registry.loaded(docName()))?.ydoc;
		if (live) expect(text(cold)).toBe(text(live));
	});

	it('group commit: updates arriving together are one insert whatever their number, and load back in order', async () => {
		const { db } = get();
		const author = await makePerson(db);
		const persistence = new CollabPersistence(() => get().db, { minIntervalMs: 50 });
		const name = `table-notes:${crypto.randomUUID()}`;
		const source = new Y.Doc();
		const updates: Uint8Array[] = [];
		source.on('update', (u: Uint8Array) => updates.push(u));
		const type = (s: string) => source.getText('t').insert(source.getText('t').length, s);
		const appendNew = (from: number) => Promise.all(updates.slice(from).map((u) => persistence.append(name, u, author.id)));

		type('uno ');
		await appendNew(0);
		expect(persistence.stats).toEqual({ batches: 1, rows: 1 });
		// Within the interval after that insert: the next five wait for it and go in together
		// (a prepared statement on PostgreSQL), then thirty (more than the prepared sizes).
		for (let i = 0; i < 5; i++) type(`a${i} `);
		await appendNew(1);
		expect(persistence.stats).toEqual({ batches: 2, rows: 6 });
		for (let i = 0; i < 30; i++) type(`b${i} `);
		await appendNew(6);
		expect(persistence.stats).toEqual({ batches: 3, rows: 36 });

		const loaded = await persistence.load(name);
		expect(loaded.map((u) => Buffer.from(u).toString('hex'))).toEqual(updates.map((u) => Buffer.from(u).toString('hex')));
		const copy = new Y.Doc();
		for (const u of loaded) Y.applyUpdate(copy, u);
		expect(copy.getText('t').toString()).toBe(source.getText('t').toString());
		const rows = await db.select({ userId: collabUpdates.userId }).from(collabUpdates).where(eq(collabUpdates.doc, name));
		expect(rows).toHaveLength(36);
		expect(new Set(rows.map((r) => r.userId))).toEqual(new Set([author.id]));
		await persistence.close();
	});

	if (kind === 'postgres')
		it('the log writes on a connection of its own: the same one while updates come, another after the server closed it, none when idle', async () => {
			const { db } = get();
			const pool = (db as unknown as { $client: { query(text: string, values?: unknown[]): Promise<{ rows: { ok: boolean }[] }>; idleCount: number } }).$client;
			const persistence = new CollabPersistence(() => get().db, { minIntervalMs: 0, connectionIdleMs: 300 });
			const name = `table-notes:${crypto.randomUUID()}`;
			const source = new Y.Doc();
			const updates: Uint8Array[] = [];
			source.on('update', (u: Uint8Array) => updates.push(u));
			const write = async (s: string) => {
				source.getText('t').insert(0, s);
				await persistence.append(name, updates.at(-1)!, null);
			};
			await write('uno ');
			const first = await persistence.connection.backendPid();
			expect(first).toBeTypeOf('number');
			await write('due ');
			await write('tre ');
			expect(await persistence.connection.backendPid()).toBe(first);
			// The server closes it (an administrator, a restart): no uncaught error, the next write takes another.
			const { rows } = await pool.query('select pg_terminate_backend($1) as ok', [first]);
			expect(rows[0]!.ok).toBe(true);
			await new Promise((r) => setTimeout(r, 200));
			await write('quattro ');
			const second = await persistence.connection.backendPid();
			expect(second).toBeTypeOf('number');
			expect(second).not.toBe(first);
			// Idle: given back to the pool.
			await new Promise((r) => setTimeout(r, 700));
			expect(await persistence.connection.backendPid()).toBe(null);
			expect(pool.idleCount).toBeGreaterThan(0);
			const copy = new Y.Doc();
			for (const u of await persistence.load(name)) Y.applyUpdate(copy, u);
			expect(copy.getText('t').toString()).toBe('quattro tre due uno ');
			await persistence.close();
		});

	it('a restart and a reconnect with old state duplicate nothing', async () => {
		const c = collabClient(server.url, writerCookies[0]!);
		const doc = new Y.Doc();
		const p = c.open(docName(), doc);
		await whenSaved(p);
		const before = text(doc);
		doc.getText('notes').insert(0, 'PRIMA ');
		await whenSaved(p);
		c.destroy();

		await server.close();
		server = await startRealtimeServer(() => get().db, { idleUnloadMs: 200, compactAfter: 40, sessionRecheckMs: 500 });
		// The same Y.Doc (all its old state) reconnects to the restarted server.
		const c2 = collabClient(server.url, writerCookies[0]!);
		const p2 = c2.open(docName(), doc);
		await whenSaved(p2);
		expect(text(doc)).toBe('PRIMA ' + before);
		const fresh = new Y.Doc();
		const c3 = collabClient(server.url, writerCookies[1]!);
		const p3 = c3.open(docName(), fresh);
		await whenSaved(p3);
		expect(text(fresh)).toBe('PRIMA ' + before);
		expect(text(fresh).split('PRIMA').length).toBe(2);
		c2.destroy();
		c3.destroy();
	});

	it('loads a document once under concurrent joins, and unloads it when idle', async () => {
		await waitFor(() => server.realtime.registry.size === 0, 5000, 'idle unload');
		const original = server.realtime.persistence.load.bind(server.realtime.persistence);
		let loads = 0;
		server.realtime.persistence.load = (doc: string) => {
			loads++;
			return original(doc);
		};
		const clients = writerCookies.slice(0, 6).map((c) => collabClient(server.url, c));
		const providers = clients.map((c) => c.open(docName(), new Y.Doc()));
		await Promise.all(providers.map((p) => whenSaved(p)));
		expect(loads).toBe(1);
		for (const c of clients) c.destroy();
		await waitFor(() => server.realtime.registry.size === 0, 5000, 'idle unload');
		server.realtime.persistence.load = original;
	});

	it('a non-member cannot join a members-only table’s notes and receives no bytes of them', async () => {
		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie: outsiderCookie }, reconnection: false });
		const received: unknown[] = [];
		raw.on('msg', (...args) => received.push(args));
		await new Promise<void>((r) => raw.on('connect', () => r()));
		const reply = await raw.emitWithAck('join', `table-notes:${privateTableId}`);
		expect(reply).toEqual({ ok: false, error: 'forbidden' });
		const sent = await raw.emitWithAck('msg', `table-notes:${privateTableId}`, new Uint8Array([0, 0, 1, 0]));
		expect(sent).toEqual({ ok: false, error: 'not_joined' });
		await new Promise((r) => setTimeout(r, 200));
		expect(received).toEqual([]);
		raw.close();
	});

	it('a read-only join gets the document, and its updates are rejected without changing it', async () => {
		const c = collabClient(server.url, outsiderCookie);
		const doc = new Y.Doc();
		const p = c.open(docName(), doc);
		await waitFor(() => p.access === 'read' && p.status === 'saved', 5000, 'read-only join');
		const serverDoc = (await server.realtime.registry.loaded(docName()))!.ydoc;
		const before = Y.encodeStateAsUpdate(serverDoc);
		expect(text(doc)).toBe(text(serverDoc));

		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie: outsiderCookie }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		expect(await raw.emitWithAck('join', docName())).toEqual({ ok: true, access: 'read' });
		const forged = new Y.Doc();
		Y.applyUpdate(forged, before);
		const sv = Y.encodeStateVector(forged);
		forged.getText('notes').insert(0, 'NON AUTORIZZATO ');
		const update = Y.encodeStateAsUpdate(forged, sv);
		const { encodeSyncUpdate } = await import('../../src/lib/server/realtime/collab/document');
		expect(await raw.emitWithAck('msg', docName(), encodeSyncUpdate(update))).toEqual({ ok: false, error: 'read_only' });
		expect(Buffer.from(Y.encodeStateAsUpdate(serverDoc)).equals(Buffer.from(before))).toBe(true);
		expect(text(doc)).not.toContain('NON AUTORIZZATO');
		raw.close();
		c.destroy();
	});

	it('1,000 malformed messages leave the server up and the document intact', async () => {
		const rand = rng(7);
		const c = collabClient(server.url, writerCookies[2]!);
		const doc = new Y.Doc();
		const p = c.open(docName(), doc);
		await whenSaved(p);
		const serverDoc = (await server.realtime.registry.loaded(docName()))!.ydoc;
		const before = text(serverDoc);

		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie: writerCookies[3]! }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		expect((await raw.emitWithAck('join', docName())).ok).toBe(true);
		const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
		const shapes: (() => unknown[])[] = [
			() => [docName(), bytes(1 + Math.floor(rand() * 40))], // random bytes
			() => [docName(), Uint8Array.from([0, 2, ...bytes(1 + Math.floor(rand() * 30))])], // sync update, junk body
			() => [docName(), Uint8Array.from([0, 2, 200, 1, 3])], // length beyond the end
			() => [docName(), Uint8Array.from([0, 0, 5, ...bytes(5)])], // junk state vector
			() => [docName(), Uint8Array.from([0, 9, 0])], // unknown sync type
			() => [docName(), Uint8Array.from([1, 6, 1, 1, 1, 2, 123, 34])], // awareness with broken JSON
			() => [docName(), Uint8Array.from([7])], // unknown message type
			() => [docName(), 'not bytes'],
			() => [docName(), { evil: true }],
			() => [42, bytes(4)],
			() => [`table-notes:${privateTableId}`, bytes(8)],
			() => [docName(), new Uint8Array(1_500_000)] // over the size limit
		];
		const replies: { ok: boolean; error?: string }[] = [];
		for (let i = 0; i < 1000; i++) {
			const shape = shapes[i % shapes.length]!;
			replies.push(await raw.timeout(5000).emitWithAck('msg', ...(shape() as [string, Uint8Array])));
		}
		expect(replies.filter((r) => r.ok)).toEqual([]);
		expect(new Set(replies.map((r) => r.error))).toEqual(new Set(['malformed', 'bad_request', 'not_joined', 'too_large']));
		expect(text(serverDoc)).toBe(before);
		// Still alive and still correct for everyone.
		doc.getText('notes').insert(0, 'DOPO ');
		await whenSaved(p);
		expect(text(serverDoc)).toBe('DOPO ' + before);
		raw.close();
		c.destroy();
	});

	it('a socket’s messages keep their order, whichever way the server takes each (fast path or Socket.IO)', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const doc = `table-notes:${(await makeTable(db, { coordinatorId: coordinator.id })).table.id}`;
		const cookie = await sessionCookie(db, coordinator.id);
		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		expect(await raw.emitWithAck('join', doc)).toEqual({ ok: true, access: 'write' });
		const author = new Y.Doc();
		const updates: Uint8Array[] = [];
		author.on('update', (u: Uint8Array) => updates.push(encodeSync(SYNC_UPDATE, u)));
		const notes = author.getText('notes');
		for (const word of ['uno ', 'due ', 'tre ', 'quattro ']) notes.insert(notes.length, word);
		// Each update depends on the one before. The first goes through Socket.IO (an extra argument
		// keeps it off the fast path); the next ones, sent at once behind it, must not overtake it.
		raw.emit('msg', doc, updates[0]!, 'extra');
		const [r2, r3] = await Promise.all([raw.timeout(5000).emitWithAck('msg', doc, updates[1]!), raw.timeout(5000).emitWithAck('msg', doc, updates[2]!)]);
		expect([r2, r3]).toEqual([{ ok: true }, { ok: true }]);
		// A leave, then a message right behind it: the message finds the document left.
		raw.emit('leave', doc);
		expect(await raw.timeout(5000).emitWithAck('msg', doc, updates[3]!)).toEqual({ ok: false, error: 'not_joined' });
		const loaded = (await server.realtime.registry.loaded(doc))!;
		expect([text(loaded.ydoc), loaded.failed]).toEqual(['uno due tre ', false]);
		raw.close();
	});

	it('caps messages sent before a join completes, and awareness entries per document', async () => {
		// A document that takes a while to load, so that the messages arrive while the join is pending.
		const { db } = get();
		const slowDoc = `table-notes:${(await makeTable(db, { coordinatorId: (await makePerson(db)).id })).table.id}`;
		const original = server.realtime.persistence.load.bind(server.realtime.persistence);
		server.realtime.persistence.load = async (doc: string) => {
			await new Promise((r) => setTimeout(r, 500));
			return original(doc);
		};
		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie: writerCookies[4]! }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		const joined = raw.emitWithAck('join', slowDoc);
		const step1 = Uint8Array.from([0, 0, 1, 0]); // sync step 1 with an empty state vector
		const replies = await Promise.all(Array.from({ length: 101 }, () => raw.timeout(5000).emitWithAck('msg', slowDoc, step1)));
		server.realtime.persistence.load = original;
		expect((await joined).ok).toBe(true);
		expect((await raw.emitWithAck('join', docName())).ok).toBe(true);
		expect(replies.filter((r) => r.ok)).toHaveLength(100);
		expect(replies.filter((r) => !r.ok)).toEqual([{ ok: false, error: 'too_many_pending' }]);

		const { createEncoder, writeVarUint, writeVarString, writeVarUint8Array, toUint8Array } = await import('lib0/encoding');
		const awareness = (n: number, base: number) => {
			const inner = createEncoder();
			writeVarUint(inner, n);
			for (let i = 0; i < n; i++) {
				writeVarUint(inner, base + i);
				writeVarUint(inner, 1);
				writeVarString(inner, JSON.stringify({ user: { name: `Ospite ${i}` } }));
			}
			const outer = createEncoder();
			writeVarUint(outer, 1);
			writeVarUint8Array(outer, toUint8Array(inner));
			return toUint8Array(outer);
		};
		expect(await raw.emitWithAck('msg', docName(), awareness(4, 1_000_000))).toEqual({ ok: true });
		expect(await raw.emitWithAck('msg', docName(), awareness(1, 2_000_000))).toEqual({ ok: false, error: 'awareness_full' });
		const serverDoc = (await server.realtime.registry.loaded(docName()))!;
		expect(serverDoc.awareness.getStates().size).toBe(4);
		// Another connection may not touch those entries.
		const other = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie: writerCookies[5]! }, reconnection: false });
		await new Promise<void>((r) => other.on('connect', () => r()));
		expect((await other.emitWithAck('join', docName())).ok).toBe(true);
		expect(await other.emitWithAck('msg', docName(), awareness(1, 1_000_000))).toEqual({ ok: false, error: 'forbidden' });
		other.close();
		raw.close();
		// The entries a connection brought leave with it.
		await waitFor(() => serverDoc.destroyed || serverDoc.awareness.getStates().size === 0, 5000, 'awareness cleared on disconnect');
	});

	it('a failed log write is never acknowledged: the document reloads and the client resends', async () => {
		const c = collabClient(server.url, writerCookies[6]!);
		const doc = new Y.Doc();
		const p = c.open(docName(), doc);
		await whenSaved(p);
		const persistence = server.realtime.persistence;
		const original = persistence.enqueue.bind(persistence);
		let failures = 1;
		persistence.enqueue = (d: string, u: Uint8Array, userId: string | null, done: (err?: unknown) => void) => {
			if (failures-- > 0) return void setImmediate(() => done(new Error('database unavailable')));
			original(d, u, userId, done);
		};
		const statuses: string[] = [];
		p.onStatus((s) => statuses.push(s));
		doc.getText('notes').insert(0, 'SCRITTO DURANTE IL GUASTO ');
		await waitFor(() => statuses.includes('error'), 5000, 'the failure shows');
		await waitFor(() => p.status === 'saved', 10_000, 'saved after the rejoin');
		persistence.enqueue = original;
		c.destroy();
		// Cold: what the log holds.
		await waitFor(() => server.realtime.registry.size === 0, 5000, 'idle unload');
		const fresh = new Y.Doc();
		const c2 = collabClient(server.url, writerCookies[7]!);
		const p2 = c2.open(docName(), fresh);
		await whenSaved(p2);
		expect(text(fresh).startsWith('SCRITTO DURANTE IL GUASTO ')).toBe(true);
		c2.destroy();
	});

	it('rights follow the table: a member removed while connected loses the document', async () => {
		const { db } = get();
		const person = await makePerson(db);
		const { table, admin } = await makeTable(db, { visibility: 'members', coordinatorId: (await makePerson(db)).id, members: [{ id: person.id }] });
		const cookie = await sessionCookie(db, person.id);
		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		const doc = `table-notes:${table.id}`;
		expect(await raw.emitWithAck('join', doc)).toEqual({ ok: true, access: 'write' });
		const errors: string[] = [];
		raw.on('collab-error', (_d: string, code: string) => errors.push(code));
		const { removeTableMember } = await import('../../src/lib/server/network/tables');
		await removeTableMember(db, admin.id, table.id, person.id);
		await waitFor(() => errors.includes('forbidden'), 5000, 'forbidden after removal');
		expect(await raw.emitWithAck('msg', doc, Uint8Array.from([0, 0, 1, 0]))).toEqual({ ok: false, error: 'not_joined' });
		raw.close();
	});

	it('a socket leaves when its session expires', async () => {
		const { db } = get();
		const person = await makePerson(db);
		const cookie = await sessionCookie(db, person.id);
		const token = cookie.split('=')[1]!;
		const { sessions } = await import('../../src/lib/server/db/schema');
		const { hashToken } = await import('../../src/lib/server/auth/tokens');
		const raw = connect(`${server.url}${COLLAB_NAMESPACE}`, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
		await new Promise<void>((r) => raw.on('connect', () => r()));
		// The session runs out while the socket is open (no page request extends it).
		await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, hashToken(token)));
		const reason = await new Promise<string>((r) => raw.on('disconnect', (why) => r(why)));
		expect(reason).toBe('io server disconnect');
	});
});
