import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize, can } from '$lib/server/authz';
import { getDirOrganization, listOrganizationLocationsForEdit, listOrganizationServices } from '$lib/server/directory/services';
import { getOrganization } from '$lib/server/network/organizations';

/** A directory organisation: its details, its services and its places. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = authorize(locals.actor, 'directory.read');
	const db = getDatabase();
	const org = await getDirOrganization(db, params.id);
	if (!org) error(404, 'error_not_found');
	const partner = org.networkOrganizationId ? await getOrganization(db, org.networkOrganizationId) : null;
	const canEdit = can(actor, 'directory.edit', { networkOrganizationId: org.networkOrganizationId });
	return {
		organization: {
			id: org.id,
			name: org.name,
			alternateName: org.alternateName,
			description: org.description,
			email: org.email,
			website: org.website,
			taxId: org.taxId,
			vatNumber: org.vatNumber,
			partnerName: partner?.name ?? null
		},
		services: await listOrganizationServices(db, org.id),
		locations: (await listOrganizationLocationsForEdit(db, org.id)).map((l) => ({ id: l.id, label: l.label, locationType: l.locationType, district: l.district ?? null, istatCode: l.istatCode ?? null, services: l.services })),
		canEdit
	};
};
