/**
 * Directory search: one interface, two engines (Postgres full-text by default, Meilisearch with
 * MEILI_URL), fed through a transactional outbox. See docs/search.md.
 */
import type { Db } from '../db/client';
import { getDatabase } from '../boot';
import { sharedSearchEngine } from './engine';
import type { SearchEngine } from './types';

export * from './types';
export { enqueueSearch } from './outbox';
export { buildSearchDocuments, allSearchDocuments } from './documents';
export { createPostgresEngine, TYPO_FALLBACK_BELOW } from './postgres';
export type { PostgresSearchEngine, PostgresEngineOptions } from './postgres';
export { createMeilisearchEngine, MEILI_SETTINGS } from './meilisearch';
export type { MeilisearchEngineOptions } from './meilisearch';
export { createSearchEngine, searchEngineKind } from './engine';
export { drainSearchOutbox, startSearchWorker, kickSearchWorker, reindexAll, searchBackoffMs } from './worker';
export type { SearchDrainOptions, SearchDrainResult, SearchWorker } from './worker';
export { SYNONYM_GROUPS, expandQuery, normalizeText } from './synonyms';
export { isOpenAt, scheduleToHours } from './hours';
export { directoryLabels, languageName, LANGUAGE_NAMES } from './labels';

/** The engine this process searches with (Meilisearch when MEILI_URL is set, else Postgres). */
export function getSearchEngine(getDb: () => Db = getDatabase): SearchEngine {
	return sharedSearchEngine(getDb);
}
