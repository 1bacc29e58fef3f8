import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { listOrganizations } from '$lib/server/network/organizations';
import { organizationKinds } from '$lib/server/db/schema';

export const load: PageServerLoad = async ({ locals, url }) => {
	authorize(locals.actor, 'network.view');
	const kind = url.searchParams.get('kind') ?? '';
	const q = (url.searchParams.get('q') ?? '').slice(0, 100);
	return { kind, q, kinds: organizationKinds, organizations: await listOrganizations(getDatabase(), { kind, q }) };
};
