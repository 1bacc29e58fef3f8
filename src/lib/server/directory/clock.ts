import { getConfig } from '../config';

/**
 * The clock that "aperto ora" (open now) is evaluated against: the real time, unless
 * `DIRECTORY_CLOCK_START` (an ISO 8601 instant; refused in production mode) is set. Then the
 * directory's clock shows that instant when it is first read after the server starts, and runs on
 * from there. For demos and for the end-to-end tests, which need a weekday morning whenever the
 * suite runs; sessions, meetings, mails and the database keep the real time.
 */
let offset: number | undefined;

export function directoryNow(): Date {
	if (offset === undefined) {
		const start = getConfig().directoryClockStart;
		offset = start ? start.getTime() - Date.now() : 0;
	}
	return new Date(Date.now() + offset);
}
