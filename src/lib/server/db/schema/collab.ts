import { bigserial, customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** bytea as Uint8Array on both drivers. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array | Buffer }>({
	dataType: () => 'bytea',
	toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
	fromDriver: (value) => (value instanceof Uint8Array ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value))
});

/**
 * Append-only log of Yjs updates per document. Written by group commit before the author is
 * acknowledged; folded into `collab_snapshots` by compaction, which deletes exactly the rows it read.
 */
export const collabUpdates = pgTable(
	'collab_updates',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		doc: text('doc').notNull(),
		update: bytea('update').notNull(),
		userId: uuid('user_id'),
		createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
	},
	(t) => [index('collab_updates_doc').on(t.doc, t.id)]
);

export const collabSnapshots = pgTable('collab_snapshots', {
	doc: text('doc').primaryKey(),
	state: bytea('state').notNull(),
	/** How many log rows have been folded in so far (for diagnostics). */
	compactedRows: integer('compacted_rows').notNull().default(0),
	updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
});
