import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { acceptInvitation, acceptInvitationInput, lookupInvitation } from '$lib/server/network/invitations';
import { createSession, generateSessionToken, setSessionCookie } from '$lib/server/auth/session';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { clientIp, secureCookies } from '$lib/server/http';

export const load: PageServerLoad = async ({ params }) => {
	const { state, invitation } = await lookupInvitation(getDatabase(), params.token);
	return {
		state,
		invitation:
			state === 'valid' && invitation
				? { email: invitation.email, name: invitation.name, organizationName: invitation.organizationName, tableName: invitation.tableName }
				: null
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const parsed = parseForm(acceptInvitationInput, form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		const db = getDatabase();
		let userId: string;
		try {
			userId = (await acceptInvitation(db, event.params.token, parsed.data)).id;
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		// Signed in straight away: the person just proved they hold the link and chose a password.
		const token = generateSessionToken();
		const session = await createSession(db, token, userId, { userAgent: event.request.headers.get('user-agent'), ip: clientIp(event) });
		setSessionCookie(event.cookies, token, session.expiresAt, secureCookies(event));
		redirect(303, '/?welcome=1');
	}
};
