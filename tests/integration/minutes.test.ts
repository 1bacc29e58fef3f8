import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { actionItems, decisions, minutes as minutesTable, minutesVersions } from '../../src/lib/server/db/schema';
import { can } from '../../src/lib/server/authz';
import { conveneMeeting, createMeeting, createMeetingInput, setAttendance } from '../../src/lib/server/meetings/meetings';
import { agendaDoc } from '../../src/lib/server/meetings/agenda';
import { editDocument, readDocument } from '../../src/lib/server/realtime/collab/edit';
import { appendItems } from '../../src/lib/agenda/model';
import {
	addComment,
	approveMinutes,
	currentDraft,
	docJson,
	listFlags,
	minutesContext,
	minutesDoc,
	reopenMinutes,
	runPrivacyCheck,
	searchMinutes,
	settleFlag,
	startMinutes,
	startReview
} from '../../src/lib/server/minutes/minutes';
import { projectMinutes } from '../../src/lib/server/minutes/projection';
import { MINUTES_FRAGMENT, minutesSchema, type PMNode } from '../../src/lib/minutes/schema';
import { diffVersions } from '../../src/lib/minutes/diff';
import type { Db } from '../../src/lib/server/db/client';

const input = (title: string, visibility?: string) => {
	void visibility;
	return createMeetingInput.parse({ title, start: '2026-11-20T10:00', end: '2026-11-20T12:00', participantIds: [], includeMembers: 'on' }) as import('zod').output<typeof createMeetingInput>;
};

async function world(db: Db, visibility: 'network' | 'members' = 'network') {
	const org = await makeOrganization(db);
	const coord = await makePerson(db, { role: 'coordinator', organizationId: org.id });
	const writer = await makePerson(db, { organizationId: org.id });
	const member = await makePerson(db);
	const outsider = await makePerson(db);
	const { table } = await makeTable(db, { visibility, coordinatorId: coord.id, members: [{ id: writer.id }, { id: member.id }] });
	const c = await actorFor(db, coord);
	const meeting = await createMeeting(db, c, table.id, input('Tavolo con verbale'));
	await editDocument(
		() => db,
		agendaDoc(meeting.id),
		(doc) => void appendItems(doc, [{ title: 'Sportelli sociali' }, { title: 'Percorsi abitativi' }])
	);
	await conveneMeeting(db, c, meeting.id);
	await setAttendance(db, c, meeting.id, [
		{ userId: coord.id, attendance: 'present' },
		{ userId: writer.id, attendance: 'present' },
		{ userId: member.id, attendance: 'delegated', delegateName: 'Anna Neri' }
	], new Date('2026-11-20T09:30:00Z'));
	return { org, table, meeting, coord: c, writer: await actorFor(db, writer), member: await actorFor(db, member), outsider: await actorFor(db, outsider) };
}

/** Replaces the draft's content (what a browser would do by editing). */
async function write(db: Db, meetingId: string, json: PMNode) {
	await editDocument(
		() => db,
		minutesDoc(meetingId),
		(doc) => {
			const fragment = doc.getXmlFragment(MINUTES_FRAGMENT);
			fragment.delete(0, fragment.length);
			prosemirrorJSONToYXmlFragment(minutesSchema(), json, fragment);
		}
	);
}

const p = (text: string): PMNode => ({ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] });

describeEachDb('minutes', (get) => {
	it('start from the meeting: header, attendance from the register, a section per agenda item', async () => {
		const { db } = get();
		const w = await world(db);
		await expect(startMinutes(db, w.outsider, w.meeting.id)).rejects.toMatchObject({ status: 403 });
		await startMinutes(db, w.writer, w.meeting.id);
		await startMinutes(db, w.coord, w.meeting.id); // once only
		const doc = await currentDraft(db, w.meeting.id);
		const text = JSON.stringify(doc);
		expect(doc.content![0]).toMatchObject({ type: 'heading', attrs: { level: 1 } });
		expect(text).toContain('Anna Neri');
		const sections = doc.content!.filter((n) => n.type === 'heading' && n.attrs?.agendaItemId);
		expect(sections.map((s) => s.content![0]!.text)).toEqual(['1. Sportelli sociali', '2. Percorsi abitativi']);
	});

	it('project decisions and action items, keep statuses, mark removed ones, and restore them', async () => {
		const { db } = get();
		const w = await world(db);
		await startMinutes(db, w.coord, w.meeting.id);
		const draft = await currentDraft(db, w.meeting.id);
		const section = draft.content!.find((n) => n.type === 'heading' && n.attrs?.agendaItemId)!;
		const a1 = crypto.randomUUID();
		const a2 = crypto.randomUUID();
		const withItems: PMNode = {
			type: 'doc',
			content: [
				section,
				p('Si discute degli orari.'),
				{ type: 'decision', attrs: { id: 'dec-1' }, content: [{ type: 'text', text: 'Lo sportello apre anche il giovedì.' }] },
				{ type: 'actionItem', attrs: { id: a1, ownerUserId: w.writer.id, ownerOrganizationId: null, dueDate: '2026-12-31' }, content: [{ type: 'text', text: 'Aggiornare la carta dei servizi' }] },
				{ type: 'actionItem', attrs: { id: a2, ownerUserId: crypto.randomUUID(), ownerOrganizationId: w.org.id, dueDate: '2026-02-30' }, content: [{ type: 'text', text: 'Informare i mediatori' }] }
			]
		};
		await write(db, w.meeting.id, withItems);
		const ydoc = await readDocument(() => db, minutesDoc(w.meeting.id));
		await projectMinutes(db, w.meeting.id, ydoc);
		const decs = await db.select().from(decisions).where(eq(decisions.meetingId, w.meeting.id));
		expect(decs).toEqual([expect.objectContaining({ decisionId: 'dec-1', agendaItemId: section.attrs!.agendaItemId, text: 'Lo sportello apre anche il giovedì.' })]);
		const acts = await db.select().from(actionItems).where(eq(actionItems.meetingId, w.meeting.id));
		const byId = new Map(acts.map((a) => [a.id, a]));
		expect(byId.get(a1)).toMatchObject({ description: 'Aggiornare la carta dei servizi', ownerUserId: w.writer.id, dueDate: '2026-12-31', status: 'aperta', removedAt: null });
		// Unknown owner person and an impossible date are dropped, the organisation kept.
		expect(byId.get(a2)).toMatchObject({ ownerUserId: null, ownerOrganizationId: w.org.id, dueDate: null });
		const [mrow] = await db.select().from(minutesTable).where(eq(minutesTable.meetingId, w.meeting.id));
		expect(mrow!.text).toContain('Lo sportello apre anche il giovedì.');

		await db.update(actionItems).set({ status: 'in_corso' }).where(eq(actionItems.id, a1));
		// a1 removed from the text: marked removed, its status kept.
		await write(db, w.meeting.id, { ...withItems, content: withItems.content!.filter((n) => n.attrs?.id !== a1) });
		await projectMinutes(db, w.meeting.id, await readDocument(() => db, minutesDoc(w.meeting.id)));
		const [gone] = await db.select().from(actionItems).where(eq(actionItems.id, a1));
		expect(gone!.removedAt).not.toBeNull();
		await write(db, w.meeting.id, withItems);
		await projectMinutes(db, w.meeting.id, await readDocument(() => db, minutesDoc(w.meeting.id)));
		const [back] = await db.select().from(actionItems).where(eq(actionItems.id, a1));
		expect(back).toMatchObject({ removedAt: null, status: 'in_corso' });
		ydoc.destroy();
	});

	it('let only participants and coordinators edit the draft; approved minutes are read-only for everyone', async () => {
		const { db } = get();
		const w = await world(db);
		const other = await makePerson(db);
		await startMinutes(db, w.coord, w.meeting.id);
		const ref = async (a: typeof w.coord) => (await minutesContext(db, a, w.meeting.id))!.mref;
		expect(can(w.writer, 'minutes.edit', await ref(w.writer))).toBe(true);
		expect(can(w.coord, 'minutes.edit', await ref(w.coord))).toBe(true);
		// A network member who was not invited reads (network table) but does not write.
		const otherActor = await actorFor(db, other);
		expect(can(otherActor, 'minutes.read', await ref(otherActor))).toBe(true);
		expect(can(otherActor, 'minutes.edit', await ref(otherActor))).toBe(false);
		expect(can(otherActor, 'document.write', { kind: 'minutes', minutes: await ref(otherActor) })).toBe(false);

		await write(db, w.meeting.id, { type: 'doc', content: [p('Testo pulito.')] });
		await approveMinutes(db, w.coord, w.meeting.id, { note: 'Approvato dal coordinatore' });
		for (const a of [w.coord, w.writer, otherActor]) {
			expect(can(a, 'minutes.edit', await ref(a))).toBe(false);
			expect(can(a, 'document.write', { kind: 'minutes', minutes: await ref(a) })).toBe(false);
		}
	});

	it('keep members-only minutes private, also from search', async () => {
		const { db } = get();
		const w = await world(db, 'members');
		await startMinutes(db, w.coord, w.meeting.id);
		await write(db, w.meeting.id, { type: 'doc', content: [p('Accoglienza diffusa nelle frazioni di montagna.')] });
		await projectMinutes(db, w.meeting.id, await readDocument(() => db, minutesDoc(w.meeting.id)));
		expect(can(w.outsider, 'minutes.read', (await minutesContext(db, w.outsider, w.meeting.id))!.mref)).toBe(false);
		expect(await searchMinutes(db, w.outsider, 'frazioni')).toEqual([]);
		// Italian stemming and accents: "frazione" finds "frazioni", "accoglienza" without accents.
		expect((await searchMinutes(db, w.member, 'frazione')).map((r) => r.meetingId)).toEqual([w.meeting.id]);
	});

	it('go through review (comments), privacy check, approval, correction, and a readable diff', async () => {
		const { db } = get();
		const w = await world(db);
		await startMinutes(db, w.coord, w.meeting.id);
		await write(db, w.meeting.id, {
			type: 'doc',
			content: [
				p('La famiglia Mario Rossi è stata accolta.'),
				p('Contatto del referente: 0547 356 111 (ufficio).'),
				{ type: 'decision', attrs: { id: 'd1' }, content: [{ type: 'text', text: 'Si avvia il tavolo casa.' }] }
			]
		});
		await expect(addComment(db, w.writer, w.meeting.id, { body: 'Troppo presto' })).rejects.toMatchObject({ code: 'error_comments_closed' });
		const t0 = new Date();
		await expect(startReview(db, w.writer, w.meeting.id, 7, t0)).rejects.toMatchObject({ status: 403 });
		await startReview(db, w.coord, w.meeting.id, 7, t0);
		const comment = await addComment(db, w.writer, w.meeting.id, { body: 'Manca la data del prossimo incontro.' });
		expect(comment.body).toBe('Manca la data del prossimo incontro.');
		await expect(addComment(db, w.outsider, w.meeting.id, { body: 'x' })).rejects.toMatchObject({ code: 'error_comments_closed' });

		// Privacy: the name next to "famiglia" is flagged; approval waits until every flag is settled.
		const flags = await runPrivacyCheck(db, w.coord, w.meeting.id);
		expect(flags.map((f) => f.kind)).toContain('beneficiary_name');
		await expect(approveMinutes(db, w.coord, w.meeting.id, {})).rejects.toMatchObject({ code: 'error_privacy_flags_open' });
		await write(db, w.meeting.id, {
			type: 'doc',
			content: [p('Una famiglia è stata accolta.'), p('Contatto del referente: ufficio.'), { type: 'decision', attrs: { id: 'd1' }, content: [{ type: 'text', text: 'Si avvia il tavolo casa.' }] }]
		});
		for (const f of (await listFlags(db, w.meeting.id)).filter((x) => x.resolution === 'open'))
			await settleFlag(db, w.coord, w.meeting.id, { flagId: f.id, resolution: 'resolved', note: undefined });
		const v1 = await approveMinutes(db, w.coord, w.meeting.id, { note: 'Approvato dal coordinatore' });
		expect(v1.number).toBe(1);
		expect(v1.text).toContain('Si avvia il tavolo casa.');
		expect(v1.markdown).toContain('Si avvia il tavolo casa.');
		await expect(approveMinutes(db, w.coord, w.meeting.id, {})).rejects.toMatchObject({ code: 'error_minutes_approved' });

		// A correction: reopen, edit, approve again → version 2; version 1 unchanged.
		await reopenMinutes(db, w.coord, w.meeting.id);
		await write(db, w.meeting.id, {
			type: 'doc',
			content: [p('Una famiglia è stata accolta.'), p('Contatto del referente: ufficio.'), { type: 'decision', attrs: { id: 'd1' }, content: [{ type: 'text', text: 'Si avvia il tavolo casa entro gennaio.' }] }]
		});
		const v2 = await approveMinutes(db, w.coord, w.meeting.id, { note: 'Approvato nella riunione successiva', changeNote: 'Aggiunta la scadenza' });
		expect(v2.number).toBe(2);
		const [frozen] = await db.select().from(minutesVersions).where(and(eq(minutesVersions.meetingId, w.meeting.id), eq(minutesVersions.number, 1)));
		expect(frozen!.text).not.toContain('entro gennaio');
		const { parts } = diffVersions(frozen!.text, v2.text);
		expect(parts.filter((x) => x.type === 'added').map((x) => x.text.trim()).join(' ')).toContain('entro gennaio');
		expect(parts.filter((x) => x.type === 'removed')).toHaveLength(0);
	});

	it('never crash on a document the schema cannot read', async () => {
		const doc = new Y.Doc();
		const el = new Y.XmlElement('no-such-node');
		doc.getXmlFragment(MINUTES_FRAGMENT).insert(0, [el]);
		expect((await docJson(doc)).content ?? []).toEqual([]);
	});
});
