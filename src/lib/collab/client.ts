/** The page's one /collab connection, shared by every collaborative component on it. */
import { CollabClient } from './provider';

let client: CollabClient | null = null;
export function getCollabClient(): CollabClient {
	// After the session ended, documents opened later (e.g. after signing in again without a full
	// page load) get a new connection, which carries the new session cookie.
	if (!client || client.sessionEnded) client = new CollabClient();
	return client;
}
