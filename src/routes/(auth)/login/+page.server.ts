import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, isDemo } from '$lib/server/boot';
import { cookieMaxAge, cookieName, locales } from '$lib/paraglide/runtime';
import { login, loginInput } from '$lib/server/auth/login';
import { setSessionCookie } from '$lib/server/auth/session';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '$lib/server/network/demo-seed';
import { parseForm, type FieldErrors } from '$lib/server/validation';
import { clientIp, safeRedirectTarget, secureCookies } from '$lib/server/http';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
	return {
		loggedOut: url.searchParams.has('loggedOut'),
		passwordReset: url.searchParams.has('reset'),
		demo: isDemo()
			? { password: DEMO_PASSWORD, accounts: DEMO_ACCOUNTS.map((a) => ({ email: a.email, role: a.role, name: a.name, organization: a.organization })) }
			: null
	};
};

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const parsed = parseForm(loginInput, form);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values, minutes: 0 });
		const result = await login(getDatabase(), {
			...parsed.data,
			ip: clientIp(event),
			userAgent: event.request.headers.get('user-agent')
		});
		if (!result.ok) {
			const values: Record<string, string> = { email: parsed.data.email };
			if (result.reason === 'locked')
				return fail(429, { errors: { _form: 'login_locked' } as FieldErrors, minutes: Math.max(1, Math.ceil(result.retryAfterMs / 60000)), values });
			return fail(400, { errors: { _form: 'login_invalid' } as FieldErrors, values, minutes: 0 });
		}
		setSessionCookie(event.cookies, result.token, result.expiresAt, secureCookies(event));
		// The language a person chose follows them to a new browser.
		if (result.locale && (locales as readonly string[]).includes(result.locale))
			event.cookies.set(cookieName, result.locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
		redirect(303, safeRedirectTarget(event.url.searchParams.get('redirectTo')));
	}
};
