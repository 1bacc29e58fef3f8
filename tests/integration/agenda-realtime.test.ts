import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { Server } from 'socket.io';
import { describeEachDb } from './helpers/db';
import { actorFor, makePerson, makeTable } from './helpers/factories';
import { collabClient, sessionCookie, startRealtimeServer, waitFor, whenSaved, type TestServer } from './helpers/server';
import { agendaItems } from '../../src/lib/server/db/schema';
import { createMeeting, createMeetingInput, setAgendaLock } from '../../src/lib/server/meetings/meetings';
import { acceptProposal, agendaDoc, proposeItem } from '../../src/lib/server/meetings/agenda';
import { appendItems, itemText, readItems } from '../../src/lib/agenda/model';
import { createRedisScaleOut, type RemoteEvent } from '../../src/lib/server/realtime/redis';
import { SYNC_UPDATE, encodeSync } from '../../src/lib/collab/protocol';

const draft = (title: string) =>
	createMeetingInput.parse({ title, start: '2026-12-15T10:00', end: '2026-12-15T12:00', participantIds: [], includeMembers: 'on' }) as import('zod').output<typeof createMeetingInput>;

describeEachDb('agenda documents, live', (get) => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startRealtimeServer(() => get().db, { idleUnloadMs: 60_000 });
	});
	afterAll(async () => {
		await server?.close();
	});

	it('lose write access the moment the agenda is locked, and get it back when unlocked', async () => {
		const { db } = get();
		const coord = await makePerson(db, { role: 'coordinator' });
		const member = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: coord.id, members: [{ id: member.id }] });
		const coordActor = await actorFor(db, coord);
		const meeting = await createMeeting(db, coordActor, table.id, draft('Blocco dal vivo'));
		const client = collabClient(server.url, await sessionCookie(db, member.id));
		const ydoc = new Y.Doc();
		const provider = client.open(agendaDoc(meeting.id), ydoc);
		await whenSaved(provider);
		expect(provider.access).toBe('write');
		appendItems(ydoc, [{ title: 'Prima del blocco' }]);
		await whenSaved(provider);

		await setAgendaLock(db, coordActor, meeting.id, true);
		await waitFor(() => provider.access === 'read', 5000, 'read-only after the lock');
		// The provider stops sending; an update sent anyway (by a modified client) is refused.
		const sv = Y.encodeStateVector(ydoc);
		appendItems(ydoc, [{ title: 'Dopo il blocco' }]);
		const update = Y.encodeStateAsUpdate(ydoc, sv);
		const reply = await client.socket.emitWithAck('msg', agendaDoc(meeting.id), encodeSync(SYNC_UPDATE, update));
		expect(reply).toEqual({ ok: false, error: 'read_only' });
		const onServer = (await server.realtime.registry.loaded(agendaDoc(meeting.id)))!.ydoc;
		expect(readItems(onServer).map((i) => i.title)).toEqual(['Prima del blocco']);

		await setAgendaLock(db, coordActor, meeting.id, false);
		await waitFor(() => provider.access === 'write', 5000, 'writable again');
		client.destroy();
	});

	it('show an accepted proposal to connected clients at once, and project it', async () => {
		const { db } = get();
		const coord = await makePerson(db, { role: 'coordinator' });
		const member = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: coord.id, members: [{ id: member.id }] });
		const coordActor = await actorFor(db, coord);
		const memberActor = await actorFor(db, member);
		const meeting = await createMeeting(db, coordActor, table.id, draft('Proposte dal vivo'));
		const client = collabClient(server.url, await sessionCookie(db, member.id));
		const ydoc = new Y.Doc();
		const provider = client.open(agendaDoc(meeting.id), ydoc);
		await whenSaved(provider);
		const [first] = appendItems(ydoc, [{ title: 'Scritto dal membro', durationMinutes: 20 }]);
		await whenSaved(provider);
		const p = await proposeItem(db, memberActor, meeting.id, { title: 'Proposto dal membro', kind: 'decisione', durationMinutes: 10 });
		await acceptProposal(db, coordActor, meeting.id, p.id);
		await waitFor(() => readItems(ydoc).length === 2, 5000, 'accepted item reaches the client');
		expect(readItems(ydoc).map((i) => i.title)).toEqual(['Scritto dal membro', 'Proposto dal membro']);
		// The member keeps typing into the first item while it is moved around by others: no loss.
		itemText(ydoc, first!, 'notes')!.insert(0, 'nota');
		await whenSaved(provider);
		await server.realtime.projections.flush();
		const rows = await db.select().from(agendaItems).where(eq(agendaItems.meetingId, meeting.id)).orderBy(agendaItems.position);
		expect(rows.map((r) => [r.title, r.notes, r.startOffsetMinutes])).toEqual([
			['Scritto dal membro', 'nota', 0],
			['Proposto dal membro', '', 20]
		]);
		client.destroy();
	});

	it('refuse a non-member of a members-only table every byte of its meetings’ agendas', async () => {
		const { db } = get();
		const coord = await makePerson(db, { role: 'coordinator' });
		const outsider = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', coordinatorId: coord.id });
		const meeting = await createMeeting(db, await actorFor(db, coord), table.id, draft('Riservata'));
		const client = collabClient(server.url, await sessionCookie(db, outsider.id));
		const ydoc = new Y.Doc();
		const provider = client.open(agendaDoc(meeting.id), ydoc);
		await waitFor(() => provider.lastError === 'forbidden', 5000, 'forbidden');
		expect(Y.encodeStateAsUpdate(ydoc).byteLength).toBeLessThanOrEqual(2);
		client.destroy();
	});
});

it.runIf(inject('redisUrl'))('carries rights-changing domain events to the other instances over Redis, not back to the sender', async () => {
	const url = inject('redisUrl')!;
	const key = `agenda-${process.pid}-${Date.now()}`;
	const a = await createRedisScaleOut(url, new Server(), { key });
	const b = await createRedisScaleOut(url, new Server(), { key });
	const onA: RemoteEvent[] = [];
	const onB: RemoteEvent[] = [];
	// Other test files may use the same Redis at the same time: only this test's events count.
	const meetingId = `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
	const mine = (e: RemoteEvent) => (e.payload as { meetingId?: string }).meetingId === meetingId;
	a.onRemoteEvent((e) => mine(e) && onA.push(e));
	b.onRemoteEvent((e) => mine(e) && onB.push(e));
	a.publishEvent('meeting.updated', { meetingId, tableId: 't1', what: 'agenda' });
	await waitFor(() => onB.length === 1, 5000, 'event on the other instance');
	expect(onB[0]).toEqual({ name: 'meeting.updated', payload: { meetingId, tableId: 't1', what: 'agenda' } });
	await new Promise((r) => setTimeout(r, 200));
	expect(onA).toEqual([]);
	await a.close();
	await b.close();
});
