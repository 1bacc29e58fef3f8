import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getOrganization } from '$lib/server/network/organizations';
import { partnerChoices, submitOrganizationForm } from '$lib/components/directory/edit/organizations.server';

/** Admins create any record (linked to no partner unless they choose one); a partner's people their own partner's. */
export const load: PageServerLoad = async ({ locals }) => {
	const actor = authorize(locals.actor, 'directory.read');
	if (actor.role !== 'admin' && !actor.organizationId) error(403, 'error_forbidden');
	const db = getDatabase();
	const own = actor.organizationId ? await getOrganization(db, actor.organizationId) : null;
	return { partners: await partnerChoices(db, actor), partnerName: own?.name ?? null, values: { networkOrganizationId: actor.role === 'admin' ? '' : (actor.organizationId ?? '') } };
};

export const actions: Actions = {
	save: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.read');
		const result = await submitOrganizationForm(getDatabase(), actor, await request.formData(), null);
		if (!result.ok) return fail(result.status, { errors: result.errors, values: result.values });
		redirect(303, `/directory/organizations/${result.id}?saved=1`);
	}
};
