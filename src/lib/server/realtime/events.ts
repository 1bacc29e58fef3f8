/** Typed Socket.IO event maps of the "/" namespace (the protocol grows with later issues). */
export interface ServerToClientEvents {
	/** Sent once after a successful handshake. */
	ready: (payload: { userId: string; name: string }) => void;
}

export interface ClientToServerEvents {
	/** Round-trip check; the ack carries the authenticated user id and the server time. */
	ping: (ack: (reply: { userId: string; serverTime: string }) => void) => void;
}

export interface SocketData {
	userId: string;
	name: string;
	sessionId: string;
}
