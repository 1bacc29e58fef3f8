import type { Db } from '../db/client';
import { searchOutbox } from '../db/schema';

/**
 * Queues a service for the search engine, in the caller's transaction: the engine learns of the
 * change only once it is committed, and an engine outage loses nothing (the row waits).
 */
export async function enqueueSearch(db: Db, serviceId: string, op: 'upsert' | 'delete' = 'upsert'): Promise<void> {
	await db.insert(searchOutbox).values({ entity: 'service', entityId: serviceId, op });
}
