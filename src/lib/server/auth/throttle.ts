import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginThrottle } from '../db/schema';

const WINDOW_MS = 15 * 60 * 1000;
export const LIMITS = {
	/** Attempts on one account within the window that may reach the password check. */
	account: { max: 5, lockMs: 15 * 60 * 1000 },
	/** Failed attempts from one address (any account) within the window. */
	ip: { max: 30, lockMs: 15 * 60 * 1000 }
} as const;

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts an attempt BEFORE the password is checked, in one atomic upsert, so that parallel
 * requests cannot all slip through while the first ones are still hashing. An attempt beyond the
 * limit locks the key; a locked key refuses without checking anything.
 */
async function countAttempt(db: Db, key: string, limit: { max: number; lockMs: number }, now: Date): Promise<ThrottleCheck> {
	const windowFloor = new Date(now.getTime() - WINDOW_MS);
	const [row] = await db
		.insert(loginThrottle)
		.values({ key, failures: 1, windowStart: now })
		.onConflictDoUpdate({
			target: loginThrottle.key,
			set: {
				failures: sql`case when ${loginThrottle.windowStart} < ${windowFloor} then 1 else ${loginThrottle.failures} + 1 end`,
				windowStart: sql`case when ${loginThrottle.windowStart} < ${windowFloor} then ${now} else ${loginThrottle.windowStart} end`
			}
		})
		.returning({ failures: loginThrottle.failures, lockedUntil: loginThrottle.lockedUntil });
	if (row?.lockedUntil && row.lockedUntil > now) return { allowed: false, retryAfterMs: row.lockedUntil.getTime() - now.getTime() };
	if (row && row.failures > limit.max) {
		const lockedUntil = new Date(now.getTime() + limit.lockMs);
		await db.update(loginThrottle).set({ lockedUntil, failures: 0, windowStart: now }).where(eq(loginThrottle.key, key));
		return { allowed: false, retryAfterMs: limit.lockMs };
	}
	return { allowed: true };
}

/** Call before verifying a password; refuse the attempt when this says so. */
export async function beginLoginAttempt(db: Db, email: string, ip: string | null, now = new Date()): Promise<ThrottleCheck> {
	const byIp = ip ? await countAttempt(db, ipKey(ip), LIMITS.ip, now) : ({ allowed: true } as const);
	if (!byIp.allowed) return byIp;
	return countAttempt(db, accountKey(email), LIMITS.account, now);
}

/** A successful login clears the account's counter and takes its attempt off the address's. */
export async function recordLoginSuccess(db: Db, email: string, ip: string | null) {
	await db.delete(loginThrottle).where(eq(loginThrottle.key, accountKey(email)));
	if (ip)
		await db
			.update(loginThrottle)
			.set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
			.where(eq(loginThrottle.key, ipKey(ip)));
}
