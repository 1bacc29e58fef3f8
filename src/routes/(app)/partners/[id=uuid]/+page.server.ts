import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize, can } from '$lib/server/authz';
import { deleteOrganization, getOrganization } from '$lib/server/network/organizations';
import { listPeople } from '$lib/server/network/people';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'network.view');
	const db = getDatabase();
	const org = await getOrganization(db, params.id);
	if (!org) error(404, 'not_found');
	return {
		organization: {
			id: org.id, name: org.name, shortName: org.shortName, kind: org.kind, district: org.district, territory: org.territory,
			website: org.website, description: org.description, taxCode: org.taxCode, vatNumber: org.vatNumber, isLead: org.isLead
		},
		people: (await listPeople(db, { organizationId: org.id })).map((p) => ({ id: p.id, name: p.name, jobTitle: p.jobTitle, role: p.role })),
		canManage: can(locals.actor, 'organization.manage')
	};
};

export const actions: Actions = {
	delete: async ({ locals, params }) => {
		const actor = authorize(locals.actor, 'organization.manage');
		try {
			await deleteOrganization(getDatabase(), actor.id, params.id);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { errors: { _form: err.code } });
			throw err;
		}
		redirect(303, '/partners');
	}
};
