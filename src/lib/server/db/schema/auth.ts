import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './network';
import { ts } from './columns';

/** Lucia's session model: the id is sha256(token) in hex; the token lives only in the cookie. */
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		expiresAt: ts('expires_at').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		userAgent: text('user_agent'),
		ip: text('ip')
	},
	(t) => [index('sessions_user').on(t.userId)]
);

/** Failed login counters, per account ("email:…") and per client address ("ip:…"). */
export const loginThrottle = pgTable('login_throttle', {
	key: text('key').primaryKey(),
	failures: integer('failures').notNull().default(0),
	windowStart: ts('window_start').notNull().defaultNow(),
	lockedUntil: ts('locked_until')
});

export const passwordResets = pgTable(
	'password_resets',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		tokenHash: text('token_hash').notNull().unique(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		createdBy: uuid('created_by').references(() => users.id),
		createdAt: ts('created_at').notNull().defaultNow(),
		expiresAt: ts('expires_at').notNull(),
		usedAt: ts('used_at')
	},
	(t) => [index('password_resets_user').on(t.userId)]
);

export type Session = typeof sessions.$inferSelect;
