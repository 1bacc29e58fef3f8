import { redirect, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { ensureReady, getDatabase } from '$lib/server/boot';
import { secureCookies } from '$lib/server/http';
import { getLogger } from '$lib/server/logger';
import {
	SESSION_COOKIE,
	deleteSessionCookie,
	setSessionCookie,
	validateSessionToken
} from '$lib/server/auth/session';
import { getTableRoles } from '$lib/server/network/people';
import { directoryIsPublic } from '$lib/server/directory/access';

/** Pages of the app area that anonymous visitors may read (GET only) when the directory is public. */
const PUBLIC_DIRECTORY_ROUTES = new Set(['/(app)/directory', '/(app)/directory/services/[id=uuid]']);

const anonymousAllowed = async (event: Parameters<Handle>[0]['event']) =>
	(event.request.method === 'GET' || event.request.method === 'HEAD') &&
	PUBLIC_DIRECTORY_ROUTES.has(event.route.id ?? '') &&
	(await directoryIsPublic(getDatabase()));

export const init: ServerInit = async () => {
	await ensureReady();
};

const i18n: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		return resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%lang%', locale)
		});
	});

const auth: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.session = null;
	event.locals.actor = null;
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const db = getDatabase();
		const result = await validateSessionToken(db, token);
		if (!result) {
			deleteSessionCookie(event.cookies, secureCookies(event));
		} else {
			if (result.session.fresh) setSessionCookie(event.cookies, token, result.session.expiresAt, secureCookies(event));
			event.locals.user = result.user;
			event.locals.session = { id: result.session.id, expiresAt: result.session.expiresAt };
			event.locals.actor = {
				id: result.user.id,
				role: result.user.role,
				organizationId: result.user.organizationId,
				tableRoles: await getTableRoles(db, result.user.id)
			};
		}
	}
	// Every page and form action of the app area needs a session; checked here once, before any
	// load or action runs (layout loads do not guard form actions). The public directory's search and
	// service cards are the one exception, for reading only.
	if (!event.locals.user && event.route.id?.startsWith('/(app)') && !(await anonymousAllowed(event))) {
		const back = event.url.pathname + event.url.search;
		redirect(303, back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
	}
	return resolve(event);
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const h = response.headers;
	h.set('X-Content-Type-Options', 'nosniff');
	h.set('Referrer-Policy', 'same-origin');
	h.set('X-Frame-Options', 'DENY');
	h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
	if (event.locals.user && (h.get('content-type') ?? '').startsWith('text/html')) h.set('Cache-Control', 'private, no-store');
	return response;
};

export const handle = sequence(securityHeaders, i18n, auth);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status >= 500) getLogger().error({ err: error, path: event.url.pathname, status }, 'request failed');
	return { message, code: status >= 500 ? 'internal' : undefined };
};
