/**
 * Telling participants about a meeting: an in-app notification and, for invitations and changes of
 * a convened meeting, an e-mail with the .ics (iTIP REQUEST, or CANCEL), through the mail outbox in
 * the same transaction as the change.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { meetingParticipants, tables, users } from '../db/schema';
import type { Meeting } from '../db/schema';
import type { Actor } from '../authz';
import { notify } from '../notifications';
import { enqueueMail } from '../mail';
import { meetingCalendar, type IcsMeeting } from './ical';
import { formatRomeRange } from '$lib/time/rome';
import { m } from '$lib/paraglide/messages';
import { publicBaseUrl } from '../links';

export type MeetingNews = 'convened' | 'rescheduled' | 'updated' | 'cancelled' | 'uninvited';

type Locale = 'it' | 'en';
type MessageFn = (params: Record<string, unknown>, options: { locale: Locale }) => string;
/** A message in the recipient's language. */
export function tr(locale: string | null | undefined, key: string, params: Record<string, unknown> = {}): string {
	const fn = (m as unknown as Record<string, MessageFn | undefined>)[key];
	const l: Locale = locale === 'en' ? 'en' : 'it';
	return typeof fn === 'function' ? fn(params, { locale: l }) : key;
}

/** Absolute links in e-mails and calendars (ORIGIN when configured, see links.ts). */
export function absoluteUrl(path: string): string {
	return `${publicBaseUrl()}${path}`;
}

export async function icsMeetingFor(db: Db, meeting: Meeting, opts: { withAttendees?: boolean } = {}): Promise<IcsMeeting | null> {
	if (!meeting.startsAt || !meeting.endsAt) return null;
	const [table] = await db.select({ name: tables.name }).from(tables).where(eq(tables.id, meeting.tableId));
	const attendees = opts.withAttendees
		? await db
				.select({ name: users.name, email: users.email, rsvp: meetingParticipants.rsvp })
				.from(meetingParticipants)
				.innerJoin(users, eq(users.id, meetingParticipants.userId))
				.where(and(eq(meetingParticipants.meetingId, meeting.id), isNull(users.deletedAt)))
		: undefined;
	return {
		id: meeting.id,
		title: meeting.title,
		description: meeting.description,
		startsAt: meeting.startsAt,
		endsAt: meeting.endsAt,
		address: meeting.address,
		onlineUrl: meeting.onlineUrl,
		status: meeting.status,
		sequence: meeting.sequence,
		tableName: table?.name ?? '',
		url: absoluteUrl(`/meetings/${meeting.id}`),
		updatedAt: meeting.updatedAt,
		cancelReason: meeting.status === 'annullata' ? meeting.cancelReason : null,
		attendees
	};
}

/**
 * Notifies the meeting's participants (or `only` those), except the actor. Returns whom it told,
 * for `announce` after the transaction commits.
 */
export async function tellParticipants(
	db: Db,
	actor: Actor,
	meeting: Meeting,
	news: MeetingNews,
	opts: { only?: string[]; email?: boolean; uninvited?: boolean } = {}
): Promise<string[]> {
	const recipients = await db
		.select({ id: users.id, name: users.name, email: users.email, locale: users.locale })
		.from(users)
		.where(
			and(
				opts.uninvited
					? inArray(users.id, opts.only ?? [])
					: inArray(
							users.id,
							db.select({ id: meetingParticipants.userId }).from(meetingParticipants).where(eq(meetingParticipants.meetingId, meeting.id))
						),
				opts.only && !opts.uninvited ? inArray(users.id, opts.only) : undefined,
				isNull(users.deletedAt),
				isNull(users.disabledAt)
			)
		);
	const [table] = await db.select({ name: tables.name }).from(tables).where(eq(tables.id, meeting.tableId));
	const link = `/meetings/${meeting.id}`;
	const when = meeting.startsAt ? formatRomeRange(meeting.startsAt, meeting.endsAt) : '';
	const told = await notify(
		db,
		recipients.map((r) => r.id),
		{ kind: `notif_meeting_${news}`, params: { title: meeting.title, table: table?.name ?? '', when }, link, actorId: actor.id }
	);
	if (opts.email === false) return told;
	const ics = await icsMeetingFor(db, meeting, { withAttendees: !opts.uninvited });
	if (!ics) return told;
	// iTIP needs an ORGANIZER: whoever created the meeting (stable across updates), else the actor.
	const [organizer] = await db
		.select({ name: users.name, email: users.email })
		.from(users)
		.where(inArray(users.id, [meeting.createdBy ?? actor.id, actor.id]))
		.orderBy(sql`${users.id} = ${meeting.createdBy ?? actor.id} desc`)
		.limit(1);
	if (organizer) ics.organizer = organizer;
	if (opts.uninvited) ics.attendees = recipients.map((r) => ({ name: r.name, email: r.email, rsvp: 'no' as const }));
	const cancelling = news === 'cancelled' || news === 'uninvited';
	const method = cancelling ? 'CANCEL' : 'REQUEST';
	const calendar = meetingCalendar([cancelling ? { ...ics, status: 'annullata' } : ics], { name: table?.name ?? 'Intarsi', method });
	for (const r of recipients) {
		if (r.id === actor.id) continue;
		const whenL = meeting.startsAt ? formatRomeRange(meeting.startsAt, meeting.endsAt, r.locale ?? 'it') : '';
		const params = { title: meeting.title, table: table?.name ?? '', when: whenL };
		const lines = [
			tr(r.locale, `mail_meeting_${news}_intro`, params),
			'',
			`${tr(r.locale, 'meeting_field_when')}: ${whenL}`,
			meeting.address ? `${tr(r.locale, 'meeting_field_address')}: ${meeting.address}` : '',
			meeting.onlineUrl ? `${tr(r.locale, 'meeting_field_online')}: ${meeting.onlineUrl}` : '',
			news === 'cancelled' && meeting.cancelReason ? `${tr(r.locale, 'meeting_cancel_reason')}: ${meeting.cancelReason}` : '',
			'',
			`${tr(r.locale, 'mail_meeting_open')}: ${absoluteUrl(link)}`
		].filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));
		await enqueueMail(db, {
			to: r.email,
			toName: r.name,
			subject: tr(r.locale, `mail_meeting_${news}_subject`, params),
			text: lines.join('\n'),
			attachments: [{ filename: 'invito.ics', contentType: `text/calendar; charset=utf-8; method=${method}`, content: Buffer.from(calendar).toString('base64'), method }],
			kind: `meeting.${news}`
		});
	}
	return told;
}
