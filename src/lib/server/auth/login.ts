import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { verifyPassword } from './password';
import { createSession, generateSessionToken } from './session';
import { beginLoginAttempt, recordLoginSuccess } from './throttle';
import { emailField } from '../validation';

export const loginInput = z.object({
	email: emailField,
	password: z.string('error_required').min(1, 'error_required').max(256, 'error_too_long')
});

export type LoginResult =
	| { ok: true; token: string; expiresAt: Date; userId: string; locale: string | null }
	| { ok: false; reason: 'invalid' }
	| { ok: false; reason: 'locked'; retryAfterMs: number };

/**
 * Counts the attempt first (a locked account or address is refused before any password check),
 * then checks the password; one generic "invalid" answer for unknown e-mail, wrong password or a
 * disabled account, so that the form does not reveal who has an account.
 */
export async function login(
	db: Db,
	input: { email: string; password: string; ip: string | null; userAgent: string | null }
): Promise<LoginResult> {
	const allowed = await beginLoginAttempt(db, input.email, input.ip);
	if (!allowed.allowed) return { ok: false, reason: 'locked', retryAfterMs: allowed.retryAfterMs };
	const [user] = await db
		.select({ id: users.id, passwordHash: users.passwordHash, disabledAt: users.disabledAt, locale: users.locale })
		.from(users)
		.where(and(eq(users.email, input.email), isNull(users.deletedAt)));
	const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
	if (!user || !valid || user.disabledAt) return { ok: false, reason: 'invalid' };
	await recordLoginSuccess(db, input.email, input.ip);
	const token = generateSessionToken();
	const session = await createSession(db, token, user.id, { userAgent: input.userAgent, ip: input.ip });
	await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
	return { ok: true, token, expiresAt: session.expiresAt, userId: user.id, locale: user.locale };
}
