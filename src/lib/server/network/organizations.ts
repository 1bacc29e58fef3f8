import { and, asc, count, eq, ilike, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { organizationKinds, organizations, users } from '../db/schema';
import { recordAudit } from '../audit';
import { DomainError, isUniqueViolation } from '../errors';
import { stripControl, optionalTaxCode, optionalText, optionalUrl, optionalVatNumber, requiredText } from '../validation';

export const organizationInput = z.object({
	name: requiredText(200),
	shortName: optionalText(60),
	kind: z.enum(organizationKinds, 'error_required'),
	district: optionalText(120),
	territory: optionalText(300),
	website: optionalUrl,
	description: optionalText(4000),
	taxCode: optionalTaxCode,
	vatNumber: optionalVatNumber
});
export type OrganizationInput = z.output<typeof organizationInput>;

const live = isNull(organizations.deletedAt);

export async function listOrganizations(db: Db, filter: { kind?: string; q?: string } = {}) {
	const conds = [live];
	if (filter.kind && (organizationKinds as readonly string[]).includes(filter.kind))
		conds.push(eq(organizations.kind, filter.kind as (typeof organizationKinds)[number]));
	const q = stripControl(filter.q ?? '').trim();
	if (q) {
		const like = `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`;
		conds.push(or(ilike(organizations.name, like), ilike(organizations.district, like))!);
	}
	return db
		.select({
			id: organizations.id,
			name: organizations.name,
			shortName: organizations.shortName,
			kind: organizations.kind,
			district: organizations.district,
			website: organizations.website,
			isLead: organizations.isLead,
			people: sql<number>`(select count(*)::int from ${users} u where u.organization_id = ${organizations}.id and u.deleted_at is null and u.disabled_at is null)`
		})
		.from(organizations)
		.where(and(...conds))
		.orderBy(sql`${organizations.isLead} desc`, asc(organizations.name));
}

export async function getOrganization(db: Db, id: string) {
	const [row] = await db.select().from(organizations).where(and(eq(organizations.id, id), live));
	return row ?? null;
}

async function assertNameFree(db: Db, name: string, exceptId?: string) {
	const rows = await db
		.select({ id: organizations.id })
		.from(organizations)
		.where(and(live, sql`lower(${organizations.name}) = lower(${name})`));
	if (rows.some((r) => r.id !== exceptId)) throw new DomainError('error_organization_exists', 'name');
}

/** The unique index on lower(name) is the real guard; the check before it gives the nicer error. */
async function nameGuard<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (err) {
		if (isUniqueViolation(err)) throw new DomainError('error_organization_exists', 'name');
		throw err;
	}
}

export async function createOrganization(db: Db, actorId: string | null, input: OrganizationInput & { isLead?: boolean }) {
	await assertNameFree(db, input.name);
	return nameGuard(() =>
		db.transaction(async (tx) => {
			const [row] = await tx
				.insert(organizations)
				.values({ ...input, createdBy: actorId, updatedBy: actorId })
				.returning();
			await recordAudit(tx, { actorId, action: 'organization.created', entityType: 'organization', entityId: row!.id, data: { name: input.name } });
			return row!;
		})
	);
}

export async function updateOrganization(db: Db, actorId: string, id: string, input: OrganizationInput) {
	const before = await getOrganization(db, id);
	if (!before) throw new DomainError('error_not_found', undefined, 404);
	await assertNameFree(db, input.name, id);
	const values = {
		name: input.name,
		shortName: input.shortName ?? null,
		kind: input.kind,
		district: input.district ?? null,
		territory: input.territory ?? null,
		website: input.website ?? null,
		description: input.description ?? null,
		taxCode: input.taxCode ?? null,
		vatNumber: input.vatNumber ?? null
	};
	const changed = Object.keys(values).filter((k) => (before as Record<string, unknown>)[k] !== values[k as keyof typeof values]);
	return nameGuard(() =>
		db.transaction(async (tx) => {
			const [row] = await tx
				.update(organizations)
				.set({ ...values, updatedAt: new Date(), updatedBy: actorId })
				.where(eq(organizations.id, id))
				.returning();
			await recordAudit(tx, { actorId, action: 'organization.updated', entityType: 'organization', entityId: id, data: { changed } });
			return row!;
		})
	);
}

/** Soft delete; refused while active people still belong to the organisation. */
export async function deleteOrganization(db: Db, actorId: string, id: string) {
	const org = await getOrganization(db, id);
	if (!org) throw new DomainError('error_not_found', undefined, 404);
	const [{ n } = { n: 0 }] = await db
		.select({ n: count() })
		.from(users)
		.where(and(eq(users.organizationId, id), isNull(users.deletedAt), isNull(users.disabledAt)));
	if (n > 0) throw new DomainError('error_organization_has_people');
	await db.transaction(async (tx) => {
		await tx.update(organizations).set({ deletedAt: new Date(), deletedBy: actorId }).where(eq(organizations.id, id));
		await recordAudit(tx, { actorId, action: 'organization.deleted', entityType: 'organization', entityId: id, data: { name: org.name } });
	});
}
