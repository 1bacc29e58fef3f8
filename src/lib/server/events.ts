/**
 * Domain events. Services publish what happened; the realtime gateway (and later notifications)
 * subscribe. Services never touch sockets. The bus lives on globalThis because the server entry and
 * the SvelteKit bundle load separate copies of this module in one process.
 */
import { EventEmitter } from 'node:events';

export interface DomainEvents {
	/** Sessions ended: all of a person's (sessionIds undefined) or the listed ones. */
	'session.revoked': { userId: string; sessionIds?: string[] };
	/** A table's details or members changed. */
	'table.changed': { tableId: string };
	/**
	 * A meeting changed: details, status, participants, poll answers, RSVPs, proposals or agenda
	 * lock. `what` says which, so pages can refresh only that part.
	 */
	'meeting.updated': { meetingId: string; tableId: string; what: 'details' | 'status' | 'participants' | 'poll' | 'rsvp' | 'attendance' | 'proposals' | 'agenda' | 'minutes' };
	/** A post was added to a thread (tableId null: the Piazza). */
	'post.created': { threadId: string; tableId: string | null; postId: string; seq: number };
	/** A post was edited, deleted, hidden or shown again. */
	'post.updated': { threadId: string; tableId: string | null; postId: string };
	/** A thread was pinned, locked or moved (published for the old and the new place). */
	'thread.changed': { threadId: string; tableId: string | null };
	/** New in-app notifications for these people. */
	'notification.created': { userIds: string[] };
}

const KEY = Symbol.for('intarsi.events');
type G = typeof globalThis & { [KEY]?: EventEmitter };
function bus(): EventEmitter {
	const g = globalThis as G;
	if (!g[KEY]) {
		g[KEY] = new EventEmitter();
		g[KEY].setMaxListeners(50);
	}
	return g[KEY];
}

export function publish<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
	bus().emit(name, payload);
}

export function subscribe<K extends keyof DomainEvents>(name: K, handler: (payload: DomainEvents[K]) => void): () => void {
	bus().on(name, handler);
	return () => bus().off(name, handler);
}
