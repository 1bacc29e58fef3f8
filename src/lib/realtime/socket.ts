/** The browser's one Socket.IO connection to the "/" namespace (presence, live refresh). */
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { io } from './io';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import { HandshakeRetry, type BackoffOptions } from './reconnect';

export type RootSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RootConnectionOptions {
	/** Server URL; '' (the default) means the page's own origin. */
	url?: string;
	/** Extra Socket.IO options (tests pass cookies through `extraHeaders`). */
	io?: Partial<ManagerOptions & SocketOptions>;
	/** Waits between new attempts after the server refused the handshake (default 1 s doubling to 30 s). */
	retry?: BackoffOptions;
}

/**
 * The "/" connection. Socket.IO reconnects by itself after a lost transport; a handshake the server
 * refused for a passing reason (`server_error`, e.g. the database was briefly unavailable) is tried
 * again with backoff. When the session ends (the handshake is refused `unauthorized`, or the server
 * disconnects the socket: logout elsewhere, expiry, revocation) nothing is retried, and
 * `onSessionEnded` listeners hear it, once.
 */
export class RootConnection {
	readonly socket: RootSocket;
	private readonly retry: HandshakeRetry;
	private readonly listeners = new Set<() => void>();
	private readonly outdatedListeners = new Set<() => void>();

	constructor(options: RootConnectionOptions = {}) {
		this.socket = io(options.url ?? '', {
			transports: ['websocket', 'polling'],
			withCredentials: true,
			reconnectionDelay: 500,
			reconnectionDelayMax: 4_000,
			timeout: 5_000,
			...options.io
		});
		this.retry = new HandshakeRetry(this.socket, {
			...options.retry,
			onSessionEnded: () => {
				for (const l of [...this.listeners]) l();
			},
			onOutdated: () => {
				for (const l of [...this.outdatedListeners]) l();
			}
		});
	}

	/**
	 * The session ended: this connection stays down. A new login is a full page load, which starts a
	 * new one (and the notice's login link brings someone already signed in again elsewhere straight back).
	 */
	get sessionEnded(): boolean {
		return this.retry.sessionEnded;
	}

	onSessionEnded(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** The server refused this page's wire version (a deploy since it loaded): it must reload. */
	get outdated(): boolean {
		return this.retry.outdated;
	}

	onOutdated(listener: () => void): () => void {
		this.outdatedListeners.add(listener);
		return () => this.outdatedListeners.delete(listener);
	}

	destroy() {
		this.retry.destroy();
		this.listeners.clear();
		this.outdatedListeners.clear();
		this.socket.disconnect();
	}
}

let connection: RootConnection | null = null;
const sessionListeners = new Set<(ended: boolean) => void>();
const outdatedListeners = new Set<(outdated: boolean) => void>();

export function getSocket(): RootSocket {
	if (!connection) {
		connection = new RootConnection();
		connection.onSessionEnded(() => {
			for (const l of [...sessionListeners]) l(true);
		});
		connection.onOutdated(() => {
			for (const l of [...outdatedListeners]) l(true);
		});
	}
	return connection.socket;
}

/**
 * Whether the page's "/" connection found the session ended: `listener` hears the current state at
 * once, then `true` when it ends. Does not open the connection.
 */
export function watchSessionState(listener: (ended: boolean) => void): () => void {
	sessionListeners.add(listener);
	listener(connection?.sessionEnded ?? false);
	return () => sessionListeners.delete(listener);
}

/**
 * Whether the server refused the page's "/" connection as outdated (the hub was updated with a new
 * wire format since the page loaded): `listener` hears the current state at once, then `true`.
 */
export function watchOutdated(listener: (outdated: boolean) => void): () => void {
	outdatedListeners.add(listener);
	listener(connection?.outdated ?? false);
	return () => outdatedListeners.delete(listener);
}
