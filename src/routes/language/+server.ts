import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { cookieMaxAge, cookieName, locales } from '$lib/paraglide/runtime';
import { getDatabase } from '$lib/server/boot';
import { setLocale } from '$lib/server/network/people';

const input = z.object({
	locale: z.enum(locales),
	// Only same-site paths: never an open redirect.
	redirectTo: z
		.string()
		.regex(/^\/(?![/\\])/)
		.max(2000)
		.catch('/')
});

/** Language switch (a form POST, so it works without JavaScript); remembered per person too. */
export const POST: RequestHandler = async ({ request, cookies, locals }) => {
	const form = Object.fromEntries(await request.formData());
	const parsed = input.safeParse(form);
	if (!parsed.success) redirect(303, '/');
	cookies.set(cookieName, parsed.data.locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
	if (locals.user) await setLocale(getDatabase(), locals.user.id, parsed.data.locale);
	redirect(303, parsed.data.redirectTo);
};
