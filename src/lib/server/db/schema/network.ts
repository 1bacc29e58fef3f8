import { relations, sql } from 'drizzle-orm';
import {
	boolean,
	index,
	pgEnum,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { ts, audited } from './columns';

export const organizationKinds = [
	'comune',
	'unione_comuni',
	'asp',
	'associazione_enti_locali',
	'cooperativa_sociale',
	'consorzio',
	'ets'
] as const;
export type OrganizationKind = (typeof organizationKinds)[number];
export const organizationKind = pgEnum('organization_kind', organizationKinds);

export const networkRoles = ['admin', 'coordinator', 'member'] as const;
export type NetworkRole = (typeof networkRoles)[number];
export const networkRole = pgEnum('network_role', networkRoles);

export const tableRoles = ['coordinator', 'member'] as const;
export type TableRole = (typeof tableRoles)[number];
export const tableRole = pgEnum('table_role', tableRoles);

export const tableKinds = ['regia', 'territoriale', 'tematico'] as const;
export type TableKind = (typeof tableKinds)[number];
export const tableKind = pgEnum('table_kind', tableKinds);

export const tableVisibilities = ['network', 'members'] as const;
export type TableVisibility = (typeof tableVisibilities)[number];
export const tableVisibility = pgEnum('table_visibility', tableVisibilities);

export const organizations = pgTable(
	'organizations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		shortName: text('short_name'),
		kind: organizationKind('kind').notNull(),
		district: text('district'),
		territory: text('territory'),
		website: text('website'),
		description: text('description'),
		taxCode: text('tax_code'),
		vatNumber: text('vat_number'),
		isLead: boolean('is_lead').notNull().default(false),
		...audited
	},
	(t) => [uniqueIndex('organizations_name_live').on(sql`lower(${t.name})`).where(sql`${t.deletedAt} is null`)]
);

export const users = pgTable(
	'users',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Stored lower-cased; unique among all accounts. */
		email: text('email').notNull(),
		name: text('name').notNull(),
		organizationId: uuid('organization_id').references(() => organizations.id),
		role: networkRole('role').notNull().default('member'),
		jobTitle: text('job_title'),
		phone: text('phone'),
		/** argon2id PHC string; null until the person sets a password (invitation or reset). */
		passwordHash: text('password_hash'),
		locale: text('locale'),
		disabledAt: ts('disabled_at'),
		lastLoginAt: ts('last_login_at'),
		...audited
	},
	(t) => [uniqueIndex('users_email_unique').on(t.email), index('users_organization').on(t.organizationId)]
);

export const tables = pgTable('tables', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull(),
	kind: tableKind('kind').notNull(),
	district: text('district'),
	description: text('description'),
	visibility: tableVisibility('visibility').notNull().default('network'),
	archivedAt: ts('archived_at'),
	...audited
});

export const tableMembers = pgTable(
	'table_members',
	{
		tableId: uuid('table_id')
			.notNull()
			.references(() => tables.id),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		role: tableRole('role').notNull().default('member'),
		addedAt: ts('added_at').notNull().defaultNow(),
		addedBy: uuid('added_by')
	},
	(t) => [primaryKey({ columns: [t.tableId, t.userId] }), index('table_members_user').on(t.userId)]
);

export const invitations = pgTable(
	'invitations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** sha256 of the token in the link; the token itself is never stored. */
		tokenHash: text('token_hash').notNull(),
		email: text('email').notNull(),
		name: text('name'),
		organizationId: uuid('organization_id').references(() => organizations.id),
		role: networkRole('role').notNull().default('member'),
		tableId: uuid('table_id').references(() => tables.id),
		tableRole: tableRole('table_role'),
		createdBy: uuid('created_by')
			.notNull()
			.references(() => users.id),
		createdAt: ts('created_at').notNull().defaultNow(),
		expiresAt: ts('expires_at').notNull(),
		acceptedAt: ts('accepted_at'),
		acceptedUserId: uuid('accepted_user_id').references(() => users.id),
		revokedAt: ts('revoked_at'),
		revokedBy: uuid('revoked_by')
	},
	(t) => [uniqueIndex('invitations_token').on(t.tokenHash), index('invitations_email').on(t.email)]
);

export const organizationsRelations = relations(organizations, ({ many }) => ({
	users: many(users)
}));
export const usersRelations = relations(users, ({ one, many }) => ({
	organization: one(organizations, { fields: [users.organizationId], references: [organizations.id] }),
	tables: many(tableMembers)
}));
export const tablesRelations = relations(tables, ({ many }) => ({
	members: many(tableMembers)
}));
export const tableMembersRelations = relations(tableMembers, ({ one }) => ({
	table: one(tables, { fields: [tableMembers.tableId], references: [tables.id] }),
	user: one(users, { fields: [tableMembers.userId], references: [users.id] })
}));

export type Organization = typeof organizations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Table = typeof tables.$inferSelect;
export type TableMember = typeof tableMembers.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
