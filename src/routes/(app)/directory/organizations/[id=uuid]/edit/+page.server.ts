import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize, can } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { deleteDirOrganization, getDirOrganization } from '$lib/server/directory/services';
import { getOrganization } from '$lib/server/network/organizations';
import { partnerChoices, submitOrganizationForm } from '$lib/components/directory/edit/organizations.server';

async function editable(actor: Parameters<typeof can>[0], id: string) {
	const org = await getDirOrganization(getDatabase(), id);
	if (!org) error(404, 'error_not_found');
	if (!can(actor, 'directory.edit', { networkOrganizationId: org.networkOrganizationId })) error(403, 'error_forbidden');
	return org;
}

export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = authorize(locals.actor, 'directory.read');
	const db = getDatabase();
	const org = await editable(actor, params.id);
	const partner = org.networkOrganizationId ? await getOrganization(db, org.networkOrganizationId) : null;
	return {
		organization: { id: org.id, name: org.name },
		values: {
			name: org.name,
			alternateName: org.alternateName,
			description: org.description,
			email: org.email,
			website: org.website,
			taxId: org.taxId,
			vatNumber: org.vatNumber,
			networkOrganizationId: org.networkOrganizationId ?? ''
		},
		partners: await partnerChoices(db, actor),
		partnerName: partner?.name ?? null,
		canDelete: can(actor, 'directory.admin')
	};
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'directory.read');
		const org = await editable(actor, params.id);
		const result = await submitOrganizationForm(getDatabase(), actor, await request.formData(), params.id, org.networkOrganizationId);
		if (!result.ok) return fail(result.status, { action: 'save', errors: result.errors, values: result.values });
		redirect(303, `/directory/organizations/${params.id}?saved=1`);
	},
	delete: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		if ((await request.formData()).get('confirm') !== 'on') return fail(400, { action: 'delete', errors: { confirm: 'dir_edit_delete_confirm_required' } });
		try {
			await deleteDirOrganization(getDatabase(), actor, params.id);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { action: 'delete', errors: { confirm: err.code } });
			throw err;
		}
		redirect(303, '/directory/organizations?deleted=1');
	}
};
