import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { loadMeetingFor } from '$lib/server/meetings/guards';
import { icsMeetingFor } from '$lib/server/meetings/notify';
import { meetingCalendar } from '$lib/server/meetings/ical';

/** The meeting as an iCalendar file (PUBLISH): stable UID, SEQUENCE, STATUS:CANCELLED when cancelled. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const db = getDatabase();
	const { meeting, table } = await loadMeetingFor(db, locals.actor, params.id);
	const ics = await icsMeetingFor(db, meeting);
	if (!ics) error(404, 'error_meeting_needs_time');
	const body = meetingCalendar([ics], { name: table.name, method: 'PUBLISH' });
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': `attachment; filename="riunione-${meeting.startsAt!.toISOString().slice(0, 10)}.ics"`,
			'cache-control': 'private, no-store'
		}
	});
};
