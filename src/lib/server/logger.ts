import { pino, type Logger } from 'pino';
import { getConfig } from './config';

const KEY = Symbol.for('intarsi.logger');
type G = typeof globalThis & { [KEY]?: Logger };

/** One pino logger per process, shared by the server entry and the SvelteKit bundle. */
export function getLogger(): Logger {
	const g = globalThis as G;
	g[KEY] ??= pino({ level: getConfig().logLevel, base: { app: 'intarsi' } });
	return g[KEY];
}
