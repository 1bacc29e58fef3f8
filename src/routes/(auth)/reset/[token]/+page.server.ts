import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { completePasswordReset, lookupPasswordReset, resetPasswordInput } from '$lib/server/auth/reset';
import { deleteSessionCookie } from '$lib/server/auth/session';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { secureCookies } from '$lib/server/http';

export const load: PageServerLoad = async ({ params }) => {
	const reset = await lookupPasswordReset(getDatabase(), params.token);
	return { reset: reset ? { email: reset.email, name: reset.name } : null };
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const parsed = parseForm(resetPasswordInput, form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors });
		try {
			await completePasswordReset(getDatabase(), event.params.token, parsed.data.password);
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { errors: { [err.field ?? '_form']: err.code } });
			throw err;
		}
		// Every session of that person was closed, this browser's included.
		deleteSessionCookie(event.cookies, secureCookies(event));
		redirect(303, '/login?reset=1');
	}
};
