import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { makePerson, PASSWORD } from './helpers/factories';
import { sessions, users, loginThrottle } from '../../src/lib/server/db/schema';
import {
	createSession,
	generateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	validateSessionToken,
	SESSION_LIFETIME
} from '../../src/lib/server/auth/session';
import { hashToken } from '../../src/lib/server/auth/tokens';
import { login } from '../../src/lib/server/auth/login';
import { LIMITS } from '../../src/lib/server/auth/throttle';
import { changePassword, setPersonDisabled } from '../../src/lib/server/network/people';
import { completePasswordReset, issuePasswordReset, lookupPasswordReset } from '../../src/lib/server/auth/reset';
import { DomainError } from '../../src/lib/server/errors';

const DAY = 86_400_000;

describeEachDb('sessions', (get) => {
	it('store only the sha256 of the token and validate the token', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const token = generateSessionToken();
		await createSession(db, token, user.id);
		const rows = await db.select().from(sessions).where(eq(sessions.userId, user.id));
		expect(rows).toHaveLength(1);
		expect(rows[0]!.id).toBe(hashToken(token));
		expect(rows[0]!.id).not.toContain(token);
		const v = await validateSessionToken(db, token);
		expect(v?.user.id).toBe(user.id);
		expect(v?.session.fresh).toBe(false);
		expect(await validateSessionToken(db, generateSessionToken())).toBeNull();
		expect(await validateSessionToken(db, 'not-a-token')).toBeNull();
	});

	it('slide the expiry when less than 15 days are left, and drop expired sessions', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const token = generateSessionToken();
		await createSession(db, token, user.id);
		const id = hashToken(token);
		await db.update(sessions).set({ expiresAt: new Date(Date.now() + 10 * DAY) }).where(eq(sessions.id, id));
		const v = await validateSessionToken(db, token);
		expect(v?.session.fresh).toBe(true);
		expect(v!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + SESSION_LIFETIME - 60_000);
		const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
		expect(row!.expiresAt.getTime()).toBe(v!.session.expiresAt.getTime());

		await db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, id));
		expect(await validateSessionToken(db, token)).toBeNull();
		expect(await db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(0);
	});

	it('log out one session, or all of them', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const tokens = [generateSessionToken(), generateSessionToken(), generateSessionToken()];
		for (const t of tokens) await createSession(db, t, user.id);
		await invalidateSession(db, hashToken(tokens[0]!));
		expect(await validateSessionToken(db, tokens[0]!)).toBeNull();
		expect(await validateSessionToken(db, tokens[1]!)).not.toBeNull();
		expect(await invalidateUserSessions(db, user.id)).toBe(2);
		expect(await validateSessionToken(db, tokens[2]!)).toBeNull();
	});

	it('end every session of a disabled person at once', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		await makePerson(db, { role: 'admin' });
		const user = await makePerson(db);
		const token = generateSessionToken();
		await createSession(db, token, user.id);
		await setPersonDisabled(db, admin.id, user.id, true);
		expect(await validateSessionToken(db, token)).toBeNull();
		const r = await login(db, { email: user.email, password: PASSWORD, ip: '10.0.0.9', userAgent: null });
		expect(r).toEqual({ ok: false, reason: 'invalid' });
	});
});

describeEachDb('login', (get) => {
	it('accepts the right password, with the e-mail in any case, and rejects a wrong one', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const ok = await login(db, { email: user.email, password: PASSWORD, ip: '10.0.0.1', userAgent: 'vitest' });
		expect(ok.ok).toBe(true);
		if (ok.ok) expect((await validateSessionToken(db, ok.token))?.user.email).toBe(user.email);
		const bad = await login(db, { email: user.email, password: 'wrong password!', ip: '10.0.0.1', userAgent: null });
		expect(bad).toEqual({ ok: false, reason: 'invalid' });
		const unknown = await login(db, { email: 'nobody@example.it', password: PASSWORD, ip: '10.0.0.1', userAgent: null });
		expect(unknown).toEqual({ ok: false, reason: 'invalid' });
		const [u] = await db.select().from(users).where(eq(users.id, user.id));
		expect(u!.lastLoginAt).not.toBeNull();
	});

	it('locks an account after 5 failures, even for the right password, and says for how long', async () => {
		const { db } = get();
		const user = await makePerson(db);
		for (let i = 0; i < LIMITS.account.max; i++) {
			const r = await login(db, { email: user.email, password: `wrong-${i}-password`, ip: `10.1.0.${i}`, userAgent: null });
			expect(r.ok).toBe(false);
		}
		const locked = await login(db, { email: user.email, password: PASSWORD, ip: '10.1.1.1', userAgent: null });
		expect(locked.ok).toBe(false);
		if (!locked.ok) {
			expect(locked.reason).toBe('locked');
			if (locked.reason === 'locked') expect(locked.retryAfterMs).toBeGreaterThan(14 * 60_000);
		}
		// Once the lock is over, the right password works again and clears the counter.
		await db.update(loginThrottle).set({ lockedUntil: new Date(Date.now() - 1) });
		const ok = await login(db, { email: user.email, password: PASSWORD, ip: '10.1.1.1', userAgent: null });
		expect(ok.ok).toBe(true);
	});

	it('counts parallel attempts before hashing: a burst cannot test more than 5 passwords', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const results = await Promise.all(
			Array.from({ length: 25 }, (_, i) => login(db, { email: user.email, password: `burst-${i}-wrong`, ip: `10.2.0.${i}`, userAgent: null }))
		);
		const checked = results.filter((r) => !r.ok && r.reason === 'invalid').length;
		const locked = results.filter((r) => !r.ok && r.reason === 'locked').length;
		expect(checked).toBeLessThanOrEqual(LIMITS.account.max);
		expect(checked + locked).toBe(25);
		const after = await login(db, { email: user.email, password: PASSWORD, ip: '10.2.1.1', userAgent: null });
		expect(after.ok === false && after.reason === 'locked').toBe(true);
	});

	it('successful logins from one office address do not add up to a lock', async () => {
		const { db } = get();
		const user = await makePerson(db);
		for (let i = 0; i < LIMITS.ip.max + 5; i++) {
			const r = await login(db, { email: user.email, password: PASSWORD, ip: '198.51.100.7', userAgent: null });
			expect(r.ok).toBe(true);
		}
	});

	it('locks one client address that tries many accounts', async () => {
		const { db } = get();
		const ip = '192.0.2.77';
		for (let i = 0; i < LIMITS.ip.max; i++) await login(db, { email: `guess${i}@example.it`, password: 'x'.repeat(12), ip, userAgent: null });
		const other = await makePerson(db);
		const r = await login(db, { email: other.email, password: PASSWORD, ip, userAgent: null });
		expect(r.ok === false && r.reason === 'locked').toBe(true);
		const elsewhere = await login(db, { email: other.email, password: PASSWORD, ip: '192.0.2.78', userAgent: null });
		expect(elsewhere.ok).toBe(true);
	});
});

describeEachDb('passwords', (get) => {
	it('change: checks the current password and signs out the other sessions only', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const here = generateSessionToken();
		const there = generateSessionToken();
		await createSession(db, here, user.id);
		await createSession(db, there, user.id);
		await expect(
			changePassword(db, user.id, { currentPassword: 'not the password', newPassword: 'a new long password', confirmPassword: 'a new long password' }, hashToken(here))
		).rejects.toMatchObject({ code: 'password_current_wrong' });
		await changePassword(db, user.id, { currentPassword: PASSWORD, newPassword: 'a new long password', confirmPassword: 'a new long password' }, hashToken(here));
		expect(await validateSessionToken(db, here)).not.toBeNull();
		expect(await validateSessionToken(db, there)).toBeNull();
		expect((await login(db, { email: user.email, password: 'a new long password', ip: null, userAgent: null })).ok).toBe(true);
		expect((await login(db, { email: user.email, password: PASSWORD, ip: null, userAgent: null })).ok).toBe(false);
	});

	it('change: wrong current passwords are throttled like logins', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const session = generateSessionToken();
		await createSession(db, session, user.id);
		const attempt = () =>
			changePassword(db, user.id, { currentPassword: 'guess guess guess', newPassword: 'a new long password', confirmPassword: 'a new long password' }, hashToken(session));
		for (let i = 0; i < LIMITS.account.max; i++) await expect(attempt()).rejects.toMatchObject({ code: 'password_current_wrong' });
		await expect(attempt()).rejects.toMatchObject({ code: 'password_attempts_locked' });
	});

	it('reset link: one-time, expiring, replaces earlier links, ends every session', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const user = await makePerson(db);
		const session = generateSessionToken();
		await createSession(db, session, user.id);
		const first = await issuePasswordReset(db, admin.id, user.id);
		const second = await issuePasswordReset(db, admin.id, user.id);
		expect(await lookupPasswordReset(db, first.token)).toBeNull();
		expect((await lookupPasswordReset(db, second.token))?.userId).toBe(user.id);
		await completePasswordReset(db, second.token, 'reset to this password');
		expect(await validateSessionToken(db, session)).toBeNull();
		await expect(completePasswordReset(db, second.token, 'and again this one')).rejects.toBeInstanceOf(DomainError);
		expect((await login(db, { email: user.email, password: 'reset to this password', ip: null, userAgent: null })).ok).toBe(true);
	});
});

describe('tokens', () => {
	it('are 32 base32 characters and distinct', () => {
		const a = generateSessionToken();
		expect(a).toMatch(/^[a-z2-7]{32}$/);
		expect(new Set(Array.from({ length: 100 }, generateSessionToken)).size).toBe(100);
	});
});
