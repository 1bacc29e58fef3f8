/** The page's one /collab connection, shared by every collaborative component on it. */
import { CollabClient } from './provider';

let client: CollabClient | null = null;
export function getCollabClient(): CollabClient {
	client ??= new CollabClient();
	return client;
}
