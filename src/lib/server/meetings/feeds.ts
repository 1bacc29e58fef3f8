/**
 * Personal calendar subscription feeds: `/calendar/<token>.ics`, readable without a session by
 * calendar clients. The token is the only credential, so it is long (256 bits), stored as sha256,
 * shown once, and replaced or revoked from the account page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, ne, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { calendarFeeds, meetingParticipants, meetings, tables, users } from '../db/schema';
import type { IcsMeeting } from './ical';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
/** Past meetings stay in the feed this long, so that calendars keep recent history. */
export const FEED_PAST_DAYS = 90;
/** lastUsedAt is written at most this often (calendar clients poll every few minutes). */
const LAST_USED_RESOLUTION_MS = 3600_000;
const MAX_FEED_EVENTS = 2000;

export const hashFeedToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export const feedPath = (token: string) => `/calendar/${token}.ics`;

/** The https URL and its webcal:// twin (which makes desktop clients offer to subscribe). */
export function feedUrls(baseUrl: string, token: string) {
	const https = `${baseUrl}${feedPath(token)}`;
	return { url: https, webcal: https.replace(/^https?:/, 'webcal:') };
}

/** A new secret for the person's feed; any previous one stops working ("regenerate"). */
export async function createFeed(db: Db, userId: string): Promise<string> {
	const token = randomBytes(32).toString('base64url');
	await db.transaction(async (tx) => {
		await tx.update(calendarFeeds).set({ revokedAt: new Date() }).where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)));
		await tx.insert(calendarFeeds).values({ userId, tokenHash: hashFeedToken(token) });
	});
	return token;
}

/** Turns the person's feed off; returns how many links stopped working. */
export async function revokeFeeds(db: Db, userId: string): Promise<number> {
	const rows = await db
		.update(calendarFeeds)
		.set({ revokedAt: new Date() })
		.where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)))
		.returning({ id: calendarFeeds.id });
	return rows.length;
}

/** The active feed of a person, for the account page (never the token: only its hash is kept). */
export async function getFeedStatus(db: Db, userId: string) {
	const [row] = await db
		.select({ createdAt: calendarFeeds.createdAt, lastUsedAt: calendarFeeds.lastUsedAt })
		.from(calendarFeeds)
		.where(and(eq(calendarFeeds.userId, userId), isNull(calendarFeeds.revokedAt)))
		.orderBy(desc(calendarFeeds.createdAt))
		.limit(1);
	return row ?? null;
}

/**
 * The person a feed token belongs to, or null (malformed, unknown, revoked, or the account is
 * disabled or deleted). The lookup is by the hash's unique index, so a wrong token costs the same
 * whatever it resembles.
 */
export async function resolveFeed(db: Db, token: string): Promise<string | null> {
	if (typeof token !== 'string' || !TOKEN_RE.test(token)) return null;
	const [row] = await db
		.select({ id: calendarFeeds.id, userId: calendarFeeds.userId, lastUsedAt: calendarFeeds.lastUsedAt })
		.from(calendarFeeds)
		.innerJoin(users, eq(users.id, calendarFeeds.userId))
		.where(and(eq(calendarFeeds.tokenHash, hashFeedToken(token)), isNull(calendarFeeds.revokedAt), isNull(users.disabledAt), isNull(users.deletedAt)));
	if (!row) return null;
	const now = Date.now();
	if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
		const cutoff = new Date(now - LAST_USED_RESOLUTION_MS);
		await db
			.update(calendarFeeds)
			.set({ lastUsedAt: new Date(now) })
			.where(and(eq(calendarFeeds.id, row.id), or(isNull(calendarFeeds.lastUsedAt), lt(calendarFeeds.lastUsedAt, cutoff))));
	}
	return row.userId;
}

/**
 * The meetings of a person's feed: those they take part in, scheduled (not drafts), not deleted,
 * from FEED_PAST_DAYS ago on. Cancelled ones stay, with STATUS:CANCELLED, so that calendars that
 * already hold them take them off. No attendees or other personal data: the URL may be shared.
 * `baseUrl` makes the meeting links absolute (`<baseUrl>/meetings/<id>`).
 */
export async function feedMeetings(db: Db, userId: string, opts: { baseUrl: string; now?: Date }): Promise<IcsMeeting[]> {
	const since = new Date((opts.now ?? new Date()).getTime() - FEED_PAST_DAYS * 24 * 3600_000);
	const rows = await db
		.select({
			id: meetings.id,
			title: meetings.title,
			description: meetings.description,
			startsAt: meetings.startsAt,
			endsAt: meetings.endsAt,
			address: meetings.address,
			onlineUrl: meetings.onlineUrl,
			status: meetings.status,
			sequence: meetings.sequence,
			cancelReason: meetings.cancelReason,
			updatedAt: meetings.updatedAt,
			tableName: tables.name
		})
		.from(meetingParticipants)
		.innerJoin(meetings, eq(meetings.id, meetingParticipants.meetingId))
		.innerJoin(tables, eq(tables.id, meetings.tableId))
		.where(
			and(
				eq(meetingParticipants.userId, userId),
				isNull(meetings.deletedAt),
				isNull(tables.deletedAt),
				isNotNull(meetings.startsAt),
				ne(meetings.status, 'bozza'),
				gte(meetings.startsAt, since)
			)
		)
		.orderBy(asc(meetings.startsAt))
		.limit(MAX_FEED_EVENTS);
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		description: r.description,
		startsAt: r.startsAt!,
		// A meeting without an end shows as one hour long.
		endsAt: r.endsAt ?? new Date(r.startsAt!.getTime() + 3600_000),
		address: r.address,
		onlineUrl: r.onlineUrl,
		status: r.status,
		sequence: r.sequence,
		cancelReason: r.cancelReason,
		tableName: r.tableName,
		url: `${opts.baseUrl}/meetings/${r.id}`,
		updatedAt: r.updatedAt
	}));
}
