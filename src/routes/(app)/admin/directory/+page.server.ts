import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { parseForm, uuidField } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { createApiToken, directoryIsPublic, listApiTokens, revokeApiToken, setDirectoryPublic, tokenInput } from '$lib/server/directory/access';

export const load: PageServerLoad = async ({ locals }) => {
	authorize(locals.actor, 'directory.admin');
	const db = getDatabase();
	return { isPublic: await directoryIsPublic(db), tokens: await listApiTokens(db) };
};

export const actions: Actions = {
	setPublic: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const parsed = parseForm(z.object({ public: z.enum(['true', 'false']) }), await request.formData());
		if (!parsed.ok) return fail(400, { action: 'setPublic', errors: parsed.errors });
		await setDirectoryPublic(getDatabase(), actor, parsed.data.public === 'true');
		return { action: 'setPublic', success: true };
	},
	createToken: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const parsed = parseForm(tokenInput, await request.formData());
		if (!parsed.ok) return fail(400, { action: 'createToken', errors: parsed.errors, values: parsed.values });
		const { token } = await createApiToken(getDatabase(), actor, parsed.data.name);
		return { action: 'createToken', success: true, token };
	},
	revokeToken: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const parsed = parseForm(z.object({ tokenId: uuidField }), await request.formData());
		if (!parsed.ok) return fail(400, { action: 'revokeToken', errors: parsed.errors });
		try {
			await revokeApiToken(getDatabase(), actor, parsed.data.tokenId);
		} catch (err) {
			if (err instanceof DomainError) return fail(404, { action: 'revokeToken', errors: { _form: err.code } });
			throw err;
		}
		return { action: 'revokeToken', success: true };
	}
};
