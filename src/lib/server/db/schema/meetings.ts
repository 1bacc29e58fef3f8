import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, tables, users } from './network';
import { ts, audited } from './columns';

export const meetingStatuses = ['bozza', 'convocata', 'svolta', 'annullata'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const meetingStatus = pgEnum('meeting_status', meetingStatuses);

export const rsvpAnswers = ['pending', 'yes', 'no', 'maybe'] as const;
export type RsvpAnswer = (typeof rsvpAnswers)[number];
export const rsvpAnswer = pgEnum('rsvp_answer', rsvpAnswers);

export const attendanceValues = ['present', 'absent', 'delegated'] as const;
export type Attendance = (typeof attendanceValues)[number];
export const attendance = pgEnum('attendance', attendanceValues);

export const pollAnswers = ['yes', 'ifneeded', 'no'] as const;
export type PollAnswer = (typeof pollAnswers)[number];
export const pollAnswer = pgEnum('poll_answer', pollAnswers);

export const agendaItemKinds = ['informativa', 'discussione', 'decisione'] as const;
export type AgendaItemKind = (typeof agendaItemKinds)[number];
export const agendaItemKind = pgEnum('agenda_item_kind', agendaItemKinds);

export const proposalStatuses = ['pending', 'accepted', 'declined', 'withdrawn'] as const;
export type ProposalStatus = (typeof proposalStatuses)[number];
export const proposalStatus = pgEnum('proposal_status', proposalStatuses);

/**
 * A meeting of a table. Times are UTC instants (entered and shown in Europe/Rome); a draft may have
 * no time yet while a date poll runs. `sequence` is the iCalendar SEQUENCE, bumped on every change
 * that attendees' calendars must pick up.
 */
export const meetings = pgTable(
	'meetings',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		tableId: uuid('table_id')
			.notNull()
			.references(() => tables.id),
		title: text('title').notNull(),
		description: text('description'),
		startsAt: ts('starts_at'),
		endsAt: ts('ends_at'),
		address: text('address'),
		onlineUrl: text('online_url'),
		status: meetingStatus('status').notNull().default('bozza'),
		sequence: integer('sequence').notNull().default(0),
		cancelReason: text('cancel_reason'),
		/** Once locked (normally when convened), only coordinators change the agenda. */
		agendaLockedAt: ts('agenda_locked_at'),
		agendaLockedBy: uuid('agenda_locked_by'),
		/** Last change of the agenda's content (from the projection), for "changed since you looked". */
		agendaChangedAt: ts('agenda_changed_at'),
		chairId: uuid('chair_id').references(() => users.id),
		secretaryId: uuid('secretary_id').references(() => users.id),
		...audited
	},
	(t) => [index('meetings_table').on(t.tableId, t.startsAt), index('meetings_starts').on(t.startsAt)]
);

export const meetingParticipants = pgTable(
	'meeting_participants',
	{
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		rsvp: rsvpAnswer('rsvp').notNull().default('pending'),
		rsvpAt: ts('rsvp_at'),
		attendance: attendance('attendance'),
		/** Delegated to: a person of the network and/or a free-text name (e.g. a colleague). */
		delegateUserId: uuid('delegate_user_id').references(() => users.id),
		delegateName: text('delegate_name'),
		/** The organisation the person represented, kept as it was at the meeting. */
		organizationId: uuid('organization_id').references(() => organizations.id),
		agendaSeenAt: ts('agenda_seen_at'),
		addedAt: ts('added_at').notNull().defaultNow(),
		addedBy: uuid('added_by')
	},
	(t) => [primaryKey({ columns: [t.meetingId, t.userId] }), index('meeting_participants_user').on(t.userId)]
);

/** Candidate slots of a date poll ("trova una data"). */
export const meetingSlots = pgTable(
	'meeting_slots',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		startsAt: ts('starts_at').notNull(),
		endsAt: ts('ends_at').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		createdBy: uuid('created_by'),
		deletedAt: ts('deleted_at')
	},
	(t) => [index('meeting_slots_meeting').on(t.meetingId, t.startsAt)]
);

export const meetingSlotAnswers = pgTable(
	'meeting_slot_answers',
	{
		slotId: uuid('slot_id')
			.notNull()
			.references(() => meetingSlots.id),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		answer: pollAnswer('answer').notNull(),
		answeredAt: ts('answered_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.slotId, t.userId] })]
);

/**
 * Queryable projection of the agenda document (`agenda:<meetingId>`): rewritten from the Yjs
 * document, which stays the source of truth.
 */
export const agendaItems = pgTable(
	'agenda_items',
	{
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		/** The item's id inside the document. */
		itemId: text('item_id').notNull(),
		position: integer('position').notNull(),
		title: text('title').notNull(),
		notes: text('notes').notNull().default(''),
		kind: agendaItemKind('kind').notNull(),
		durationMinutes: integer('duration_minutes').notNull().default(0),
		/** Minutes from the meeting's start to this item's start. */
		startOffsetMinutes: integer('start_offset_minutes').notNull().default(0),
		presenterUserId: uuid('presenter_user_id'),
		presenterOrganizationId: uuid('presenter_organization_id'),
		links: jsonb('links').$type<string[]>().notNull().default([]),
		proposalId: uuid('proposal_id'),
		updatedAt: ts('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.meetingId, t.itemId] })]
);

/** Items proposed by members; coordinators accept (into the document) or decline with a reason. */
export const agendaProposals = pgTable(
	'agenda_proposals',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		meetingId: uuid('meeting_id')
			.notNull()
			.references(() => meetings.id),
		title: text('title').notNull(),
		notes: text('notes'),
		kind: agendaItemKind('kind').notNull().default('discussione'),
		durationMinutes: integer('duration_minutes').notNull().default(15),
		status: proposalStatus('status').notNull().default('pending'),
		proposedBy: uuid('proposed_by')
			.notNull()
			.references(() => users.id),
		proposedAt: ts('proposed_at').notNull().defaultNow(),
		decidedBy: uuid('decided_by').references(() => users.id),
		decidedAt: ts('decided_at'),
		declineReason: text('decline_reason'),
		/** The document item created on acceptance. */
		itemId: text('item_id')
	},
	(t) => [index('agenda_proposals_meeting').on(t.meetingId, t.status)]
);

export interface TemplateItem {
	title: string;
	kind: AgendaItemKind;
	durationMinutes: number;
	notes?: string;
}

/** Recurring items of a table ("approvazione verbale precedente", "verifica azioni", …). */
export const agendaTemplates = pgTable(
	'agenda_templates',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		tableId: uuid('table_id')
			.notNull()
			.references(() => tables.id),
		name: text('name').notNull(),
		items: jsonb('items').$type<TemplateItem[]>().notNull(),
		...audited
	},
	(t) => [index('agenda_templates_table').on(t.tableId)]
);

/** Personal iCalendar subscription feeds: sha256 of the secret in the URL, revocable. */
export const calendarFeeds = pgTable(
	'calendar_feeds',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		tokenHash: text('token_hash').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		lastUsedAt: ts('last_used_at'),
		revokedAt: ts('revoked_at')
	},
	(t) => [uniqueIndex('calendar_feeds_token').on(t.tokenHash), index('calendar_feeds_user').on(t.userId)]
);

/** In-app notifications (the notification centre of the threads issue builds on this). */
export const notifications = pgTable(
	'notifications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id),
		/** i18n key of the message, e.g. notif_meeting_convened. */
		kind: text('kind').notNull(),
		params: jsonb('params').$type<Record<string, string>>().notNull().default({}),
		link: text('link'),
		actorId: uuid('actor_id'),
		createdAt: ts('created_at').notNull().defaultNow(),
		readAt: ts('read_at')
	},
	(t) => [index('notifications_user').on(t.userId, t.createdAt), index('notifications_unread').on(t.userId).where(sql`${t.readAt} is null`)]
);

export const mailStatuses = ['pending', 'sent', 'failed', 'stored'] as const;
export type MailStatus = (typeof mailStatuses)[number];
export const mailStatus = pgEnum('mail_status', mailStatuses);

export interface MailAttachment {
	filename: string;
	contentType: string;
	/** base64 */
	content: string;
	/** e.g. 'REQUEST' for iTIP invitations */
	method?: string;
}

/**
 * Every e-mail the hub sends, written in the transaction of the change that causes it. With SMTP
 * configured a worker delivers `pending` rows; without it they are `stored`, readable by admins.
 */
export const mailOutbox = pgTable(
	'mail_outbox',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		toAddress: text('to_address').notNull(),
		toName: text('to_name'),
		subject: text('subject').notNull(),
		text: text('text').notNull(),
		html: text('html'),
		attachments: jsonb('attachments').$type<MailAttachment[]>().notNull().default([]),
		kind: text('kind').notNull(),
		status: mailStatus('status').notNull().default('pending'),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
		createdAt: ts('created_at').notNull().defaultNow(),
		sentAt: ts('sent_at'),
		messageId: text('message_id'),
		archived: boolean('archived').notNull().default(false)
	},
	(t) => [index('mail_outbox_status').on(t.status, t.nextAttemptAt), index('mail_outbox_created').on(t.createdAt)]
);

export type Meeting = typeof meetings.$inferSelect;
export type MeetingParticipant = typeof meetingParticipants.$inferSelect;
export type AgendaItemRow = typeof agendaItems.$inferSelect;
export type AgendaProposal = typeof agendaProposals.$inferSelect;
export type AgendaTemplate = typeof agendaTemplates.$inferSelect;
export type MailRow = typeof mailOutbox.$inferSelect;
