import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notifications } from '../db/schema';
import { publish } from '../events';

export interface NotificationInput {
	/** i18n message key, e.g. `notif_meeting_convened`. */
	kind: string;
	params?: Record<string, string>;
	link?: string | null;
	actorId?: string | null;
}

/**
 * In-app notifications for several people (the actor is left out: nobody is told of their own
 * change). Call inside the transaction of the change; `announce` afterwards pushes the bell.
 */
export async function notify(db: Db, userIds: Iterable<string>, input: NotificationInput): Promise<string[]> {
	const to = [...new Set(userIds)].filter((id) => id !== input.actorId);
	if (to.length === 0) return [];
	await db.insert(notifications).values(
		to.map((userId) => ({ userId, kind: input.kind, params: input.params ?? {}, link: input.link ?? null, actorId: input.actorId ?? null }))
	);
	return to;
}

/** Tells the gateway (after commit) that these people have new notifications. */
export function announce(userIds: string[]) {
	if (userIds.length) publish('notification.created', { userIds });
}

export async function listNotifications(db: Db, userId: string, limit = 30) {
	return db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.createdAt)).limit(limit);
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
	const [row] = await db
		.select({ n: count() })
		.from(notifications)
		.where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
	return Number(row?.n ?? 0);
}

/** Marks some (or all) of a person's notifications read; others' ids are ignored. */
export async function markRead(db: Db, userId: string, ids?: string[]) {
	const conds = [eq(notifications.userId, userId), isNull(notifications.readAt)];
	if (ids) {
		if (ids.length === 0) return;
		conds.push(inArray(notifications.id, ids));
	}
	await db
		.update(notifications)
		.set({ readAt: new Date() })
		.where(and(...conds));
}
