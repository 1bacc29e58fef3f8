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

/** A collaborative document and what it belongs to (more kinds come with agendas and minutes). */
export type DocumentRef = { kind: 'table-notes'; table: TableRef };

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
	'document.read': (a, d) => isAdmin(a) || d.table.visibility === 'network' || belongs(a, d.table.id),
	'document.write': (a, d) => isAdmin(a) || (!d.table.archived && belongs(a, d.table.id))
};

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
