/**
 * Action items after the minutes: the "Azioni" list (what is mine, my organisation's, my tables'),
 * status updates by their owners and coordinators, and carrying the open ones into the next agenda.
 * The items themselves are written by the minutes projection; only the status is kept here.
 *
 * Who sees an action is `action.view` (authz): whoever may see its meeting, and its owner person
 * even when they may not (a members-only table's minutes named them: they must act on it). The
 * list's SQL mirrors that rule, and every row is checked against it again before it leaves.
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, lt, or, sql, type Column, type SQL } from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../db/client';
import { actionItems, actionStatuses, meetingParticipants, meetings, organizations, tableMembers, tables, users } from '../db/schema';
import type { ActionItemRow, ActionStatus, MeetingStatus, TableVisibility } from '../db/schema';
import { can, type ActionRef, type Actor, type MeetingRef } from '../authz';
import { tableRef } from '../network/guards';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { announce, notify } from '../notifications';
import { stripControl } from '../validation';
import { meetingContext } from '../meetings/meetings';
import { agendaDoc, coordinatorIds } from '../meetings/agenda';
import { editDocument } from '../realtime/collab/edit';
import { AgendaFullError, MAX_NOTES, addItem, type AgendaItemInit } from '$lib/agenda/model';
import { m } from '$lib/paraglide/messages';

export const actionScopes = ['mine', 'my-organization', 'my-tables', 'all-visible'] as const;
export type ActionScope = (typeof actionScopes)[number];

/** Statuses that still ask for work (the default filter, "overdue", the next agenda's review). */
export const OPEN_ACTION_STATUSES: readonly ActionStatus[] = ['aperta', 'in_corso'];
export const ACTIONS_PAGE_SIZE = 50;

export interface ActionFilters {
	scope: ActionScope;
	/** Default: the open ones (aperta, in_corso). */
	status?: ActionStatus[];
	tableId?: string;
	overdue?: boolean;
	q?: string;
	/** 1-based. */
	page?: number;
}

export interface ActionListRow {
	id: string;
	description: string;
	dueDate: string | null;
	status: ActionStatus;
	/** Past its due date (before `today`) and still open. */
	overdue: boolean;
	createdAt: Date;
	/** `visible` false: the owner person's action on a meeting they may not open (title only, no link). */
	meeting: { id: string; title: string; startsAt: Date | null; visible: boolean };
	table: { id: string; name: string };
	owner: { userId: string | null; name: string | null; organizationId: string | null; organizationName: string | null };
	canUpdate: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isUuid = (v: string | undefined): v is string => !!v && z.uuid().safeParse(v).success;

function assertDay(today: string) {
	if (!DAY.test(today)) throw new Error(`today must be YYYY-MM-DD, got ${today}`);
}

const openStatus = () => inArray(actionItems.status, [...OPEN_ACTION_STATUSES]);
const overdueCond = (today: string) => and(isNotNull(actionItems.dueDate), lt(actionItems.dueDate, today), openStatus())!;

/** SQL twin of `action.view`: the actor may see the meeting, or owns the action as a person. */
function visibleCond(actor: Actor): SQL | undefined {
	if (actor.role === 'admin') return undefined;
	const myTables = Object.keys(actor.tableRoles);
	return or(
		eq(actionItems.ownerUserId, actor.id),
		eq(tables.visibility, 'network'),
		isNotNull(meetingParticipants.userId),
		myTables.length ? inArray(tables.id, myTables) : undefined
	);
}

/** Scope conditions; one that cannot match for this actor (no organisation, no tables) is `false`. */
function scopeCond(actor: Actor, scope: ActionScope): SQL | undefined {
	const myTables = Object.keys(actor.tableRoles);
	const myOrg = actor.organizationId ? eq(actionItems.ownerOrganizationId, actor.organizationId) : undefined;
	switch (scope) {
		case 'mine':
			return or(eq(actionItems.ownerUserId, actor.id), myOrg);
		case 'my-organization':
			return myOrg ?? sql`false`;
		case 'my-tables':
			return myTables.length ? inArray(meetings.tableId, myTables) : sql`false`;
		case 'all-visible':
			return undefined;
	}
}

/** Filters other than the scope: status, table, overdue, text. */
function filterConds(filters: Omit<ActionFilters, 'scope' | 'page'>, today: string): (SQL | undefined)[] {
	const statuses = filters.status?.filter((s) => (actionStatuses as readonly string[]).includes(s)) ?? [];
	const conds: (SQL | undefined)[] = [inArray(actionItems.status, statuses.length ? statuses : [...OPEN_ACTION_STATUSES])];
	if (filters.tableId) conds.push(isUuid(filters.tableId) ? eq(meetings.tableId, filters.tableId) : sql`false`);
	if (filters.overdue) conds.push(overdueCond(today));
	const q = stripControl(filters.q ?? '')
		.trim()
		.slice(0, 100);
	if (q) {
		const like = `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`;
		// Accents do not matter ("attivita" finds "attività"): f_unaccent comes with the migrations.
		const match = (col: Column) => sql`f_unaccent(${col}) ilike f_unaccent(${like})`;
		conds.push(or(match(actionItems.description), match(meetings.title), match(users.name), match(organizations.name)));
	}
	return conds;
}

/** Live actions of live meetings of live tables, with what a row needs joined in. */
function withJoins<T extends PgSelect>(query: T, actor: Actor) {
	return query
		.innerJoin(meetings, eq(meetings.id, actionItems.meetingId))
		.innerJoin(tables, eq(tables.id, meetings.tableId))
		.leftJoin(meetingParticipants, and(eq(meetingParticipants.meetingId, meetings.id), eq(meetingParticipants.userId, actor.id)))
		.leftJoin(users, eq(users.id, actionItems.ownerUserId))
		.leftJoin(organizations, eq(organizations.id, actionItems.ownerOrganizationId));
}

const liveConds = () => [isNull(actionItems.removedAt), isNull(meetings.deletedAt), isNull(tables.deletedAt)];

interface RefSource {
	meetingId: string;
	meetingStatus: MeetingStatus;
	agendaLockedAt: Date | null;
	tableId: string;
	visibility: TableVisibility;
	archivedAt: Date | null;
	participant: boolean;
	ownerUserId: string | null;
	ownerOrganizationId: string | null;
}

function actionRef(r: RefSource): ActionRef {
	const meeting: MeetingRef = {
		id: r.meetingId,
		table: tableRef({ id: r.tableId, visibility: r.visibility, archivedAt: r.archivedAt }),
		participant: r.participant,
		status: r.meetingStatus,
		agendaLocked: !!r.agendaLockedAt
	};
	return { ownerUserId: r.ownerUserId, ownerOrganizationId: r.ownerOrganizationId, meeting };
}

/**
 * The actions page: `scope` picks whose actions, the filters narrow them; only actions the actor
 * may see (`action.view`) ever come back, whatever the scope. Overdue first, then by due date
 * (undated last), then oldest first. `today` is the Europe/Rome day (YYYY-MM-DD).
 */
export async function listActions(db: Db, actor: Actor, filters: ActionFilters, today: string): Promise<{ rows: ActionListRow[]; total: number }> {
	assertDay(today);
	const where = and(...liveConds(), visibleCond(actor), scopeCond(actor, filters.scope), ...filterConds(filters, today));
	const page = Math.max(1, Math.floor(filters.page ?? 1));
	const overdue = overdueCond(today);
	const [rows, [totalRow]] = await Promise.all([
		withJoins(
			db
				.select({
					id: actionItems.id,
					description: actionItems.description,
					dueDate: actionItems.dueDate,
					status: actionItems.status,
					createdAt: actionItems.createdAt,
					ownerUserId: actionItems.ownerUserId,
					ownerOrganizationId: actionItems.ownerOrganizationId,
					ownerName: users.name,
					ownerOrganizationName: organizations.name,
					meetingId: meetings.id,
					meetingTitle: meetings.title,
					meetingStartsAt: meetings.startsAt,
					meetingStatus: meetings.status,
					agendaLockedAt: meetings.agendaLockedAt,
					tableId: tables.id,
					tableName: tables.name,
					visibility: tables.visibility,
					archivedAt: tables.archivedAt,
					participantId: meetingParticipants.userId
				})
				.from(actionItems)
				.$dynamic(),
			actor
		)
			.where(where)
			.orderBy(sql`case when ${overdue} then 0 else 1 end`, sql`${actionItems.dueDate} asc nulls last`, asc(actionItems.createdAt), asc(actionItems.id))
			.limit(ACTIONS_PAGE_SIZE)
			.offset((page - 1) * ACTIONS_PAGE_SIZE),
		withJoins(db.select({ n: count() }).from(actionItems).$dynamic(), actor).where(where)
	]);
	const out: ActionListRow[] = [];
	for (const r of rows) {
		const ref = actionRef({ ...r, participant: r.participantId !== null });
		// The SQL above mirrors `action.view`; should the two ever drift apart, nothing private leaks.
		if (!can(actor, 'action.view', ref)) continue;
		out.push({
			id: r.id,
			description: r.description,
			dueDate: r.dueDate,
			status: r.status,
			overdue: isOverdue(r, today),
			createdAt: r.createdAt,
			meeting: { id: r.meetingId, title: r.meetingTitle, startsAt: r.meetingStartsAt, visible: can(actor, 'meeting.view', ref.meeting) },
			table: { id: r.tableId, name: r.tableName },
			owner: { userId: r.ownerUserId, name: r.ownerName, organizationId: r.ownerOrganizationId, organizationName: r.ownerOrganizationName },
			canUpdate: can(actor, 'action.update', ref)
		});
	}
	return { rows: out, total: Number(totalRow?.n ?? 0) };
}

/** Past due (strictly before `today`) and still open. */
export function isOverdue(a: { dueDate: string | null; status: ActionStatus }, today: string): boolean {
	return !!a.dueDate && a.dueDate < today && OPEN_ACTION_STATUSES.includes(a.status);
}

/** How many actions each scope tab holds under the other filters (one query). */
export async function countActionsByScope(db: Db, actor: Actor, filters: Omit<ActionFilters, 'scope' | 'page'>, today: string): Promise<Record<ActionScope, number>> {
	assertDay(today);
	const n = (scope: ActionScope) => {
		const cond = scopeCond(actor, scope);
		return cond ? sql<number>`(count(*) filter (where ${cond}))::int` : sql<number>`count(*)::int`;
	};
	const [row] = await withJoins(db.select({ mine: n('mine'), org: n('my-organization'), tables: n('my-tables'), all: n('all-visible') }).from(actionItems).$dynamic(), actor).where(and(...liveConds(), visibleCond(actor), ...filterConds(filters, today)));
	return {
		mine: Number(row?.mine ?? 0),
		'my-organization': Number(row?.org ?? 0),
		'my-tables': Number(row?.tables ?? 0),
		'all-visible': Number(row?.all ?? 0)
	};
}

/** One live action with its meeting and table, and the actor's permission view of it. */
async function loadAction(db: Db, actor: Actor, id: string) {
	if (!isUuid(id)) return null;
	const [r] = await db
		.select({
			action: actionItems,
			meetingTitle: meetings.title,
			meetingStatus: meetings.status,
			agendaLockedAt: meetings.agendaLockedAt,
			tableId: tables.id,
			visibility: tables.visibility,
			archivedAt: tables.archivedAt,
			participantId: meetingParticipants.userId
		})
		.from(actionItems)
		.innerJoin(meetings, eq(meetings.id, actionItems.meetingId))
		.innerJoin(tables, eq(tables.id, meetings.tableId))
		.leftJoin(meetingParticipants, and(eq(meetingParticipants.meetingId, meetings.id), eq(meetingParticipants.userId, actor.id)))
		.where(and(eq(actionItems.id, id), ...liveConds()));
	if (!r) return null;
	const ref = actionRef({ ...r, meetingId: r.action.meetingId, ownerUserId: r.action.ownerUserId, ownerOrganizationId: r.action.ownerOrganizationId, participant: r.participantId !== null });
	return { action: r.action, meetingTitle: r.meetingTitle, tableId: r.tableId, ref };
}

/**
 * Sets an action's status (owner person, the owning organisation's people, the table's
 * coordinators, admins: `action.update`). 404 when the actor may not see it, 403 when seen but not
 * theirs. Marking it done tells the table's coordinators (the one who did it excepted).
 */
export async function updateActionStatus(db: Db, actor: Actor, id: string, status: ActionStatus): Promise<ActionItemRow> {
	if (!(actionStatuses as readonly string[]).includes(status)) throw new DomainError('error_invalid', 'status');
	const found = await loadAction(db, actor, id);
	if (!found || !can(actor, 'action.view', found.ref)) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'action.update', found.ref)) throw new DomainError('error_forbidden', undefined, 403);
	let told: string[] = [];
	const row = await db.transaction(async (tx) => {
		const [current] = await tx
			.select()
			.from(actionItems)
			.where(and(eq(actionItems.id, id), isNull(actionItems.removedAt)))
			.for('update');
		if (!current) throw new DomainError('error_not_found', undefined, 404);
		if (current.status === status) return current;
		const now = new Date();
		const [row] = await tx
			.update(actionItems)
			.set({ status, statusUpdatedAt: now, statusUpdatedBy: actor.id, updatedAt: now })
			.where(eq(actionItems.id, id))
			.returning();
		await recordAudit(tx, {
			actorId: actor.id,
			action: 'action.status_changed',
			entityType: 'action_item',
			entityId: id,
			data: { meetingId: current.meetingId, from: current.status, to: status }
		});
		if (status === 'fatta')
			told = await notify(tx, await coordinatorIds(tx, found.tableId), {
				kind: 'notif_action_done',
				params: { title: found.meetingTitle, action: oneLine(current.description, 200) },
				link: `/actions?scope=my-tables&table=${found.tableId}&status=fatta`,
				actorId: actor.id
			});
		return row!;
	});
	announce(told);
	return row;
}

export interface OpenAction {
	id: string;
	meetingId: string;
	meetingTitle: string;
	meetingStartsAt: Date | null;
	description: string;
	ownerUserId: string | null;
	ownerName: string | null;
	ownerOrganizationId: string | null;
	ownerOrganizationName: string | null;
	dueDate: string | null;
	status: ActionStatus;
}

/** Open actions (aperta, in corso) of the table's meetings, by due date: for the next agenda. */
export async function openActionsOfTable(db: Db, tableId: string): Promise<OpenAction[]> {
	if (!isUuid(tableId)) return [];
	return db
		.select({
			id: actionItems.id,
			meetingId: meetings.id,
			meetingTitle: meetings.title,
			meetingStartsAt: meetings.startsAt,
			description: actionItems.description,
			ownerUserId: actionItems.ownerUserId,
			ownerName: users.name,
			ownerOrganizationId: actionItems.ownerOrganizationId,
			ownerOrganizationName: organizations.name,
			dueDate: actionItems.dueDate,
			status: actionItems.status
		})
		.from(actionItems)
		.innerJoin(meetings, eq(meetings.id, actionItems.meetingId))
		.leftJoin(users, eq(users.id, actionItems.ownerUserId))
		.leftJoin(organizations, eq(organizations.id, actionItems.ownerOrganizationId))
		.where(and(eq(meetings.tableId, tableId), isNull(meetings.deletedAt), isNull(actionItems.removedAt), openStatus()))
		.orderBy(sql`${actionItems.dueDate} asc nulls last`, sql`${meetings.startsAt} asc nulls last`, asc(actionItems.createdAt), asc(actionItems.id));
}

const oneLine = (s: string, max: number) => {
	const flat = s.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
/** 'YYYY-MM-DD' → 'dd/mm/yyyy' (a calendar day: no time zone involved). */
const dayMonthYear = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/**
 * The "Verifica azioni" agenda item: one line per action, "– description (owner, entro dd/mm/yyyy,
 * status)", ten minutes at least, five plus three per action, an hour at most.
 */
export function actionsReviewItem(actions: Pick<OpenAction, 'description' | 'ownerName' | 'ownerOrganizationName' | 'dueDate' | 'status'>[], locale: string): AgendaItemInit {
	const l = locale === 'en' ? 'en' : 'it';
	const lines: string[] = [];
	let length = 0;
	for (const a of actions) {
		const owner = [a.ownerName, a.ownerOrganizationName].filter(Boolean).join(' / ') || m.actions_review_no_owner({}, { locale: l });
		const parts = [owner, a.dueDate ? m.actions_review_due({ date: dayMonthYear(a.dueDate) }, { locale: l }) : null, statusLabel(a.status, l).toLocaleLowerCase(l)];
		const line = `– ${oneLine(a.description, 500)} (${parts.filter(Boolean).join(', ')})`;
		// Notes have a cap: whole lines only, then an ellipsis.
		if (length + line.length + 2 > MAX_NOTES - 2) {
			lines.push('…');
			break;
		}
		lines.push(line);
		length += line.length + 1;
	}
	return {
		title: m.actions_review_title({}, { locale: l }),
		kind: 'discussione',
		durationMinutes: Math.min(60, Math.max(10, 5 + 3 * actions.length)),
		notes: lines.join('\n')
	};
}

function statusLabel(status: ActionStatus, locale: 'it' | 'en'): string {
	const labels = {
		aperta: m.action_status_aperta,
		in_corso: m.action_status_in_corso,
		fatta: m.action_status_fatta,
		annullata: m.action_status_annullata
	} as const;
	return labels[status]({}, { locale });
}

/**
 * Appends "Verifica azioni" (the table's open actions) at the end of the meeting's agenda, through
 * the document like any other server edit. Coordinators (and admins): `meeting.manage`.
 */
export async function addActionsReviewItem(db: Db, actor: Actor, meetingId: string, locale = 'it'): Promise<{ itemId: string; actions: number }> {
	const ctx = isUuid(meetingId) ? await meetingContext(db, actor, meetingId) : null;
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, 'meeting.manage', ctx.ref)) throw new DomainError('error_forbidden', undefined, 403);
	if (ctx.meeting.status === 'annullata' || ctx.meeting.status === 'svolta') throw new DomainError('error_meeting_closed', undefined, 409);
	const open = await openActionsOfTable(db, ctx.meeting.tableId);
	if (!open.length) throw new DomainError('error_no_open_actions');
	const init = actionsReviewItem(open, locale);
	let itemId = '';
	try {
		await editDocument(
			() => db,
			agendaDoc(meetingId),
			(doc) => void (itemId = addItem(doc, init))
		);
	} catch (err) {
		throw err instanceof AgendaFullError ? new DomainError('error_agenda_full', undefined, 409) : err;
	}
	await recordAudit(db, { actorId: actor.id, action: 'agenda.actions_review_added', entityType: 'meeting', entityId: meetingId, data: { itemId, actions: open.length } });
	return { itemId, actions: open.length };
}
