import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { invitations, networkRoles, organizations, tableMembers, tableRoles, tables, users } from '../db/schema';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import type { Actor } from '../authz';
import { emailField, optionalText, optionalUuid, requiredText } from '../validation';
import { generateToken, hashToken } from '../auth/tokens';
import { hashPassword, passwordSchema } from '../auth/password';
import { findUserByEmail } from './people';
import { enqueueMail } from '../mail/outbox';
import { invitationMail } from '../mail/templates';
import { publicBaseUrl } from '../links';

export const INVITATION_TTL_DAYS = 7;

export const invitationInput = z.object({
	email: emailField,
	name: optionalText(120),
	organizationId: optionalUuid,
	role: z.enum(networkRoles).default('member'),
	tableId: optionalUuid,
	tableRole: z.enum(tableRoles).default('member')
});
export type InvitationInput = z.output<typeof invitationInput>;

export const acceptInvitationInput = z
	.object({
		name: requiredText(120),
		password: passwordSchema,
		confirmPassword: z.string('error_required')
	})
	.refine((v) => v.password === v.confirmPassword, { message: 'password_mismatch', path: ['confirmPassword'] });

export const invitationLink = (baseUrl: string, token: string) => `${baseUrl}/invite/${token}`;

/**
 * Creates a one-time, expiring invitation and returns the token and its link (shown once), and
 * queues the e-mail that carries the same link, in the same transaction.
 * Table coordinators may only invite into their own table, as members with a network role of member.
 * `baseUrl`: see publicBaseUrl (callers pass `publicBaseUrl(url.origin)`).
 */
export async function createInvitation(db: Db, actor: Actor, input: InvitationInput, opts: { baseUrl?: string } = {}) {
	const isAdmin = actor.role === 'admin';
	const values = {
		...input,
		role: isAdmin ? input.role : ('member' as const),
		tableRole: input.tableId ? input.tableRole : null
	};
	if (!isAdmin && !input.tableId) throw new DomainError('error_forbidden', undefined, 403);
	let tableName: string | null = null;
	if (input.tableId) {
		const [t] = await db.select({ id: tables.id, name: tables.name }).from(tables).where(and(eq(tables.id, input.tableId), isNull(tables.archivedAt)));
		if (!t) throw new DomainError('error_table_not_found', 'tableId');
		tableName = t.name;
	}
	if (input.organizationId) {
		const [o] = await db
			.select({ id: organizations.id })
			.from(organizations)
			.where(and(eq(organizations.id, input.organizationId), isNull(organizations.deletedAt)));
		if (!o) throw new DomainError('error_organization_not_found', 'organizationId');
	}
	if (await findUserByEmail(db, input.email))
		throw new DomainError(input.tableId ? 'error_invite_existing_add_instead' : 'error_email_taken', 'email');
	const token = generateToken();
	const link = invitationLink(opts.baseUrl ?? publicBaseUrl(), token);
	const [inviter] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(invitations)
			.values({
				tokenHash: hashToken(token),
				email: values.email,
				name: values.name ?? null,
				organizationId: values.organizationId ?? null,
				role: values.role,
				tableId: values.tableId ?? null,
				tableRole: values.tableRole,
				createdBy: actor.id,
				expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 24 * 3600 * 1000)
			})
			.returning();
		await recordAudit(tx, { actorId: actor.id, action: 'invitation.created', entityType: 'invitation', entityId: row!.id, data: { email: values.email, tableId: values.tableId ?? null, role: values.role } });
		const mail = invitationMail({ name: values.name, inviterName: inviter?.name ?? null, tableName, link, expiresAt: row!.expiresAt });
		await enqueueMail(tx, { to: values.email, toName: values.name, ...mail, kind: 'invitation' });
		return { invitation: row!, token, link };
	});
}

export async function listPendingInvitations(db: Db, filter: { tableId?: string } = {}) {
	const conds = [isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())];
	if (filter.tableId) conds.push(eq(invitations.tableId, filter.tableId));
	return db
		.select({
			id: invitations.id,
			email: invitations.email,
			name: invitations.name,
			role: invitations.role,
			tableId: invitations.tableId,
			tableName: tables.name,
			tableRole: invitations.tableRole,
			organizationName: organizations.name,
			createdAt: invitations.createdAt,
			expiresAt: invitations.expiresAt,
			createdByName: users.name
		})
		.from(invitations)
		.leftJoin(tables, eq(tables.id, invitations.tableId))
		.leftJoin(organizations, eq(organizations.id, invitations.organizationId))
		.leftJoin(users, eq(users.id, invitations.createdBy))
		.where(and(...conds))
		.orderBy(desc(invitations.createdAt));
}

export async function getInvitation(db: Db, id: string) {
	const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
	return row ?? null;
}

export async function revokeInvitation(db: Db, actorId: string, id: string) {
	const updated = await db
		.update(invitations)
		.set({ revokedAt: new Date(), revokedBy: actorId })
		.where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
		.returning({ id: invitations.id });
	if (!updated.length) throw new DomainError('error_invitation_not_pending');
	await recordAudit(db, { actorId, action: 'invitation.revoked', entityType: 'invitation', entityId: id });
}

export type InvitationState = 'valid' | 'expired' | 'used' | 'revoked' | 'unknown';

/**
 * An invitation speaks for its creator: it stays usable only while the creator still may issue it
 * (active, and admin or coordinator of the invitation's table) and the table is still open.
 */
async function creatorStillEntitled(db: Db, inv: { createdBy: string; tableId: string | null }): Promise<boolean> {
	const [creator] = await db
		.select({ role: users.role })
		.from(users)
		.where(and(eq(users.id, inv.createdBy), isNull(users.disabledAt), isNull(users.deletedAt)));
	if (!creator) return false;
	if (inv.tableId) {
		const [table] = await db
			.select({ id: tables.id })
			.from(tables)
			.where(and(eq(tables.id, inv.tableId), isNull(tables.archivedAt), isNull(tables.deletedAt)));
		if (!table) return false;
	}
	if (creator.role === 'admin') return true;
	if (!inv.tableId) return false;
	const [membership] = await db
		.select({ role: tableMembers.role })
		.from(tableMembers)
		.where(and(eq(tableMembers.tableId, inv.tableId), eq(tableMembers.userId, inv.createdBy)));
	return membership?.role === 'coordinator';
}

export async function lookupInvitation(db: Db, token: string) {
	if (!/^[a-z2-7]{32}$/.test(token)) return { state: 'unknown' as InvitationState, invitation: null };
	const [row] = await db
		.select({
			id: invitations.id,
			email: invitations.email,
			name: invitations.name,
			expiresAt: invitations.expiresAt,
			acceptedAt: invitations.acceptedAt,
			revokedAt: invitations.revokedAt,
			createdBy: invitations.createdBy,
			tableId: invitations.tableId,
			organizationName: organizations.name,
			tableName: tables.name
		})
		.from(invitations)
		.leftJoin(organizations, eq(organizations.id, invitations.organizationId))
		.leftJoin(tables, eq(tables.id, invitations.tableId))
		.where(eq(invitations.tokenHash, hashToken(token)));
	if (!row) return { state: 'unknown' as InvitationState, invitation: null };
	let state: InvitationState = row.acceptedAt ? 'used' : row.revokedAt ? 'revoked' : row.expiresAt <= new Date() ? 'expired' : 'valid';
	if (state === 'valid' && !(await creatorStillEntitled(db, row))) state = 'revoked';
	return { state, invitation: row };
}

/** Creates the account, joins the table, and consumes the invitation, atomically and exactly once. */
export async function acceptInvitation(db: Db, token: string, input: z.output<typeof acceptInvitationInput>) {
	const passwordHash = await hashPassword(input.password);
	return db.transaction(async (tx) => {
		// Claim the invitation first: a second, concurrent accept finds nothing to claim.
		const [inv] = await tx
			.update(invitations)
			.set({ acceptedAt: new Date() })
			.where(
				and(
					eq(invitations.tokenHash, hashToken(token)),
					isNull(invitations.acceptedAt),
					isNull(invitations.revokedAt),
					gt(invitations.expiresAt, new Date())
				)
			)
			.returning();
		if (!inv) throw new DomainError('error_invitation_invalid');
		if (!(await creatorStillEntitled(tx, inv))) throw new DomainError('error_invitation_invalid');
		if (input.password.toLowerCase() === inv.email) throw new DomainError('password_is_email', 'password');
		const existing = await tx.select({ id: users.id }).from(users).where(eq(users.email, inv.email));
		if (existing.length) throw new DomainError('error_email_taken');
		const [user] = await tx
			.insert(users)
			.values({
				email: inv.email,
				name: input.name,
				organizationId: inv.organizationId,
				role: inv.role,
				passwordHash,
				createdBy: inv.createdBy,
				updatedBy: inv.createdBy
			})
			.returning();
		if (inv.tableId)
			await tx.insert(tableMembers).values({ tableId: inv.tableId, userId: user!.id, role: inv.tableRole ?? 'member', addedBy: inv.createdBy });
		await tx.update(invitations).set({ acceptedUserId: user!.id }).where(eq(invitations.id, inv.id));
		await recordAudit(tx, { actorId: user!.id, action: 'invitation.accepted', entityType: 'invitation', entityId: inv.id });
		return user!;
	});
}
