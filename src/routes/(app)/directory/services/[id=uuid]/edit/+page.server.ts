import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { deleteService, getServiceForEdit, listOrganizationLocationsForEdit } from '$lib/server/directory/services';
import { editableOrganizations, serviceFormChoices, serviceVersion, submitServiceForm } from '$lib/components/directory/edit/editing.server';
import { serviceFormFrom } from '$lib/components/directory/edit/service-form';

/** The whole service in one form, for the people who may edit it (getServiceForEdit checks). */
export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = authorize(locals.actor, 'directory.read');
	const db = getDatabase();
	try {
		const current = await getServiceForEdit(db, actor, params.id);
		const values = serviceFormFrom(current);
		return {
			service: { id: params.id, name: current.name, organizationId: current.organizationId },
			values,
			base: await serviceVersion(db, actor, params.id),
			choices: await serviceFormChoices(db, actor, current.organizationId, values)
		};
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
};

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'directory.read');
		const db = getDatabase();
		const form = await request.formData();
		const result = await submitServiceForm(db, actor, form, params.id);
		if (result.kind === 'saved') redirect(303, `/directory/services/${params.id}?saved=${result.id === params.id ? 'updated' : 'created'}`);
		const organizationId = result.values.organizationId;
		const editable = (await editableOrganizations(db, actor)).some((o) => o.id === organizationId);
		const locations = editable ? await listOrganizationLocationsForEdit(db, organizationId) : [];
		if (result.kind === 'row') return { action: 'save', values: result.values, focus: result.focus, locations, base: result.base };
		if (result.status === 404) error(404, 'error_not_found');
		return fail(result.status, { action: 'save', values: result.values, errors: result.errors, locations, base: result.base });
	},
	delete: async ({ locals, params, request }) => {
		const actor = authorize(locals.actor, 'directory.read');
		const form = await request.formData();
		if (form.get('confirm') !== 'on') return fail(400, { action: 'delete', errors: { confirm: 'dir_edit_delete_confirm_required' } });
		const db = getDatabase();
		let organizationId: string;
		try {
			organizationId = (await getServiceForEdit(db, actor, params.id)).organizationId;
			await deleteService(db, actor, params.id);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { action: 'delete', errors: { confirm: err.code } });
			throw err;
		}
		redirect(303, `/directory/organizations/${organizationId}?deleted=1`);
	}
};
