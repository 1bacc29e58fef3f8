import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import { Server } from 'socket.io';
import type { Db } from '../db/client';
import { SESSION_COOKIE, validateSessionToken } from '../auth/session';
import { getLogger } from '../logger';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events';
import { subscribe } from '../events';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
	getDb: () => Db;
	/** Allowed browser origins; by default the request's own host (same-origin only). */
	origins?: string[];
}

/** Same-origin check for the WebSocket/polling handshake: cookies alone must not let another site in. */
export function originAllowed(req: IncomingMessage, origins?: string[]): boolean {
	const origin = req.headers.origin;
	if (!origin) return true; // non-browser clients send none; they still need a valid session cookie
	if (origins?.length) return origins.includes(origin);
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}

/**
 * Attaches Socket.IO to the HTTP server that carries SvelteKit (one process, one port). Used by
 * src/server.ts in production and by the Vite plugin in development.
 */
export function attachRealtime(httpServer: HttpServer, options: RealtimeOptions): RealtimeServer {
	const log = getLogger().child({ mod: 'realtime' });
	const io: RealtimeServer = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		maxHttpBufferSize: 1_000_000,
		allowRequest: (req, callback) => callback(null, originAllowed(req, options.origins))
	});

	io.use(async (socket, next) => {
		try {
			const cookies = parseCookie(socket.request.headers.cookie ?? '');
			const token = cookies[SESSION_COOKIE];
			const result = token ? await validateSessionToken(options.getDb(), token) : null;
			if (!result) return next(new Error('unauthorized'));
			socket.data = { userId: result.user.id, name: result.user.name, sessionId: result.session.id };
			next();
		} catch (err) {
			log.error({ err }, 'socket handshake failed');
			next(new Error('server_error'));
		}
	});

	io.on('connection', (socket) => {
		void socket.join(`user:${socket.data.userId}`);
		socket.emit('ready', { userId: socket.data.userId, name: socket.data.name });
		socket.on('ping', (ack) => {
			if (typeof ack !== 'function') return;
			ack({ userId: socket.data.userId, serverTime: new Date().toISOString() });
		});
	});

	// A session that ends (logout, logout everywhere, password change or reset, person disabled)
	// takes its sockets with it.
	const unsubscribe = subscribe('session.revoked', ({ userId, sessionIds }) => {
		void io
			.in(`user:${userId}`)
			.fetchSockets()
			.then((sockets) => {
				for (const s of sockets) if (!sessionIds || sessionIds.includes(s.data.sessionId)) s.disconnect(true);
			});
	});
	const close = io.close.bind(io);
	io.close = (fn) => {
		unsubscribe();
		return close(fn);
	};

	return io;
}
