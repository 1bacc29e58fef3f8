import { redirect } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { notifications } from '$lib/server/db/schema';
import { markRead } from '$lib/server/notifications';
import { safeRedirectTarget } from '$lib/server/http';

/** Opens a notification: marks it read and goes where it points (one's own notifications only). */
export const GET: RequestHandler = async ({ locals, params }) => {
	const db = getDatabase();
	const userId = locals.user!.id;
	const [n] = await db
		.select({ link: notifications.link })
		.from(notifications)
		.where(and(eq(notifications.id, params.id), eq(notifications.userId, userId)));
	if (!n) redirect(303, '/notifications');
	await markRead(db, userId, [params.id]);
	redirect(303, safeRedirectTarget(n.link ?? '/notifications'));
};
