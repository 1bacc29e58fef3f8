import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as Y from 'yjs';
import { io as connect } from '../../src/lib/realtime/io';
import { createTestDatabase, type TestDatabase } from './helpers/db';
import { makePerson, makeTable } from './helpers/factories';
import { collabClient, sessionCookie, startRealtimeServer, text, waitFor, whenSaved, type TestServer } from './helpers/server';

const redisUrl = inject('redisUrl');
/** Length of all the tokens `[client.round]` the first test types. */
const TYPED = Array.from({ length: 4 }, (_, i) => Array.from({ length: 20 }, (_, r) => `[${i}.${r}]`.length)).flat().reduce((a, b) => a + b, 0);
const engines = inject('postgresTemplate') ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

// Two instances share one database and one Redis (PGlite stands in for a shared server here: both
// instances live in this process and use the same handle).
describe.runIf(redisUrl)('two instances behind Redis', () => {
	for (const kind of engines) {
		describe(`[${kind}]`, () => {
			let db: TestDatabase;
			let a: TestServer;
			let b: TestServer;
			let cookies: string[];
			let doc: string;
			let tableRoom: string;

			// This suite's instances talk only to each other, whatever else uses the same Redis meanwhile.
			const redisKey = `scale-out-${kind}-${process.pid}`;
			beforeAll(async () => {
				db = await createTestDatabase(kind);
				a = await startRealtimeServer(() => db.db, { redisUrl: redisUrl!, redisKey });
				b = await startRealtimeServer(() => db.db, { redisUrl: redisUrl!, redisKey });
				const people = await Promise.all(Array.from({ length: 4 }, () => makePerson(db.db)));
				const { table } = await makeTable(db.db, { coordinatorId: people[0]!.id, members: people.slice(1).map((p) => ({ id: p.id })) });
				doc = `table-notes:${table.id}`;
				tableRoom = `table:${table.id}`;
				cookies = await Promise.all(people.map((p) => sessionCookie(db.db, p.id)));
			});
			afterAll(async () => {
				await a?.close();
				await b?.close();
				await db?.destroy();
			});

			it('clients on both instances converge', async () => {
				const clients = cookies.map((c, i) => collabClient(i % 2 ? b.url : a.url, c));
				const docs = clients.map(() => new Y.Doc());
				const providers = clients.map((c, i) => c.open(doc, docs[i]!));
				await Promise.all(providers.map((p) => whenSaved(p)));
				for (let round = 0; round < 20; round++) docs.forEach((d, i) => d.getText('notes').insert(0, `[${i}.${round}]`));
				await Promise.all(providers.map((p) => whenSaved(p)));
				await waitFor(() => docs.every((d) => text(d) === text(docs[0]!)) && text(docs[0]!).length === TYPED, 10_000, 'cross-instance convergence');
				const onA = (await a.realtime.registry.loaded(doc))!.ydoc;
				const onB = (await b.realtime.registry.loaded(doc))!.ydoc;
				await waitFor(() => text(onA) === text(docs[0]!) && text(onB) === text(docs[0]!), 5000, 'server documents converge');
				for (const c of clients) c.destroy();
			});

			it('a restarted instance duplicates nothing', async () => {
				await b.close();
				b = await startRealtimeServer(() => db.db, { redisUrl: redisUrl!, redisKey });
				const onB = collabClient(b.url, cookies[1]!);
				const onA = collabClient(a.url, cookies[2]!);
				const dB = new Y.Doc();
				const dA = new Y.Doc();
				const pB = onB.open(doc, dB);
				const pA = onA.open(doc, dA);
				await Promise.all([whenSaved(pB), whenSaved(pA)]);
				expect(text(dB)).toBe(text(dA));
				expect(text(dB).length).toBe(TYPED);
				for (let i = 0; i < 4; i++) for (let r = 0; r < 20; r++) expect(text(dB).split(`[${i}.${r}]`).length).toBe(2);
				dB.getText('notes').insert(0, 'DA-B ');
				await whenSaved(pB);
				await waitFor(() => text(dA).startsWith('DA-B '), 5000, 'update from the restarted instance');
				onA.destroy();
				onB.destroy();
			});

			it('an instance that missed messages catches up from the log', async () => {
				const onB = collabClient(b.url, cookies[1]!);
				const dB = new Y.Doc();
				const pB = onB.open(doc, dB);
				await whenSaved(pB);
				// An update that instance A wrote but whose Redis message never reached B.
				const server = new Y.Doc();
				Y.applyUpdate(server, Y.encodeStateAsUpdate(dB));
				const sv = Y.encodeStateVector(server);
				server.getText('notes').insert(0, 'PERSO IN REDIS ');
				const { collabUpdates } = await import('../../src/lib/server/db/schema');
				await db.db.insert(collabUpdates).values({ doc, update: Y.encodeStateAsUpdate(server, sv), userId: null });
				expect(text(dB).startsWith('PERSO IN REDIS')).toBe(false);
				expect(await b.realtime.registry.resyncAll()).toBe(1);
				await waitFor(() => text(dB).startsWith('PERSO IN REDIS '), 5000, 'caught-up update at the client');
				onB.destroy();
			});

			it('presence in a table room spans both instances', async () => {
				const s1 = connect(a.url, { transports: ['websocket'], extraHeaders: { cookie: cookies[0]! }, reconnection: false });
				const s2 = connect(b.url, { transports: ['websocket'], extraHeaders: { cookie: cookies[1]! }, reconnection: false });
				await Promise.all([s1, s2].map((s) => new Promise<void>((r) => s.on('ready', () => r()))));
				const seen: string[][] = [];
				s1.on('presence', (_room: string, members: { userId: string }[]) => seen.push(members.map((m) => m.userId)));
				expect((await s1.emitWithAck('presence:join', tableRoom, 'notes')).ok).toBe(true);
				const joined = await s2.emitWithAck('presence:join', tableRoom, null);
				expect(joined.ok && joined.members.length).toBe(2);
				await waitFor(() => seen.some((m) => m.length === 2), 5000, 'presence of the other instance');
				s2.close();
				await waitFor(() => seen.at(-1)?.length === 1, 5000, 'departure seen across instances');
				s1.close();
			});
		});
	}
});
