import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { createTable, createTableInput } from '$lib/server/network/tables';
import { listPeople } from '$lib/server/network/people';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = authorize(locals.actor, 'table.create');
	const people =
		actor.role === 'admin'
			? (await listPeople(getDatabase())).map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}` }))
			: null;
	return { people };
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'table.create');
		const parsed = parseForm(createTableInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		// Only admins choose another coordinator; a coordinator creating a table coordinates it.
		const input = actor.role === 'admin' ? parsed.data : { ...parsed.data, coordinatorId: undefined };
		let id: string;
		try {
			id = (await createTable(getDatabase(), actor, input)).id;
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		redirect(303, `/tables/${id}?created=1`);
	}
};
