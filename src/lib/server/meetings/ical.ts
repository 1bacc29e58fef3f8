/**
 * iCalendar (RFC 5545) for meetings: the personal subscription feed (PUBLISH) and the invitations
 * and cancellations sent by e-mail (iTIP REQUEST / CANCEL, RFC 5546). Pure: no database, no clock
 * unless `now` is omitted.
 */
import ical, {
	ICalAttendeeRole,
	ICalAttendeeStatus,
	ICalCalendarMethod,
	ICalEventStatus,
	type ICalCalendarProdIdData,
	type ICalDayJsStub
} from 'ical-generator';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { m } from '../../paraglide/messages';

export const ICS_TIME_ZONE = 'Europe/Rome';
export const ICS_UID_DOMAIN = 'intarsi';

export type IcsRsvp = 'pending' | 'yes' | 'no' | 'maybe';
export type IcsStatus = 'bozza' | 'convocata' | 'svolta' | 'annullata';

export interface IcsMeeting {
	id: string;
	title: string;
	description: string | null;
	startsAt: Date;
	endsAt: Date;
	address: string | null;
	onlineUrl: string | null;
	status: IcsStatus;
	sequence: number;
	tableName: string;
	/** Absolute URL of the meeting's page. */
	url: string;
	updatedAt: Date;
	/** Shown in the description of a cancelled meeting. */
	cancelReason?: string | null;
	organizer?: { name: string; email: string };
	attendees?: { name: string; email: string; rsvp: IcsRsvp }[];
}

export interface IcsOptions {
	/** Calendar name (X-WR-CALNAME / NAME). */
	name: string;
	/** METHOD: omitted for a plain file; PUBLISH for feeds; REQUEST / CANCEL for iTIP e-mails. */
	method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
	prodId?: ICalCalendarProdIdData;
	/** DTSTAMP (defaults to now). */
	now?: Date;
	/** Suggested refresh interval for subscribers, in seconds. */
	ttlSeconds?: number;
	/** Language of the few labels in DESCRIPTION. */
	locale?: 'it' | 'en';
}

const STATUS: Record<IcsStatus, ICalEventStatus> = {
	bozza: ICalEventStatus.TENTATIVE,
	convocata: ICalEventStatus.CONFIRMED,
	svolta: ICalEventStatus.CONFIRMED,
	annullata: ICalEventStatus.CANCELLED
};

const PARTSTAT: Record<IcsRsvp, ICalAttendeeStatus> = {
	yes: ICalAttendeeStatus.ACCEPTED,
	no: ICalAttendeeStatus.DECLINED,
	maybe: ICalAttendeeStatus.TENTATIVE,
	pending: ICalAttendeeStatus.NEEDSACTION
};

/** Stable across edits and re-sends, so calendars update the event instead of adding another. */
export const meetingUid = (meetingId: string) => `${meetingId}@${ICS_UID_DOMAIN}`;

export function meetingCalendar(meetings: IcsMeeting[], opts: IcsOptions): string {
	const locale = opts.locale ?? 'it';
	const now = opts.now ?? new Date();
	const cal = ical({
		name: opts.name,
		prodId: opts.prodId ?? { company: 'Intarsi', product: 'Intarsi', language: locale.toUpperCase() },
		...(opts.method ? { method: ICalCalendarMethod[opts.method] } : {}),
		...(opts.ttlSeconds ? { ttl: opts.ttlSeconds } : {}),
		x: [['X-WR-TIMEZONE', ICS_TIME_ZONE]]
	});
	// Only the generator, no calendar-wide name: with a name, ical-generator writes DTSTAMP and
	// LAST-MODIFIED as local times without "Z" (RFC 5545 wants UTC there). Each event carries
	// TZID=Europe/Rome, and the generator adds the VTIMEZONE for it.
	cal.timezone({ name: null, generator: getVtimezoneComponent });
	for (const meeting of meetings) {
		if ((opts.method === 'REQUEST' || opts.method === 'CANCEL') && !meeting.organizer)
			throw new Error(`iTIP ${opts.method} needs an ORGANIZER (meeting ${meeting.id})`);
		const end = meeting.endsAt > meeting.startsAt ? meeting.endsAt : new Date(meeting.startsAt.getTime() + 3600_000);
		const cancelled = opts.method === 'CANCEL' || meeting.status === 'annullata';
		const event = cal.createEvent({
			id: meetingUid(meeting.id),
			sequence: Math.max(0, Math.trunc(meeting.sequence)),
			stamp: now,
			lastModified: meeting.updatedAt,
			timezone: ICS_TIME_ZONE,
			start: romeTime(meeting.startsAt),
			end: romeTime(end),
			summary: meeting.title,
			description: describe(meeting, locale, cancelled),
			location: [meeting.address, meeting.onlineUrl].filter(Boolean).join(' — ') || null,
			url: meeting.url,
			status: cancelled ? ICalEventStatus.CANCELLED : STATUS[meeting.status]
		});
		if (meeting.organizer) event.organizer({ name: meeting.organizer.name, email: meeting.organizer.email });
		for (const a of meeting.attendees ?? [])
			event.createAttendee({ name: a.name, email: a.email, role: ICalAttendeeRole.REQ, status: PARTSTAT[a.rsvp] });
	}
	const out = cal.toString();
	// RFC 5545 wants at least one component: an empty feed still carries the VTIMEZONE.
	if (out.includes('BEGIN:VTIMEZONE')) return out;
	const vtimezone = getVtimezoneComponent(ICS_TIME_ZONE)?.replace(/\r?\n/g, '\r\n').trim();
	return vtimezone ? out.replace(/END:VCALENDAR$/, `${vtimezone}\r\nEND:VCALENDAR`) : out;
}

/** Only what the meeting row holds: its description, online link, table, cancellation. */
function describe(meeting: IcsMeeting, locale: 'it' | 'en', cancelled: boolean): string {
	const o = { locale };
	const lines: string[] = [];
	if (cancelled) lines.push(meeting.cancelReason ? m.ics_cancelled_reason({ reason: meeting.cancelReason }, o) : m.ics_cancelled({}, o), '');
	if (meeting.description?.trim()) lines.push(meeting.description.trim(), '');
	if (meeting.onlineUrl) lines.push(m.ics_online_link({ url: meeting.onlineUrl }, o));
	lines.push(m.ics_table({ table: meeting.tableName }, o));
	return lines.join('\n');
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

function wallParts(instant: Date, zone: string) {
	let f = wallFormatters.get(zone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-GB', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		wallFormatters.set(zone, f);
	}
	const p: Record<string, string> = {};
	for (const part of f.formatToParts(instant)) p[part.type] = part.value;
	return p;
}

/**
 * An instant as ical-generator's "Day.js-like" value, formatted in a time zone with Intl.
 * A native Date with a TZID would be written in the *process's* local time (ical-generator reads
 * getHours()), which is wrong on any server not running in Europe/Rome.
 */
function zonedTime(instant: Date, zone: string): ICalDayJsStub {
	const self: ICalDayJsStub = {
		format(pattern?: string) {
			const p = wallParts(instant, zone);
			if (pattern === 'YYYYMMDD') return `${p.year}${p.month}${p.day}`;
			if (pattern === 'HHmmss') return `${p.hour}${p.minute}${p.second}`;
			if (pattern === undefined) return instant.toISOString();
			throw new Error(`unsupported date pattern ${pattern}`);
		},
		isValid: () => !Number.isNaN(instant.getTime()),
		toDate: () => new Date(instant.getTime()),
		toJSON: () => instant.toISOString(),
		tz: (z?: string) => (z ? zonedTime(instant, z) : self),
		utc: () => zonedTime(instant, 'UTC')
	};
	return self;
}

const romeTime = (instant: Date) => zonedTime(instant, ICS_TIME_ZONE);
