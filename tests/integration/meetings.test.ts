import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { agendaItems, agendaProposals, mailOutbox, meetingParticipants, meetings, notifications } from '../../src/lib/server/db/schema';
import { can } from '../../src/lib/server/authz';
import {
	addParticipants,
	cancelMeeting,
	conveneMeeting,
	createMeeting,
	createMeetingInput,
	findOverlaps,
	listMyMeetings,
	listParticipants,
	markHeld,
	meetingContext,
	meetingInput,
	removeParticipant,
	respond,
	rsvpTally,
	setAgendaLock,
	setAttendance,
	updateMeeting
} from '../../src/lib/server/meetings/meetings';
import { addSlot, answerSlots, pickSlot, pollGrid, slotInput } from '../../src/lib/server/meetings/polls';
import {
	acceptProposal,
	agendaDoc,
	createTemplate,
	declineProposal,
	listProposals,
	proposeItem,
	startAgenda,
	templateInput,
	withdrawProposal
} from '../../src/lib/server/meetings/agenda';
import { editDocument, readDocument } from '../../src/lib/server/realtime/collab/edit';
import { appendItems, itemText, readItems } from '../../src/lib/agenda/model';
import { projectAgenda } from '../../src/lib/server/meetings/projection';
import type { Db } from '../../src/lib/server/db/client';

const form = (o: Record<string, string | string[]>) => {
	const f = new FormData();
	for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
	return f;
};
const parse = <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: unknown } }, v: unknown): T => {
	const r = schema.safeParse(v);
	if (!r.success) throw new Error(JSON.stringify(r.error));
	return r.data as T;
};
const input = (o: Record<string, unknown>) =>
	parse(createMeetingInput, { participantIds: [], includeMembers: 'on', copyPrevious: '', ...o }) as import('zod').output<typeof createMeetingInput>;

/** A table with a coordinator, two members and an outsider from another organisation. */
async function world(db: Db, visibility: 'network' | 'members' = 'network') {
	const org = await makeOrganization(db);
	const coord = await makePerson(db, { role: 'coordinator', organizationId: org.id });
	const m1 = await makePerson(db, { organizationId: org.id });
	const m2 = await makePerson(db);
	const outsider = await makePerson(db);
	const { table, admin } = await makeTable(db, { visibility, coordinatorId: coord.id, members: [{ id: m1.id }, { id: m2.id }] });
	return {
		table,
		org,
		admin: await actorFor(db, admin),
		coord: await actorFor(db, coord),
		m1: await actorFor(db, m1),
		m2: await actorFor(db, m2),
		outsider: await actorFor(db, outsider)
	};
}

describeEachDb('meetings: scheduling', (get) => {
	it('lets coordinators and admins schedule, and nobody else', async () => {
		const { db } = get();
		const w = await world(db);
		const meeting = await createMeeting(db, w.coord, w.table.id, input({ title: 'Tavolo di dicembre', start: '2026-12-10T10:00', end: '2026-12-10T12:00', address: 'Piazza del Popolo 10, Cesena' }));
		expect(meeting.status).toBe('bozza');
		expect(meeting.startsAt!.toISOString()).toBe('2026-12-10T09:00:00.000Z');
		const parts = await listParticipants(db, meeting);
		expect(parts.map((p) => p.userId).sort()).toEqual([w.coord.id, w.m1.id, w.m2.id].sort());
		await expect(createMeeting(db, w.m1, w.table.id, input({ title: 'Abusiva' }))).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		await expect(createMeeting(db, w.outsider, w.table.id, input({ title: 'Abusiva' }))).rejects.toMatchObject({ status: 403 });
		await expect(updateMeeting(db, w.m1, meeting.id, parse(meetingInput, { title: 'X' }))).rejects.toMatchObject({ status: 403 });
		await expect(conveneMeeting(db, w.m1, meeting.id)).rejects.toMatchObject({ status: 403 });
		await expect(cancelMeeting(db, w.m2, meeting.id, undefined)).rejects.toMatchObject({ status: 403 });
		const byAdmin = await createMeeting(db, w.admin, w.table.id, input({ title: 'Dall’amministrazione' }));
		expect(byAdmin.tableId).toBe(w.table.id);
	});

	it('stores Rome wall times as UTC, correct across DST changes', async () => {
		const { db } = get();
		const w = await world(db);
		const cases: [string, string, string][] = [
			['2026-03-28T10:00', '2026-03-28T09:00:00.000Z', 'winter'],
			['2026-03-30T10:00', '2026-03-30T08:00:00.000Z', 'summer'],
			['2026-10-24T10:00', '2026-10-24T08:00:00.000Z', 'summer'],
			['2026-10-26T10:00', '2026-10-26T09:00:00.000Z', 'winter']
		];
		for (const [local, utc] of cases) {
			const end = local.replace('10:00', '11:30');
			const m = await createMeeting(db, w.coord, w.table.id, input({ title: local, start: local, end }));
			expect(m.startsAt!.toISOString()).toBe(utc);
			expect(m.endsAt!.getTime() - m.startsAt!.getTime()).toBe(90 * 60_000);
		}
		// A meeting across the autumn change lasts one hour more on the clock than in reality.
		const night = await createMeeting(db, w.coord, w.table.id, input({ title: 'Notte', start: '2026-10-25T01:00', end: '2026-10-25T04:00' }));
		expect(night.endsAt!.getTime() - night.startsAt!.getTime()).toBe(4 * 3600_000);
		// Times skipped in spring are refused with a clear error.
		const r = createMeetingInput.safeParse({ title: 'X', start: '2026-03-29T02:30', end: '2026-03-29T04:00', participantIds: [] });
		expect(r.success).toBe(false);
		expect(JSON.stringify(r.error)).toContain('error_time_nonexistent');
		const bad = meetingInput.safeParse({ title: 'X', start: '2026-12-01T12:00', end: '2026-12-01T11:00' });
		expect(JSON.stringify(bad.error)).toContain('error_end_before_start');
	});

	it('convenes, reschedules, cancels with SEQUENCE, notifications and e-mails', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Convocazione', start: '2026-12-03T15:00', end: '2026-12-03T17:00', onlineUrl: 'https://meet.example.org/abc' }));
		const conv = await conveneMeeting(db, w.coord, m.id, { lockAgenda: true });
		expect(conv.status).toBe('convocata');
		expect(conv.sequence).toBe(1);
		expect(conv.agendaLockedAt).not.toBeNull();
		const notes = await db.select().from(notifications).where(eq(notifications.link, `/meetings/${m.id}`));
		expect(notes.map((n) => n.userId).sort()).toEqual([w.m1.id, w.m2.id].sort());
		expect(notes.every((n) => n.kind === 'notif_meeting_convened')).toBe(true);
		const mails = await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'meeting.convened'));
		const mine = mails.filter((x) => x.text.includes(`/meetings/${m.id}`));
		expect(mine).toHaveLength(2);
		const ics = Buffer.from(mine[0]!.attachments[0]!.content, 'base64').toString('utf8');
		expect(ics).toContain('METHOD:REQUEST');
		expect(ics).toContain(`UID:${m.id}`);
		expect(ics).toContain('SEQUENCE:1');

		await respond(db, w.m1, m.id, 'yes');
		const moved = await updateMeeting(db, w.coord, m.id, parse(meetingInput, { title: 'Convocazione', start: '2026-12-04T15:00', end: '2026-12-04T17:00', onlineUrl: 'https://meet.example.org/abc' }));
		expect(moved.sequence).toBe(2);
		// Answers were for the old time: everyone is asked again.
		expect(rsvpTally(await listParticipants(db, moved)).yes).toBe(0);
		expect((await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_meeting_rescheduled'), eq(notifications.link, `/meetings/${m.id}`)))).length).toBe(2);
		// No change, no new sequence.
		const same = await updateMeeting(db, w.coord, m.id, parse(meetingInput, { title: 'Convocazione', start: '2026-12-04T15:00', end: '2026-12-04T17:00', onlineUrl: 'https://meet.example.org/abc' }));
		expect(same.sequence).toBe(2);

		const cancelled = await cancelMeeting(db, w.coord, m.id, 'Sovrapposizione con il consiglio comunale');
		expect(cancelled.status).toBe('annullata');
		expect(cancelled.sequence).toBe(3);
		const cancelMails = (await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'meeting.cancelled'))).filter((x) => x.text.includes(m.id));
		expect(cancelMails).toHaveLength(2);
		const cics = Buffer.from(cancelMails[0]!.attachments[0]!.content, 'base64').toString('utf8');
		expect(cics).toContain('METHOD:CANCEL');
		expect(cics).toContain('STATUS:CANCELLED');
		await expect(updateMeeting(db, w.coord, m.id, parse(meetingInput, { title: 'Y' }))).rejects.toMatchObject({ code: 'error_meeting_closed' });
		await expect(conveneMeeting(db, w.coord, m.id)).rejects.toMatchObject({ code: 'error_meeting_not_draft' });
	});

	it('refuses to convene without a time, and to mark held before the start', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Senza data' }));
		await expect(conveneMeeting(db, w.coord, m.id)).rejects.toMatchObject({ code: 'error_meeting_needs_time' });
		await updateMeeting(db, w.coord, m.id, parse(meetingInput, { title: 'Senza data', start: '2026-12-01T09:00', end: '2026-12-01T10:00' }));
		await conveneMeeting(db, w.coord, m.id);
		await expect(markHeld(db, w.coord, m.id, new Date('2026-11-30T10:00:00Z'))).rejects.toMatchObject({ code: 'error_meeting_not_started' });
		const held = await markHeld(db, w.coord, m.id, new Date('2026-12-01T09:30:00Z'));
		expect(held.status).toBe('svolta');
	});

	it('collects RSVPs and the attendance register with delegations', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'RSVP', start: '2026-01-10T09:00', end: '2026-01-10T11:00' }));
		await conveneMeeting(db, w.coord, m.id);
		await respond(db, w.m1, m.id, 'yes');
		await respond(db, w.m2, m.id, 'maybe');
		await expect(respond(db, w.outsider, m.id, 'yes')).rejects.toMatchObject({ status: 403 });
		const tally = rsvpTally(await listParticipants(db, m));
		expect(tally).toEqual({ pending: 1, yes: 1, no: 0, maybe: 1 });
		await expect(setAttendance(db, w.coord, m.id, [{ userId: w.m1.id, attendance: 'present' }], new Date('2026-01-09T09:00:00Z'))).rejects.toMatchObject({ code: 'error_meeting_not_started' });
		const now = new Date('2026-01-10T09:10:00Z');
		await setAttendance(
			db,
			w.coord,
			m.id,
			[
				{ userId: w.m1.id, attendance: 'present' },
				{ userId: w.m2.id, attendance: 'delegated', delegateName: 'Anna Rossi (Comune)' },
				{ userId: w.coord.id, attendance: 'present' }
			],
			now
		);
		await expect(setAttendance(db, w.coord, m.id, [{ userId: w.outsider.id, attendance: 'present' }], now)).rejects.toMatchObject({ code: 'error_not_participant' });
		await expect(setAttendance(db, w.coord, m.id, [{ userId: w.m2.id, attendance: 'delegated' }], now)).rejects.toMatchObject({ code: 'error_delegate_required' });
		const parts = await listParticipants(db, m);
		const p2 = parts.find((p) => p.userId === w.m2.id)!;
		expect(p2).toMatchObject({ attendance: 'delegated', delegateName: 'Anna Rossi (Comune)' });
		expect(parts.find((p) => p.userId === w.m1.id)!.organizationName).toBe(w.org.name);
		await expect(setAttendance(db, w.m1, m.id, [{ userId: w.m1.id, attendance: 'present' }], now)).rejects.toMatchObject({ status: 403 });
	});

	it('invites people of other organisations, and uninvites them with a CANCEL', async () => {
		const { db } = get();
		const w = await world(db, 'members');
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Ospiti', start: '2026-12-15T10:00', end: '2026-12-15T11:00' }));
		expect(can(w.outsider, 'meeting.view', (await meetingContext(db, w.outsider, m.id))!.ref)).toBe(false);
		await conveneMeeting(db, w.coord, m.id);
		expect(await addParticipants(db, w.coord, m.id, [w.outsider.id])).toBe(1);
		expect(await addParticipants(db, w.coord, m.id, [w.outsider.id])).toBe(0);
		// An invited outsider sees this meeting (not the table's other meetings).
		expect(can(w.outsider, 'meeting.view', (await meetingContext(db, w.outsider, m.id))!.ref)).toBe(true);
		const invite = (await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'meeting.convened'))).filter((x) => x.text.includes(m.id));
		expect(invite.map((x) => x.toAddress)).toHaveLength(3);
		await removeParticipant(db, w.coord, m.id, w.outsider.id);
		expect(can(w.outsider, 'meeting.view', (await meetingContext(db, w.outsider, m.id))!.ref)).toBe(false);
		const bye = (await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'meeting.uninvited'))).filter((x) => x.text.includes(m.id));
		expect(bye).toHaveLength(1);
		expect(Buffer.from(bye[0]!.attachments[0]!.content, 'base64').toString()).toContain('METHOD:CANCEL');
	});

	it('keeps members-only tables private in lists and overlap warnings', async () => {
		const { db } = get();
		const w = await world(db, 'members');
		const open = await world(db, 'network');
		const secret = await createMeeting(db, w.coord, w.table.id, input({ title: 'Riservata', start: '2026-12-20T10:00', end: '2026-12-20T12:00', participantIds: [open.coord.id] }));
		expect((await listMyMeetings(db, w.outsider)).some((x) => x.id === secret.id)).toBe(false);
		expect((await listMyMeetings(db, w.m1)).some((x) => x.id === secret.id)).toBe(true);
		// open.coord is invited to the secret meeting; open's member m1 is not and cannot see it.
		const start = new Date('2026-12-20T10:30:00Z');
		const end = new Date('2026-12-20T11:30:00Z');
		const seenByInvited = await findOverlaps(db, open.coord, [open.coord.id], start, end);
		expect(seenByInvited).toEqual([expect.objectContaining({ userId: open.coord.id, title: 'Riservata' })]);
		const other = await makePerson(db, { role: 'coordinator' });
		const seenByOther = await findOverlaps(db, await actorFor(db, other), [open.coord.id], start, end);
		expect(seenByOther).toEqual([{ userId: open.coord.id, name: expect.any(String), meetingId: null, title: null, startsAt: null, endsAt: null }]);
		// Not overlapping: back to back.
		expect(await findOverlaps(db, open.coord, [open.coord.id], new Date('2026-12-20T11:00:00Z'), new Date('2026-12-20T12:00:00Z'))).toHaveLength(0);
		// Cancelled meetings do not count.
		await cancelMeeting(db, w.coord, secret.id, undefined);
		expect(await findOverlaps(db, open.coord, [open.coord.id], start, end)).toHaveLength(0);
	});
});

describeEachDb('meetings: date poll', (get) => {
	it('collects answers per slot and schedules from the chosen one', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Quando?' }));
		const s1 = await addSlot(db, w.coord, m.id, parse(slotInput, { start: '2026-12-01T10:00', end: '2026-12-01T12:00' }));
		const s2 = await addSlot(db, w.coord, m.id, parse(slotInput, { start: '2026-12-02T15:00', end: '2026-12-02T17:00' }));
		await expect(addSlot(db, w.coord, m.id, parse(slotInput, { start: '2026-12-02T15:00', end: '2026-12-02T17:00' }))).rejects.toMatchObject({ code: 'error_slot_exists' });
		await expect(addSlot(db, w.m1, m.id, parse(slotInput, { start: '2026-12-03T15:00', end: '2026-12-03T17:00' }))).rejects.toMatchObject({ status: 403 });
		// Participants were asked once, when the poll opened.
		expect((await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_poll_opened'), eq(notifications.link, `/meetings/${m.id}#trova-data`)))).length).toBe(2);
		await answerSlots(db, w.m1, m.id, { [s1.id]: 'yes', [s2.id]: 'no' });
		await answerSlots(db, w.m2, m.id, { [s1.id]: 'ifneeded', [s2.id]: 'yes' });
		await answerSlots(db, w.m1, m.id, { [s2.id]: 'yes' });
		await expect(answerSlots(db, w.outsider, m.id, { [s1.id]: 'yes' })).rejects.toMatchObject({ status: 403 });
		await expect(answerSlots(db, w.m1, m.id, { [crypto.randomUUID()]: 'yes' })).rejects.toMatchObject({ code: 'error_invalid' });
		const grid = await pollGrid(db, m.id);
		expect(grid.slots.map((s) => [s.yes, s.ifneeded, s.no])).toEqual([
			[1, 1, 0],
			[2, 0, 0]
		]);
		expect(grid.bestSlotId).toBe(s2.id);
		expect(grid.answers[w.m1.id]).toEqual({ [s1.id]: 'yes', [s2.id]: 'yes' });
		// Two coordinators pick at once: one schedules, the other is told the poll is closed.
		const other = await actorFor(db, await makePerson(db, { role: 'admin' }));
		const picks = await Promise.allSettled([pickSlot(db, w.coord, m.id, s2.id, { convene: true }), pickSlot(db, other, m.id, s1.id, { convene: true })]);
		expect(picks.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
		expect(picks.find((p) => p.status === 'rejected')).toMatchObject({ reason: { code: expect.stringMatching(/error_poll_closed|error_meeting_not_draft/) } });
		const winner = picks.findIndex((p) => p.status === 'fulfilled');
		const convened = (picks[winner] as PromiseFulfilledResult<Awaited<ReturnType<typeof pickSlot>>>).value;
		const expectedStart = winner === 0 ? '2026-12-02T14:00:00.000Z' : '2026-12-01T09:00:00.000Z';
		expect(convened!.status).toBe('convocata');
		expect(convened!.startsAt!.toISOString()).toBe(expectedStart);
		expect(convened!.sequence).toBe(1);
		await expect(answerSlots(db, w.m1, m.id, { [s1.id]: 'no' })).rejects.toMatchObject({ code: 'error_poll_closed' });
	});
});

describeEachDb('meetings: agenda', (get) => {
	it('lets members propose and coordinators accept (into the document) or decline', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Con proposte', start: '2026-12-09T10:00', end: '2026-12-09T12:00' }));
		const p1 = await proposeItem(db, w.m1, m.id, { title: 'Sportello di Rimini: aggiornamento', kind: 'informativa', durationMinutes: 15 });
		const p2 = await proposeItem(db, w.m2, m.id, { title: 'Argomento fuori tema', kind: 'discussione', durationMinutes: 30 });
		await expect(proposeItem(db, w.outsider, m.id, { title: 'X', kind: 'discussione', durationMinutes: 5 })).rejects.toMatchObject({ status: 403 });
		expect((await db.select().from(notifications).where(eq(notifications.kind, 'notif_proposal_new'))).filter((n) => n.userId === w.coord.id)).toHaveLength(2);
		await expect(acceptProposal(db, w.m1, m.id, p1.id)).rejects.toMatchObject({ status: 403 });
		const itemId = await acceptProposal(db, w.coord, m.id, p1.id);
		await expect(acceptProposal(db, w.coord, m.id, p1.id)).rejects.toMatchObject({ code: 'error_proposal_decided' });
		await declineProposal(db, w.coord, m.id, p2.id, 'Da trattare al tavolo regionale');
		const doc = await readDocument(() => db, agendaDoc(m.id));
		const items = readItems(doc);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ id: itemId, title: 'Sportello di Rimini: aggiornamento', kind: 'informativa', durationMinutes: 15, presenterUserId: w.m1.id, proposalId: p1.id });
		const list = await listProposals(db, m.id);
		expect(list.find((p) => p.id === p2.id)).toMatchObject({ status: 'declined', declineReason: 'Da trattare al tavolo regionale' });
		const [declinedNote] = await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_proposal_declined'), eq(notifications.userId, w.m2.id)));
		expect(declinedNote!.params.reason).toBe('Da trattare al tavolo regionale');
		// The projection follows the document.
		const projected = await db.select().from(agendaItems).where(eq(agendaItems.meetingId, m.id));
		expect(projected.map((r) => r.title)).toEqual(['Sportello di Rimini: aggiornamento']);
		// Withdrawing is the proposer's, and only while pending.
		const p3 = await proposeItem(db, w.m2, m.id, { title: 'Ritiro', kind: 'discussione', durationMinutes: 5 });
		await expect(withdrawProposal(db, w.m1, m.id, p3.id)).rejects.toMatchObject({ code: 'error_proposal_decided' });
		await withdrawProposal(db, w.m2, m.id, p3.id);
		const [row] = await db.select().from(agendaProposals).where(eq(agendaProposals.id, p3.id));
		expect(row!.status).toBe('withdrawn');
	});

	it('locks the agenda for everyone but coordinators', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Blocco', start: '2026-12-09T10:00', end: '2026-12-09T12:00' }));
		const ref = async (a: typeof w.m1) => (await meetingContext(db, a, m.id))!.ref;
		expect(can(w.m1, 'agenda.edit', await ref(w.m1))).toBe(true);
		expect(can(w.outsider, 'agenda.edit', await ref(w.outsider))).toBe(false);
		expect(can(w.outsider, 'document.read', { kind: 'agenda', meeting: await ref(w.outsider) })).toBe(true);
		await expect(setAgendaLock(db, w.m1, m.id, true)).rejects.toMatchObject({ status: 403 });
		await setAgendaLock(db, w.coord, m.id, true);
		expect(can(w.m1, 'agenda.edit', await ref(w.m1))).toBe(false);
		expect(can(w.m1, 'agenda.propose', await ref(w.m1))).toBe(true);
		expect(can(w.coord, 'agenda.edit', await ref(w.coord))).toBe(true);
		expect(can(w.coord, 'document.write', { kind: 'agenda', meeting: await ref(w.coord) })).toBe(true);
		expect(can(w.m1, 'document.write', { kind: 'agenda', meeting: await ref(w.m1) })).toBe(false);
	});

	it('starts a new agenda from a template and from the previous meeting', async () => {
		const { db } = get();
		const w = await world(db);
		const tplIn = parse(templateInput, {
			name: 'Ordinaria',
			items: JSON.stringify([
				{ title: 'Approvazione del verbale precedente', kind: 'decisione', durationMinutes: 10 },
				{ title: 'Verifica delle azioni', kind: 'discussione', durationMinutes: 20 }
			])
		}) as import('zod').output<typeof templateInput>;
		await expect(createTemplate(db, w.m1, w.table.id, tplIn)).rejects.toMatchObject({ status: 403 });
		const tpl = await createTemplate(db, w.coord, w.table.id, tplIn);
		const first = await createMeeting(db, w.coord, w.table.id, input({ title: 'Prima', start: '2026-11-05T10:00', end: '2026-11-05T12:00' }));
		expect(await startAgenda(db, w.coord, first.id, { templateId: tpl.id })).toBe(2);
		await editDocument(
			() => db,
			agendaDoc(first.id),
			(doc) => {
				appendItems(doc, [{ title: 'Housing first: stato dei progetti', kind: 'informativa', durationMinutes: 25, notes: 'solo per questa riunione' }]);
			}
		);
		const firstItems = readItems(await readDocument(() => db, agendaDoc(first.id)));
		expect(firstItems.map((i) => i.title)).toEqual(['Approvazione del verbale precedente', 'Verifica delle azioni', 'Housing first: stato dei progetti']);
		// Only a convened (or held) meeting counts as "the previous one".
		const draftSecond = await createMeeting(db, w.coord, w.table.id, input({ title: 'Bozza', start: '2026-12-01T10:00', end: '2026-12-01T12:00' }));
		expect(await startAgenda(db, w.coord, draftSecond.id, { copyPrevious: true })).toBe(0);
		await conveneMeeting(db, w.coord, first.id);
		const second = await createMeeting(db, w.coord, w.table.id, input({ title: 'Seconda', start: '2026-12-05T10:00', end: '2026-12-05T12:00' }));
		expect(await startAgenda(db, w.coord, second.id, { copyPrevious: true })).toBe(3);
		const secondItems = readItems(await readDocument(() => db, agendaDoc(second.id)));
		expect(secondItems.map((i) => [i.title, i.kind, i.durationMinutes, i.notes])).toEqual([
			['Approvazione del verbale precedente', 'decisione', 10, ''],
			['Verifica delle azioni', 'discussione', 20, ''],
			['Housing first: stato dei progetti', 'informativa', 25, '']
		]);
		// Another table's template is refused.
		const other = await world(db);
		await expect(startAgenda(db, other.coord, (await createMeeting(db, other.coord, other.table.id, input({ title: 'Altro' }))).id, { templateId: tpl.id })).rejects.toMatchObject({ code: 'error_invalid' });
		// Running times in the projection, from the meeting start.
		const rows = await db.select().from(agendaItems).where(eq(agendaItems.meetingId, second.id)).orderBy(agendaItems.position);
		expect(rows.map((r) => r.startOffsetMinutes)).toEqual([0, 10, 30]);
	});

	it('projects only real changes and tells participants of changes to a locked agenda, at most every 30 minutes', async () => {
		const { db } = get();
		const w = await world(db);
		const m = await createMeeting(db, w.coord, w.table.id, input({ title: 'Notifiche odg', start: '2026-12-11T10:00', end: '2026-12-11T12:00' }));
		await conveneMeeting(db, w.coord, m.id, { lockAgenda: true });
		const doc = new Y.Doc();
		const [id] = appendItems(doc, [{ title: 'Punto 1', durationMinutes: 30 }]);
		const t0 = new Date();
		expect(await projectAgenda(db, m.id, doc, t0)).toBe(true);
		expect(await projectAgenda(db, m.id, doc, t0)).toBe(false);
		itemText(doc, id!, 'title')!.insert(7, ' bis');
		expect(await projectAgenda(db, m.id, doc, new Date(t0.getTime() + 60_000))).toBe(true);
		const told = await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_agenda_changed'), eq(notifications.link, `/meetings/${m.id}`)));
		expect(told.map((n) => n.userId).sort()).toEqual([w.coord.id, w.m1.id, w.m2.id].sort());
		const [mrow] = await db.select().from(meetings).where(eq(meetings.id, m.id));
		expect(mrow!.agendaChangedAt).not.toBeNull();
		// "Changed since I last looked" for participants (never looked: not flagged, notifications tell).
		expect((await listMyMeetings(db, w.m1)).find((x) => x.id === m.id)!.agendaChanged).toBe(false);
		await db.update(meetingParticipants).set({ agendaSeenAt: new Date(t0.getTime() - 3600_000) }).where(eq(meetingParticipants.userId, w.m1.id));
		const mine = await listMyMeetings(db, w.m1);
		expect(mine.find((x) => x.id === m.id)!.agendaChanged).toBe(true);
		await db.update(meetingParticipants).set({ agendaSeenAt: new Date(Date.now() + 3600_000) }).where(eq(meetingParticipants.userId, w.m1.id));
		expect((await listMyMeetings(db, w.m1)).find((x) => x.id === m.id)!.agendaChanged).toBe(false);
	});
});

it('parses a meeting form', () => {
	const r = createMeetingInput.safeParse(
		Object.fromEntries(form({ title: ' Tavolo ', start: '2026-12-01T10:00', end: '2026-12-01T11:00', participantIds: ['', '5b8f0c1e-6a2b-4d7e-9c1a-2f3e4d5c6b7a'] }).entries())
	);
	expect(r.success).toBe(true);
});
