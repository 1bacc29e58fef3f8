import { date, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { meetings } from './meetings';
import { organizations, users } from './network';
import { ts } from './columns';

export const minutesStatuses = ['bozza', 'in_revisione', 'approvata'] as const;
export type MinutesStatus = (typeof minutesStatuses)[number];
export const minutesStatus = pgEnum('minutes_status', minutesStatuses);

export const actionStatuses = ['aperta', 'in_corso', 'fatta', 'annullata'] as const;
export type ActionStatus = (typeof actionStatuses)[number];
export const actionStatus = pgEnum('action_status', actionStatuses);

export const privacyFlagKinds = ['codice_fiscale', 'phone', 'email', 'birth_date', 'beneficiary_name'] as const;
export type PrivacyFlagKind = (typeof privacyFlagKinds)[number];
export const privacyFlagKind = pgEnum('privacy_flag_kind', privacyFlagKinds);

export const privacyResolutions = ['open', 'resolved', 'confirmed'] as const;
export type PrivacyResolution = (typeof privacyResolutions)[number];
export const privacyResolution = pgEnum('privacy_resolution', privacyResolutions);

/**
 * The minutes (verbale) of a meeting: the live draft is the Yjs document `minutes:<meetingId>`;
 * this row holds the workflow and the current text (projected, for search). Approved texts are
 * frozen in `minutes_versions`.
 */
export const minutes = pgTable(
	'minutes',
	{
		meetingId: uuid('meeting_id')
			.primaryKey()
			.references(() => meetings.id),
		status: minutesStatus('status').notNull().default('bozza'),
		/** Comments are open until then while in review. */
		reviewUntil: ts('review_until'),
		reviewStartedAt: ts('review_started_at'),
		reviewStartedBy: uuid('review_started_by'),
		/** Number of the latest approved version (0: never approved). */
		currentVersion: integer('current_version').notNull().default(0),
		/** Plain text of the live draft (projection), for search. */
		text: text('text').notNull().default(''),
		createdAt: ts('created_at').notNull().defaultNow(),
		createdBy: uuid('created_by'),
		updatedAt: ts('updated_at').notNull().defaultNow()
	},
	(t) => [index('minutes_status').on(t.status)]
);

/** Approved versions, frozen: who approved, when, and the text as it was. */
export const minutesVersions = pgTable(
	'minutes_versions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		number: integer('number').notNull(),
		/** ProseMirror JSON of the approved document. */
		content: jsonb('content').$type<Record<string, unknown>>().notNull(),
		text: text('text').notNull(),
		markdown: text('markdown').notNull(),
		approvedBy: uuid('approved_by')
			.notNull()
			.references(() => users.id),
		approvedAt: ts('approved_at').notNull().defaultNow(),
		/** e.g. "approvato dal coordinatore" or "approvato nella riunione del …". */
		approvalNote: text('approval_note'),
		/** What changed and why, for corrections after a first approval. */
		changeNote: text('change_note')
	},
	(t) => [uniqueIndex('minutes_versions_number').on(t.meetingId, t.number)]
);

/** Comments on a section during review. */
export const minutesComments = pgTable(
	'minutes_comments',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		/** The section (agenda item id of its heading), or null for the whole text. */
		sectionId: text('section_id'),
		sectionTitle: text('section_title'),
		authorId: uuid('author_id')
			.notNull()
			.references(() => users.id),
		body: text('body').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		resolvedAt: ts('resolved_at'),
		resolvedBy: uuid('resolved_by'),
		deletedAt: ts('deleted_at')
	},
	(t) => [index('minutes_comments_meeting').on(t.meetingId, t.createdAt)]
);

/** Decisions marked in the minutes (projection of the document's decision blocks). */
export const decisions = pgTable(
	'decisions',
	{
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		/** The block's id inside the document. */
		decisionId: text('decision_id').notNull(),
		agendaItemId: text('agenda_item_id'),
		position: integer('position').notNull(),
		text: text('text').notNull(),
		updatedAt: ts('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.meetingId, t.decisionId] })]
);

/**
 * Action items captured in the minutes. Description, owner and due date come from the document;
 * the status is kept here (owners update it long after the minutes are approved).
 */
export const actionItems = pgTable(
	'action_items',
	{
		id: uuid('id').primaryKey(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		agendaItemId: text('agenda_item_id'),
		description: text('description').notNull(),
		ownerUserId: uuid('owner_user_id').references(() => users.id),
		ownerOrganizationId: uuid('owner_organization_id').references(() => organizations.id),
		dueDate: date('due_date', { mode: 'string' }),
		status: actionStatus('status').notNull().default('aperta'),
		statusUpdatedAt: ts('status_updated_at'),
		statusUpdatedBy: uuid('status_updated_by'),
		/** Set when the item disappears from the draft (it comes back if restored). */
		removedAt: ts('removed_at'),
		createdAt: ts('created_at').notNull().defaultNow(),
		updatedAt: ts('updated_at').notNull().defaultNow()
	},
	(t) => [
		index('action_items_meeting').on(t.meetingId),
		index('action_items_owner').on(t.ownerUserId, t.status),
		index('action_items_org').on(t.ownerOrganizationId, t.status)
	]
);

/** What the privacy check found in a draft, and how the coordinator settled it. */
export const privacyFlags = pgTable(
	'privacy_flags',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		kind: privacyFlagKind('kind').notNull(),
		/** Stable per finding (kind + normalised match), so a re-check keeps earlier decisions. */
		fingerprint: text('fingerprint').notNull(),
		/** The words around the finding, partly masked. */
		excerpt: text('excerpt').notNull(),
		resolution: privacyResolution('resolution').notNull().default('open'),
		note: text('note'),
		resolvedBy: uuid('resolved_by'),
		resolvedAt: ts('resolved_at'),
		lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
		createdAt: ts('created_at').notNull().defaultNow()
	},
	(t) => [uniqueIndex('privacy_flags_fingerprint').on(t.meetingId, t.fingerprint)]
);

export type Minutes = typeof minutes.$inferSelect;
export type MinutesVersion = typeof minutesVersions.$inferSelect;
export type ActionItemRow = typeof actionItems.$inferSelect;
export type PrivacyFlagRow = typeof privacyFlags.$inferSelect;
