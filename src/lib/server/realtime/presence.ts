import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type { Db } from '../db/client';
import { can } from '../authz';
import { getActor } from '../network/people';
import { getTable } from '../network/tables';
import { tableRef } from '../network/guards';
import { meetingContext } from '../meetings/meetings';
import { threadContext } from '../threads/threads';
import { getLogger } from '../logger';
import type { ClientToServerEvents, PresenceMember, ServerToClientEvents, SocketData } from './events';
import { colorFor } from '$lib/realtime/colors';

export { colorFor };

type RootNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RootSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const ROOM = /^(?:(table|meeting|thread):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|piazza)$/;
const location = z.string().max(200).nullable();

/** May this person be in this room (a table, a meeting, a thread, or the network-wide Piazza)? */
export async function mayEnter(db: Db, userId: string, room: string): Promise<'ok' | 'forbidden' | 'not_found'> {
	if (room === 'piazza') return (await getActor(db, userId)) ? 'ok' : 'forbidden';
	if (room.startsWith('thread:')) {
		const actor = await getActor(db, userId);
		const ctx = await threadContext(db, room.slice('thread:'.length));
		if (!ctx) return 'not_found';
		return actor && can(actor, 'thread.view', ctx.ref) ? 'ok' : 'forbidden';
	}
	if (room.startsWith('meeting:')) {
		const actor = await getActor(db, userId);
		const ctx = await meetingContext(db, actor, room.slice('meeting:'.length));
		if (!ctx) return 'not_found';
		return can(actor, 'meeting.view', ctx.ref) ? 'ok' : 'forbidden';
	}
	const table = await getTable(db, room.slice('table:'.length));
	if (!table) return 'not_found';
	return can(await getActor(db, userId), 'table.view', tableRef(table)) ? 'ok' : 'forbidden';
}

/** At most this many people are listed in a presence event (with the total): a room of a thousand stays cheap. */
export const PRESENCE_LIST_MAX = 50;

export async function membersOf(nsp: RootNamespace, room: string): Promise<{ members: PresenceMember[]; total: number }> {
	const sockets = await nsp.in(room).fetchSockets();
	const byUser = new Map<string, PresenceMember>();
	for (const s of sockets) {
		if (!(room in (s.data.presence ?? {}))) continue;
		const loc = s.data.presence[room] ?? null;
		const m = byUser.get(s.data.userId) ?? {
			userId: s.data.userId,
			name: s.data.name,
			organization: s.data.organization,
			color: colorFor(s.data.userId),
			locations: []
		};
		if (loc && !m.locations.includes(loc)) m.locations.push(loc);
		byUser.set(s.data.userId, m);
	}
	const all = [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name, 'it'));
	return { members: all.slice(0, PRESENCE_LIST_MAX), total: all.length };
}

/** Broadcasts scheduled per room (per namespace): joins and moves within the window make one. */
const scheduled = new WeakMap<object, Map<string, Promise<void>>>();
/** How long presence changes are gathered before one broadcast (ms). */
export const PRESENCE_COALESCE_MS = 100;

/** Announcements under way, so that shutting down can wait for them before closing Redis. */
export type PendingAnnouncements = Set<Promise<void>>;

/** Presence in table rooms: who is here and where, live; gone as soon as the socket is. */
export function attachPresence(nsp: RootNamespace, socket: RootSocket, getDb: () => Db, pending: PendingAnnouncements) {
	const log = getLogger().child({ mod: 'presence' });
	const rooms = scheduled.get(nsp) ?? new Map<string, Promise<void>>();
	scheduled.set(nsp, rooms);
	/** One presence broadcast per room per window, however many people join, move or leave in it. */
	const announce = (room: string) => {
		const already = rooms.get(room);
		if (already) return already;
		const job = (async () => {
			await new Promise((r) => setTimeout(r, PRESENCE_COALESCE_MS));
			rooms.delete(room);
			try {
				const { members, total } = await membersOf(nsp, room);
				nsp.to(room).emit('presence', room, members, total);
			} catch (err) {
				log.warn({ err, room }, 'presence broadcast failed');
			}
		})();
		rooms.set(room, job);
		pending.add(job);
		void job.finally(() => pending.delete(job));
		return job;
	};

	socket.on('presence:join', async (room, loc, ack) => {
		if (typeof ack !== 'function') return;
		if (typeof room !== 'string' || !ROOM.test(room) || !location.safeParse(loc).success) return ack({ ok: false, error: 'bad_request' });
		try {
			const verdict = await mayEnter(getDb(), socket.data.userId, room);
			if (verdict !== 'ok') return ack({ ok: false, error: verdict });
			socket.data.presence = { ...socket.data.presence, [room]: loc };
			await socket.join(room);
			ack({ ok: true, ...(await membersOf(nsp, room)) });
			void announce(room);
		} catch (err) {
			log.error({ err, room }, 'presence join failed');
			ack({ ok: false, error: 'server_error' });
		}
	});

	socket.on('presence:move', (room, loc) => {
		if (typeof room !== 'string' || !(room in socket.data.presence) || !location.safeParse(loc).success) return;
		socket.data.presence = { ...socket.data.presence, [room]: loc };
		void announce(room);
	});

	socket.on('presence:leave', async (room) => {
		if (typeof room !== 'string' || !(room in socket.data.presence)) return;
		const { [room]: _gone, ...rest } = socket.data.presence;
		socket.data.presence = rest;
		await socket.leave(room);
		void announce(room);
	});

	// "Sta scrivendo…": relayed to the thread's room, from sockets in it, at most every 2 seconds.
	let lastTyping = 0;
	socket.on('thread:typing', (threadId) => {
		if (typeof threadId !== 'string') return;
		const room = `thread:${threadId}`;
		if (!ROOM.test(room) || !socket.rooms.has(room)) return;
		const now = Date.now();
		if (now - lastTyping < 2000) return;
		lastTyping = now;
		socket.to(room).emit('thread:typing', { threadId, userId: socket.data.userId, name: socket.data.name });
	});

	socket.on('disconnect', () => {
		for (const room of Object.keys(socket.data.presence ?? {})) void announce(room);
	});
}
