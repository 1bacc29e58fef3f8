import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Append-only record of who changed what; destructive actions are soft and land here. */
export const auditLog = pgTable(
	'audit_log',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
		actorId: uuid('actor_id'),
		action: text('action').notNull(),
		entityType: text('entity_type').notNull(),
		entityId: text('entity_id'),
		data: jsonb('data').$type<Record<string, unknown>>()
	},
	(t) => [index('audit_entity').on(t.entityType, t.entityId), index('audit_at').on(t.at)]
);
