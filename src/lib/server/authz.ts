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
	/** The person's organisation (action items owned by an organisation are its people's to update). */
	organizationId?: string | null;
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

/** A meeting's minutes as permissions see them. */
export interface MinutesRef {
	meeting: MeetingRef;
	status: 'bozza' | 'in_revisione' | 'approvata';
	/** Comments are taken until then while in review. */
	reviewOpen: boolean;
}

/** An action item and where it comes from. */
export interface ActionRef {
	ownerUserId: string | null;
	ownerOrganizationId: string | null;
	meeting: MeetingRef;
}

/** A directory record as permissions see it: the network partner whose people maintain it. */
export interface DirectoryRef {
	/** The network organisation linked to the record's directory organisation (null: none). */
	networkOrganizationId: string | null;
}

/** A discussion thread: its table (null: the network-wide Piazza) and whether it is locked. */
export interface ThreadRef {
	table: TableRef | null;
	locked: boolean;
}

/** A post in a thread. */
export interface PostRef {
	thread: ThreadRef;
	authorId: string;
	deleted: boolean;
	hidden: boolean;
}

/** A collaborative document and what it belongs to. */
export type DocumentRef =
	| { kind: 'table-notes'; table: TableRef }
	| { kind: 'agenda'; meeting: MeetingRef }
	| { kind: 'minutes'; minutes: MinutesRef };

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
	'minutes.read': MinutesRef;
	/** Write the live draft (document.write on `minutes:<id>` follows this). */
	'minutes.edit': MinutesRef;
	'minutes.comment': MinutesRef;
	/** Start the review, approve, correct after approval, settle privacy flags. */
	'minutes.manage': MinutesRef;
	/** Listed on the actions page, its status shown (see the rule). */
	'action.view': ActionRef;
	'action.update': ActionRef;
	/** Search and read the service directory. */
	'directory.read': undefined;
	/** Create, change, verify or delete a directory organisation or service of this partner. */
	'directory.edit': DirectoryRef;
	/** Taxonomy terms, import, API tokens, directory settings. */
	'directory.admin': undefined;
	/** Read a thread (and be told of its posts). */
	'thread.view': ThreadRef;
	/** Start a thread in a table, or in the Piazza (null). */
	'thread.create': TableRef | null;
	/** Reply in a thread. */
	'post.create': ThreadRef;
	'post.edit': PostRef;
	'post.delete': PostRef;
	/** Pin, lock, move, hide posts: the table's coordinators (the Piazza: admins). */
	'thread.moderate': ThreadRef;
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
	'document.read': (a, d) =>
		d.kind === 'agenda' ? viewMeeting(a, d.meeting) : d.kind === 'minutes' ? viewMeeting(a, d.minutes.meeting) : isAdmin(a) || d.table.visibility === 'network' || belongs(a, d.table.id),
	'document.write': (a, d) =>
		d.kind === 'agenda' ? editAgenda(a, d.meeting) : d.kind === 'minutes' ? editMinutes(a, d.minutes) : isAdmin(a) || (!d.table.archived && belongs(a, d.table.id)),
	'meeting.create': (a, t) => !t.archived && (isAdmin(a) || coordinates(a, t.id)),
	'meeting.view': (a, m) => viewMeeting(a, m),
	'meeting.manage': (a, m) => manageMeeting(a, m),
	'meeting.respond': (a, m) => m.participant && m.status !== 'annullata',
	'agenda.edit': (a, m) => editAgenda(a, m),
	// Members and participants propose items until the meeting has taken place.
	'agenda.propose': (a, m) => (m.status === 'bozza' || m.status === 'convocata') && !m.table.archived && (m.participant || belongs(a, m.table.id)),
	'template.manage': (a, t) => !t.archived && (isAdmin(a) || coordinates(a, t.id)),
	'minutes.read': (a, mn) => viewMeeting(a, mn.meeting),
	'minutes.edit': (a, mn) => editMinutes(a, mn),
	// During review, participants (and coordinators) comment on sections while the period is open.
	'minutes.comment': (a, mn) => mn.status === 'in_revisione' && mn.reviewOpen && (mn.meeting.participant || manageMeeting(a, mn.meeting)),
	'minutes.manage': (a, mn) => mn.meeting.status !== 'annullata' && manageMeeting(a, mn.meeting),
	// An action is seen with its meeting, except by its owner person: named in minutes of a
	// members-only table they may not read, they must still see and update what is theirs (only the
	// action and its meeting's title reach them, never the minutes). An organisation-owned action of
	// such a meeting stays private: the organisation's other people neither see nor update it.
	'action.view': (a, r) => ownsAction(a, r) || viewMeeting(a, r.meeting),
	// The owner person, anyone of the owning organisation who may see the meeting, the table's coordinators, admins.
	'action.update': (a, r) =>
		ownsAction(a, r) ||
		(!!r.ownerOrganizationId && !!a.organizationId && r.ownerOrganizationId === a.organizationId && viewMeeting(a, r.meeting)) ||
		manageMeeting(a, r.meeting),
	// Everyone in the network searches and reads the directory (anonymous readers: see
	// directory/access.ts). Each partner's people maintain their own organisation's services;
	// records linked to no partner are the admins' to keep.
	'directory.read': () => true,
	'directory.edit': (a, r) => isAdmin(a) || (!!r.networkOrganizationId && !!a.organizationId && r.networkOrganizationId === a.organizationId),
	'directory.admin': isAdmin,
	// Threads follow their table: seen by whoever sees the table; the Piazza is the whole network's.
	'thread.view': (a, t) => !t.table || isAdmin(a) || t.table.visibility === 'network' || belongs(a, t.table.id),
	// Whoever sees a network-visible table writes in it, members in members-only ones; everyone in the Piazza.
	'thread.create': (a, table) => writesIn(a, table),
	'post.create': (a, t) => moderates(a, t) || (!t.locked && writesIn(a, t.table)),
	// Authors edit their own posts while they stand (not deleted, not hidden) and the thread is open.
	'post.edit': (a, p) => !p.deleted && !p.hidden && p.authorId === a.id && !p.thread.locked && writesIn(a, p.thread.table),
	'post.delete': (a, p) => !p.deleted && (p.authorId === a.id || moderates(a, p.thread)),
	'thread.moderate': (a, t) => moderates(a, t)
};

function writesIn(a: Actor, table: TableRef | null) {
	if (!table) return true;
	// Network-visible tables are open to the whole network's discussion; members-only ones to their members.
	return !table.archived && (isAdmin(a) || table.visibility === 'network' || belongs(a, table.id));
}
function moderates(a: Actor, t: ThreadRef) {
	if (!t.table) return isAdmin(a);
	return isAdmin(a) || (!t.table.archived && coordinates(a, t.table.id));
}

/**
 * The live draft: its participants and the table's coordinators while a draft; during review only
 * coordinators (to act on comments); approved minutes are read-only for everyone until reopened.
 */
function editMinutes(a: Actor, mn: MinutesRef) {
	if (mn.meeting.status === 'annullata' || mn.status === 'approvata') return false;
	if (mn.status === 'in_revisione') return manageMeeting(a, mn.meeting);
	return mn.meeting.participant || manageMeeting(a, mn.meeting);
}

function ownsAction(a: Actor, r: ActionRef) {
	return !!r.ownerUserId && r.ownerUserId === a.id;
}

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
