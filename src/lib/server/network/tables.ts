import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { organizations, tableKinds, tableMembers, tableRoles, tables, tableVisibilities, users } from '../db/schema';
import type { TableRole } from '../db/schema';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import type { Actor } from '../authz';
import { publish } from '../events';
import { optionalText, optionalUuid, requiredText, uuidField } from '../validation';

export const tableInput = z.object({
	name: requiredText(160),
	kind: z.enum(tableKinds, 'error_required'),
	district: optionalText(120),
	description: optionalText(4000),
	visibility: z.enum(tableVisibilities, 'error_required')
});
export type TableInput = z.output<typeof tableInput>;

export const createTableInput = tableInput.extend({ coordinatorId: optionalUuid });

export const memberInput = z.object({
	userId: uuidField,
	role: z.enum(tableRoles, 'error_required')
});

/** Tables the actor may see: network-wide ones, plus members-only ones they belong to (admins: all). */
export async function listVisibleTables(db: Db, actor: Actor, opts: { includeArchived?: boolean } = {}) {
	const mine = Object.keys(actor.tableRoles);
	const conds = [];
	if (!opts.includeArchived) conds.push(isNull(tables.archivedAt));
	conds.push(isNull(tables.deletedAt));
	if (actor.role !== 'admin')
		conds.push(mine.length ? or(eq(tables.visibility, 'network'), inArray(tables.id, mine))! : eq(tables.visibility, 'network'));
	const rows = await db
		.select({
			id: tables.id,
			name: tables.name,
			kind: tables.kind,
			district: tables.district,
			visibility: tables.visibility,
			archivedAt: tables.archivedAt,
			members: sql<number>`(select count(*)::int from ${tableMembers} tm join ${users} u on u.id = tm.user_id where tm.table_id = ${tables}.id and u.deleted_at is null and u.disabled_at is null)`
		})
		.from(tables)
		.where(and(...conds))
		.orderBy(sql`case ${tables.kind} when 'regia' then 0 when 'territoriale' then 1 else 2 end`, asc(tables.name));
	return rows.map((r) => ({ ...r, myRole: (actor.tableRoles[r.id] ?? null) as TableRole | null }));
}

export async function getTable(db: Db, id: string) {
	const [row] = await db.select().from(tables).where(and(eq(tables.id, id), isNull(tables.deletedAt)));
	return row ?? null;
}

export async function listTableMembers(db: Db, tableId: string) {
	return db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			jobTitle: users.jobTitle,
			organizationId: users.organizationId,
			organizationName: organizations.name,
			role: tableMembers.role,
			addedAt: tableMembers.addedAt
		})
		.from(tableMembers)
		.innerJoin(users, eq(users.id, tableMembers.userId))
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(and(eq(tableMembers.tableId, tableId), isNull(users.deletedAt), isNull(users.disabledAt)))
		.orderBy(sql`case ${tableMembers.role} when 'coordinator' then 0 else 1 end`, asc(users.name));
}

export async function createTable(db: Db, actor: Actor, input: z.output<typeof createTableInput>) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(tables)
			.values({
				name: input.name,
				kind: input.kind,
				district: input.district ?? null,
				description: input.description ?? null,
				visibility: input.visibility,
				createdBy: actor.id,
				updatedBy: actor.id
			})
			.returning();
		// A coordinator who creates a table coordinates it; an admin may name someone else.
		const coordinatorId = input.coordinatorId ?? (actor.role === 'admin' ? null : actor.id);
		if (coordinatorId) {
			await assertActivePerson(tx, coordinatorId);
			await tx.insert(tableMembers).values({ tableId: row!.id, userId: coordinatorId, role: 'coordinator', addedBy: actor.id });
		}
		await recordAudit(tx, { actorId: actor.id, action: 'table.created', entityType: 'table', entityId: row!.id, data: { name: input.name, visibility: input.visibility } });
		return row!;
	});
}

export async function updateTable(db: Db, actorId: string, id: string, input: TableInput) {
	await db.transaction(async (tx) => {
		const before = await getTable(tx, id);
		if (!before) throw new DomainError('error_not_found', undefined, 404);
		await tx
			.update(tables)
			.set({
				name: input.name,
				kind: input.kind,
				district: input.district ?? null,
				description: input.description ?? null,
				visibility: input.visibility,
				updatedAt: new Date(),
				updatedBy: actorId
			})
			.where(eq(tables.id, id));
		await recordAudit(tx, {
			actorId,
			action: 'table.updated',
			entityType: 'table',
			entityId: id,
			data: before.visibility !== input.visibility ? { visibility: { from: before.visibility, to: input.visibility } } : {}
		});
	});
	publish('table.changed', { tableId: id });
}

export async function setTableArchived(db: Db, actorId: string, id: string, archived: boolean) {
	await db.transaction(async (tx) => {
		await tx
			.update(tables)
			.set({ archivedAt: archived ? new Date() : null, updatedAt: new Date(), updatedBy: actorId })
			.where(eq(tables.id, id));
		await recordAudit(tx, { actorId, action: archived ? 'table.archived' : 'table.restored', entityType: 'table', entityId: id });
	});
	publish('table.changed', { tableId: id });
}

async function assertActivePerson(db: Db, userId: string) {
	const [u] = await db
		.select({ id: users.id })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt), isNull(users.disabledAt)));
	if (!u) throw new DomainError('error_person_not_found', 'userId');
}

/**
 * Membership changes of one table run one at a time (the table row is locked), so that two
 * coordinators demoting each other at the same moment cannot leave the table without one.
 */
async function lockTable(tx: Db, tableId: string) {
	await tx.execute(sql`select 1 from ${tables} where ${tables.id} = ${tableId} for update`);
}

async function coordinatorIds(db: Db, tableId: string) {
	const rows = await db
		.select({ userId: tableMembers.userId })
		.from(tableMembers)
		.innerJoin(users, eq(users.id, tableMembers.userId))
		.where(and(eq(tableMembers.tableId, tableId), eq(tableMembers.role, 'coordinator'), isNull(users.disabledAt), isNull(users.deletedAt)));
	return rows.map((r) => r.userId);
}

export async function addTableMember(db: Db, actorId: string, tableId: string, userId: string, role: TableRole) {
	await db.transaction(async (tx) => {
		await assertActivePerson(tx, userId);
		const inserted = await tx
			.insert(tableMembers)
			.values({ tableId, userId, role, addedBy: actorId })
			.onConflictDoNothing()
			.returning();
		if (!inserted.length) throw new DomainError('error_already_member', 'userId');
		await recordAudit(tx, { actorId, action: 'table.member_added', entityType: 'table', entityId: tableId, data: { userId, role } });
	});
	publish('table.changed', { tableId: tableId });
}

/** A table always keeps at least one coordinator. */
export async function setTableMemberRole(db: Db, actorId: string, tableId: string, userId: string, role: TableRole) {
	await db.transaction(async (tx) => {
		await lockTable(tx, tableId);
		if (role === 'member') {
			const coords = await coordinatorIds(tx, tableId);
			if (coords.length === 1 && coords[0] === userId) throw new DomainError('error_last_coordinator');
		}
		const updated = await tx
			.update(tableMembers)
			.set({ role })
			.where(and(eq(tableMembers.tableId, tableId), eq(tableMembers.userId, userId)))
			.returning();
		if (!updated.length) throw new DomainError('error_not_member');
		await recordAudit(tx, { actorId, action: 'table.member_role_changed', entityType: 'table', entityId: tableId, data: { userId, role } });
	});
	publish('table.changed', { tableId: tableId });
}

export async function removeTableMember(db: Db, actorId: string, tableId: string, userId: string) {
	await db.transaction(async (tx) => {
		await lockTable(tx, tableId);
		const coords = await coordinatorIds(tx, tableId);
		if (coords.length === 1 && coords[0] === userId) throw new DomainError('error_last_coordinator');
		const deleted = await tx
			.delete(tableMembers)
			.where(and(eq(tableMembers.tableId, tableId), eq(tableMembers.userId, userId)))
			.returning();
		if (!deleted.length) throw new DomainError('error_not_member');
		await recordAudit(tx, { actorId, action: 'table.member_removed', entityType: 'table', entityId: tableId, data: { userId, role: deleted[0]!.role } });
	});
	publish('table.changed', { tableId: tableId });
}
