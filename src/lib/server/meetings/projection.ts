/**
 * Queryable projections of collaborative documents, rewritten from the Yjs document (the source
 * of truth) a moment after it changes. Agenda items land in `agenda_items`; a change stamps
 * `meetings.agenda_changed_at`, and on a locked (convened) agenda tells the participants.
 */
import * as Y from 'yjs';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agendaItems, meetings, notifications } from '../db/schema';
import { readItems, runningTimes } from '$lib/agenda/model';
import { getLogger } from '../logger';
import { announce, notify } from '../notifications';
import { participantIds } from './meetings';
import { projectMinutes } from '../minutes/projection';

/** Participants hear of agenda changes at most this often per meeting. */
const AGENDA_NEWS_EVERY_MS = 30 * 60_000;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Rewrites the agenda projection of a meeting from its document; true when something changed.
 * Runs under a per-meeting advisory lock (instances and overlapping runs take turns). `actorId`,
 * the last editor, is not told of their own change.
 */
export async function projectAgenda(db: Db, meetingId: string, ydoc: Y.Doc, now = new Date(), actorId: string | null = null): Promise<boolean> {
	let told: string[] = [];
	const changed = await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'agenda-projection:' + meetingId}))`);
		const [meeting] = await tx.select().from(meetings).where(eq(meetings.id, meetingId));
		if (!meeting) return false;
		// Read under the lock: a run that waited writes what the document holds now, not then.
		const timed = runningTimes(readItems(ydoc), meeting.startsAt).items;
		const rows = timed.map((it, position) => ({
			meetingId,
			itemId: it.id,
		position,
		title: it.title,
		notes: it.notes,
		kind: it.kind,
		durationMinutes: it.durationMinutes,
		startOffsetMinutes: it.startOffsetMinutes,
		presenterUserId: uuidOrNull(it.presenterUserId),
		presenterOrganizationId: uuidOrNull(it.presenterOrganizationId),
		links: it.links,
			proposalId: uuidOrNull(it.proposalId)
		}));
		const before = await tx.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(agendaItems.position);
	const key = (r: (typeof rows)[number] | (typeof before)[number]) => [
		r.itemId,
		r.position,
		r.title,
		r.notes,
		r.kind,
		r.durationMinutes,
		r.startOffsetMinutes,
		r.presenterUserId,
		r.presenterOrganizationId,
		r.links,
		r.proposalId
	];
		if (same(before.map(key), rows.map(key))) return false;
		await tx.delete(agendaItems).where(eq(agendaItems.meetingId, meetingId));
		if (rows.length) await tx.insert(agendaItems).values(rows.map((r) => ({ ...r, updatedAt: now })));
		await tx.update(meetings).set({ agendaChangedAt: now }).where(eq(meetings.id, meetingId));
		if (meeting.status === 'convocata' && meeting.agendaLockedAt) {
			const link = `/meetings/${meetingId}`;
			const [recent] = await tx
				.select({ id: notifications.id })
				.from(notifications)
				.where(and(eq(notifications.kind, 'notif_agenda_changed'), eq(notifications.link, link), gt(notifications.createdAt, new Date(now.getTime() - AGENDA_NEWS_EVERY_MS))))
				.limit(1);
			if (!recent) told = await notify(tx, await participantIds(tx, meetingId), { kind: 'notif_agenda_changed', params: { title: meeting.title }, link, actorId });
		}
		return true;
	});
	announce(told);
	return changed;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (v: string | null) => (v && UUID.test(v) ? v : null);

/** Debounces projection writes per document; `flush` runs the pending ones (shutdown, tests). */
export class Projections {
	private readonly timers = new Map<string, { timer: NodeJS.Timeout; ydoc: Y.Doc; userId: string | null }>();
	/** The last run per document: runs of one document never overlap. */
	private readonly chains = new Map<string, Promise<void>>();
	private readonly log = getLogger().child({ mod: 'projections' });

	constructor(
		private readonly getDb: () => Db,
		private readonly delayMs = 400
	) {}

	/** Whether a document has a projection. */
	static handles(name: string) {
		return name.startsWith('agenda:') || name.startsWith('minutes:');
	}

	schedule(name: string, ydoc: Y.Doc, userId: string | null = null) {
		if (!Projections.handles(name)) return;
		const pending = this.timers.get(name);
		if (pending) clearTimeout(pending.timer);
		const timer = setTimeout(() => this.run(name), this.delayMs);
		timer.unref();
		this.timers.set(name, { timer, ydoc, userId: userId ?? pending?.userId ?? null });
	}

	private run(name: string) {
		const entry = this.timers.get(name);
		if (!entry) return;
		this.timers.delete(name);
		const previous = this.chains.get(name) ?? Promise.resolve();
		const job: Promise<void> = previous
			.then(() => projectDocument(this.getDb(), name, entry.ydoc, entry.userId))
			.catch((err) => this.log.error({ err, doc: name }, 'projection failed'))
			.finally(() => {
				if (this.chains.get(name) === job) this.chains.delete(name);
			});
		this.chains.set(name, job);
	}

	async flush() {
		for (const [name, { timer }] of [...this.timers]) {
			clearTimeout(timer);
			this.run(name);
		}
		await Promise.all([...this.chains.values()]);
	}
}

export async function projectDocument(db: Db, name: string, ydoc: Y.Doc, actorId: string | null = null): Promise<void> {
	if (name.startsWith('agenda:')) await projectAgenda(db, name.slice('agenda:'.length), ydoc, new Date(), actorId);
	else if (name.startsWith('minutes:')) await projectMinutes(db, name.slice('minutes:'.length), ydoc);
}
