import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { publicBaseUrl } from '$lib/server/links';
import { authorize } from '$lib/server/authz';
import { createInvitation, invitationInput, listPendingInvitations, revokeInvitation } from '$lib/server/network/invitations';
import { listOrganizations } from '$lib/server/network/organizations';
import { listVisibleTables } from '$lib/server/network/tables';
import { parseForm, uuidField } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals }) => {
	const actor = authorize(locals.actor, 'invitation.manageAll');
	const db = getDatabase();
	const [invitations, organizations, tables] = await Promise.all([listPendingInvitations(db), listOrganizations(db), listVisibleTables(db, actor)]);
	return {
		invitations,
		organizations: organizations.map((o) => ({ id: o.id, name: o.name })),
		tables: tables.map((t) => ({ id: t.id, name: t.name }))
	};
};

export const actions: Actions = {
	create: async ({ locals, request, url }) => {
		const actor = authorize(locals.actor, 'invitation.manageAll');
		const parsed = parseForm(invitationInput, await request.formData());
		if (!parsed.ok) return fail(400, { action: 'create', errors: parsed.errors, values: parsed.values });
		try {
			const { link, invitation } = await createInvitation(getDatabase(), actor, parsed.data, { baseUrl: publicBaseUrl(url.origin) });
			kickMailWorker();
			return { action: 'create', success: true, link, email: invitation.email, expiresAt: invitation.expiresAt };
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { action: 'create', errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
	},
	revoke: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'invitation.manageAll');
		const parsed = parseForm(z.object({ invitationId: uuidField }), await request.formData());
		if (!parsed.ok) return fail(400, { action: 'revoke', errors: parsed.errors });
		try {
			await revokeInvitation(getDatabase(), actor.id, parsed.data.invitationId);
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { action: 'revoke', errors: { _form: err.code } });
			throw err;
		}
		return { action: 'revoke', success: true };
	}
};
