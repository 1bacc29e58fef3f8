/**
 * The daily freshness job: reminds editors of services not verified for six months
 * (`staleServiceReminders`: at most one notification a week per person, so running it daily,
 * or on several instances at once, never nags). Started once per process by boot.ts.
 */
import type { Db } from '../db/client';
import { getLogger } from '../logger';
import { staleServiceReminders } from './services';

export interface DirectoryReminders {
	stop(): Promise<void>;
}

export function startDirectoryReminders(getDb: () => Db, opts: { firstDelayMs?: number; intervalMs?: number } = {}): DirectoryReminders {
	const log = getLogger();
	let running: Promise<void> | undefined;
	const run = () => {
		if (running) return;
		running = (async () => {
			try {
				const { notified } = await staleServiceReminders(getDb());
				if (notified.length) log.info({ people: notified.length }, 'directory: stale services reminded');
			} catch (err) {
				log.warn({ err: err instanceof Error ? err.message : String(err) }, 'directory: reminders failed');
			}
		})().finally(() => {
			running = undefined;
		});
	};
	// A while after start (not in the way of the first requests), then once a day.
	const first = setTimeout(run, opts.firstDelayMs ?? 5 * 60_000);
	first.unref();
	const daily = setInterval(run, opts.intervalMs ?? 24 * 3600_000);
	daily.unref();
	return {
		async stop() {
			clearTimeout(first);
			clearInterval(daily);
			await running;
		}
	};
}
