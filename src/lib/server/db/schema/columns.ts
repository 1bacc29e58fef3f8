import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** A timestamptz column read as a Date (UTC in the database, Europe/Rome only in the UI). */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Who/when columns shared by every table that people edit (destructive actions are soft). */
export const audited = {
	createdAt: ts('created_at').notNull().defaultNow(),
	createdBy: uuid('created_by'),
	updatedAt: ts('updated_at').notNull().defaultNow(),
	updatedBy: uuid('updated_by'),
	deletedAt: ts('deleted_at'),
	deletedBy: uuid('deleted_by')
};
