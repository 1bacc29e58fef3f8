import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize, can } from '$lib/server/authz';
import { listPeople } from '$lib/server/network/people';
import { listOrganizations } from '$lib/server/network/organizations';
import { networkRoles } from '$lib/server/db/schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	authorize(locals.actor, 'person.view');
	const db = getDatabase();
	const filter = {
		q: (url.searchParams.get('q') ?? '').slice(0, 100),
		organizationId: url.searchParams.get('organization') ?? '',
		role: url.searchParams.get('role') ?? ''
	};
	const manage = can(locals.actor, 'person.manage');
	const people = await listPeople(db, { ...filter, includeDisabled: manage });
	return {
		filter,
		roles: networkRoles,
		organizations: (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name })),
		people: people.map((p) => ({
			id: p.id,
			name: p.name,
			email: p.email,
			role: p.role,
			jobTitle: p.jobTitle,
			organizationName: p.organizationName,
			disabled: p.disabled,
			activated: p.activated
		}))
	};
};
