import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginThrottle } from '../db/schema';

const WINDOW_MS = 15 * 60 * 1000;
export const LIMITS = {
	/** Failed attempts on one account within the window before it is locked. */
	account: { max: 5, lockMs: 15 * 60 * 1000 },
	/** Failed attempts from one address (any account) within the window. */
	ip: { max: 30, lockMs: 15 * 60 * 1000 }
} as const;

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

export async function checkLoginAllowed(db: Db, keys: string[], now = new Date()): Promise<ThrottleCheck> {
	const rows = await db.select().from(loginThrottle).where(inArray(loginThrottle.key, keys));
	let until = 0;
	for (const r of rows) if (r.lockedUntil && r.lockedUntil > now) until = Math.max(until, r.lockedUntil.getTime());
	return until ? { allowed: false, retryAfterMs: until - now.getTime() } : { allowed: true };
}

async function bump(db: Db, key: string, limit: { max: number; lockMs: number }, now: Date) {
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
		.returning({ failures: loginThrottle.failures });
	if (row && row.failures >= limit.max) {
		await db
			.update(loginThrottle)
			.set({ lockedUntil: new Date(now.getTime() + limit.lockMs), failures: 0, windowStart: now })
			.where(eq(loginThrottle.key, key));
	}
}

export async function recordLoginFailure(db: Db, email: string, ip: string | null, now = new Date()) {
	await bump(db, accountKey(email), LIMITS.account, now);
	if (ip) await bump(db, ipKey(ip), LIMITS.ip, now);
}

export async function recordLoginSuccess(db: Db, email: string) {
	await db.delete(loginThrottle).where(eq(loginThrottle.key, accountKey(email)));
}
