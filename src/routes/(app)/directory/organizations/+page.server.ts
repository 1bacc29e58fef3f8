import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize, can } from '$lib/server/authz';
import { listDirOrganizations } from '$lib/server/directory/services';

/** Every organisation of the directory; the ones the person may edit are marked. */
export const load: PageServerLoad = async ({ locals }) => {
	const actor = authorize(locals.actor, 'directory.read');
	const rows = await listDirOrganizations(getDatabase());
	return {
		organizations: rows.map((o) => ({ ...o, canEdit: can(actor, 'directory.edit', { networkOrganizationId: o.networkOrganizationId }) })),
		canCreate: actor.role === 'admin' || !!actor.organizationId
	};
};
