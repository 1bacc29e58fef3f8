import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getOrganization, organizationInput, updateOrganization } from '$lib/server/network/organizations';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'organization.manage');
	const org = await getOrganization(getDatabase(), params.id);
	if (!org) error(404, 'not_found');
	return {
		organization: {
			id: org.id, name: org.name, shortName: org.shortName, kind: org.kind, district: org.district, territory: org.territory,
			website: org.website, description: org.description, taxCode: org.taxCode, vatNumber: org.vatNumber
		}
	};
};

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'organization.manage');
		const parsed = parseForm(organizationInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		try {
			await updateOrganization(getDatabase(), actor.id, params.id, parsed.data);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		redirect(303, `/partners/${params.id}`);
	}
};
