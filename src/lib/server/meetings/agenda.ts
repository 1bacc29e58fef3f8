/**
 * The agenda around its document: proposals (members propose, coordinators accept into the
 * document or decline with a reason), templates per table, and starting a new agenda from a
 * template or from the previous meeting's.
 */
import { and, asc, desc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { agendaItemKinds, agendaItems, agendaProposals, agendaTemplates, meetings, tableMembers, tables, users } from '../db/schema';
import type { TemplateItem } from '../db/schema';
import { can, type Actor } from '../authz';
import { tableRef } from '../network/guards';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { publish } from '../events';
import { announce, notify } from '../notifications';
import { optionalText, requiredText } from '../validation';
import { AgendaFullError, addItem, appendItems, newItemId, type AgendaItemInit, MAX_DURATION } from '$lib/agenda/model';
import { editDocument, readDocument } from '../realtime/collab/edit';
import { readItems } from '$lib/agenda/model';
import { meetingContext } from './meetings';

export const agendaDoc = (meetingId: string) => `agenda:${meetingId}`;

const duration = z.coerce.number('error_invalid').int('error_invalid').min(0, 'error_invalid').max(MAX_DURATION, 'error_invalid');

export const proposalInput = z.object({
	title: requiredText(300),
	notes: optionalText(4000),
	kind: z.enum(agendaItemKinds, 'error_required'),
	durationMinutes: duration
});

export const declineInput = z.object({ reason: requiredText(1000) });

export const templateItemInput = z.object({
	title: requiredText(300),
	kind: z.enum(agendaItemKinds, 'error_required'),
	durationMinutes: duration,
	notes: optionalText(2000)
});
export const templateInput = z.object({
	name: requiredText(160),
	items: z.preprocess(
		(v) => {
			if (typeof v !== 'string') return v;
			try {
				return JSON.parse(v);
			} catch {
				return null;
			}
		},
		z.array(templateItemInput, 'error_invalid').min(1, 'error_template_empty').max(50, 'error_invalid')
	)
});

async function viewable(db: Db, actor: Actor, meetingId: string) {
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	return ctx;
}

/** The table's active coordinators (told of proposals, of actions done). */
export async function coordinatorIds(db: Db, tableId: string) {
	const rows = await db
		.select({ id: tableMembers.userId })
		.from(tableMembers)
		.innerJoin(users, eq(users.id, tableMembers.userId))
		.where(and(eq(tableMembers.tableId, tableId), eq(tableMembers.role, 'coordinator'), isNull(users.disabledAt), isNull(users.deletedAt)));
	return rows.map((r) => r.id);
}

export async function proposeItem(db: Db, actor: Actor, meetingId: string, input: z.output<typeof proposalInput>) {
	const { meeting, ref } = await viewable(db, actor, meetingId);
	if (!can(actor, 'agenda.propose', ref)) throw new DomainError('error_forbidden', undefined, 403);
	let told: string[] = [];
	const row = await db.transaction(async (tx) => {
		const [row] = await tx
			.insert(agendaProposals)
			.values({ meetingId, title: input.title, notes: input.notes ?? null, kind: input.kind, durationMinutes: input.durationMinutes, proposedBy: actor.id })
			.returning();
		told = await notify(tx, await coordinatorIds(tx, meeting.tableId), {
			kind: 'notif_proposal_new',
			params: { title: meeting.title, item: input.title },
			link: `/meetings/${meetingId}#proposte`,
			actorId: actor.id
		});
		return row!;
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'proposals' });
	return row;
}

export async function listProposals(db: Db, meetingId: string) {
	return db
		.select({
			id: agendaProposals.id,
			title: agendaProposals.title,
			notes: agendaProposals.notes,
			kind: agendaProposals.kind,
			durationMinutes: agendaProposals.durationMinutes,
			status: agendaProposals.status,
			proposedBy: agendaProposals.proposedBy,
			proposedByName: users.name,
			proposedAt: agendaProposals.proposedAt,
			decidedAt: agendaProposals.decidedAt,
			declineReason: agendaProposals.declineReason
		})
		.from(agendaProposals)
		.innerJoin(users, eq(users.id, agendaProposals.proposedBy))
		.where(eq(agendaProposals.meetingId, meetingId))
		.orderBy(sql`case ${agendaProposals.status} when 'pending' then 0 else 1 end`, desc(agendaProposals.proposedAt));
}

/**
 * Accepts a pending proposal: it becomes an item at the end of the agenda (durable before this
 * resolves). Two coordinators accepting at once produce one item.
 */
export async function acceptProposal(db: Db, actor: Actor, meetingId: string, proposalId: string) {
	const { meeting, ref } = await viewable(db, actor, meetingId);
	if (!can(actor, 'meeting.manage', ref)) throw new DomainError('error_forbidden', undefined, 403);
	if (meeting.status === 'annullata' || meeting.status === 'svolta') throw new DomainError('error_meeting_closed', undefined, 409);
	const itemId = newItemId();
	const [p] = await db
		.update(agendaProposals)
		.set({ status: 'accepted', decidedBy: actor.id, decidedAt: new Date(), itemId })
		.where(and(eq(agendaProposals.id, proposalId), eq(agendaProposals.meetingId, meetingId), eq(agendaProposals.status, 'pending')))
		.returning();
	if (!p) throw new DomainError('error_proposal_decided', undefined, 409);
	try {
		await editDocument(
			() => db,
			agendaDoc(meetingId),
			(doc) =>
				void addItem(doc, { title: p.title, notes: p.notes ?? '', kind: p.kind, durationMinutes: p.durationMinutes, presenterUserId: p.proposedBy, proposalId: p.id }, undefined, itemId)
		);
	} catch (err) {
		// The document refused the change: the proposal goes back to pending.
		await db.update(agendaProposals).set({ status: 'pending', decidedBy: null, decidedAt: null, itemId: null }).where(eq(agendaProposals.id, proposalId));
		throw err instanceof AgendaFullError ? new DomainError(err.code, undefined, 409) : err;
	}
	await recordAudit(db, { actorId: actor.id, action: 'agenda.proposal_accepted', entityType: 'meeting', entityId: meetingId, data: { proposalId, title: p.title } });
	const told = await notify(db, [p.proposedBy], { kind: 'notif_proposal_accepted', params: { title: meeting.title, item: p.title }, link: `/meetings/${meetingId}`, actorId: actor.id });
	announce(told);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'proposals' });
	return itemId;
}

export async function declineProposal(db: Db, actor: Actor, meetingId: string, proposalId: string, reason: string) {
	const { meeting, ref } = await viewable(db, actor, meetingId);
	if (!can(actor, 'meeting.manage', ref)) throw new DomainError('error_forbidden', undefined, 403);
	let told: string[] = [];
	await db.transaction(async (tx) => {
		const [p] = await tx
			.update(agendaProposals)
			.set({ status: 'declined', decidedBy: actor.id, decidedAt: new Date(), declineReason: reason })
			.where(and(eq(agendaProposals.id, proposalId), eq(agendaProposals.meetingId, meetingId), eq(agendaProposals.status, 'pending')))
			.returning();
		if (!p) throw new DomainError('error_proposal_decided', undefined, 409);
		await recordAudit(tx, { actorId: actor.id, action: 'agenda.proposal_declined', entityType: 'meeting', entityId: meetingId, data: { proposalId, reason } });
		told = await notify(tx, [p.proposedBy], { kind: 'notif_proposal_declined', params: { title: meeting.title, item: p.title, reason }, link: `/meetings/${meetingId}#proposte`, actorId: actor.id });
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'proposals' });
}

/** The proposer takes a pending proposal back. */
export async function withdrawProposal(db: Db, actor: Actor, meetingId: string, proposalId: string) {
	const { meeting } = await viewable(db, actor, meetingId);
	const [p] = await db
		.update(agendaProposals)
		.set({ status: 'withdrawn', decidedAt: new Date() })
		.where(and(eq(agendaProposals.id, proposalId), eq(agendaProposals.meetingId, meetingId), eq(agendaProposals.proposedBy, actor.id), eq(agendaProposals.status, 'pending')))
		.returning();
	if (!p) throw new DomainError('error_proposal_decided', undefined, 409);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'proposals' });
}

// ---------- templates ----------

async function managedTable(db: Db, actor: Actor, tableId: string) {
	const [table] = await db
		.select()
		.from(tables)
		.where(and(eq(tables.id, tableId), isNull(tables.deletedAt)));
	if (!table) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'template.manage', tableRef(table))) throw new DomainError('error_forbidden', undefined, 403);
	return table;
}

export async function listTemplates(db: Db, tableId: string) {
	return db
		.select()
		.from(agendaTemplates)
		.where(and(eq(agendaTemplates.tableId, tableId), isNull(agendaTemplates.deletedAt)))
		.orderBy(asc(agendaTemplates.name));
}

export async function getTemplate(db: Db, id: string) {
	const [row] = await db
		.select()
		.from(agendaTemplates)
		.where(and(eq(agendaTemplates.id, id), isNull(agendaTemplates.deletedAt)));
	return row ?? null;
}

const cleanItems = (items: z.output<typeof templateItemInput>[]): TemplateItem[] =>
	items.map((i) => ({ title: i.title, kind: i.kind, durationMinutes: i.durationMinutes, ...(i.notes ? { notes: i.notes } : {}) }));

export async function createTemplate(db: Db, actor: Actor, tableId: string, input: z.output<typeof templateInput>) {
	await managedTable(db, actor, tableId);
	const [row] = await db
		.insert(agendaTemplates)
		.values({ tableId, name: input.name, items: cleanItems(input.items), createdBy: actor.id, updatedBy: actor.id })
		.returning();
	await recordAudit(db, { actorId: actor.id, action: 'template.created', entityType: 'agenda_template', entityId: row!.id, data: { tableId, name: input.name } });
	return row!;
}

export async function updateTemplate(db: Db, actor: Actor, id: string, input: z.output<typeof templateInput>) {
	const t = await getTemplate(db, id);
	if (!t) throw new DomainError('error_not_found', undefined, 404);
	await managedTable(db, actor, t.tableId);
	await db
		.update(agendaTemplates)
		.set({ name: input.name, items: cleanItems(input.items), updatedAt: new Date(), updatedBy: actor.id })
		.where(eq(agendaTemplates.id, id));
	await recordAudit(db, { actorId: actor.id, action: 'template.updated', entityType: 'agenda_template', entityId: id, data: { name: input.name } });
}

export async function deleteTemplate(db: Db, actor: Actor, id: string) {
	const t = await getTemplate(db, id);
	if (!t) throw new DomainError('error_not_found', undefined, 404);
	await managedTable(db, actor, t.tableId);
	await db.update(agendaTemplates).set({ deletedAt: new Date(), deletedBy: actor.id }).where(eq(agendaTemplates.id, id));
	await recordAudit(db, { actorId: actor.id, action: 'template.deleted', entityType: 'agenda_template', entityId: id, data: { name: t.name } });
}

/** Saves a meeting's current agenda (titles, kinds, durations) as a template of its table. */
export async function templateFromAgenda(db: Db, actor: Actor, meetingId: string, name: string) {
	const { meeting } = await viewable(db, actor, meetingId);
	const doc = await readDocument(() => db, agendaDoc(meetingId));
	const items = readItems(doc).filter((i) => i.title.trim());
	doc.destroy();
	if (!items.length) throw new DomainError('error_template_empty');
	return createTemplate(db, actor, meeting.tableId, {
		name,
		items: items.map((i) => ({ title: i.title.slice(0, 300), kind: i.kind, durationMinutes: i.durationMinutes, notes: undefined }))
	});
}

/** Items of the table's previous meeting (the latest before this one that was not cancelled). */
export async function previousAgendaItems(db: Db, tableId: string, beforeMeetingId: string): Promise<AgendaItemInit[]> {
	const [current] = await db.select({ startsAt: meetings.startsAt }).from(meetings).where(eq(meetings.id, beforeMeetingId));
	if (!current) return [];
	// The latest convened or held meeting of the table that starts before this one (or before now,
	// for a meeting without a date yet).
	const before = current.startsAt ?? new Date();
	const [prev] = await db
		.select({ id: meetings.id })
		.from(meetings)
		.where(
			and(
				eq(meetings.tableId, tableId),
				ne(meetings.id, beforeMeetingId),
				inArray(meetings.status, ['convocata', 'svolta']),
				isNull(meetings.deletedAt),
				lt(meetings.startsAt, before)
			)
		)
		.orderBy(desc(meetings.startsAt))
		.limit(1);
	if (!prev) return [];
	const rows = await db.select().from(agendaItems).where(eq(agendaItems.meetingId, prev.id)).orderBy(asc(agendaItems.position));
	// Titles, kinds, durations and presenters carry over; notes belonged to that meeting.
	return rows.map((r) => ({
		title: r.title,
		kind: r.kind,
		durationMinutes: r.durationMinutes,
		presenterUserId: r.presenterUserId,
		presenterOrganizationId: r.presenterOrganizationId
	}));
}

/** Fills a new meeting's (empty) agenda from a template of its table and/or the previous agenda. */
export async function startAgenda(db: Db, actor: Actor, meetingId: string, opts: { templateId?: string; copyPrevious?: boolean }) {
	const { meeting, ref } = await viewable(db, actor, meetingId);
	if (!can(actor, 'meeting.manage', ref)) throw new DomainError('error_forbidden', undefined, 403);
	const items: AgendaItemInit[] = [];
	if (opts.copyPrevious) items.push(...(await previousAgendaItems(db, meeting.tableId, meetingId)));
	if (opts.templateId) {
		const t = await getTemplate(db, opts.templateId);
		if (!t || t.tableId !== meeting.tableId) throw new DomainError('error_invalid', 'templateId');
		items.push(...t.items.map((i) => ({ title: i.title, kind: i.kind, durationMinutes: i.durationMinutes, notes: i.notes ?? '' })));
	}
	if (!items.length) return 0;
	try {
		await editDocument(
			() => db,
			agendaDoc(meetingId),
			(doc) => void appendItems(doc, items)
		);
	} catch (err) {
		throw err instanceof AgendaFullError ? new DomainError(err.code, undefined, 409) : err;
	}
	return items.length;
}

/** The projected items of a meeting, in order (for print, PDF, dashboards). */
export async function projectedItems(db: Db, meetingId: string) {
	return db.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(asc(agendaItems.position));
}
