import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { listOrganizationLocationsForEdit } from '$lib/server/directory/services';
import { editableOrganizations, serviceFormChoices, submitServiceForm } from '$lib/components/directory/edit/editing.server';
import { emptyService } from '$lib/components/directory/edit/service-form';

/** A new service of one of the organisations the person may edit (`?organization=` preselects one). */
export const load: PageServerLoad = async ({ locals, url }) => {
	const actor = authorize(locals.actor, 'directory.read');
	const db = getDatabase();
	const organizations = await editableOrganizations(db, actor);
	const wanted = url.searchParams.get('organization');
	const organizationId = organizations.find((o) => o.id === wanted)?.id ?? (organizations.length === 1 ? organizations[0]!.id : '');
	const values = emptyService(organizationId);
	return {
		values,
		choices: await serviceFormChoices(db, actor, organizationId, values),
		canCreateOrganization: actor.role === 'admin' || !!actor.organizationId
	};
};

export const actions: Actions = {
	save: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.read');
		const db = getDatabase();
		const result = await submitServiceForm(db, actor, await request.formData(), null);
		if (result.kind === 'saved') redirect(303, `/directory/services/${result.id}?saved=created`);
		const organizationId = result.values.organizationId;
		const editable = (await editableOrganizations(db, actor)).some((o) => o.id === organizationId);
		const locations = editable ? await listOrganizationLocationsForEdit(db, organizationId) : [];
		if (result.kind === 'row') return { values: result.values, focus: result.focus, locations };
		return fail(result.status, { values: result.values, errors: result.errors, locations });
	}
};
