/** Typed Socket.IO event maps of the "/" namespace, shared by server and browser. See docs/realtime.md. */
export interface PresenceMember {
	userId: string;
	name: string;
	organization: string | null;
	/** A stable colour per person (hex), for avatars and cursors. */
	color: string;
	/** Where in the room the person is (a document or item id), one entry per open tab. */
	locations: string[];
}

export type PresenceReply = { ok: true; members: PresenceMember[] } | { ok: false; error: 'bad_request' | 'forbidden' | 'not_found' | 'server_error' };

export interface ServerToClientEvents {
	/** Sent once after a successful handshake. */
	ready: (payload: { userId: string; name: string }) => void;
	/** Everyone now present in a room. */
	presence: (room: string, members: PresenceMember[]) => void;
	/** Something about a table changed (members, details): reload what you show of it. */
	'table:changed': (payload: { tableId: string }) => void;
	/** Something about a meeting changed (`what`: details, status, participants, poll, rsvp, attendance, proposals, agenda). */
	'meeting:updated': (payload: { meetingId: string; what: string }) => void;
	/** You have new notifications: refresh the bell. */
	notification: (payload: { unread?: number }) => void;
}

export interface ClientToServerEvents {
	/** Round-trip check; the ack carries the authenticated user id and the server time. */
	ping: (ack: (reply: { userId: string; serverTime: string }) => void) => void;
	/** Enter a room (`table:<id>`, `meeting:<id>`), optionally saying where in it you are. */
	'presence:join': (room: string, location: string | null, ack: (reply: PresenceReply) => void) => void;
	'presence:move': (room: string, location: string | null) => void;
	'presence:leave': (room: string) => void;
}

export interface SocketData {
	userId: string;
	name: string;
	organization: string | null;
	sessionId: string;
	/** When the session expires (ms since epoch); the socket is dropped then unless it was extended. */
	sessionExpiresAt: number;
	/** room → location, for the rooms this socket shows presence in. */
	presence: Record<string, string | null>;
}
