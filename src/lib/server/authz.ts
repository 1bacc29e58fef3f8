/**
 * The one permission module. Routes, form actions, the JSON API and the socket gateway all ask
 * `can` (or `authorize`, which throws 403); nothing else decides who may do what.
 */
import { error } from '@sveltejs/kit';
import type { NetworkRole, TableRole, TableVisibility } from './db/schema';

export interface Actor {
	id: string;
	role: NetworkRole;
	/** tableId → role, for the tables the person belongs to. */
	tableRoles: Readonly<Record<string, TableRole>>;
}

export interface TableRef {
	id: string;
	visibility: TableVisibility;
	archived?: boolean;
}

/** A meeting as permissions see it: its table, whether the actor is invited, its agenda lock. */
export interface MeetingRef {
	id: string;
	table: TableRef;
	/** The actor is among the meeting's participants. */
	participant: boolean;
	status: 'bozza' | 'convocata' | 'svolta' | 'annullata';
	agendaLocked: boolean;
}

/** A collaborative document and what it belongs to. */
export type DocumentRef = { kind: 'table-notes'; table: TableRef } | { kind: 'agenda'; meeting: MeetingRef };

type Rules = {
	'network.view': undefined;
	'organization.manage': undefined;
	'person.view': undefined;
	'person.manage': undefined;
	'person.issueReset': undefined;
	'table.create': undefined;
	'table.view': TableRef;
	'table.update': TableRef;
	'table.archive': TableRef;
	'table.manageMembers': TableRef;
	/** An invitation into the network, optionally into one table. */
	'invitation.create': { tableId: string | null };
	'invitation.manageAll': undefined;
	'admin.access': undefined;
	'document.read': DocumentRef;
	'document.write': DocumentRef;
	/** Schedule a meeting in this table. */
	'meeting.create': TableRef;
	'meeting.view': MeetingRef;
	/** Edit, reschedule, convene, cancel, run the date poll, take the register, decide proposals. */
	'meeting.manage': MeetingRef;
	'meeting.respond': MeetingRef;
	'agenda.edit': MeetingRef;
	'agenda.propose': MeetingRef;
	'template.manage': TableRef;
};
export type Action = keyof Rules;

const isAdmin = (a: Actor) => a.role === 'admin';
const coordinates = (a: Actor, tableId: string) => a.tableRoles[tableId] === 'coordinator';
const belongs = (a: Actor, tableId: string) => a.tableRoles[tableId] !== undefined;

const rules: { [K in Action]: (actor: Actor, resource: Rules[K]) => boolean } = {
	'network.view': () => true,
	'organization.manage': isAdmin,
	'person.view': () => true,
	'person.manage': isAdmin,
	'person.issueReset': isAdmin,
	'table.create': (a) => isAdmin(a) || a.role === 'coordinator',
	'table.view': (a, t) => isAdmin(a) || t.visibility === 'network' || belongs(a, t.id),
	// Name, description and visibility are the network's business: admins only (a coordinator could
	// otherwise open a members-only table to everyone).
	'table.update': isAdmin,
	'table.archive': isAdmin,
	'table.manageMembers': (a, t) => isAdmin(a) || (!t.archived && coordinates(a, t.id)),
	'invitation.create': (a, r) => isAdmin(a) || (r.tableId !== null && coordinates(a, r.tableId)),
	'invitation.manageAll': isAdmin,
	'admin.access': isAdmin,
	// Table notes: whoever may see the table reads them; its members (and admins) write them.
	// Agendas: whoever may see the meeting reads; editing follows 'agenda.edit'.
	'document.read': (a, d) => (d.kind === 'agenda' ? viewMeeting(a, d.meeting) : isAdmin(a) || d.table.visibility === 'network' || belongs(a, d.table.id)),
	'document.write': (a, d) => (d.kind === 'agenda' ? editAgenda(a, d.meeting) : isAdmin(a) || (!d.table.archived && belongs(a, d.table.id))),
	'meeting.create': (a, t) => !t.archived && (isAdmin(a) || coordinates(a, t.id)),
	'meeting.view': (a, m) => viewMeeting(a, m),
	'meeting.manage': (a, m) => manageMeeting(a, m),
	'meeting.respond': (a, m) => m.participant && m.status !== 'annullata',
	'agenda.edit': (a, m) => editAgenda(a, m),
	// Members and participants propose items until the meeting has taken place.
	'agenda.propose': (a, m) => (m.status === 'bozza' || m.status === 'convocata') && !m.table.archived && (m.participant || belongs(a, m.table.id)),
	'template.manage': (a, t) => !t.archived && (isAdmin(a) || coordinates(a, t.id))
};

/** Meetings of members-only tables are seen by the table's members and the invited only. */
function viewMeeting(a: Actor, m: MeetingRef) {
	return isAdmin(a) || m.participant || m.table.visibility === 'network' || belongs(a, m.table.id);
}
function manageMeeting(a: Actor, m: MeetingRef) {
	return !m.table.archived && (isAdmin(a) || coordinates(a, m.table.id));
}
/** Open agenda: members and participants; locked, held or cancelled: coordinators (and admins). */
function editAgenda(a: Actor, m: MeetingRef) {
	if (m.status === 'annullata') return false;
	if (manageMeeting(a, m)) return true;
	if (m.table.archived || m.agendaLocked || m.status === 'svolta') return false;
	return m.participant || belongs(a, m.table.id);
}

type ResourceArg<A extends Action> = Rules[A] extends undefined ? [] : [resource: Rules[A]];

/** Anonymous actors (null) may do nothing here; public surfaces check their own flags. */
export function can<A extends Action>(actor: Actor | null, action: A, ...resource: ResourceArg<A>): boolean {
	if (!actor) return false;
	return rules[action](actor, resource[0] as Rules[A]);
}

/** `can` or a 403 (401 for anonymous). */
export function authorize<A extends Action>(actor: Actor | null, action: A, ...resource: ResourceArg<A>): Actor {
	if (!actor) error(401, 'unauthenticated');
	if (!can(actor, action, ...resource)) error(403, 'forbidden');
	return actor;
}
