import { expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import ICAL from 'ical.js';
import { describeEachDb } from './helpers/db';
import { makePerson, makeTable } from './helpers/factories';
import type { Db } from '../../src/lib/server/db/client';
import { calendarFeeds, meetingParticipants, meetings, type MeetingStatus } from '../../src/lib/server/db/schema';
import { createFeed, feedMeetings, feedUrls, getFeedStatus, hashFeedToken, resolveFeed, revokeFeeds } from '../../src/lib/server/meetings/feeds';
import { meetingCalendar } from '../../src/lib/server/meetings/ical';
import { setPersonDisabled } from '../../src/lib/server/network/people';
import { installDatabase } from '../../src/lib/server/boot';
import { GET as feedRoute } from '../../src/routes/calendar/[token].ics/+server';

const DAY = 24 * 3600_000;

async function makeMeeting(
	db: Db,
	tableId: string,
	opts: { title: string; status?: MeetingStatus; startsAt?: Date | null; deleted?: boolean; participants: string[] }
) {
	const startsAt = opts.startsAt === undefined ? new Date(Date.now() + 7 * DAY) : opts.startsAt;
	const [m] = await db
		.insert(meetings)
		.values({
			tableId,
			title: opts.title,
			description: `Descrizione di ${opts.title}`,
			startsAt,
			endsAt: startsAt ? new Date(startsAt.getTime() + 2 * 3600_000) : null,
			address: 'Via Roma 1, Cesena',
			status: opts.status ?? 'convocata',
			deletedAt: opts.deleted ? new Date() : null
		})
		.returning();
	for (const userId of opts.participants) await db.insert(meetingParticipants).values({ meetingId: m!.id, userId });
	return m!;
}

/** Calls the route handler as SvelteKit would (the hooks never guard /calendar: it is outside (app)). */
async function fetchFeed(token: string) {
	const url = new URL(`http://hub.test/calendar/${token}.ics`);
	const call = feedRoute as unknown as (event: { params: { token: string }; url: URL }) => Promise<Response>;
	return call({ params: { token }, url });
}

describeEachDb('calendar feeds', (get) => {
	it('a token resolves to its person; regenerating or revoking kills the old one', async () => {
		const { db } = get();
		const user = await makePerson(db);
		expect(await getFeedStatus(db, user.id)).toBeNull();

		const first = await createFeed(db, user.id);
		expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(await resolveFeed(db, first)).toBe(user.id);
		const stored = await db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, user.id));
		expect(stored).toHaveLength(1);
		expect(stored[0]!.tokenHash).toBe(hashFeedToken(first));
		expect(stored[0]!.tokenHash).not.toContain(first);
		expect(await getFeedStatus(db, user.id)).toMatchObject({ createdAt: expect.any(Date) });

		const second = await createFeed(db, user.id);
		expect(second).not.toBe(first);
		expect(await resolveFeed(db, first)).toBeNull();
		expect(await resolveFeed(db, second)).toBe(user.id);
		const active = await db.select().from(calendarFeeds).where(sql`${calendarFeeds.userId} = ${user.id} and ${calendarFeeds.revokedAt} is null`);
		expect(active).toHaveLength(1);

		expect(await revokeFeeds(db, user.id)).toBe(1);
		expect(await resolveFeed(db, second)).toBeNull();
		expect(await getFeedStatus(db, user.id)).toBeNull();
		expect(await revokeFeeds(db, user.id)).toBe(0);
	});

	it('refuses malformed and unknown tokens and the feeds of disabled accounts', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const user = await makePerson(db);
		const token = await createFeed(db, user.id);
		for (const bad of ['', 'abc', `${token}x`, token.slice(1), '../../etc/passwd', token.replace(/^./, '!')]) expect(await resolveFeed(db, bad)).toBeNull();
		const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
		expect(await resolveFeed(db, flipped)).toBeNull();
		await setPersonDisabled(db, admin.id, user.id, true);
		expect(await resolveFeed(db, token)).toBeNull();
	});

	it('records lastUsedAt at most once an hour', async () => {
		const { db } = get();
		const user = await makePerson(db);
		const token = await createFeed(db, user.id);
		await resolveFeed(db, token);
		const lastUsed = async () => (await db.select().from(calendarFeeds).where(eq(calendarFeeds.tokenHash, hashFeedToken(token))))[0]!.lastUsedAt;
		const firstUse = await lastUsed();
		expect(firstUse).toBeInstanceOf(Date);
		await new Promise((r) => setTimeout(r, 20));
		await resolveFeed(db, token);
		expect((await lastUsed())!.getTime()).toBe(firstUse!.getTime());
		await db.update(calendarFeeds).set({ lastUsedAt: new Date(Date.now() - 2 * 3600_000) }).where(eq(calendarFeeds.tokenHash, hashFeedToken(token)));
		await resolveFeed(db, token);
		expect(Date.now() - (await lastUsed())!.getTime()).toBeLessThan(60_000);
	});

	it('lists only the person’s scheduled meetings from 90 days ago on, cancelled ones included', async () => {
		const { db } = get();
		const anna = await makePerson(db);
		const bruno = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', members: [{ id: anna.id }, { id: bruno.id }] });
		const p = [anna.id];
		const upcoming = await makeMeeting(db, table.id, { title: 'Prossima', participants: [anna.id, bruno.id] });
		const cancelled = await makeMeeting(db, table.id, { title: 'Annullata', status: 'annullata', participants: p });
		const held = await makeMeeting(db, table.id, { title: 'Svolta', status: 'svolta', startsAt: new Date(Date.now() - 30 * DAY), participants: p });
		await makeMeeting(db, table.id, { title: 'Bozza', status: 'bozza', participants: p });
		await makeMeeting(db, table.id, { title: 'Eliminata', deleted: true, participants: p });
		await makeMeeting(db, table.id, { title: 'Senza data', startsAt: null, participants: p });
		await makeMeeting(db, table.id, { title: 'Vecchia', status: 'svolta', startsAt: new Date(Date.now() - 100 * DAY), participants: p });
		const notMine = await makeMeeting(db, table.id, { title: 'Solo Bruno', participants: [bruno.id] });

		const feed = await feedMeetings(db, anna.id, { baseUrl: 'https://hub.example.it' });
		expect(feed.map((m) => m.title)).toEqual(['Svolta', 'Prossima', 'Annullata']);
		expect(feed.map((m) => m.id)).not.toContain(notMine.id);
		const up = feed.find((m) => m.id === upcoming.id)!;
		expect(up).toMatchObject({ tableName: table.name, url: `https://hub.example.it/meetings/${upcoming.id}`, status: 'convocata', sequence: 0 });
		expect(up).not.toHaveProperty('attendees');
		expect(feed.find((m) => m.id === cancelled.id)!.status).toBe('annullata');
		expect(feed.find((m) => m.id === held.id)!.status).toBe('svolta');

		expect((await feedMeetings(db, bruno.id, { baseUrl: 'https://hub.example.it' })).map((m) => m.title)).toEqual(['Prossima', 'Solo Bruno']);

		const ics = meetingCalendar(feed, { name: 'Feed', method: 'PUBLISH' });
		const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent');
		expect(events.map((e) => e.getFirstPropertyValue('uid'))).toEqual([held.id, upcoming.id, cancelled.id].map((id) => `${id}@intarsi`));
		expect(events.map((e) => e.getFirstPropertyValue('status'))).toEqual(['CONFIRMED', 'CONFIRMED', 'CANCELLED']);
	});

	it('the /calendar/<token>.ics handler serves the feed as text/calendar, and 404 once revoked', async () => {
		const handle = get();
		installDatabase(handle);
		const { db } = handle;
		const user = await makePerson(db);
		const { table } = await makeTable(db, { members: [{ id: user.id }] });
		const m = await makeMeeting(db, table.id, { title: 'Riunione del feed', participants: [user.id] });
		const token = await createFeed(db, user.id);
		expect(feedUrls('https://hub.example.it', token)).toEqual({
			url: `https://hub.example.it/calendar/${token}.ics`,
			webcal: `webcal://hub.example.it/calendar/${token}.ics`
		});

		const res = await fetchFeed(token);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(res.headers.get('cache-control')).toBe('private, max-age=300');
		const body = await res.text();
		expect(body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
		expect(body).toContain('METHOD:PUBLISH\r\n');
		const unfolded = body.replace(/\r\n /g, '');
		expect(unfolded).toContain(`UID:${m.id}@intarsi\r\n`);
		expect(unfolded).toContain(`URL;VALUE=URI:http://hub.test/meetings/${m.id}\r\n`);

		const unknown = await fetchFeed('A'.repeat(43));
		expect(unknown.status).toBe(404);
		expect(unknown.headers.get('cache-control')).toBe('no-store');

		await revokeFeeds(db, user.id);
		expect((await fetchFeed(token)).status).toBe(404);
	});
});
