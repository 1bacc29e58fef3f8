import { getLogger } from './logger';

export interface PeriodicJob {
	/** Stops the timers and waits for a run in progress. */
	stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (first after `firstDelayMs`, default one interval), never two
 * runs at once in this process; a failure is logged and the next run tries again. The tasks
 * themselves are safe to run on several instances (each says how).
 */
export function startPeriodicJob(name: string, task: () => Promise<void>, opts: { intervalMs: number; firstDelayMs?: number }): PeriodicJob {
	const log = getLogger();
	let running: Promise<void> | undefined;
	const run = () => {
		if (running) return;
		running = task()
			.catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, `${name} failed`))
			.finally(() => {
				running = undefined;
			});
	};
	const first = setTimeout(run, opts.firstDelayMs ?? opts.intervalMs);
	first.unref();
	const every = setInterval(run, opts.intervalMs);
	every.unref();
	return {
		async stop() {
			clearTimeout(first);
			clearInterval(every);
			await running;
		}
	};
}
