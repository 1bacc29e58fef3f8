import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { actionItems, auditLog, meetings, notifications } from '../../src/lib/server/db/schema';
import type { ActionStatus } from '../../src/lib/server/db/schema';
import type { Actor } from '../../src/lib/server/authz';
import { can } from '../../src/lib/server/authz';
import { createMeeting, createMeetingInput, meetingContext } from '../../src/lib/server/meetings/meetings';
import { agendaDoc } from '../../src/lib/server/meetings/agenda';
import { editDocument, readDocument } from '../../src/lib/server/realtime/collab/edit';
import { appendItems, MAX_ITEMS, readItems } from '../../src/lib/agenda/model';
import {
	actionsReviewItem,
	addActionsReviewItem,
	countActionsByScope,
	listActions,
	openActionsOfTable,
	updateActionStatus,
	type ActionFilters
} from '../../src/lib/server/minutes/actions';
import type { Db } from '../../src/lib/server/db/client';

const TODAY = '2026-11-26';

const input = (o: Record<string, unknown>) => {
	const r = createMeetingInput.safeParse({ participantIds: [], includeMembers: 'on', copyPrevious: '', ...o });
	if (!r.success) throw new Error(JSON.stringify(r.error));
	return r.data;
};

async function addAction(
	db: Db,
	meetingId: string,
	o: { description?: string; ownerUserId?: string | null; ownerOrganizationId?: string | null; dueDate?: string | null; status?: ActionStatus; removed?: boolean } = {}
) {
	const id = randomUUID();
	await db.insert(actionItems).values({
		id,
		meetingId,
		description: o.description ?? `Azione ${id.slice(0, 6)}`,
		ownerUserId: o.ownerUserId ?? null,
		ownerOrganizationId: o.ownerOrganizationId ?? null,
		dueDate: o.dueDate ?? null,
		status: o.status ?? 'aperta',
		removedAt: o.removed ? new Date() : null
	});
	return id;
}

/**
 * Two tables: a network one (T1, coordinated by c1, alice a member) and a members-only one (T2,
 * coordinated by c2, carol a member). alice and bob work for orgA; bob sits at no table; dave is a
 * member of T1 from another organisation.
 */
async function world(db: Db) {
	const orgA = await makeOrganization(db);
	const orgB = await makeOrganization(db);
	const aliceP = await makePerson(db, { organizationId: orgA.id });
	const bobP = await makePerson(db, { organizationId: orgA.id });
	const carolP = await makePerson(db, { organizationId: orgB.id });
	const daveP = await makePerson(db, { organizationId: orgB.id });
	const c1P = await makePerson(db, { role: 'coordinator' });
	const c2P = await makePerson(db, { role: 'coordinator', organizationId: orgB.id });
	const { table: t1, admin: adminP } = await makeTable(db, { coordinatorId: c1P.id, members: [{ id: aliceP.id }, { id: daveP.id }] });
	const { table: t2 } = await makeTable(db, { visibility: 'members', coordinatorId: c2P.id, members: [{ id: carolP.id }] });
	const [alice, bob, carol, dave, c1, c2, admin] = await Promise.all([aliceP, bobP, carolP, daveP, c1P, c2P, adminP].map((p) => actorFor(db, p)));
	const m1 = await createMeeting(db, c1!, t1.id, input({ title: 'Tavolo pubblico di ottobre', start: '2026-10-20T10:00', end: '2026-10-20T12:00' }));
	const m2 = await createMeeting(db, c2!, t2.id, input({ title: 'Tavolo riservato di ottobre', start: '2026-10-21T10:00', end: '2026-10-21T12:00' }));
	const gone = await createMeeting(db, c1!, t1.id, input({ title: 'Riunione cancellata dal sistema' }));
	const a = {
		a1: await addAction(db, m1.id, { description: 'Inviare il calendario degli sportelli', ownerUserId: alice!.id, dueDate: '2026-11-01' }),
		a2: await addAction(db, m1.id, { description: 'Preparare la relazione sull’attività del Comune', ownerOrganizationId: orgA.id, dueDate: '2026-12-15', status: 'in_corso' }),
		a3: await addAction(db, m1.id, { description: 'Contattare la cooperativa', ownerUserId: dave!.id }),
		a4: await addAction(db, m2.id, { description: 'Portare i dati riservati', ownerUserId: alice!.id, dueDate: '2026-11-20' }),
		a5: await addAction(db, m2.id, { description: 'Verifica interna dell’ente', ownerOrganizationId: orgA.id, dueDate: '2026-11-02' }),
		a6: await addAction(db, m1.id, { description: 'Già fatta', ownerUserId: alice!.id, dueDate: '2026-10-01', status: 'fatta' }),
		a7: await addAction(db, m1.id, { description: 'Tolta dal verbale', ownerUserId: alice!.id, dueDate: '2026-10-01', removed: true }),
		a8: await addAction(db, gone.id, { description: 'Di una riunione eliminata', ownerUserId: alice!.id, dueDate: '2026-10-01' }),
		a9: await addAction(db, m1.id, { description: 'Scade oggi', ownerUserId: alice!.id, dueDate: TODAY })
	};
	await db.update(meetings).set({ deletedAt: new Date() }).where(eq(meetings.id, gone.id));
	return { orgA, orgB, t1, t2, m1, m2, alice: alice!, bob: bob!, carol: carol!, dave: dave!, c1: c1!, c2: c2!, admin: admin!, a, ids: new Set<string>(Object.values(a)) };
}

type W = Awaited<ReturnType<typeof world>>;
/** Ids listed for this actor, limited to this test's world (other tests share the database). */
async function listed(db: Db, w: W, actor: Actor, filters: ActionFilters) {
	const { rows } = await listActions(db, actor, filters, TODAY);
	return rows.filter((r) => w.ids.has(r.id)).map((r) => r.id);
}

describeEachDb('actions: the list', (get) => {
	it('lists by scope, open ones by default, overdue first, never removed ones or deleted meetings', async () => {
		const { db } = get();
		const w = await world(db);
		const { a } = w;
		// Mine: my person's and my organisation's; overdue first (by due date), then the rest by due date.
		const mine = await listActions(db, w.alice, { scope: 'mine' }, TODAY);
		expect(mine.rows.map((r) => r.id)).toEqual([a.a1, a.a4, a.a9, a.a2]);
		expect(mine.total).toBe(4);
		expect(mine.rows.map((r) => r.overdue)).toEqual([true, true, false, false]);
		const first = mine.rows[0]!;
		expect(first).toMatchObject({
			description: 'Inviare il calendario degli sportelli',
			dueDate: '2026-11-01',
			status: 'aperta',
			meeting: { id: w.m1.id, title: 'Tavolo pubblico di ottobre', visible: true },
			table: { id: w.t1.id, name: w.t1.name },
			owner: { userId: w.alice.id, organizationId: null, organizationName: null },
			canUpdate: true
		});
		expect(first.meeting.startsAt!.toISOString()).toBe('2026-10-20T08:00:00.000Z');
		expect(first.owner.name).toMatch(/^Persona /);
		expect(mine.rows.find((r) => r.id === a.a2)!.owner).toMatchObject({ userId: null, organizationId: w.orgA.id, organizationName: w.orgA.name });

		expect(await listed(db, w, w.alice, { scope: 'my-organization' })).toEqual([a.a2]);
		expect(await listed(db, w, w.alice, { scope: 'my-tables' })).toEqual([a.a1, a.a9, a.a2, a.a3]);
		expect(await listed(db, w, w.alice, { scope: 'all-visible' })).toEqual([a.a1, a.a4, a.a9, a.a2, a.a3]);
		// Status, table, overdue and text filters.
		expect(await listed(db, w, w.alice, { scope: 'all-visible', status: ['fatta'] })).toEqual([a.a6]);
		expect(await listed(db, w, w.alice, { scope: 'all-visible', status: ['aperta', 'in_corso', 'fatta', 'annullata'] })).toEqual([a.a1, a.a4, a.a6, a.a9, a.a2, a.a3]);
		expect(await listed(db, w, w.alice, { scope: 'mine', overdue: true })).toEqual([a.a1, a.a4]);
		expect(await listed(db, w, w.alice, { scope: 'all-visible', tableId: w.t2.id })).toEqual([a.a4]);
		expect(await listed(db, w, w.alice, { scope: 'all-visible', tableId: 'not-a-uuid' })).toEqual([]);
		// Accents and case do not matter; % is a character, not a wildcard.
		expect(await listed(db, w, w.alice, { scope: 'mine', q: 'ATTIVITA' })).toEqual([a.a2]);
		expect(await listed(db, w, w.alice, { scope: 'mine', q: w.orgA.name })).toEqual([a.a2]);
		expect(await listed(db, w, w.alice, { scope: 'mine', q: '100%' })).toEqual([]);
		// The scope counts follow the other filters.
		expect(await countActionsByScope(db, w.alice, {}, TODAY)).toMatchObject({ mine: 4, 'my-organization': 1, 'my-tables': 4 });
		expect(await countActionsByScope(db, w.alice, { overdue: true }, TODAY)).toMatchObject({ mine: 2, 'my-organization': 0, 'my-tables': 1 });
		await expect(listActions(db, w.alice, { scope: 'mine' }, '26/11/2026')).rejects.toThrow();
	});

	it('keeps members-only tables private, except an action owned by the person', async () => {
		const { db } = get();
		const w = await world(db);
		const { a } = w;
		// alice may not see the private meeting, but a4 is hers: she sees it, with the meeting's
		// title and no link, and may update it. a5 (her organisation's) stays hidden.
		const mine = await listActions(db, w.alice, { scope: 'mine' }, TODAY);
		const private4 = mine.rows.find((r) => r.id === a.a4)!;
		expect(private4.meeting).toMatchObject({ id: w.m2.id, title: 'Tavolo riservato di ottobre', visible: false });
		expect(private4.canUpdate).toBe(true);
		expect(mine.rows.some((r) => r.id === a.a5)).toBe(false);
		// bob (same organisation, no tables) sees the organisation's action of the public meeting only.
		expect(await listed(db, w, w.bob, { scope: 'mine' })).toEqual([a.a2]);
		expect(await listed(db, w, w.bob, { scope: 'my-organization' })).toEqual([a.a2]);
		expect(await listed(db, w, w.bob, { scope: 'my-tables' })).toEqual([]);
		expect(await listed(db, w, w.bob, { scope: 'all-visible' })).toEqual([a.a1, a.a9, a.a2, a.a3]);
		expect(await listed(db, w, w.bob, { scope: 'all-visible', status: ['aperta', 'in_corso', 'fatta', 'annullata'], tableId: w.t2.id })).toEqual([]);
		// The private table's members, its coordinator and admins see both.
		expect(await listed(db, w, w.carol, { scope: 'all-visible', tableId: w.t2.id })).toEqual([a.a5, a.a4]);
		const c2 = await listActions(db, w.c2, { scope: 'my-tables' }, TODAY);
		expect(c2.rows.map((r) => r.id)).toEqual([a.a5, a.a4]);
		expect(c2.rows.every((r) => r.canUpdate && r.meeting.visible)).toBe(true);
		expect(await listed(db, w, w.admin, { scope: 'all-visible', tableId: w.t2.id })).toEqual([a.a5, a.a4]);
		// A member of the private table sees its actions but updates only its own (and its organisation's).
		const carol = await listActions(db, w.carol, { scope: 'all-visible', tableId: w.t2.id }, TODAY);
		expect(carol.rows.map((r) => r.canUpdate)).toEqual([false, false]);
		// The count follows what may be seen.
		expect((await countActionsByScope(db, w.bob, {}, TODAY))['my-organization']).toBe(1);
		// authz agrees with the list.
		const ctx = (await meetingContext(db, w.bob, w.m2.id))!;
		expect(can(w.bob, 'action.view', { ownerUserId: null, ownerOrganizationId: w.orgA.id, meeting: ctx.ref })).toBe(false);
		expect(can(w.bob, 'action.update', { ownerUserId: null, ownerOrganizationId: w.orgA.id, meeting: ctx.ref })).toBe(false);
		const ctxAlice = (await meetingContext(db, w.alice, w.m2.id))!;
		expect(can(w.alice, 'meeting.view', ctxAlice.ref)).toBe(false);
		expect(can(w.alice, 'action.view', { ownerUserId: w.alice.id, ownerOrganizationId: null, meeting: ctxAlice.ref })).toBe(true);
	});
});

describeEachDb('actions: status updates', (get) => {
	it('lets the owner person, the organisation and the coordinators update, nobody else', async () => {
		const { db } = get();
		const w = await world(db);
		const { a } = w;
		const row = await updateActionStatus(db, w.alice, a.a1, 'in_corso');
		expect(row).toMatchObject({ id: a.a1, status: 'in_corso', statusUpdatedBy: w.alice.id });
		expect(row.statusUpdatedAt).toBeInstanceOf(Date);
		const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.entityId, a.a1), eq(auditLog.action, 'action.status_changed')));
		expect(audit).toMatchObject({ actorId: w.alice.id, entityType: 'action_item', data: { meetingId: w.m1.id, from: 'aperta', to: 'in_corso' } });
		// A colleague of the owning organisation.
		expect((await updateActionStatus(db, w.bob, a.a2, 'fatta')).statusUpdatedBy).toBe(w.bob.id);
		// The table's coordinator, on anyone's action.
		expect((await updateActionStatus(db, w.c1, a.a3, 'annullata')).status).toBe('annullata');
		// Colleague of nobody here, unrelated member, a colleague on a person's action: 403.
		await expect(updateActionStatus(db, w.dave, a.a1, 'fatta')).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		await expect(updateActionStatus(db, w.bob, a.a1, 'fatta')).rejects.toMatchObject({ status: 403 });
		await expect(updateActionStatus(db, w.carol, a.a4, 'fatta')).rejects.toMatchObject({ status: 403 });
		// The coordinator of another table sees the public meeting but does not manage it.
		await expect(updateActionStatus(db, w.c2, a.a1, 'fatta')).rejects.toMatchObject({ status: 403 });
		// Private meeting: the owner person may, the organisation's colleague does not even see it.
		expect((await updateActionStatus(db, w.alice, a.a4, 'fatta')).status).toBe('fatta');
		await expect(updateActionStatus(db, w.bob, a.a5, 'fatta')).rejects.toMatchObject({ code: 'error_not_found', status: 404 });
		await expect(updateActionStatus(db, w.alice, a.a5, 'fatta')).rejects.toMatchObject({ status: 404 });
		expect((await updateActionStatus(db, w.c2, a.a5, 'in_corso')).status).toBe('in_corso');
		// Removed actions, actions of deleted meetings, unknown ids.
		await expect(updateActionStatus(db, w.alice, a.a7, 'fatta')).rejects.toMatchObject({ status: 404 });
		await expect(updateActionStatus(db, w.alice, a.a8, 'fatta')).rejects.toMatchObject({ status: 404 });
		await expect(updateActionStatus(db, w.admin, randomUUID(), 'fatta')).rejects.toMatchObject({ status: 404 });
		await expect(updateActionStatus(db, w.admin, 'nope', 'fatta')).rejects.toMatchObject({ status: 404 });
		await expect(updateActionStatus(db, w.alice, a.a1, 'chiusa' as ActionStatus)).rejects.toMatchObject({ code: 'error_invalid' });
		// The admin may.
		expect((await updateActionStatus(db, w.admin, a.a9, 'in_corso')).status).toBe('in_corso');
		const statuses = await db.select({ id: actionItems.id, status: actionItems.status }).from(actionItems).where(eq(actionItems.meetingId, w.m1.id));
		expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toMatchObject({ [a.a1]: 'in_corso', [a.a2]: 'fatta', [a.a3]: 'annullata', [a.a9]: 'in_corso' });
	});

	it('tells the coordinators when someone else marks an action done, and changes nothing when the status is the same', async () => {
		const { db } = get();
		const w = await world(db);
		await updateActionStatus(db, w.alice, w.a.a1, 'fatta');
		const told = await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_action_done'), eq(notifications.userId, w.c1.id)));
		expect(told).toHaveLength(1);
		expect(told[0]).toMatchObject({ actorId: w.alice.id, params: { title: 'Tavolo pubblico di ottobre', action: 'Inviare il calendario degli sportelli' } });
		expect(told[0]!.link).toContain(`table=${w.t1.id}`);
		// The coordinator marking it themself is not told; the same status again is a no-op.
		await updateActionStatus(db, w.c1, w.a.a3, 'fatta');
		expect(await db.select().from(notifications).where(and(eq(notifications.kind, 'notif_action_done'), eq(notifications.userId, w.c1.id)))).toHaveLength(1);
		const before = await db.select().from(auditLog).where(eq(auditLog.entityId, w.a.a1));
		await updateActionStatus(db, w.alice, w.a.a1, 'fatta');
		expect(await db.select().from(auditLog).where(eq(auditLog.entityId, w.a.a1))).toHaveLength(before.length);
		// Done ones leave the default (open) list.
		expect(await listed(db, w, w.alice, { scope: 'mine' })).toEqual([w.a.a4, w.a.a9, w.a.a2]);
	});
});

describeEachDb('actions: the next agenda', (get) => {
	it('lists a table’s open actions by due date', async () => {
		const { db } = get();
		const w = await world(db);
		const open = await openActionsOfTable(db, w.t1.id);
		expect(open.map((x) => x.id)).toEqual([w.a.a1, w.a.a9, w.a.a2, w.a.a3]);
		expect(open[2]).toMatchObject({ meetingId: w.m1.id, meetingTitle: 'Tavolo pubblico di ottobre', ownerOrganizationName: w.orgA.name, ownerName: null, dueDate: '2026-12-15', status: 'in_corso' });
		expect((await openActionsOfTable(db, w.t2.id)).map((x) => x.id)).toEqual([w.a.a5, w.a.a4]);
		expect(await openActionsOfTable(db, randomUUID())).toEqual([]);
	});

	it('builds the review item: one line per action, 5 + 3 minutes each within 10–60', () => {
		const act = (o: Partial<Parameters<typeof actionsReviewItem>[0][number]> = {}) => ({
			description: 'Inviare i dati',
			ownerName: 'Maria Rossi',
			ownerOrganizationName: 'Comune di Cesena',
			dueDate: '2027-01-31',
			status: 'aperta' as ActionStatus,
			...o
		});
		const item = actionsReviewItem([act(), act({ description: 'Riga\nsu due', ownerName: null, dueDate: null, status: 'in_corso' }), act({ ownerName: null, ownerOrganizationName: null })], 'it');
		expect(item).toMatchObject({ title: 'Verifica azioni', kind: 'discussione', durationMinutes: 14 });
		expect(item.notes!.split('\n')).toEqual([
			'– Inviare i dati (Maria Rossi / Comune di Cesena, entro 31/01/2027, aperta)',
			'– Riga su due (Comune di Cesena, in corso)',
			'– Inviare i dati (responsabile da definire, entro 31/01/2027, aperta)'
		]);
		expect(actionsReviewItem([act()], 'it').durationMinutes).toBe(10);
		expect(actionsReviewItem(Array.from({ length: 30 }, () => act()), 'it').durationMinutes).toBe(60);
		const en = actionsReviewItem([act()], 'en');
		expect(en.title).toBe('Action review');
		expect(en.notes).toBe('– Inviare i dati (Maria Rossi / Comune di Cesena, by 31/01/2027, open)');
	});

	it('appends exactly one "Verifica azioni" item for coordinators', async () => {
		const { db } = get();
		const w = await world(db);
		const next = await createMeeting(db, w.c1, w.t1.id, input({ title: 'Tavolo di dicembre', start: '2026-12-10T10:00', end: '2026-12-10T12:00' }));
		await editDocument(
			() => db,
			agendaDoc(next.id),
			(doc) => void appendItems(doc, [{ title: 'Apertura', kind: 'informativa', durationMinutes: 5 }])
		);
		await expect(addActionsReviewItem(db, w.alice, next.id)).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		await expect(addActionsReviewItem(db, w.c2, next.id)).rejects.toMatchObject({ status: 403 });
		const { itemId, actions } = await addActionsReviewItem(db, w.c1, next.id);
		expect(actions).toBe(4);
		const items = readItems(await readDocument(() => db, agendaDoc(next.id)));
		expect(items.map((i) => i.title)).toEqual(['Apertura', 'Verifica azioni']);
		const review = items[1]!;
		expect(review).toMatchObject({ id: itemId, kind: 'discussione', durationMinutes: 17 });
		const lines = review.notes.split('\n');
		expect(lines).toHaveLength(4);
		expect(lines[0]).toMatch(/^– Inviare il calendario degli sportelli \(Persona [0-9a-f]+, entro 01\/11\/2026, aperta\)$/);
		expect(lines[2]).toBe(`– Preparare la relazione sull’attività del Comune (${w.orgA.name}, entro 15/12/2026, in corso)`);
		expect(lines[3]).toMatch(/^– Contattare la cooperativa \(Persona [0-9a-f]+, aperta\)$/);
		const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.entityId, next.id), eq(auditLog.action, 'agenda.actions_review_added')));
		expect(audit!.data).toMatchObject({ itemId, actions: 4 });

		// Private table: someone who may not see the meeting gets 404.
		const nextPrivate = await createMeeting(db, w.c2, w.t2.id, input({ title: 'Riservata di dicembre' }));
		await expect(addActionsReviewItem(db, w.bob, nextPrivate.id)).rejects.toMatchObject({ code: 'error_not_found', status: 404 });
		await expect(addActionsReviewItem(db, w.c1, nextPrivate.id)).rejects.toMatchObject({ status: 404 });
		await expect(addActionsReviewItem(db, w.admin, randomUUID())).rejects.toMatchObject({ status: 404 });
	});

	it('refuses when there is nothing to review or the agenda is full', async () => {
		const { db } = get();
		const coord = await makePerson(db, { role: 'coordinator' });
		const { table } = await makeTable(db, { coordinatorId: coord.id });
		const c = await actorFor(db, coord);
		const m = await createMeeting(db, c, table.id, input({ title: 'Senza azioni' }));
		await expect(addActionsReviewItem(db, c, m.id)).rejects.toMatchObject({ code: 'error_no_open_actions' });
		// Done and cancelled actions do not count.
		await addAction(db, m.id, { status: 'fatta' });
		await addAction(db, m.id, { status: 'annullata' });
		await expect(addActionsReviewItem(db, c, m.id)).rejects.toMatchObject({ code: 'error_no_open_actions' });
		await addAction(db, m.id, { description: 'Ancora aperta' });
		await editDocument(
			() => db,
			agendaDoc(m.id),
			(doc) => void appendItems(doc, Array.from({ length: MAX_ITEMS }, (_, i) => ({ title: `Punto ${i + 1}` })))
		);
		await expect(addActionsReviewItem(db, c, m.id)).rejects.toMatchObject({ code: 'error_agenda_full', status: 409 });
		expect(readItems(await readDocument(() => db, agendaDoc(m.id)))).toHaveLength(MAX_ITEMS);
	});
});
