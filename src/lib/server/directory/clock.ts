/**
 * The clock that "aperto ora" (open now) is evaluated against. It is the real time, unless
 * `DIRECTORY_CLOCK_START` (an ISO 8601 instant) is set: then it starts at that instant when the
 * server starts and runs on from there. Meant for demos and for the end-to-end tests, which need
 * a weekday morning whatever time the suite runs; it changes nothing else (sessions, meetings,
 * mails and the database keep the real time).
 */
const start = process.env.DIRECTORY_CLOCK_START;
const startAt = start ? Date.parse(start) : NaN;
if (start && Number.isNaN(startAt)) throw new Error(`DIRECTORY_CLOCK_START is not an ISO 8601 instant: ${start}`);
const offset = Number.isNaN(startAt) ? 0 : startAt - Date.now();

export function directoryNow(): Date {
	return new Date(Date.now() + offset);
}
