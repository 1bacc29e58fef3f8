import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { cookieMaxAge, cookieName, locales } from '$lib/paraglide/runtime';
import { getDatabase } from '$lib/server/boot';
import { setLocale } from '$lib/server/network/people';
import { safeRedirectTarget } from '$lib/server/http';

const input = z.object({ locale: z.enum(locales), redirectTo: z.string().optional() });

/** Language switch (a form POST, so it works without JavaScript); remembered per person too. */
export const POST: RequestHandler = async ({ request, cookies, locals }) => {
	let form: Record<string, unknown>;
	try {
		form = Object.fromEntries(await request.formData());
	} catch {
		redirect(303, '/');
	}
	const parsed = input.safeParse(form);
	if (!parsed.success) redirect(303, '/');
	cookies.set(cookieName, parsed.data.locale, { path: '/', maxAge: cookieMaxAge, httpOnly: false, sameSite: 'lax' });
	if (locals.user) await setLocale(getDatabase(), locals.user.id, parsed.data.locale);
	redirect(303, safeRedirectTarget(parsed.data.redirectTo));
};
