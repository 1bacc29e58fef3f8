import { fail, redirect } from '@sveltejs/kit';
import { and, count, eq, gt } from 'drizzle-orm';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { sessions } from '$lib/server/db/schema';
import { deleteSessionCookie, invalidateSession, invalidateUserSessions } from '$lib/server/auth/session';
import { changePassword, changePasswordInput, getPerson, getPersonTables } from '$lib/server/network/people';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { secureCookies } from '$lib/server/http';
import { recordAudit } from '$lib/server/audit';
import { publicBaseUrl } from '$lib/server/links';
import { createFeed, feedUrls, getFeedStatus, revokeFeeds } from '$lib/server/meetings/feeds';
import { getNotificationMode, setNotificationMode } from '$lib/server/threads/threads';

export const load: PageServerLoad = async ({ locals }) => {
	const db = getDatabase();
	const user = locals.user!;
	const [person, tables, [active], feed] = await Promise.all([
		getPerson(db, user.id),
		getPersonTables(db, user.id),
		db.select({ n: count() }).from(sessions).where(and(eq(sessions.userId, user.id), gt(sessions.expiresAt, new Date()))),
		getFeedStatus(db, user.id)
	]);
	const notificationMode = await getNotificationMode(db, user.id);
	return {
		person: person && { name: person.name, email: person.email, role: person.role, organizationName: person.organizationName, jobTitle: person.jobTitle, phone: person.phone },
		tables: tables.map((t) => ({ id: t.id, name: t.name, role: t.role })),
		activeSessions: active?.n ?? 1,
		feed,
		notificationMode
	};
};

export const actions: Actions = {
	logout: async (event) => {
		if (event.locals.session) await invalidateSession(getDatabase(), event.locals.session.id);
		deleteSessionCookie(event.cookies, secureCookies(event));
		redirect(303, '/login?loggedOut=1');
	},
	logoutEverywhere: async (event) => {
		const user = event.locals.user;
		if (user) {
			const db = getDatabase();
			const n = await invalidateUserSessions(db, user.id);
			await recordAudit(db, { actorId: user.id, action: 'person.logout_everywhere', entityType: 'user', entityId: user.id, data: { sessions: n } });
		}
		deleteSessionCookie(event.cookies, secureCookies(event));
		redirect(303, '/login?loggedOut=1');
	},
	changePassword: async (event) => {
		const { locals } = event;
		if (!locals.user || !locals.session) redirect(303, '/login');
		const form = await event.request.formData();
		const parsed = parseForm(changePasswordInput, form);
		if (!parsed.ok) return fail(400, { action: 'changePassword', errors: parsed.errors });
		try {
			await changePassword(getDatabase(), locals.user.id, parsed.data, locals.session.id);
		} catch (err) {
			if (err instanceof DomainError) return fail(400, { action: 'changePassword', errors: { [err.field ?? '_form']: err.code } });
			throw err;
		}
		return { action: 'changePassword', success: true };
	},
	/** Creates the personal calendar link, or replaces it: the URL is shown this once. */
	createFeed: async ({ locals, url }) => {
		if (!locals.user) redirect(303, '/login');
		const token = await createFeed(getDatabase(), locals.user.id);
		return { action: 'createFeed', success: true, feed: feedUrls(publicBaseUrl(url.origin), token) };
	},
	revokeFeed: async ({ locals }) => {
		if (!locals.user) redirect(303, '/login');
		await revokeFeeds(getDatabase(), locals.user.id);
		return { action: 'revokeFeed', success: true };
	},
	/** How threads reach me: in the app only, an e-mail at once, or a daily digest. */
	notifications: async ({ locals, request }) => {
		if (!locals.actor) redirect(303, '/login');
		const mode = String((await request.formData()).get('mode') ?? '');
		if (mode !== 'in_app' && mode !== 'immediate' && mode !== 'digest') return fail(400, { action: 'notifications', errors: { mode: 'error_invalid' } as Record<string, string> });
		await setNotificationMode(getDatabase(), locals.actor, mode);
		return { action: 'notifications', success: true };
	}
};
