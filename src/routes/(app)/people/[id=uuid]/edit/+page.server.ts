import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getPerson, personInput, updatePerson } from '$lib/server/network/people';
import { listOrganizations } from '$lib/server/network/organizations';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'person.manage');
	const db = getDatabase();
	const person = await getPerson(db, params.id);
	if (!person) error(404, 'not_found');
	return {
		person: { id: person.id, name: person.name, email: person.email, organizationId: person.organizationId, role: person.role, jobTitle: person.jobTitle, phone: person.phone },
		organizations: (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name }))
	};
};

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'person.manage');
		const parsed = parseForm(personInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		try {
			await updatePerson(getDatabase(), actor.id, params.id, parsed.data);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		redirect(303, `/people/${params.id}`);
	}
};
