/**
 * The directory organisation form on the server: who may choose the linked network partner, the
 * partners offered, and the values the form shows again. Permissions are the data layer's.
 */
import type { Actor } from '$lib/server/authz';
import { can } from '$lib/server/authz';
import type { Db } from '$lib/server/db/client';
import { DomainError } from '$lib/server/errors';
import { parseForm } from '$lib/server/validation';
import { listOrganizations } from '$lib/server/network/organizations';
import { createDirOrganization, dirOrganizationInput, updateDirOrganization, type DirOrganizationInput } from '$lib/server/directory/services';

/** The network partners an admin may link a record to (others keep their own). */
export async function partnerChoices(db: Db, actor: Actor) {
	if (!can(actor, 'directory.admin')) return [];
	return (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name }));
}

export type OrganizationFormResult = { ok: true; id: string } | { ok: false; status: number; errors: Record<string, string>; values: Record<string, string> };

/**
 * Creates (id null) or updates a directory organisation from its form. Only admins choose the
 * partner: for anyone else a new record belongs to their own partner and an existing one keeps its.
 */
export async function submitOrganizationForm(db: Db, actor: Actor, form: FormData, id: string | null, currentPartner: string | null = null): Promise<OrganizationFormResult> {
	const parsed = parseForm(dirOrganizationInput, form);
	if (!parsed.ok) return { ok: false, status: 400, errors: parsed.errors, values: parsed.values };
	const input: DirOrganizationInput = { ...parsed.data };
	if (!can(actor, 'directory.admin')) input.networkOrganizationId = (id ? currentPartner : actor.organizationId) ?? undefined;
	try {
		const row = id ? await updateDirOrganization(db, actor, id, input) : await createDirOrganization(db, actor, input);
		return { ok: true, id: row.id };
	} catch (err) {
		if (!(err instanceof DomainError)) throw err;
		return { ok: false, status: err.status === 404 && !err.field ? 404 : err.status, errors: { [err.field ?? '_form']: err.code }, values: parsed.values };
	}
}
