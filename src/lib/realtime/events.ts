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

/** `members` lists at most 50 people (by name); `total` counts everyone present. */
export type PresenceReply = { ok: true; members: PresenceMember[]; total: number } | { ok: false; error: 'bad_request' | 'forbidden' | 'not_found' | 'server_error' };

export interface ServerToClientEvents {
	/** Sent once after a successful handshake. */
	ready: (payload: { userId: string; name: string }) => void;
	/** Who is now present in a room: at most 50 people listed (by name), and how many in all. */
	presence: (room: string, members: PresenceMember[], total: number) => void;
	/** Something about a table changed (members, details): reload what you show of it. */
	'table:changed': (payload: { tableId: string }) => void;
	/** Something about a meeting changed (`what`: details, status, participants, poll, rsvp, attendance, proposals, agenda). */
	'meeting:updated': (payload: { meetingId: string; what: string }) => void;
	/** A new post in a thread (sent to the thread's room and to its table's room, or `piazza`). */
	'thread:post': (payload: { threadId: string; tableId: string | null; postId: string; seq: number }) => void;
	/** A post was edited, deleted or hidden, or the thread pinned, locked or moved: reload it. */
	'thread:updated': (payload: { threadId: string; postId: string | null }) => void;
	/** Someone is writing in a thread ("sta scrivendo…"); repeated every few seconds while they type. */
	'thread:typing': (payload: { threadId: string; userId: string; name: string }) => void;
	/** You have new notifications: refresh the bell. */
	notification: (payload: { unread?: number }) => void;
}

export interface ClientToServerEvents {
	/** Round-trip check; the ack carries the authenticated user id and the server time. */
	ping: (ack: (reply: { userId: string; serverTime: string }) => void) => void;
	/** Enter a room (`table:<id>`, `meeting:<id>`, `thread:<id>`, `piazza`), optionally saying where in it you are. */
	'presence:join': (room: string, location: string | null, ack: (reply: PresenceReply) => void) => void;
	'presence:move': (room: string, location: string | null) => void;
	'presence:leave': (room: string) => void;
	/** I am writing in this thread (only from a socket in the thread's room; at most every 2 s). */
	'thread:typing': (threadId: string) => void;
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
