import { and, eq, ne } from 'drizzle-orm';
import type { Cookies } from '@sveltejs/kit';
import type { Db } from '../db/client';
import { sessions, users, organizations } from '../db/schema';
import type { NetworkRole } from '../db/schema';
import { generateToken, hashToken } from './tokens';
import { publish } from '../events';

export const SESSION_COOKIE = 'intarsi_session';
const DAY = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME = 30 * DAY;
/** Sliding expiry: a session used in its last 15 days is extended to 30 again. */
const RENEW_WITHIN = 15 * DAY;

export interface SessionUser {
	id: string;
	email: string;
	name: string;
	role: NetworkRole;
	organizationId: string | null;
	organizationName: string | null;
	locale: string | null;
}

export interface ValidatedSession {
	session: { id: string; userId: string; expiresAt: Date; fresh: boolean };
	user: SessionUser;
}

export const generateSessionToken = generateToken;

export async function createSession(
	db: Db,
	token: string,
	userId: string,
	meta: { userAgent?: string | null; ip?: string | null } = {}
) {
	const session = {
		id: hashToken(token),
		userId,
		expiresAt: new Date(Date.now() + SESSION_LIFETIME),
		userAgent: meta.userAgent?.slice(0, 300) ?? null,
		ip: meta.ip ?? null
	};
	await db.insert(sessions).values(session);
	return session;
}

export async function validateSessionToken(db: Db, token: string): Promise<ValidatedSession | null> {
	if (!/^[a-z2-7]{32}$/.test(token)) return null;
	const id = hashToken(token);
	const rows = await db
		.select({
			sessionId: sessions.id,
			expiresAt: sessions.expiresAt,
			userId: users.id,
			email: users.email,
			name: users.name,
			role: users.role,
			organizationId: users.organizationId,
			organizationName: organizations.name,
			locale: users.locale,
			disabledAt: users.disabledAt,
			deletedAt: users.deletedAt
		})
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(eq(sessions.id, id));
	const row = rows[0];
	if (!row) return null;
	const now = Date.now();
	if (row.expiresAt.getTime() <= now || row.disabledAt || row.deletedAt) {
		await invalidateSession(db, id);
		return null;
	}
	let expiresAt = row.expiresAt;
	let fresh = false;
	if (expiresAt.getTime() - now < RENEW_WITHIN) {
		expiresAt = new Date(now + SESSION_LIFETIME);
		fresh = true;
		await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
	}
	return {
		session: { id, userId: row.userId, expiresAt, fresh },
		user: {
			id: row.userId,
			email: row.email,
			name: row.name,
			role: row.role,
			organizationId: row.organizationId,
			organizationName: row.organizationName,
			locale: row.locale
		}
	};
}

/** When a session (by id) ends now, or null if it already has (expired, revoked, person disabled). */
export async function sessionExpiry(db: Db, sessionId: string): Promise<Date | null> {
	const [row] = await db
		.select({ expiresAt: sessions.expiresAt, disabledAt: users.disabledAt, deletedAt: users.deletedAt })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(eq(sessions.id, sessionId));
	if (!row || row.disabledAt || row.deletedAt || row.expiresAt.getTime() <= Date.now()) return null;
	return row.expiresAt;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	const deleted = await db.delete(sessions).where(eq(sessions.id, sessionId)).returning({ userId: sessions.userId });
	if (deleted[0]) publish('session.revoked', { userId: deleted[0].userId, sessionIds: [sessionId] });
}

/** Logout everywhere; `exceptSessionId` keeps the current browser signed in (password change). */
export async function invalidateUserSessions(db: Db, userId: string, exceptSessionId?: string): Promise<number> {
	const where = exceptSessionId
		? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
		: eq(sessions.userId, userId);
	const deleted = await db.delete(sessions).where(where).returning({ id: sessions.id });
	// Open sockets of those sessions are disconnected by the gateway.
	if (deleted.length) publish('session.revoked', { userId, sessionIds: deleted.map((d) => d.id) });
	return deleted.length;
}

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(SESSION_COOKIE, token, {
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: expiresAt,
		path: '/'
	});
}

export function deleteSessionCookie(cookies: Cookies, secure: boolean): void {
	cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, maxAge: 0, path: '/' });
}
