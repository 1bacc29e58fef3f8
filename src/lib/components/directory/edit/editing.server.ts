/**
 * What the directory's editing pages share on the server: the organisations a person may edit,
 * the choices the service form offers, the submission of the service form (rows added or removed
 * without JavaScript, validation with `serviceInput`, the data layer's own checks) and the change
 * history of a service as events. The data layer (directory/services.ts) checks permissions again.
 */
import type { Actor } from '$lib/server/authz';
import { can } from '$lib/server/authz';
import type { Db } from '$lib/server/db/client';
import { DomainError } from '$lib/server/errors';
import { zodErrors } from '$lib/server/validation';
import {
	createService,
	getDirOrganization,
	getHistory,
	getServiceCard,
	listDirOrganizations,
	listOrganizationLocationsForEdit,
	serviceInput,
	updateService,
	VersionConflict
} from '$lib/server/directory/services';
import { listTerms } from '$lib/server/directory/taxonomy';
import { LANGUAGE_NAMES } from '$lib/server/directory/format';
import { applyRowOp, fieldErrors, readServiceForm, serviceInputFrom, type ServiceFormValues } from './service-form';

/** The live directory organisations the actor may edit (all for admins), by name. */
export async function editableOrganizations(db: Db, actor: Actor) {
	let rows;
	if (actor.role === 'admin') rows = await listDirOrganizations(db);
	else if (actor.organizationId) rows = await listDirOrganizations(db, { networkOrganizationId: actor.organizationId });
	else return [];
	return rows
		.filter((o) => can(actor, 'directory.edit', { networkOrganizationId: o.networkOrganizationId }))
		.map((o) => ({ id: o.id, name: o.name, partnerName: o.partnerName, networkOrganizationId: o.networkOrganizationId }));
}

/** Everything the service form offers to choose from, for a service of `organizationId`. */
export async function serviceFormChoices(db: Db, actor: Actor, organizationId: string, values?: ServiceFormValues) {
	const [organizations, terms, locations] = await Promise.all([
		editableOrganizations(db, actor),
		listTerms(db),
		organizationId ? listOrganizationLocationsForEdit(db, organizationId) : Promise.resolve([])
	]);
	// The service's own organisation is always offered (never silently swapped for the first one).
	if (organizationId && !organizations.some((o) => o.id === organizationId)) {
		const own = await getDirOrganization(db, organizationId);
		if (own) organizations.unshift({ id: own.id, name: own.name, partnerName: null, networkOrganizationId: own.networkOrganizationId });
	}
	const term = (t: (typeof terms)[number]) => ({ code: t.code, name: t.name, description: t.description });
	const languages = Object.entries(LANGUAGE_NAMES).map(([code, name]) => ({ code, name }));
	// A code the service already has (or someone typed) stays choosable even if the list lacks it.
	for (const l of values?.languages ?? []) if (l.code && !languages.some((x) => x.code === l.code)) languages.push({ code: l.code, name: l.name || l.code });
	return {
		organizations,
		categories: terms.filter((t) => t.taxonomy === 'categoria').map(term),
		targets: terms.filter((t) => t.taxonomy === 'destinatari').map(term),
		languages,
		locations
	};
}

export type ServiceFormResult =
	| { kind: 'saved'; id: string }
	/** A row was added or removed (no JavaScript): the form again, focus on `focus`. */
	| { kind: 'row'; values: ServiceFormValues; focus: string | null; base?: string }
	| { kind: 'invalid'; status: 400 | 403 | 404 | 409; errors: Record<string, string>; values: ServiceFormValues; base?: string };

/** When a service was last changed: the edit form carries it, to notice someone else's save meanwhile. */
export async function serviceVersion(db: Db, actor: Actor, serviceId: string): Promise<string> {
	return (await getServiceCard(db, actor, serviceId)).updatedAt.toISOString();
}

/**
 * A submitted service form: a row operation (`_op`), or a save (create when `serviceId` is null).
 * Whatever fails comes back with every value as typed and errors keyed by field path.
 */
export async function submitServiceForm(db: Db, actor: Actor, form: FormData, serviceId: string | null): Promise<ServiceFormResult> {
	const values = readServiceForm(form);
	// The version the form started from travels with every answer that shows the form again.
	const sent = form.get('_base');
	const base = serviceId && typeof sent === 'string' && sent ? sent : undefined;
	const op = form.get('_op');
	if (typeof op === 'string' && op) return { kind: 'row', values, focus: applyRowOp(values, op), base };
	const parsed = serviceInput.safeParse(serviceInputFrom(values));
	if (!parsed.success) return { kind: 'invalid', status: 400, errors: fieldErrors(zodErrors(parsed.error)), values, base };
	try {
		// Someone saved the service after this form was opened: say so once, rather than silently
		// overwriting their change; saving again (with the new version) overwrites on purpose.
		// The check is made in the transaction that writes, on the locked row (`expectedVersion`).
		const row = serviceId
			? await updateService(db, actor, serviceId, parsed.data, { verify: values.verify, expectedVersion: base })
			: await createService(db, actor, parsed.data);
		return { kind: 'saved', id: row.id };
	} catch (err) {
		if (err instanceof VersionConflict) return { kind: 'invalid', status: 409, errors: { _form: err.code }, values, base: err.current };
		if (!(err instanceof DomainError)) throw err;
		const status = err.status === 403 ? 403 : err.status === 404 && !err.field ? 404 : 400;
		return { kind: 'invalid', status, errors: { [err.field ?? '_form']: err.code }, values, base };
	}
}

// ---------------------------------------------------------------------------------------------
// History

export interface HistoryChange {
	/** Which record: the service itself, or one of its places (label). */
	resource: string | null;
	field: string | null;
	previous: string | null;
	replacement: string | null;
}
export interface HistoryEvent {
	at: string;
	who: string | null;
	action: string;
	changes: HistoryChange[];
}

/** Fields recorded for bookkeeping that a person reading the history does not need. */
const HIDDEN_FIELDS = new Set(['assurer_id', 'external_id', 'organization_id:location']);

/**
 * The change history of a service and of the places it is offered at, newest first, grouped into
 * events (one save: one author, one moment). Ids of organisations become their names.
 */
export async function serviceHistory(db: Db, actor: Actor, serviceId: string) {
	const card = await getServiceCard(db, actor, serviceId);
	const own = await getHistory(db, actor, serviceId, 1000);
	const places = await Promise.all(card.locations.map(async (l) => ({ label: l.name ?? l.addressText ?? l.id, rows: await getHistory(db, actor, l.id, 300) })));
	const rows = [
		...own.map((r) => ({ ...r, resource: null as string | null })),
		...places.flatMap((p) => p.rows.map((r) => ({ ...r, resource: p.label })))
	].filter((r) => !HIDDEN_FIELDS.has(r.fieldName ?? '') && !(r.resource && HIDDEN_FIELDS.has(`${r.fieldName}:location`)));
	const orgNames = new Map<string, string>();
	for (const id of new Set(rows.filter((r) => r.fieldName === 'organization_id').flatMap((r) => [r.previousValue, r.replacementValue]).filter((x): x is string => !!x)))
		orgNames.set(id, (await getDirOrganization(db, id))?.name ?? id);
	// Categories and targets are recorded by code: people read their names (retired ones too).
	const terms = new Map((await listTerms(db, { includeRetired: true })).map((t) => [`${t.taxonomy}:${t.code}`, t.name]));
	const termNames = (taxonomy: string, v: string) =>
		v
			.split('; ')
			.map((code) => terms.get(`${taxonomy}:${code}`) ?? code)
			.join('; ');
	const named = (field: string | null, v: string | null) => {
		if (!v) return v;
		if (field === 'organization_id') return orgNames.get(v) ?? v;
		if (field === 'categories') return termNames('categoria', v);
		if (field === 'targets') return termNames('destinatari', v);
		return v;
	};

	rows.sort((a, b) => b.lastActionDate.getTime() - a.lastActionDate.getTime() || (a.resource ?? '').localeCompare(b.resource ?? '') || (a.fieldName ?? '').localeCompare(b.fieldName ?? ''));
	const events: HistoryEvent[] = [];
	for (const r of rows) {
		const at = r.lastActionDate.toISOString();
		let ev = events.find((e) => e.at === at && e.who === (r.updatedByName ?? null));
		if (!ev) {
			ev = { at, who: r.updatedByName ?? null, action: r.lastActionType, changes: [] };
			events.push(ev);
		}
		// The service's own action names the event (a save that also changed a place is an update).
		if (!r.resource) ev.action = r.lastActionType;
		if (r.fieldName || r.resource) ev.changes.push({ resource: r.resource, field: r.fieldName, previous: named(r.fieldName, r.previousValue), replacement: named(r.fieldName, r.replacementValue) });
	}
	return { service: { id: card.id, name: card.name, organization: card.organization.name, canEdit: card.canEdit }, events };
}
