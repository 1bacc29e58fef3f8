import { index, integer, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, tables, users } from './network';
import { ts } from './columns';

/** What a thread may be about, besides its table or the Piazza (shown on that page too). */
export const threadLinkKinds = ['meeting', 'agenda_item', 'action', 'service'] as const;
export type ThreadLinkKind = (typeof threadLinkKinds)[number];
export const threadLinkKind = pgEnum('thread_link_kind', threadLinkKinds);

/**
 * A discussion in a table (`table_id`) or in the network-wide Piazza (`table_id` null). Threads
 * about a meeting, agenda item or action live in that meeting's table, so they are never seen by
 * someone who may not see what they are about.
 */
export const threads = pgTable(
	'threads',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		tableId: uuid('table_id').references(() => tables.id),
		title: text('title').notNull(),
		linkKind: threadLinkKind('link_kind'),
		/** Meeting id, `<meetingId>:<itemId>` for an agenda item, action id, service id. */
		linkId: text('link_id'),
		pinnedAt: ts('pinned_at'),
		lockedAt: ts('locked_at'),
		lockedBy: uuid('locked_by'),
		postCount: integer('post_count').notNull().default(0),
		lastPostAt: ts('last_post_at').notNull().defaultNow(),
		createdAt: ts('created_at').notNull().defaultNow(),
		createdBy: uuid('created_by')
			.notNull()
			.references(() => users.id),
		updatedAt: ts('updated_at').notNull().defaultNow(),
		deletedAt: ts('deleted_at'),
		deletedBy: uuid('deleted_by')
	},
	(t) => [index('threads_table_last').on(t.tableId, t.lastPostAt), index('threads_link').on(t.linkKind, t.linkId)]
);

/**
 * A post: Markdown as written, and the HTML rendered and sanitised on the server when saved (the
 * only HTML pages show). Deleting is soft (the text goes, the place in the thread stays);
 * moderators hide a post with a reason.
 */
export const posts = pgTable(
	'posts',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		threadId: uuid('thread_id')
			.notNull()
			.references(() => threads.id),
		/** Position in the thread, 1-based, for "new since" lines and links. */
		seq: integer('seq').notNull(),
		authorId: uuid('author_id')
			.notNull()
			.references(() => users.id),
		body: text('body').notNull(),
		html: text('html').notNull(),
		/** Plain text for search and notifications. */
		text: text('text').notNull(),
		replyToId: uuid('reply_to_id'),
		createdAt: ts('created_at').notNull().defaultNow(),
		editedAt: ts('edited_at'),
		deletedAt: ts('deleted_at'),
		deletedBy: uuid('deleted_by'),
		hiddenAt: ts('hidden_at'),
		hiddenBy: uuid('hidden_by'),
		hiddenReason: text('hidden_reason')
	},
	(t) => [uniqueIndex('posts_thread_seq').on(t.threadId, t.seq), index('posts_author').on(t.authorId)]
);

/** Earlier texts of edited posts (who, when, what it said). */
export const postRevisions = pgTable(
	'post_revisions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		postId: uuid('post_id')
			.notNull()
			.references(() => posts.id),
		body: text('body').notNull(),
		/** When this text was replaced, and by whom. */
		replacedAt: ts('replaced_at').notNull().defaultNow(),
		replacedBy: uuid('replaced_by').notNull()
	},
	(t) => [index('post_revisions_post').on(t.postId, t.replacedAt)]
);

/** People and organisations mentioned in a post (an organisation reaches its people). */
export const postMentions = pgTable(
	'post_mentions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		postId: uuid('post_id')
			.notNull()
			.references(() => posts.id),
		userId: uuid('user_id').references(() => users.id),
		organizationId: uuid('organization_id').references(() => organizations.id)
	},
	(t) => [index('post_mentions_post').on(t.postId), index('post_mentions_user').on(t.userId)]
);

/** Files attached to a post, stored under DATA_DIR by their random key. */
export const postAttachments = pgTable(
	'post_attachments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** Null while uploaded but not yet part of a post. */
		postId: uuid('post_id').references(() => posts.id),
		uploadedBy: uuid('uploaded_by')
			.notNull()
			.references(() => users.id),
		threadId: uuid('thread_id').references(() => threads.id),
		fileName: text('file_name').notNull(),
		mediaType: text('media_type').notNull(),
		size: integer('size').notNull(),
		sha256: text('sha256').notNull(),
		storageKey: text('storage_key').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		deletedAt: ts('deleted_at')
	},
	(t) => [index('post_attachments_post').on(t.postId), uniqueIndex('post_attachments_key').on(t.storageKey)]
);

export const subscriptionStates = ['following', 'muted'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];
export const subscriptionState = pgEnum('subscription_state', subscriptionStates);

/**
 * Who follows a thread (automatic when posting or mentioned, or by hand) and who muted it; the
 * row also keeps what the person has read.
 */
export const threadReaders = pgTable(
	'thread_readers',
	{
		threadId: uuid('thread_id')
			.notNull()
			.references(() => threads.id),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		/** Null: neither following nor muted (only reading). */
		subscription: subscriptionState('subscription'),
		/** Highest post seq read (0: none). */
		lastReadSeq: integer('last_read_seq').notNull().default(0),
		lastVisitAt: ts('last_visit_at'),
		updatedAt: ts('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.threadId, t.userId] }), index('thread_readers_user').on(t.userId)]
);

export const notificationModes = ['in_app', 'immediate', 'digest'] as const;
export type NotificationMode = (typeof notificationModes)[number];
export const notificationMode = pgEnum('notification_mode', notificationModes);

/** How a person hears of threads: in the app only, an e-mail at once, or a daily digest. */
export const notificationPreferences = pgTable('notification_preferences', {
	userId: uuid('user_id')
		.primaryKey()
		.references(() => users.id),
	threads: notificationMode('threads').notNull().default('in_app'),
	/** Sent up to here (digest). */
	digestSentAt: ts('digest_sent_at'),
	updatedAt: ts('updated_at').notNull().defaultNow()
});
