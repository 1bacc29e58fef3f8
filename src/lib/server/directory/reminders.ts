/**
 * The daily freshness job: reminds editors of services not verified for six months
 * (`staleServiceReminders`: at most one notification a week per person, so running it daily,
 * or on several instances at once, never nags). Started once per process by boot.ts.
 */
import type { Db } from '../db/client';
import { getLogger } from '../logger';
import { staleServiceReminders } from './services';
import { startPeriodicJob, type PeriodicJob } from '../jobs';

export type DirectoryReminders = PeriodicJob;

export function startDirectoryReminders(getDb: () => Db, opts: { firstDelayMs?: number; intervalMs?: number } = {}): DirectoryReminders {
	// A while after start (not in the way of the first requests), then once a day.
	return startPeriodicJob(
		'directory: reminders',
		async () => {
			const { notified } = await staleServiceReminders(getDb());
			if (notified.length) getLogger().info({ people: notified.length }, 'directory: stale services reminded');
		},
		{ firstDelayMs: opts.firstDelayMs ?? 5 * 60_000, intervalMs: opts.intervalMs ?? 24 * 3600_000 }
	);
}
