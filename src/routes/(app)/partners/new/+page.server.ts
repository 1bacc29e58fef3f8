import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { createOrganization, organizationInput } from '$lib/server/network/organizations';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = ({ locals }) => {
	authorize(locals.actor, 'organization.manage');
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'organization.manage');
		const parsed = parseForm(organizationInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		let id: string;
		try {
			id = (await createOrganization(getDatabase(), actor.id, parsed.data)).id;
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		redirect(303, `/partners/${id}`);
	}
};
