import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../db/client';
import { meetingParticipants, meetings, organizations, tableMembers, tables, users } from '../db/schema';
import type { Attendance, Meeting, MeetingStatus, RsvpAnswer } from '../db/schema';
import { attendanceValues, rsvpAnswers } from '../db/schema';
import { can, type Actor, type MeetingRef } from '../authz';
import { tableRef } from '../network/guards';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { publish } from '../events';
import { optionalText, optionalUrl, optionalUuid, requiredText } from '../validation';
import { parseRomeLocal } from '$lib/time/rome';
import { announce } from '../notifications';
import { tellParticipants } from './notify';

/** Longest meeting the form accepts. */
const MAX_MEETING_HOURS = 24;

/** Europe/Rome wall time from a datetime-local field; empty is absent. */
const romeLocal = z.preprocess(
	(v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v),
	z
		.string()
		.transform((v, ctx) => {
			const r = parseRomeLocal(v);
			if (r.ok) return r.date;
			ctx.addIssue({ code: 'custom', message: r.reason === 'nonexistent' ? 'error_time_nonexistent' : 'error_datetime' });
			return z.NEVER;
		})
		.optional()
);

const uuidList = z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : v === '' ? [] : [v]), z.array(z.uuid('error_invalid')).max(300));
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true || v === '1', z.boolean());

export const meetingInput = z
	.object({
		title: requiredText(200),
		description: optionalText(4000),
		start: romeLocal,
		end: romeLocal,
		address: optionalText(300),
		onlineUrl: optionalUrl,
		chairId: optionalUuid,
		secretaryId: optionalUuid
	})
	.superRefine((v, ctx) => {
		if (v.start && !v.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'error_required' });
		if (v.end && !v.start) ctx.addIssue({ code: 'custom', path: ['start'], message: 'error_required' });
		if (v.start && v.end) {
			if (v.end.getTime() <= v.start.getTime()) ctx.addIssue({ code: 'custom', path: ['end'], message: 'error_end_before_start' });
			else if (v.end.getTime() - v.start.getTime() > MAX_MEETING_HOURS * 3600_000) ctx.addIssue({ code: 'custom', path: ['end'], message: 'error_meeting_too_long' });
		}
	});
export type MeetingInput = z.output<typeof meetingInput>;

export const createMeetingInput = meetingInput.and(
	z.object({
		participantIds: uuidList,
		includeMembers: checkbox,
		templateId: optionalUuid,
		copyPrevious: checkbox
	})
);
export type CreateMeetingInput = z.output<typeof createMeetingInput>;

export const cancelInput = z.object({ reason: optionalText(1000) });
export const rsvpInput = z.object({ answer: z.enum(rsvpAnswers.filter((a) => a !== 'pending') as ['yes', 'no', 'maybe'], 'error_required') });
export const attendanceEntry = z.object({
	userId: z.uuid(),
	attendance: z.enum(attendanceValues).nullable(),
	delegateUserId: z.uuid().nullable().optional(),
	delegateName: z.string().trim().max(200).nullable().optional()
});

/** The columns a meeting's form sets. */
const detailColumns = (input: MeetingInput) => ({
	title: input.title,
	description: input.description ?? null,
	startsAt: input.start ?? null,
	endsAt: input.end ?? null,
	address: input.address ?? null,
	onlineUrl: input.onlineUrl ?? null,
	chairId: input.chairId ?? null,
	secretaryId: input.secretaryId ?? null
});

export async function getMeeting(db: Db, id: string): Promise<Meeting | null> {
	const [row] = await db
		.select()
		.from(meetings)
		.where(and(eq(meetings.id, id), isNull(meetings.deletedAt)));
	return row ?? null;
}

export async function isParticipant(db: Db, meetingId: string, userId: string): Promise<boolean> {
	const [row] = await db
		.select({ u: meetingParticipants.userId })
		.from(meetingParticipants)
		.where(and(eq(meetingParticipants.meetingId, meetingId), eq(meetingParticipants.userId, userId)));
	return !!row;
}

/** The meeting, its table and the permission view of both for this actor (null: no such meeting). */
export async function meetingContext(db: Db, actor: Actor | null, id: string) {
	const meeting = await getMeeting(db, id);
	if (!meeting) return null;
	const [table] = await db.select().from(tables).where(eq(tables.id, meeting.tableId));
	if (!table || table.deletedAt) return null;
	const ref: MeetingRef = {
		id: meeting.id,
		table: tableRef(table),
		participant: actor ? await isParticipant(db, meeting.id, actor.id) : false,
		status: meeting.status,
		agendaLocked: !!meeting.agendaLockedAt
	};
	return { meeting, table, ref };
}

/** Active (not disabled, not deleted) people among these ids, with their organisation. */
async function activePeople(db: Db, ids: string[]) {
	if (ids.length === 0) return [];
	return db
		.select({ id: users.id, organizationId: users.organizationId })
		.from(users)
		.where(and(inArray(users.id, ids), isNull(users.deletedAt), isNull(users.disabledAt)));
}

async function tableMemberIds(db: Db, tableId: string): Promise<string[]> {
	const rows = await db
		.select({ id: users.id })
		.from(tableMembers)
		.innerJoin(users, eq(users.id, tableMembers.userId))
		.where(and(eq(tableMembers.tableId, tableId), isNull(users.deletedAt), isNull(users.disabledAt)));
	return rows.map((r) => r.id);
}

export async function participantIds(db: Db, meetingId: string): Promise<string[]> {
	const rows = await db.select({ id: meetingParticipants.userId }).from(meetingParticipants).where(eq(meetingParticipants.meetingId, meetingId));
	return rows.map((r) => r.id);
}

/** Creates a draft (bozza). Participants: the table's members (by default) plus anyone named. */
export async function createMeeting(db: Db, actor: Actor, tableId: string, input: CreateMeetingInput): Promise<Meeting> {
	const [table] = await db
		.select()
		.from(tables)
		.where(and(eq(tables.id, tableId), isNull(tables.deletedAt)));
	if (!table) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'meeting.create', tableRef(table))) throw new DomainError('error_forbidden', undefined, 403);
	const meeting = await db.transaction(async (tx) => {
		const [row] = await tx
			.insert(meetings)
			.values({
				tableId,
				...detailColumns(input),
				createdBy: actor.id,
				updatedBy: actor.id
			})
			.returning();
		const wanted = new Set(input.participantIds);
		if (input.includeMembers) for (const id of await tableMemberIds(tx, tableId)) wanted.add(id);
		wanted.add(actor.id);
		const people = await activePeople(tx, [...wanted]);
		if (people.length)
			await tx
				.insert(meetingParticipants)
				.values(people.map((p) => ({ meetingId: row!.id, userId: p.id, organizationId: p.organizationId, addedBy: actor.id })))
				.onConflictDoNothing();
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.created', entityType: 'meeting', entityId: row!.id, data: { tableId, title: input.title } });
		return row!;
	});
	publish('meeting.updated', { meetingId: meeting.id, tableId, what: 'details' });
	return meeting;
}

type Managed = NonNullable<Awaited<ReturnType<typeof meetingContext>>>;

async function loadManaged(db: Db, actor: Actor, id: string): Promise<Managed> {
	const ctx = await meetingContext(db, actor, id);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'meeting.manage', ctx.ref)) throw new DomainError('error_forbidden', undefined, 403);
	return ctx;
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/**
 * The meeting row, locked until the transaction ends: every change decides from the status it
 * locked, so concurrent convene / reschedule / cancel / pick never act on a stale one.
 */
async function lockMeeting(tx: Db, id: string): Promise<Meeting> {
	const [row] = await tx
		.select()
		.from(meetings)
		.where(and(eq(meetings.id, id), isNull(meetings.deletedAt)))
		.for('update');
	if (!row) throw new DomainError('error_not_found', undefined, 404);
	return row;
}

/** Chair and secretary, when given, must be active people of the network. */
async function assertPeople(db: Db, input: MeetingInput) {
	for (const field of ['chairId', 'secretaryId'] as const) {
		const id = input[field];
		if (id && !(await activePeople(db, [id])).length) throw new DomainError('error_person_not_found', field);
	}
}

/**
 * Edits details and time. A convened meeting's change bumps SEQUENCE and tells every participant
 * (in the app and by e-mail with the updated .ics); a new time asks everyone to answer again.
 */
export async function updateMeeting(db: Db, actor: Actor, id: string, input: MeetingInput): Promise<Meeting> {
	const { meeting: seen } = await loadManaged(db, actor, id);
	await assertPeople(db, input);
	let told: string[] = [];
	const result = await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		if (meeting.status === 'annullata' || meeting.status === 'svolta') throw new DomainError('error_meeting_closed', undefined, 409);
		if (meeting.status === 'convocata' && (!input.start || !input.end)) throw new DomainError('error_required', 'start');
		const timeChanged = !sameTime(meeting.startsAt, input.start ?? null) || !sameTime(meeting.endsAt, input.end ?? null);
		const placeChanged = (meeting.address ?? null) !== (input.address ?? null) || (meeting.onlineUrl ?? null) !== (input.onlineUrl ?? null);
		const anyChange =
			timeChanged ||
			placeChanged ||
			meeting.title !== input.title ||
			(meeting.description ?? null) !== (input.description ?? null) ||
			(meeting.chairId ?? null) !== (input.chairId ?? null) ||
			(meeting.secretaryId ?? null) !== (input.secretaryId ?? null);
		if (!anyChange) return { row: meeting, changed: false };
		const convened = meeting.status === 'convocata';
		const [row] = await tx
			.update(meetings)
			.set({
				...detailColumns(input),
				sequence: convened ? sql`${meetings.sequence} + 1` : meetings.sequence,
				updatedAt: new Date(),
				updatedBy: actor.id
			})
			.where(eq(meetings.id, id))
			.returning();
		// Answers were given for the old time.
		if (convened && timeChanged) await tx.update(meetingParticipants).set({ rsvp: 'pending', rsvpAt: null }).where(eq(meetingParticipants.meetingId, id));
		await recordAudit(tx, {
			actorId: actor.id,
			action: timeChanged ? 'meeting.rescheduled' : 'meeting.updated',
			entityType: 'meeting',
			entityId: id,
			data: { title: input.title, startsAt: input.start?.toISOString() ?? null, before: meeting.startsAt?.toISOString() ?? null }
		});
		if (convened) told = await tellParticipants(tx, actor, row!, timeChanged ? 'rescheduled' : 'updated');
		return { row: row!, changed: true };
	});
	if (!result.changed) return result.row;
	announce(told);
	publish('meeting.updated', { meetingId: id, tableId: seen.tableId, what: 'details' });
	return result.row;
}

/** bozza → convocata inside a transaction that holds the meeting's row lock. */
export async function conveneLocked(tx: Db, actor: Actor, meeting: Meeting, opts: { lockAgenda?: boolean } = {}): Promise<{ row: Meeting; told: string[] }> {
	if (meeting.status !== 'bozza') throw new DomainError('error_meeting_not_draft', undefined, 409);
	if (!meeting.startsAt || !meeting.endsAt) throw new DomainError('error_meeting_needs_time', 'start', 400);
	const [row] = await tx
		.update(meetings)
		.set({
			status: 'convocata',
			sequence: sql`${meetings.sequence} + 1`,
			agendaLockedAt: opts.lockAgenda ? new Date() : meetings.agendaLockedAt,
			agendaLockedBy: opts.lockAgenda ? actor.id : meetings.agendaLockedBy,
			updatedAt: new Date(),
			updatedBy: actor.id
		})
		.where(and(eq(meetings.id, meeting.id), eq(meetings.status, 'bozza')))
		.returning();
	if (!row) throw new DomainError('error_meeting_not_draft', undefined, 409);
	await recordAudit(tx, { actorId: actor.id, action: 'meeting.convened', entityType: 'meeting', entityId: meeting.id, data: { lockAgenda: !!opts.lockAgenda } });
	return { row, told: await tellParticipants(tx, actor, row, 'convened') };
}

/** bozza → convocata: needs a time; everyone is invited (app + e-mail with the .ics). */
export async function conveneMeeting(db: Db, actor: Actor, id: string, opts: { lockAgenda?: boolean } = {}): Promise<Meeting> {
	await loadManaged(db, actor, id);
	const { row, told } = await db.transaction(async (tx) => conveneLocked(tx, actor, await lockMeeting(tx, id), opts));
	announce(told);
	publish('meeting.updated', { meetingId: id, tableId: row.tableId, what: 'status' });
	return row;
}

/** Cancels a draft or a convened meeting; participants of a convened one get STATUS:CANCELLED. */
export async function cancelMeeting(db: Db, actor: Actor, id: string, reason: string | undefined): Promise<Meeting> {
	await loadManaged(db, actor, id);
	let told: string[] = [];
	const row = await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		if (meeting.status !== 'bozza' && meeting.status !== 'convocata') throw new DomainError('error_meeting_closed', undefined, 409);
		const [row] = await tx
			.update(meetings)
			.set({ status: 'annullata', cancelReason: reason ?? null, sequence: sql`${meetings.sequence} + 1`, updatedAt: new Date(), updatedBy: actor.id })
			.where(eq(meetings.id, id))
			.returning();
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.cancelled', entityType: 'meeting', entityId: id, data: { reason: reason ?? null, was: meeting.status } });
		told = await tellParticipants(tx, actor, row!, 'cancelled', { email: meeting.status === 'convocata' });
		return row!;
	});
	announce(told);
	publish('meeting.updated', { meetingId: id, tableId: row.tableId, what: 'status' });
	return row;
}

/** convocata → svolta, once the meeting has started. */
export async function markHeld(db: Db, actor: Actor, id: string, now = new Date()): Promise<Meeting> {
	await loadManaged(db, actor, id);
	const row = await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		if (meeting.status !== 'convocata') throw new DomainError('error_meeting_not_convened', undefined, 409);
		if (!meeting.startsAt || meeting.startsAt.getTime() > now.getTime()) throw new DomainError('error_meeting_not_started', undefined, 409);
		const [row] = await tx.update(meetings).set({ status: 'svolta', updatedAt: new Date(), updatedBy: actor.id }).where(eq(meetings.id, id)).returning();
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.held', entityType: 'meeting', entityId: id });
		return row!;
	});
	publish('meeting.updated', { meetingId: id, tableId: row.tableId, what: 'status' });
	return row;
}

/** Locks or unlocks the agenda (coordinators keep editing; others may only propose). */
export async function setAgendaLock(db: Db, actor: Actor, id: string, locked: boolean): Promise<void> {
	const { meeting } = await loadManaged(db, actor, id);
	await db.transaction(async (tx) => {
		const current = await lockMeeting(tx, id);
		if (current.status === 'annullata' || current.status === 'svolta') throw new DomainError('error_meeting_closed', undefined, 409);
		await tx
			.update(meetings)
			.set({ agendaLockedAt: locked ? new Date() : null, agendaLockedBy: locked ? actor.id : null, updatedAt: new Date(), updatedBy: actor.id })
			.where(eq(meetings.id, id));
		await recordAudit(tx, { actorId: actor.id, action: locked ? 'agenda.locked' : 'agenda.unlocked', entityType: 'meeting', entityId: id });
	});
	publish('meeting.updated', { meetingId: id, tableId: meeting.tableId, what: 'agenda' });
}

/** Adds people (any organisation); on a convened meeting they are invited at once. */
export async function addParticipants(db: Db, actor: Actor, id: string, userIds: string[]): Promise<number> {
	const { meeting: seen } = await loadManaged(db, actor, id);
	let told: string[] = [];
	const added = await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		if (meeting.status === 'annullata') throw new DomainError('error_meeting_closed', undefined, 409);
		const people = await activePeople(tx, userIds);
		if (!people.length) return 0;
		const rows = await tx
			.insert(meetingParticipants)
			.values(people.map((p) => ({ meetingId: id, userId: p.id, organizationId: p.organizationId, addedBy: actor.id })))
			.onConflictDoNothing()
			.returning({ userId: meetingParticipants.userId });
		if (rows.length) {
			await recordAudit(tx, { actorId: actor.id, action: 'meeting.participants_added', entityType: 'meeting', entityId: id, data: { userIds: rows.map((r) => r.userId) } });
			if (meeting.status === 'convocata') told = await tellParticipants(tx, actor, meeting, 'convened', { only: rows.map((r) => r.userId) });
		}
		return rows.length;
	});
	announce(told);
	if (added) publish('meeting.updated', { meetingId: id, tableId: seen.tableId, what: 'participants' });
	return added;
}

export async function removeParticipant(db: Db, actor: Actor, id: string, userId: string): Promise<void> {
	const { meeting: seen } = await loadManaged(db, actor, id);
	let told: string[] = [];
	await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		const rows = await tx
			.delete(meetingParticipants)
			.where(and(eq(meetingParticipants.meetingId, id), eq(meetingParticipants.userId, userId)))
			.returning({ userId: meetingParticipants.userId });
		if (!rows.length) return;
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.participant_removed', entityType: 'meeting', entityId: id, data: { userId } });
		// Their calendar drops the event.
		if (meeting.status === 'convocata') told = await tellParticipants(tx, actor, meeting, 'uninvited', { only: [userId], uninvited: true });
	});
	announce(told);
	publish('meeting.updated', { meetingId: id, tableId: seen.tableId, what: 'participants' });
}

/** A participant's answer (sì / no / forse). */
export async function respond(db: Db, actor: Actor, id: string, answer: Exclude<RsvpAnswer, 'pending'>): Promise<void> {
	const ctx = await meetingContext(db, actor, id);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'meeting.respond', ctx.ref)) throw new DomainError('error_forbidden', undefined, 403);
	await db
		.update(meetingParticipants)
		.set({ rsvp: answer, rsvpAt: new Date() })
		.where(and(eq(meetingParticipants.meetingId, id), eq(meetingParticipants.userId, actor.id)));
	publish('meeting.updated', { meetingId: id, tableId: ctx.meeting.tableId, what: 'rsvp' });
}

/** The attendance register, taken once the meeting has started. */
export async function setAttendance(db: Db, actor: Actor, id: string, entries: z.output<typeof attendanceEntry>[], now = new Date()): Promise<void> {
	const { meeting: seen } = await loadManaged(db, actor, id);
	await db.transaction(async (tx) => {
		const meeting = await lockMeeting(tx, id);
		if (meeting.status === 'annullata' || meeting.status === 'bozza') throw new DomainError('error_meeting_not_convened', undefined, 409);
		if (!meeting.startsAt || meeting.startsAt.getTime() - now.getTime() > 3600_000) throw new DomainError('error_meeting_not_started', undefined, 409);
		const present = new Set(await participantIds(tx, id));
		for (const e of entries) {
			if (!present.has(e.userId)) throw new DomainError('error_not_participant', e.userId);
			if (e.delegateUserId && e.delegateUserId === e.userId) throw new DomainError('error_invalid', e.userId);
			const delegated = e.attendance === 'delegated';
			await tx
				.update(meetingParticipants)
				.set({
					attendance: e.attendance,
					delegateUserId: delegated ? (e.delegateUserId ?? null) : null,
					delegateName: delegated ? e.delegateName?.trim() || null : null
				})
				.where(and(eq(meetingParticipants.meetingId, id), eq(meetingParticipants.userId, e.userId)));
			if (delegated && !e.delegateUserId && !e.delegateName?.trim()) throw new DomainError('error_delegate_required', e.userId);
		}
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.attendance', entityType: 'meeting', entityId: id, data: { entries: entries.length } });
	});
	publish('meeting.updated', { meetingId: id, tableId: seen.tableId, what: 'attendance' });
}

export interface ParticipantView {
	userId: string;
	name: string;
	email: string;
	organizationId: string | null;
	organizationName: string | null;
	rsvp: RsvpAnswer;
	rsvpAt: Date | null;
	attendance: Attendance | null;
	delegateUserId: string | null;
	delegateUserName: string | null;
	delegateName: string | null;
	tableRole: 'coordinator' | 'member' | null;
}

export async function listParticipants(db: Db, meeting: Pick<Meeting, 'id' | 'tableId'>): Promise<ParticipantView[]> {
	const delegate = sql<string | null>`(select d.name from ${users} d where d.id = ${meetingParticipants.delegateUserId})`;
	const rows = await db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			organizationId: sql<string | null>`coalesce(${meetingParticipants.organizationId}, ${users.organizationId})`,
			organizationName: organizations.name,
			rsvp: meetingParticipants.rsvp,
			rsvpAt: meetingParticipants.rsvpAt,
			attendance: meetingParticipants.attendance,
			delegateUserId: meetingParticipants.delegateUserId,
			delegateUserName: delegate,
			delegateName: meetingParticipants.delegateName,
			tableRole: tableMembers.role
		})
		.from(meetingParticipants)
		.innerJoin(users, eq(users.id, meetingParticipants.userId))
		.leftJoin(organizations, eq(organizations.id, sql`coalesce(${meetingParticipants.organizationId}, ${users.organizationId})`))
		.leftJoin(tableMembers, and(eq(tableMembers.tableId, meeting.tableId), eq(tableMembers.userId, users.id)))
		.where(eq(meetingParticipants.meetingId, meeting.id))
		.orderBy(asc(organizations.name), asc(users.name));
	return rows.map((r) => ({ ...r, tableRole: r.tableRole ?? null }));
}

export function rsvpTally(participants: Pick<ParticipantView, 'rsvp'>[]) {
	const tally: Record<RsvpAnswer, number> = { pending: 0, yes: 0, no: 0, maybe: 0 };
	for (const p of participants) tally[p.rsvp]++;
	return tally;
}

export interface Overlap {
	userId: string;
	name: string;
	/** The next three are null when the asking person may not see that meeting: only "busy" is said. */
	meetingId: string | null;
	title: string | null;
	startsAt: Date | null;
	endsAt: Date | null;
}

/**
 * Participants who already have a (non-cancelled) meeting overlapping [start, end). Titles of
 * meetings the asking person may not see are withheld.
 */
export async function findOverlaps(db: Db, actor: Actor, userIds: string[], start: Date, end: Date, excludeMeetingId?: string): Promise<Overlap[]> {
	if (!userIds.length) return [];
	const rows = await db
		.select({
			userId: meetingParticipants.userId,
			name: users.name,
			meetingId: meetings.id,
			title: meetings.title,
			startsAt: meetings.startsAt,
			endsAt: meetings.endsAt,
			tableId: tables.id,
			visibility: tables.visibility,
			archivedAt: tables.archivedAt,
			status: meetings.status
		})
		.from(meetingParticipants)
		.innerJoin(meetings, eq(meetings.id, meetingParticipants.meetingId))
		.innerJoin(users, eq(users.id, meetingParticipants.userId))
		.innerJoin(tables, eq(tables.id, meetings.tableId))
		.where(
			and(
				inArray(meetingParticipants.userId, userIds),
				isNull(meetings.deletedAt),
				ne(meetings.status, 'annullata'),
				isNotNull(meetings.startsAt),
				lt(meetings.startsAt, end),
				gt(meetings.endsAt, start),
				excludeMeetingId ? ne(meetings.id, excludeMeetingId) : undefined
			)
		)
		.orderBy(asc(users.name), asc(meetings.startsAt));
	const mine = new Set(rows.length ? await participantMeetingIds(db, actor.id, rows.map((r) => r.meetingId)) : []);
	return rows.map((r) => {
		const ref: MeetingRef = {
			id: r.meetingId,
			table: tableRef({ id: r.tableId, visibility: r.visibility, archivedAt: r.archivedAt }),
			participant: mine.has(r.meetingId),
			status: r.status,
			agendaLocked: false
		};
		const visible = can(actor, 'meeting.view', ref);
		return {
			userId: r.userId,
			name: r.name,
			meetingId: visible ? r.meetingId : null,
			title: visible ? r.title : null,
			startsAt: visible ? r.startsAt : null,
			endsAt: visible ? r.endsAt : null
		};
	});
}

async function participantMeetingIds(db: Db, userId: string, meetingIds: string[]) {
	const rows = await db
		.select({ id: meetingParticipants.meetingId })
		.from(meetingParticipants)
		.where(and(eq(meetingParticipants.userId, userId), inArray(meetingParticipants.meetingId, meetingIds)));
	return rows.map((r) => r.id);
}

export interface MeetingListItem {
	id: string;
	title: string;
	tableId: string;
	tableName: string;
	startsAt: Date | null;
	endsAt: Date | null;
	address: string | null;
	onlineUrl: string | null;
	status: MeetingStatus;
	myRsvp: RsvpAnswer | null;
	agendaChanged: boolean;
}

/**
 * "My meetings": those I am invited to and those of the tables I belong to (drafts only for the
 * people who can see them), optionally in [from, to) and for one table.
 */
export async function listMyMeetings(db: Db, actor: Actor, opts: { from?: Date; to?: Date; tableId?: string; includeUndated?: boolean; limit?: number; order?: 'asc' | 'desc' } = {}): Promise<MeetingListItem[]> {
	const myTables = Object.keys(actor.tableRoles);
	const mineCond = myTables.length
		? or(isNotNull(meetingParticipants.userId), inArray(meetings.tableId, myTables))
		: isNotNull(meetingParticipants.userId);
	const rows = await db
		.select({
			id: meetings.id,
			title: meetings.title,
			tableId: meetings.tableId,
			tableName: tables.name,
			startsAt: meetings.startsAt,
			endsAt: meetings.endsAt,
			address: meetings.address,
			onlineUrl: meetings.onlineUrl,
			status: meetings.status,
			myRsvp: meetingParticipants.rsvp,
			agendaChangedAt: meetings.agendaChangedAt,
			agendaSeenAt: meetingParticipants.agendaSeenAt
		})
		.from(meetings)
		.innerJoin(tables, eq(tables.id, meetings.tableId))
		.leftJoin(meetingParticipants, and(eq(meetingParticipants.meetingId, meetings.id), eq(meetingParticipants.userId, actor.id)))
		.where(
			and(
				isNull(meetings.deletedAt),
				isNull(tables.deletedAt),
				mineCond,
				opts.tableId ? eq(meetings.tableId, opts.tableId) : undefined,
				opts.from ? (opts.includeUndated ? or(isNull(meetings.startsAt), gte(meetings.endsAt, opts.from)) : gte(meetings.endsAt, opts.from)) : undefined,
				opts.to ? lt(meetings.startsAt, opts.to) : undefined
			)
		)
		.orderBy(opts.order === 'desc' ? desc(meetings.startsAt) : sql`${meetings.startsAt} asc nulls first`)
		.limit(opts.limit ?? 500);
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		tableId: r.tableId,
		tableName: r.tableName,
		startsAt: r.startsAt,
		endsAt: r.endsAt,
		address: r.address,
		onlineUrl: r.onlineUrl,
		status: r.status,
		myRsvp: r.myRsvp ?? null,
		// Changed since I last looked (an agenda never opened is not "changed": its notifications tell).
		agendaChanged: !!r.agendaChangedAt && !!r.agendaSeenAt && r.agendaSeenAt < r.agendaChangedAt
	}));
}

/** Meetings of one table (for its page), newest first. */
export async function listTableMeetings(db: Db, tableId: string, limit = 20) {
	return db
		.select({ id: meetings.id, title: meetings.title, startsAt: meetings.startsAt, endsAt: meetings.endsAt, status: meetings.status })
		.from(meetings)
		.where(and(eq(meetings.tableId, tableId), isNull(meetings.deletedAt)))
		.orderBy(sql`${meetings.startsAt} desc nulls first`)
		.limit(limit);
}

/** The participant has looked at the agenda now. */
export async function markAgendaSeen(db: Db, meetingId: string, userId: string) {
	await db
		.update(meetingParticipants)
		.set({ agendaSeenAt: new Date() })
		.where(and(eq(meetingParticipants.meetingId, meetingId), eq(meetingParticipants.userId, userId)));
}

/** Date polls waiting for this person's answer (a draft with slots not all answered). */
export async function pollsAwaiting(db: Db, userId: string) {
	const list = await queryRows<{ id: string; title: string; table_name: string; slots: number; answered: number }>(
		db,
		sql`
		select m.id, m.title, t.name as table_name,
		       (select count(*)::int from meeting_slots s where s.meeting_id = m.id and s.deleted_at is null) as slots,
		       (select count(*)::int from meeting_slot_answers a join meeting_slots s on s.id = a.slot_id
		         where s.meeting_id = m.id and s.deleted_at is null and a.user_id = ${userId}) as answered
		from meetings m
		join meeting_participants p on p.meeting_id = m.id and p.user_id = ${userId}
		join tables t on t.id = m.table_id
		where m.status = 'bozza' and m.deleted_at is null and t.deleted_at is null`
	);
	return list.filter((r) => Number(r.slots) > 0 && Number(r.answered) < Number(r.slots)).map((r) => ({ id: r.id, title: r.title, tableName: r.table_name }));
}

/** What the dashboard shows of meetings. */
export async function meetingsDashboard(db: Db, actor: Actor, now = new Date()) {
	const upcoming = (await listMyMeetings(db, actor, { from: now, limit: 200 })).filter((x) => x.startsAt);
	return {
		upcoming: upcoming.filter((x) => x.status === 'convocata').slice(0, 6),
		pendingRsvps: upcoming.filter((x) => x.status === 'convocata' && x.myRsvp === 'pending'),
		agendaChanged: upcoming.filter((x) => x.agendaChanged && x.status !== 'annullata'),
		polls: await pollsAwaiting(db, actor.id)
	};
}
