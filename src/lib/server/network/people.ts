import { and, asc, eq, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { invitations, networkRoles, organizations, passwordResets, tableMembers, tables, users } from '../db/schema';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { emailField, optionalText, optionalUuid, requiredText, stripControl } from '../validation';
import { hashPassword, passwordSchema, verifyPassword } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';
import type { Actor } from '../authz';
import { beginLoginAttempt, recordLoginSuccess } from '../auth/throttle';

export const personInput = z.object({
	name: requiredText(120),
	email: emailField,
	organizationId: optionalUuid,
	role: z.enum(networkRoles, 'error_required'),
	jobTitle: optionalText(120),
	phone: optionalText(40)
});
export type PersonInput = z.output<typeof personInput>;

export async function findUserByEmail(db: Db, email: string) {
	const [row] = await db
		.select()
		.from(users)
		.where(and(eq(users.email, email.trim().toLowerCase()), isNull(users.deletedAt)));
	return row ?? null;
}

export async function listPeople(
	db: Db,
	filter: { organizationId?: string; role?: string; q?: string; includeDisabled?: boolean } = {}
) {
	const conds = [isNull(users.deletedAt)];
	if (!filter.includeDisabled) conds.push(isNull(users.disabledAt));
	if (filter.organizationId && z.uuid().safeParse(filter.organizationId).success)
		conds.push(eq(users.organizationId, filter.organizationId));
	if (filter.role && (networkRoles as readonly string[]).includes(filter.role))
		conds.push(eq(users.role, filter.role as (typeof networkRoles)[number]));
	const q = stripControl(filter.q ?? '').trim();
	if (q) {
		const like = `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`;
		conds.push(or(ilike(users.name, like), ilike(users.email, like), ilike(organizations.name, like))!);
	}
	return db
		.select({
			id: users.id,
			name: users.name,
			email: users.email,
			role: users.role,
			jobTitle: users.jobTitle,
			organizationId: users.organizationId,
			organizationName: organizations.name,
			disabled: sql<boolean>`${users.disabledAt} is not null`,
			activated: sql<boolean>`${users.passwordHash} is not null`
		})
		.from(users)
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(and(...conds))
		.orderBy(asc(users.name));
}

export async function getPerson(db: Db, id: string) {
	const [row] = await db
		.select({
			id: users.id,
			name: users.name,
			email: users.email,
			role: users.role,
			jobTitle: users.jobTitle,
			phone: users.phone,
			organizationId: users.organizationId,
			organizationName: organizations.name,
			disabledAt: users.disabledAt,
			lastLoginAt: users.lastLoginAt,
			createdAt: users.createdAt,
			activated: sql<boolean>`${users.passwordHash} is not null`
		})
		.from(users)
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(and(eq(users.id, id), isNull(users.deletedAt)));
	return row ?? null;
}

/** The tables a person belongs to (all of them: callers filter by what the viewer may see). */
export async function getPersonTables(db: Db, userId: string) {
	return db
		.select({ id: tables.id, name: tables.name, visibility: tables.visibility, kind: tables.kind, role: tableMembers.role })
		.from(tableMembers)
		.innerJoin(tables, eq(tables.id, tableMembers.tableId))
		.where(and(eq(tableMembers.userId, userId), isNull(tables.archivedAt)))
		.orderBy(asc(tables.name));
}

export async function getTableRoles(db: Db, userId: string) {
	const rows = await db
		.select({ tableId: tableMembers.tableId, role: tableMembers.role })
		.from(tableMembers)
		.where(eq(tableMembers.userId, userId));
	return Object.fromEntries(rows.map((r) => [r.tableId, r.role]));
}

export async function createPerson(
	db: Db,
	actorId: string | null,
	input: PersonInput & { passwordHash?: string | null }
) {
	if (await findUserByEmail(db, input.email)) throw new DomainError('error_email_taken', 'email');
	const [row] = await db
		.insert(users)
		.values({
			name: input.name,
			email: input.email,
			organizationId: input.organizationId ?? null,
			role: input.role,
			jobTitle: input.jobTitle ?? null,
			phone: input.phone ?? null,
			passwordHash: input.passwordHash ?? null,
			createdBy: actorId,
			updatedBy: actorId
		})
		.returning();
	await recordAudit(db, { actorId, action: 'person.created', entityType: 'user', entityId: row!.id, data: { role: input.role } });
	return row!;
}

export async function updatePerson(db: Db, actorId: string, id: string, input: PersonInput) {
	await db.transaction(async (tx) => {
		if (input.role !== 'admin') await lockAdmins(tx);
		const before = await getPerson(tx, id);
		if (!before) throw new DomainError('error_not_found', undefined, 404);
		const other = await findUserByEmail(tx, input.email);
		if (other && other.id !== id) throw new DomainError('error_email_taken', 'email');
		if (before.role === 'admin' && input.role !== 'admin') await assertAnotherAdmin(tx, id);
		await tx
			.update(users)
			.set({
				name: input.name,
				email: input.email,
				organizationId: input.organizationId ?? null,
				role: input.role,
				jobTitle: input.jobTitle ?? null,
				phone: input.phone ?? null,
				updatedAt: new Date(),
				updatedBy: actorId
			})
			.where(eq(users.id, id));
		await recordAudit(tx, {
			actorId,
			action: 'person.updated',
			entityType: 'user',
			entityId: id,
			data: before.role !== input.role ? { role: { from: before.role, to: input.role } } : {}
		});
	});
}

/** Serialises changes that could leave the network without an active administrator. */
async function lockAdmins(tx: Db) {
	await tx.execute(sql`select 1 from ${users} where ${users.role} = 'admin' for update`);
}

async function assertAnotherAdmin(db: Db, exceptId: string) {
	const admins = await db
		.select({ id: users.id })
		.from(users)
		.where(and(eq(users.role, 'admin'), isNull(users.deletedAt), isNull(users.disabledAt)));
	if (!admins.some((a) => a.id !== exceptId)) throw new DomainError('error_last_admin');
}

/** Disabling signs the person out everywhere at once. */
export async function setPersonDisabled(db: Db, actorId: string, id: string, disabled: boolean) {
	await db.transaction(async (tx) => {
		if (disabled) await lockAdmins(tx);
		const person = await getPerson(tx, id);
		if (!person) throw new DomainError('error_not_found', undefined, 404);
		if (disabled && id === actorId) throw new DomainError('error_cannot_disable_self');
		if (disabled && person.role === 'admin') await assertAnotherAdmin(tx, id);
		await tx
			.update(users)
			.set({ disabledAt: disabled ? new Date() : null, updatedAt: new Date(), updatedBy: actorId })
			.where(eq(users.id, id));
		if (disabled) {
			await invalidateUserSessions(tx, id);
			// Invitations this person issued no longer speak for the network.
			await tx
				.update(invitations)
				.set({ revokedAt: new Date(), revokedBy: actorId })
				.where(and(eq(invitations.createdBy, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
		}
		await recordAudit(tx, { actorId, action: disabled ? 'person.disabled' : 'person.enabled', entityType: 'user', entityId: id });
	});
}

export const changePasswordInput = z
	.object({
		currentPassword: z.string('error_required').min(1, 'error_required'),
		newPassword: passwordSchema,
		confirmPassword: z.string('error_required')
	})
	.refine((v) => v.newPassword === v.confirmPassword, { message: 'password_mismatch', path: ['confirmPassword'] });

/** Verifies the current password, stores the new one and signs out every other session. */
export async function changePassword(
	db: Db,
	userId: string,
	input: z.output<typeof changePasswordInput>,
	keepSessionId: string
) {
	const [user] = await db.select().from(users).where(eq(users.id, userId));
	if (!user) throw new DomainError('error_not_found', undefined, 404);
	// Guessing the current password from a hijacked session counts like guessing it at login.
	const attempt = await beginLoginAttempt(db, user.email, null);
	if (!attempt.allowed) throw new DomainError('password_attempts_locked', 'currentPassword', 429);
	if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
		throw new DomainError('password_current_wrong', 'currentPassword');
	await recordLoginSuccess(db, user.email, null);
	if (input.newPassword.toLowerCase() === user.email) throw new DomainError('password_is_email', 'newPassword');
	await db
		.update(users)
		.set({ passwordHash: await hashPassword(input.newPassword), updatedAt: new Date(), updatedBy: userId })
		.where(eq(users.id, userId));
	// Pending reset links would otherwise still replace the password just chosen.
	await db
		.update(passwordResets)
		.set({ usedAt: new Date() })
		.where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
	const signedOut = await invalidateUserSessions(db, userId, keepSessionId);
	await recordAudit(db, { actorId: userId, action: 'person.password_changed', entityType: 'user', entityId: userId, data: { signedOut } });
}

export async function setLocale(db: Db, userId: string, locale: string) {
	await db.update(users).set({ locale }).where(eq(users.id, userId));
}

/** The permission subject for a person, fresh from the database; null when disabled or gone. */
export async function getActor(db: Db, userId: string): Promise<Actor | null> {
	const [u] = await db
		.select({ id: users.id, role: users.role, organizationId: users.organizationId })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt), isNull(users.disabledAt)));
	return u ? { id: u.id, role: u.role, organizationId: u.organizationId, tableRoles: await getTableRoles(db, u.id) } : null;
}

/** `getActor` for many people at once (two queries); disabled or deleted people are left out. */
export async function getActors(db: Db, userIds: readonly string[]): Promise<Actor[]> {
	const ids = [...new Set(userIds)];
	if (ids.length === 0) return [];
	const people = await db
		.select({ id: users.id, role: users.role, organizationId: users.organizationId })
		.from(users)
		.where(and(inArray(users.id, ids), isNull(users.deletedAt), isNull(users.disabledAt)));
	if (people.length === 0) return [];
	const roles = await db
		.select({ userId: tableMembers.userId, tableId: tableMembers.tableId, role: tableMembers.role })
		.from(tableMembers)
		.where(inArray(tableMembers.userId, people.map((p) => p.id)));
	const byUser = new Map<string, Record<string, (typeof roles)[number]['role']>>();
	for (const r of roles) byUser.set(r.userId, { ...byUser.get(r.userId), [r.tableId]: r.role });
	return people.map((p) => ({ id: p.id, role: p.role, organizationId: p.organizationId, tableRoles: byUser.get(p.id) ?? {} }));
}

