import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { publicBaseUrl } from '$lib/server/links';
import { feedMeetings, resolveFeed } from '$lib/server/meetings/feeds';
import { meetingCalendar } from '$lib/server/meetings/ical';
import { m } from '$lib/paraglide/messages';

/**
 * A person's meetings as an iCalendar subscription. Outside the (app) group on purpose: calendar
 * clients have no session cookie, the secret token in the path is the credential.
 */
export const GET: RequestHandler = async ({ params, url }) => {
	const db = getDatabase();
	const userId = await resolveFeed(db, params.token);
	if (!userId)
		return new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
	const events = await feedMeetings(db, userId, { baseUrl: publicBaseUrl(url.origin) });
	const body = meetingCalendar(events, { name: m.feed_calendar_name({}, { locale: 'it' }), method: 'PUBLISH', ttlSeconds: 3600 });
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="intarsi.ics"',
			'cache-control': 'private, max-age=300'
		}
	});
};
