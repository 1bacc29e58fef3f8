/**
 * Socket.IO reconnects on its own after the transport is lost, but not after the server refused the
 * namespace handshake: a middleware error arrives as `connect_error` with `socket.active` false, and
 * the socket then stays disconnected for good. Our handshake refuses with `unauthorized` (the session
 * ended: retrying cannot help) or `server_error` (e.g. the database was briefly unavailable: it can).
 * `HandshakeRetry` connects such a socket again with exponential backoff and jitter, and leaves every
 * other failure (a transport that cannot connect) to Socket.IO's own reconnection. It also tells when
 * the session ended (a refusal `unauthorized`, or the server disconnecting the socket: logout
 * elsewhere, expiry, revocation): it then stops, disconnects the socket and calls `onSessionEnded` once.
 * A refusal `outdated` (the page is older than the server's wire format: see WIRE_VERSION in
 * ./parser) stops it the same way, with `onOutdated`: only a reload can help.
 */
import type { Socket } from 'socket.io-client';

export interface BackoffOptions {
	/** The first wait, in ms (default 1 s); it doubles after each refusal in a row. */
	initialDelayMs?: number;
	/** The longest wait, in ms (default 30 s). */
	maxDelayMs?: number;
	/** Each wait is drawn within ± this fraction of its nominal value (default 0.5), capped at `maxDelayMs`. */
	jitter?: number;
}

export interface HandshakeRetryOptions extends BackoffOptions {
	/** Called once when the session ended (before the socket's own listeners hear the event). */
	onSessionEnded?: () => void;
	/** Called once when the server refused this page's wire version (before the socket's own listeners). */
	onOutdated?: () => void;
}

/** The handshake was refused because the session ended (or there is none). */
export const isSessionRefusal = (err: Error): boolean => err.message === 'unauthorized';

/** The handshake was refused because the page speaks an older wire format: it must be reloaded. */
export const isOutdatedRefusal = (err: Error): boolean => err.message === 'outdated';

/** The wait before retry number `attempt` (0 for the first). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
	const initial = options.initialDelayMs ?? 1_000;
	const max = options.maxDelayMs ?? 30_000;
	const jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
	const nominal = Math.min(max, initial * 2 ** Math.min(attempt, 30));
	return Math.round(Math.min(max, nominal * (1 - jitter + 2 * jitter * random())));
}

export class HandshakeRetry {
	/** Refusals in a row since the last successful connection. */
	private attempts = 0;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private stopped = false;
	private ended = false;
	private stale = false;

	constructor(
		// Any typed socket: only the reserved events and `connect` are used.
		private readonly socket: Socket<any, any>,
		private readonly options: HandshakeRetryOptions = {}
	) {
		// Registered before the owner's listeners, so `sessionEnded` is set when those run.
		socket.on('connect', this.onConnect);
		socket.on('connect_error', this.onConnectError);
		socket.on('disconnect', this.onDisconnect);
	}

	/** The session ended: nothing is retried any more. */
	get sessionEnded(): boolean {
		return this.ended;
	}

	/** The server refused this page's wire version: nothing is retried; the page must reload. */
	get outdated(): boolean {
		return this.stale;
	}

	/** A retry is scheduled. */
	get pending(): boolean {
		return this.timer !== null;
	}

	private onConnect = () => {
		this.attempts = 0;
		this.cancel();
	};

	private onDisconnect = (reason: string) => {
		if (reason === 'io server disconnect') this.endSession();
	};

	private onConnectError = (err: Error) => {
		if (isSessionRefusal(err)) return this.endSession();
		if (isOutdatedRefusal(err)) return this.endOutdated();
		// `active`: Socket.IO is still trying (a transport error) and will go on by itself.
		if (this.stopped || this.socket.active || this.timer) return;
		const delay = backoffDelay(this.attempts++, this.options);
		this.timer = setTimeout(() => {
			this.timer = null;
			if (!this.stopped && !this.socket.active) this.socket.connect();
		}, delay);
	};

	private cancel() {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}

	private endSession() {
		if (this.giveUp(this.ended)) return;
		this.ended = true;
		this.options.onSessionEnded?.();
	}

	private endOutdated() {
		if (this.giveUp(this.stale)) return;
		this.stale = true;
		this.options.onOutdated?.();
	}

	/** Stops for good; returns `already` (whether this cause was already reported). */
	private giveUp(already: boolean): boolean {
		this.stop();
		// Socket.IO gives up on its own after these refusals; make sure no reconnection is pending.
		this.socket.disconnect();
		return already;
	}

	/** No more retries (the session ended, or the socket is being thrown away). */
	stop() {
		this.stopped = true;
		this.cancel();
	}

	/** Detaches from the socket for good. */
	destroy() {
		this.stop();
		this.socket.off('connect', this.onConnect);
		this.socket.off('connect_error', this.onConnectError);
		this.socket.off('disconnect', this.onDisconnect);
	}
}
