/**
 * Which engine this process searches with: Meilisearch when MEILI_URL is set, Postgres full-text
 * otherwise. One engine per process (on globalThis, like the database handle), shared by the
 * routes and the outbox worker.
 */
import type { Db } from '../db/client';
import { getConfig, type Config } from '../config';
import { directoryLabels } from './labels';
import { createMeilisearchEngine } from './meilisearch';
import { createPostgresEngine } from './postgres';
import type { SearchEngine, SearchEngineKind } from './types';

export function searchEngineKind(config: Pick<Config, 'meiliUrl'> = getConfig()): SearchEngineKind {
	return config.meiliUrl ? 'meilisearch' : 'postgres';
}

export function createSearchEngine(getDb: () => Db, config: Pick<Config, 'meiliUrl' | 'meiliKey'> = getConfig()): SearchEngine {
	const labels = directoryLabels(getDb);
	if (config.meiliUrl) return createMeilisearchEngine({ host: config.meiliUrl, apiKey: config.meiliKey, labels });
	return createPostgresEngine(getDb, { labels });
}

const KEY = Symbol.for('intarsi.search.engine');
type G = typeof globalThis & { [KEY]?: SearchEngine };

/** The process's engine, created on first use with that caller's database accessor. */
export function sharedSearchEngine(getDb: () => Db): SearchEngine {
	const g = globalThis as G;
	g[KEY] ??= createSearchEngine(getDb);
	return g[KEY];
}
