import { and, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { passwordResets, users } from '../db/schema';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { generateToken, hashToken } from './tokens';
import { hashPassword, passwordSchema } from './password';
import { invalidateUserSessions } from './session';
import { enqueueMail } from '../mail/outbox';
import { mailLocale, passwordResetMail } from '../mail/templates';
import { publicBaseUrl } from '../links';

export const RESET_TTL_HOURS = 24;

export const resetPasswordInput = z
	.object({ password: passwordSchema, confirmPassword: z.string('error_required') })
	.refine((v) => v.password === v.confirmPassword, { message: 'password_mismatch', path: ['confirmPassword'] });

export const passwordResetLink = (baseUrl: string, token: string) => `${baseUrl}/reset/${token}`;

/**
 * An admin issues a one-time link (valid 24 h); earlier unused links of that person stop working.
 * The link is returned (the admin sees it) and e-mailed to the person through the outbox, in the
 * same transaction. `baseUrl`: see publicBaseUrl (callers pass `publicBaseUrl(url.origin)`).
 */
export async function issuePasswordReset(db: Db, actorId: string, userId: string, opts: { baseUrl?: string } = {}) {
	const [user] = await db
		.select({ id: users.id, email: users.email, name: users.name, locale: users.locale })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)));
	if (!user) throw new DomainError('error_not_found', undefined, 404);
	const now = new Date();
	const token = generateToken();
	const expiresAt = new Date(now.getTime() + RESET_TTL_HOURS * 3600 * 1000);
	const link = passwordResetLink(opts.baseUrl ?? publicBaseUrl(), token);
	await db.transaction(async (tx) => {
		await tx
			.update(passwordResets)
			.set({ usedAt: now })
			.where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
		await tx.insert(passwordResets).values({ tokenHash: hashToken(token), userId, createdBy: actorId, expiresAt });
		await recordAudit(tx, { actorId, action: 'person.reset_issued', entityType: 'user', entityId: userId });
		const mail = passwordResetMail({ name: user.name, link, expiresAt, locale: mailLocale(user.locale) });
		await enqueueMail(tx, { to: user.email, toName: user.name, ...mail, kind: 'password_reset' });
	});
	return { token, expiresAt, link };
}

export async function lookupPasswordReset(db: Db, token: string) {
	if (!/^[a-z2-7]{32}$/.test(token)) return null;
	const [row] = await db
		.select({ id: passwordResets.id, userId: passwordResets.userId, email: users.email, name: users.name })
		.from(passwordResets)
		.innerJoin(users, eq(users.id, passwordResets.userId))
		.where(
			and(
				eq(passwordResets.tokenHash, hashToken(token)),
				isNull(passwordResets.usedAt),
				gt(passwordResets.expiresAt, new Date()),
				isNull(users.deletedAt),
				isNull(users.disabledAt)
			)
		);
	return row ?? null;
}

/** Sets the new password, consumes the link and signs the person out of every session. */
export async function completePasswordReset(db: Db, token: string, password: string) {
	const passwordHash = await hashPassword(password);
	return db.transaction(async (tx) => {
		const [reset] = await tx
			.update(passwordResets)
			.set({ usedAt: new Date() })
			.where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, new Date())))
			.returning();
		if (!reset) throw new DomainError('error_reset_invalid');
		const [user] = await tx
			.update(users)
			.set({ passwordHash, updatedAt: new Date(), updatedBy: reset.userId })
			.where(and(eq(users.id, reset.userId), isNull(users.disabledAt), isNull(users.deletedAt)))
			.returning({ id: users.id, email: users.email });
		if (!user) throw new DomainError('error_reset_invalid');
		if (password.toLowerCase() === user.email) throw new DomainError('password_is_email', 'password');
		await invalidateUserSessions(tx, user.id);
		await recordAudit(tx, { actorId: user.id, action: 'person.password_reset', entityType: 'user', entityId: user.id });
		return user;
	});
}
