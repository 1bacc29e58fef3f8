/**
 * "Trova una data": the coordinator proposes slots, participants answer sì / se necessario / no
 * per slot, everyone sees the grid live, the coordinator picks a slot and the meeting gets its time.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { meetingSlotAnswers, meetingSlots, meetings, pollAnswers } from '../db/schema';
import type { PollAnswer } from '../db/schema';
import { can, type Actor } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { publish } from '../events';
import { announce, notify } from '../notifications';
import { parseRomeLocal, formatRomeRange } from '$lib/time/rome';
import { conveneLocked, meetingContext, participantIds } from './meetings';

export const MAX_SLOTS = 30;

export const slotInput = z
	.object({
		start: z.string().trim().min(1, 'error_required'),
		end: z.string().trim().min(1, 'error_required')
	})
	.transform((v, ctx) => {
		const s = parseRomeLocal(v.start);
		const e = parseRomeLocal(v.end);
		if (!s.ok) ctx.addIssue({ code: 'custom', path: ['start'], message: s.reason === 'nonexistent' ? 'error_time_nonexistent' : 'error_datetime' });
		if (!e.ok) ctx.addIssue({ code: 'custom', path: ['end'], message: e.reason === 'nonexistent' ? 'error_time_nonexistent' : 'error_datetime' });
		if (!s.ok || !e.ok) return z.NEVER;
		if (e.date <= s.date) {
			ctx.addIssue({ code: 'custom', path: ['end'], message: 'error_end_before_start' });
			return z.NEVER;
		}
		if (e.date.getTime() - s.date.getTime() > 24 * 3600_000) {
			ctx.addIssue({ code: 'custom', path: ['end'], message: 'error_meeting_too_long' });
			return z.NEVER;
		}
		return { start: s.date, end: e.date };
	});

/** Answers of one person: slotId → answer (absent slots are left as they were). */
export const answersInput = z.record(z.uuid(), z.enum(pollAnswers)).refine((r) => Object.keys(r).length <= MAX_SLOTS, 'error_invalid');

async function draftFor(db: Db, actor: Actor, meetingId: string, action: 'meeting.manage' | 'meeting.respond') {
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	if (!can(actor, action, ctx.ref)) throw new DomainError('error_forbidden', undefined, 403);
	if (ctx.meeting.status !== 'bozza') throw new DomainError('error_poll_closed', undefined, 409);
	return ctx;
}

export async function addSlot(db: Db, actor: Actor, meetingId: string, slot: { start: Date; end: Date }) {
	const { meeting } = await draftFor(db, actor, meetingId, 'meeting.manage');
	let told: string[] = [];
	const row = await db.transaction(async (tx) => {
		const existing = await tx
			.select({ id: meetingSlots.id, startsAt: meetingSlots.startsAt, endsAt: meetingSlots.endsAt })
			.from(meetingSlots)
			.where(and(eq(meetingSlots.meetingId, meetingId), isNull(meetingSlots.deletedAt)));
		if (existing.length >= MAX_SLOTS) throw new DomainError('error_too_many_slots');
		if (existing.some((s) => s.startsAt.getTime() === slot.start.getTime() && s.endsAt.getTime() === slot.end.getTime()))
			throw new DomainError('error_slot_exists', 'start');
		const [row] = await tx.insert(meetingSlots).values({ meetingId, startsAt: slot.start, endsAt: slot.end, createdBy: actor.id }).returning();
		// The first slot opens the poll: participants are asked to answer.
		if (existing.length === 0)
			told = await notify(tx, await participantIds(tx, meetingId), {
				kind: 'notif_poll_opened',
				params: { title: meeting.title },
				link: `/meetings/${meetingId}#trova-data`,
				actorId: actor.id
			});
		return row!;
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'poll' });
	return row;
}

export async function removeSlot(db: Db, actor: Actor, meetingId: string, slotId: string) {
	const { meeting } = await draftFor(db, actor, meetingId, 'meeting.manage');
	await db
		.update(meetingSlots)
		.set({ deletedAt: new Date() })
		.where(and(eq(meetingSlots.id, slotId), eq(meetingSlots.meetingId, meetingId)));
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'poll' });
}

export async function answerSlots(db: Db, actor: Actor, meetingId: string, answers: Record<string, PollAnswer>) {
	const { meeting } = await draftFor(db, actor, meetingId, 'meeting.respond');
	const slotIds = Object.keys(answers);
	if (!slotIds.length) return;
	await db.transaction(async (tx) => {
		const valid = await tx
			.select({ id: meetingSlots.id })
			.from(meetingSlots)
			.where(and(eq(meetingSlots.meetingId, meetingId), isNull(meetingSlots.deletedAt), inArray(meetingSlots.id, slotIds)));
		if (valid.length !== slotIds.length) throw new DomainError('error_invalid');
		for (const slotId of slotIds)
			await tx
				.insert(meetingSlotAnswers)
				.values({ slotId, userId: actor.id, answer: answers[slotId]! })
				.onConflictDoUpdate({ target: [meetingSlotAnswers.slotId, meetingSlotAnswers.userId], set: { answer: answers[slotId]!, answeredAt: new Date() } });
	});
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: 'poll' });
}

export interface PollGrid {
	slots: { id: string; startsAt: Date; endsAt: Date; yes: number; ifneeded: number; no: number; score: number }[];
	/** userId → slotId → answer */
	answers: Record<string, Record<string, PollAnswer>>;
	/** The slot with most "sì" (then most "se necessario"), if anyone answered. */
	bestSlotId: string | null;
}

export async function pollGrid(db: Db, meetingId: string): Promise<PollGrid> {
	const slots = await db
		.select({ id: meetingSlots.id, startsAt: meetingSlots.startsAt, endsAt: meetingSlots.endsAt })
		.from(meetingSlots)
		.where(and(eq(meetingSlots.meetingId, meetingId), isNull(meetingSlots.deletedAt)))
		.orderBy(asc(meetingSlots.startsAt));
	const answers: PollGrid['answers'] = {};
	const counts = new Map(slots.map((s) => [s.id, { yes: 0, ifneeded: 0, no: 0 }]));
	if (slots.length) {
		const rows = await db
			.select()
			.from(meetingSlotAnswers)
			.where(
				inArray(
					meetingSlotAnswers.slotId,
					slots.map((s) => s.id)
				)
			);
		for (const r of rows) {
			(answers[r.userId] ??= {})[r.slotId] = r.answer;
			counts.get(r.slotId)![r.answer]++;
		}
	}
	const withCounts = slots.map((s) => {
		const c = counts.get(s.id)!;
		return { ...s, ...c, score: c.yes * 2 + c.ifneeded };
	});
	let best: (typeof withCounts)[number] | null = null;
	for (const s of withCounts) if (s.score > 0 && (!best || s.yes > best.yes || (s.yes === best.yes && s.ifneeded > best.ifneeded))) best = s;
	return { slots: withCounts, answers, bestSlotId: best?.id ?? null };
}

/**
 * The coordinator picks a slot: the meeting takes its time, and is convened if asked, in one
 * transaction on the locked meeting row (two coordinators picking at once: the second is refused).
 */
export async function pickSlot(db: Db, actor: Actor, meetingId: string, slotId: string, opts: { convene?: boolean; lockAgenda?: boolean } = {}) {
	const { meeting } = await draftFor(db, actor, meetingId, 'meeting.manage');
	const { row, told } = await db.transaction(async (tx) => {
		const [locked] = await tx.select().from(meetings).where(eq(meetings.id, meetingId)).for('update');
		if (!locked || locked.status !== 'bozza') throw new DomainError('error_poll_closed', undefined, 409);
		const [slot] = await tx
			.select()
			.from(meetingSlots)
			.where(and(eq(meetingSlots.id, slotId), eq(meetingSlots.meetingId, meetingId), isNull(meetingSlots.deletedAt)));
		if (!slot) throw new DomainError('error_not_found', undefined, 404);
		const [timed] = await tx.update(meetings).set({ startsAt: slot.startsAt, endsAt: slot.endsAt, updatedAt: new Date(), updatedBy: actor.id }).where(eq(meetings.id, meetingId)).returning();
		await recordAudit(tx, { actorId: actor.id, action: 'meeting.slot_picked', entityType: 'meeting', entityId: meetingId, data: { slot: formatRomeRange(slot.startsAt, slot.endsAt) } });
		if (!opts.convene) return { row: timed!, told: [] as string[] };
		return conveneLocked(tx, actor, timed!, { lockAgenda: opts.lockAgenda });
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: meeting.tableId, what: opts.convene ? 'status' : 'details' });
	return opts.convene ? row : null;
}
