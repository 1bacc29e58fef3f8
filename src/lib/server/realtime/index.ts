import type { Server as HttpServer, IncomingMessage } from 'node:http';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { parse as parseCookie } from 'cookie';
import { Server, type Socket } from 'socket.io';
import type { ExtendedError } from 'socket.io';
import { COLLAB_NAMESPACE, MAX_MESSAGE_BYTES } from '$lib/collab/protocol';
import { parser, WIRE_VERSION } from '$lib/realtime/parser';
import type { Db } from '../db/client';
import { SESSION_COOKIE, sessionExpiry, validateSessionToken } from '../auth/session';
import { getLogger } from '../logger';
import { subscribe } from '../events';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './events';
import { attachPresence, mayEnter, membersOf, type PendingAnnouncements } from './presence';
import { CollabPersistence } from './collab/persistence';
import { DocumentRegistry, REMOTE } from './collab/document';
import { attachCollabNamespace, prepareMessage, type CollabNamespace } from './collab/namespace';
import { createRedisScaleOut, localOnly, type ScaleOut } from './redis';
import { coalesceServerWrites } from './coalesce';
import { Projections } from '../meetings/projection';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
	getDb: () => Db;
	/** Allowed browser origins; by default the request's own host (same-origin only). */
	origins?: string[];
	/** Redis for running several instances (adapter + document updates). */
	redisUrl?: string;
	/** Separates groups of instances on one Redis (tests); production leaves it unset. */
	redisKey?: string;
	/** Unload a document this long after its last connection left. */
	idleUnloadMs?: number;
	compactAfter?: number;
	/** Longest wait between two checks of a socket's session (default: until it is due). */
	sessionRecheckMs?: number;
	/** Wait after a document change before its projection (agenda items…) is rewritten. */
	projectionDelayMs?: number;
}

export interface Realtime {
	io: RealtimeServer;
	registry: DocumentRegistry;
	persistence: CollabPersistence;
	projections: Projections;
	mode: 'memory' | 'redis';
	/** Stop accepting, flush pending document writes, close Redis. */
	close(): Promise<void>;
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

const KEY = Symbol.for('intarsi.realtime');
type G = typeof globalThis & { [KEY]?: Realtime };
/** The running realtime layer of this process (for /healthz), if any. */
export const currentRealtime = (): Realtime | undefined => (globalThis as G)[KEY];

/**
 * Attaches Socket.IO to the HTTP server that carries SvelteKit (one process, one port): namespace
 * "/" (presence, domain-event broadcasts) and "/collab" (Yjs documents). Used by src/server.ts in
 * production and by the Vite plugin in development.
 */
export async function attachRealtime(httpServer: HttpServer, options: RealtimeOptions): Promise<Realtime> {
	const log = getLogger().child({ mod: 'realtime' });
	const io: RealtimeServer = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		// Binary packets (every Yjs update) in one frame; clients use the same parser ($lib/realtime/io).
		parser,
		// Room for our own, clearer limit (MAX_MESSAGE_BYTES) to answer first.
		maxHttpBufferSize: MAX_MESSAGE_BYTES * 2,
		allowRequest: (req, callback) => callback(null, originAllowed(req, options.origins))
	});
	// An update's header and binary attachment leave in one write (see coalesce.ts).
	coalesceServerWrites(io as unknown as Server, () => log.warn('engine.io internals changed: writes are not coalesced'));

	const scale: ScaleOut = options.redisUrl ? await createRedisScaleOut(options.redisUrl, io as unknown as Server, { key: options.redisKey }) : localOnly;
	const persistence = new CollabPersistence(options.getDb, { compactAfter: options.compactAfter });
	const projections = new Projections(options.getDb, options.projectionDelayMs);
	const collab = io.of(COLLAB_NAMESPACE) as unknown as CollabNamespace;
	// A document's message to its local connections is encoded (and framed) once, whatever the number
	// of readers, and written to each of them at once, before the update is logged. Local only: other
	// instances get updates through their own documents (see redis.ts).
	const registry = new DocumentRegistry(
		persistence,
		scale.broadcaster,
		(doc, payload, except) => {
			const message = prepareMessage(collab, doc, payload);
			for (const conn of doc.connections) if (conn !== except) conn.sendPrepared(message);
		},
		options.idleUnloadMs,
		(doc, userId) => projections.schedule(doc.name, doc.ydoc, userId)
	);
	scale.onResubscribed(() => {
		void registry.resyncAll().then(
			(n) => log.warn({ documents: n }, 'redis subscription restored: documents caught up from the log'),
			(err) => log.error({ err }, 'catch-up after a redis interruption failed')
		);
	});
	scale.onRemote((docName, type, payload) => {
		void registry.loaded(docName).then((doc) => {
			if (!doc || doc.destroyed) return;
			try {
				if (type === 'update') Y.applyUpdate(doc.ydoc, payload, REMOTE);
				else awarenessProtocol.applyAwarenessUpdate(doc.awareness, payload, REMOTE);
			} catch (err) {
				log.warn({ err, doc: docName }, 'remote message refused');
			}
		});
	});

	const authenticate = async (socket: Socket, next: (err?: ExtendedError) => void) => {
		// A page from before a deploy that changed the wire format: it must reload (see WIRE_VERSION).
		if (socket.handshake.query.wire !== WIRE_VERSION) return next(new Error('outdated'));
		try {
			const cookies = parseCookie(socket.request.headers.cookie ?? '');
			const token = cookies[SESSION_COOKIE];
			const result = token ? await validateSessionToken(options.getDb(), token) : null;
			if (!result) return next(new Error('unauthorized'));
			const data: SocketData = {
				userId: result.user.id,
				name: result.user.name,
				organization: result.user.organizationName,
				sessionId: result.session.id,
				sessionExpiresAt: result.session.expiresAt.getTime(),
				presence: {}
			};
			socket.data = data;
			next();
		} catch (err) {
			log.error({ err }, 'socket handshake failed');
			next(new Error('server_error'));
		}
	};

	/**
	 * Sessions that simply expire publish no event: each socket re-checks its session when it is due
	 * (sessions slide, so it may have been extended meanwhile) and leaves when it has ended.
	 */
	const watchSession = (socket: Socket) => {
		let timer: NodeJS.Timeout | undefined;
		const arm = (at: number) => {
			const wait = Math.min(Math.max(at - Date.now(), options.sessionRecheckMs ? 0 : 1000), options.sessionRecheckMs ?? 2 ** 31 - 1);
			timer = setTimeout(check, wait);
			timer.unref();
		};
		const check = async () => {
			try {
				const expiry = await sessionExpiry(options.getDb(), socket.data.sessionId);
				if (!expiry) return void socket.disconnect(true);
				socket.data.sessionExpiresAt = expiry.getTime();
				arm(expiry.getTime());
			} catch (err) {
				log.warn({ err }, 'session re-check failed');
				arm(Date.now() + 60_000);
			}
		};
		arm(socket.data.sessionExpiresAt);
		socket.on('disconnect', () => clearTimeout(timer));
	};

	const announcements: PendingAnnouncements = new Set();
	io.use(authenticate);
	io.on('connection', (socket) => {
		watchSession(socket);
		void socket.join(`user:${socket.data.userId}`);
		socket.emit('ready', { userId: socket.data.userId, name: socket.data.name });
		socket.on('ping', (ack) => {
			if (typeof ack !== 'function') return;
			ack({ userId: socket.data.userId, serverTime: new Date().toISOString() });
		});
		attachPresence(io.of('/'), socket, options.getDb, announcements);
	});

	collab.use(authenticate);
	collab.on('connection', (socket) => {
		watchSession(socket as unknown as Socket);
		void socket.join(`user:${socket.data.userId}`);
	});
	const collabHandle = attachCollabNamespace(collab, { getDb: options.getDb, registry });
	// Rights on open documents follow events from every instance (Redis): a member connected to
	// another instance loses write access when the agenda is locked here.
	scale.onRemoteEvent(({ name, payload }) => collabHandle.onEvent(name, payload));
	scale.onResubscribed(() => collabHandle.recheckAll());

	// Domain events become broadcasts; services never touch sockets.
	const unsubscribers = [
		subscribe('table.changed', (p) => scale.publishEvent('table.changed', p)),
		subscribe('meeting.updated', (p) => scale.publishEvent('meeting.updated', p)),
		subscribe('session.revoked', ({ userId, sessionIds }) => {
			for (const nsp of [io.of('/'), collab]) {
				void nsp
					.in(`user:${userId}`)
					.fetchSockets()
					.then((sockets) => {
						for (const s of sockets) if (!sessionIds || sessionIds.includes(s.data.sessionId)) s.disconnect(true);
					})
					.catch((err: unknown) => log.warn({ err }, 'disconnecting revoked sockets failed'));
			}
		}),
		subscribe('meeting.updated', ({ meetingId, tableId, what }) => {
			io.to(`meeting:${meetingId}`).emit('meeting:updated', { meetingId, what });
			io.to(`table:${tableId}`).emit('meeting:updated', { meetingId, what });
			// Participants removed or a table turned private: whoever may no longer see it leaves.
			if (what !== 'participants' && what !== 'details') return;
			void recheckRoom(`meeting:${meetingId}`).catch((err: unknown) => log.warn({ err }, 'meeting room re-check failed'));
		}),
		// Threads: the thread's readers and its place (table room, or the Piazza) hear of new posts.
		subscribe('post.created', ({ threadId, tableId, postId, seq }) => {
			io.to([`thread:${threadId}`, tableId ? `table:${tableId}` : 'piazza']).emit('thread:post', { threadId, tableId, postId, seq });
		}),
		subscribe('post.updated', ({ threadId, postId }) => {
			io.to(`thread:${threadId}`).emit('thread:updated', { threadId, postId });
		}),
		subscribe('thread.changed', ({ threadId, tableId }) => {
			io.to([`thread:${threadId}`, tableId ? `table:${tableId}` : 'piazza']).emit('thread:updated', { threadId, postId: null });
			// Moved to a place someone may not see: they leave its room.
			void recheckRoom(`thread:${threadId}`).catch((err: unknown) => log.warn({ err }, 'thread room re-check failed'));
		}),
		subscribe('notification.created', ({ userIds }) => {
			for (const userId of userIds) io.to(`user:${userId}`).emit('notification', {});
		}),
		subscribe('table.changed', ({ tableId }) => {
			const room = `table:${tableId}`;
			io.to(room).emit('table:changed', { tableId });
			// Whoever may no longer see the table leaves its room, and its meetings' rooms (members-only
			// tables' meetings follow the table), and their presence lists.
			const meetingRooms = [...io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith('meeting:') || r.startsWith('thread:'));
			void Promise.all([room, ...meetingRooms].map(recheckRoom)).catch((err: unknown) => log.warn({ err }, 'presence re-check failed'));
		})
	];

	/** Sockets in `room` that may no longer be there leave it; the others get the new presence list. */
	async function recheckRoom(room: string) {
		let changed = false;
		for (const s of await io.in(room).fetchSockets()) {
			if ((await mayEnter(options.getDb(), s.data.userId, room)) === 'ok') continue;
			s.leave(room);
			changed = true;
		}
		if (!changed) return;
		const { members, total } = await membersOf(io.of('/'), room);
		io.to(room).emit('presence', room, members, total);
	}

	const realtime: Realtime = {
		io,
		registry,
		persistence,
		projections,
		mode: options.redisUrl ? 'redis' : 'memory',
		async close() {
			for (const u of unsubscribers) u();
			collabHandle.detach();
			await new Promise<void>((resolve) => io.close(() => resolve()));
			await Promise.all(announcements);
			await projections.flush();
			await registry.closeAll();
			await persistence.close();
			await scale.close();
			if ((globalThis as G)[KEY] === realtime) delete (globalThis as G)[KEY];
		}
	};
	(globalThis as G)[KEY] = realtime;
	return realtime;
}
