import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getDirOrganization, listOrganizationLocationsForEdit } from '$lib/server/directory/services';

/** The places of an organisation, for the service form when its organisation changes. */
export const GET: RequestHandler = async ({ locals, params }) => {
	authorize(locals.actor, 'directory.read');
	const db = getDatabase();
	if (!(await getDirOrganization(db, params.id))) error(404, 'error_not_found');
	return json({ locations: await listOrganizationLocationsForEdit(db, params.id) }, { headers: { 'cache-control': 'no-store' } });
};
