/**
 * Minutes (il verbale): a live draft written together (Yjs document `minutes:<meetingId>`, TipTap),
 * then in review (participants comment on sections for a set period), then approved: the text is
 * frozen as a numbered version with who and when; corrections reopen it and produce a new version.
 * A privacy check must be settled before approval: the hub keeps no beneficiary data.
 */
import * as Y from 'yjs';
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { minutes, minutesComments, minutesVersions, organizations, privacyFlags, users } from '../db/schema';
import type { Minutes, MinutesStatus } from '../db/schema';
import { can, type Actor, type MinutesRef } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { publish } from '../events';
import { announce, notify } from '../notifications';
import { optionalText, requiredText } from '../validation';
import { meetingContext, listParticipants, participantIds } from '../meetings/meetings';
import { editDocument, readDocument } from '../realtime/collab/edit';
import type { PMNode } from '$lib/minutes/schema';
import { MINUTES_FRAGMENT } from '$lib/minutes/fragment';
import { minutesProseMirror } from './prosemirror';
import { readItems } from '$lib/agenda/model';
import { agendaDoc } from '../meetings/agenda';
import { formatRomeDate, formatRomeRange } from '$lib/time/rome';
import { docToMarkdown, docToPlainText } from '$lib/minutes/text';
import { checkPrivacyDoc } from '$lib/minutes/privacy';

export const minutesDoc = (meetingId: string) => `minutes:${meetingId}`;

export const reviewInput = z.object({ days: z.coerce.number('error_invalid').int('error_invalid').min(1, 'error_invalid').max(30, 'error_invalid') });
export const approveInput = z.object({ note: optionalText(300), changeNote: optionalText(1000) });
export const commentInput = z.object({ sectionId: optionalText(64), body: requiredText(4000) });
export const flagInput = z.object({ flagId: z.uuid('error_invalid'), resolution: z.enum(['resolved', 'confirmed'], 'error_required'), note: optionalText(500) });

/** The meeting, its minutes row (if started) and the permission view of both. */
export async function minutesContext(db: Db, actor: Actor | null, meetingId: string, now = new Date()) {
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx) return null;
	const [row] = await db.select().from(minutes).where(eq(minutes.meetingId, meetingId));
	const mref: MinutesRef = {
		meeting: ctx.ref,
		status: row?.status ?? 'bozza',
		reviewOpen: !!row?.reviewUntil && row.reviewUntil.getTime() > now.getTime()
	};
	return { ...ctx, minutes: row ?? null, mref };
}

async function visible(db: Db, actor: Actor, meetingId: string) {
	const ctx = await minutesContext(db, actor, meetingId);
	if (!ctx || !can(actor, 'minutes.read', ctx.mref)) throw new DomainError('error_not_found', undefined, 404);
	return ctx;
}

async function managed(db: Db, actor: Actor, meetingId: string) {
	const ctx = await visible(db, actor, meetingId);
	if (!can(actor, 'minutes.manage', ctx.mref)) throw new DomainError('error_forbidden', undefined, 403);
	return ctx;
}

const text = (t: string) => (t ? [{ type: 'text', text: t }] : []);
const para = (t: string): PMNode => ({ type: 'paragraph', content: text(t) });

/** The first draft: the meeting's header, the attendance from the register, one section per agenda item. */
export async function draftFromMeeting(db: Db, meetingId: string, locale = 'it'): Promise<PMNode> {
	const ctx = await meetingContext(db, null, meetingId);
	if (!ctx) throw new DomainError('error_not_found', undefined, 404);
	const { meeting, table } = ctx;
	const people = await listParticipants(db, meeting);
	const nameOf = async (id: string | null) => {
		if (!id) return '';
		const [u] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
		return u?.name ?? '';
	};
	const who = (p: (typeof people)[number]) => `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}`;
	const present = people.filter((p) => p.attendance === 'present');
	const delegated = people.filter((p) => p.attendance === 'delegated');
	const absent = people.filter((p) => p.attendance === 'absent');
	const unknown = people.filter((p) => !p.attendance);
	const list = (items: string[]): PMNode => ({ type: 'bulletList', content: items.map((i) => ({ type: 'listItem', content: [para(i)] })) });
	const agenda = readItems(await readDocument(() => db, agendaDoc(meetingId)));
	const content: PMNode[] = [
		{ type: 'heading', attrs: { level: 1 }, content: text(`Verbale – ${meeting.title}`) },
		para(`Tavolo: ${table.name}`),
		para(`Data: ${meeting.startsAt ? formatRomeRange(meeting.startsAt, meeting.endsAt, locale) : '—'}`),
		para(`Luogo: ${[meeting.address, meeting.onlineUrl ? 'online' : ''].filter(Boolean).join(' e ') || '—'}`),
		para(`Presiede: ${(await nameOf(meeting.chairId)) || '—'}`),
		para(`Verbalizza: ${(await nameOf(meeting.secretaryId)) || '—'}`),
		{ type: 'heading', attrs: { level: 2 }, content: text('Presenti') }
	];
	if (present.length || delegated.length)
		content.push(list([...present.map(who), ...delegated.map((p) => `${who(p)} – delega a ${p.delegateName ?? p.delegateUserName ?? '—'}`)]));
	else content.push(para(unknown.length ? 'Registro presenze non compilato.' : '—'));
	if (absent.length) content.push({ type: 'heading', attrs: { level: 3 }, content: text('Assenti') }, list(absent.map(who)));
	agenda.forEach((item, i) => {
		content.push({ type: 'heading', attrs: { level: 2, agendaItemId: item.id }, content: text(`${i + 1}. ${item.title || '—'}`) }, para(''));
	});
	if (!agenda.length) content.push({ type: 'heading', attrs: { level: 2 }, content: text('Discussione') }, para(''));
	return { type: 'doc', content };
}

/**
 * Starts the minutes of a meeting (once): the row, and the first draft written into the empty
 * document. Participants and coordinators may start them, once the meeting is convened.
 */
export async function startMinutes(db: Db, actor: Actor, meetingId: string): Promise<Minutes> {
	const ctx = await visible(db, actor, meetingId);
	if (ctx.minutes) return ctx.minutes;
	if (!can(actor, 'minutes.edit', ctx.mref)) throw new DomainError('error_forbidden', undefined, 403);
	if (ctx.meeting.status !== 'convocata' && ctx.meeting.status !== 'svolta') throw new DomainError('error_meeting_not_convened', undefined, 409);
	const [row] = await db.insert(minutes).values({ meetingId, createdBy: actor.id }).onConflictDoNothing().returning();
	if (!row) return (await db.select().from(minutes).where(eq(minutes.meetingId, meetingId)))[0]!;
	const draft = await draftFromMeeting(db, meetingId);
	const pm = await minutesProseMirror();
	// Only into an empty document: never over content a client may already hold.
	await editDocument(
		() => db,
		minutesDoc(meetingId),
		(doc) => {
			const fragment = doc.getXmlFragment(MINUTES_FRAGMENT);
			if (fragment.length === 0) pm.write(draft, fragment);
		}
	);
	await recordAudit(db, { actorId: actor.id, action: 'minutes.started', entityType: 'meeting', entityId: meetingId });
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
	return row;
}

/** The document as ProseMirror JSON (an empty doc if nothing was written). */
export async function docJson(ydoc: Y.Doc): Promise<PMNode> {
	const pm = await minutesProseMirror();
	const fragment = ydoc.getXmlFragment(MINUTES_FRAGMENT);
	try {
		return pm.toJson(fragment);
	} catch {
		// A document a faulty client made unreadable for the schema: nothing rather than a crash.
		return { type: 'doc', content: [] };
	}
}

export async function currentDraft(db: Db, meetingId: string): Promise<PMNode> {
	const ydoc = await readDocument(() => db, minutesDoc(meetingId));
	try {
		return await docJson(ydoc);
	} finally {
		ydoc.destroy();
	}
}

/** Names the exports and the privacy check need: the network's people and organisations. */
export async function nameResolver(db: Db) {
	const people = new Map((await db.select({ id: users.id, name: users.name }).from(users)).map((u) => [u.id, u.name]));
	const orgRows = await db.select({ id: organizations.id, name: organizations.name, website: organizations.website }).from(organizations);
	const orgs = new Map(orgRows.map((o) => [o.id, o.name]));
	// The partners' own domains: their staff's work addresses are not private persons' e-mails.
	const domains = orgRows.flatMap((o) => {
		try {
			return o.website ? [new URL(o.website).hostname.replace(/^www\./, '')] : [];
		} catch {
			return [];
		}
	});
	return {
		person: (id: string) => people.get(id) ?? null,
		organization: (id: string) => orgs.get(id) ?? null,
		knownNames: [...people.values()],
		knownOrganizations: [...orgs.values()],
		knownDomains: domains
	};
}

// ---------- privacy ----------

/** Runs the privacy check on the live draft and records new findings (earlier decisions are kept). */
export async function runPrivacyCheck(db: Db, actor: Actor, meetingId: string) {
	const ctx = await visible(db, actor, meetingId);
	if (!can(actor, 'minutes.manage', ctx.mref) && !can(actor, 'minutes.edit', ctx.mref)) throw new DomainError('error_forbidden', undefined, 403);
	return refreshFlags(db, meetingId);
}

async function refreshFlags(db: Db, meetingId: string) {
	const names = await nameResolver(db);
	const findings = checkPrivacyDoc(await currentDraft(db, meetingId), { knownNames: names.knownNames, knownDomains: names.knownDomains });
	const now = new Date();
	for (const f of findings)
		await db
			.insert(privacyFlags)
			.values({ meetingId, kind: f.kind, fingerprint: f.fingerprint, excerpt: f.excerpt, lastSeenAt: now })
			.onConflictDoUpdate({ target: [privacyFlags.meetingId, privacyFlags.fingerprint], set: { excerpt: f.excerpt, lastSeenAt: now } });
	return listFlags(db, meetingId, new Set(findings.map((f) => f.fingerprint)));
}

/** Flags of the current text (findings no longer in the text are left out). */
export async function listFlags(db: Db, meetingId: string, current?: Set<string>) {
	const rows = await db.select().from(privacyFlags).where(eq(privacyFlags.meetingId, meetingId)).orderBy(asc(privacyFlags.createdAt));
	return current ? rows.filter((r) => current.has(r.fingerprint)) : rows;
}

/** The coordinator settles a flag: "resolved" (the text was fixed) or "confirmed" (not beneficiary data). */
export async function settleFlag(db: Db, actor: Actor, meetingId: string, input: z.output<typeof flagInput>) {
	await managed(db, actor, meetingId);
	const [row] = await db
		.update(privacyFlags)
		.set({ resolution: input.resolution, note: input.note ?? null, resolvedBy: actor.id, resolvedAt: new Date() })
		.where(and(eq(privacyFlags.id, input.flagId), eq(privacyFlags.meetingId, meetingId)))
		.returning();
	if (!row) throw new DomainError('error_not_found', undefined, 404);
	await recordAudit(db, { actorId: actor.id, action: `minutes.privacy_${input.resolution}`, entityType: 'meeting', entityId: meetingId, data: { kind: row.kind } });
}

// ---------- workflow ----------

async function lockMinutes(tx: Db, meetingId: string): Promise<Minutes> {
	const [row] = await tx.select().from(minutes).where(eq(minutes.meetingId, meetingId)).for('update');
	if (!row) throw new DomainError('error_minutes_not_started', undefined, 409);
	return row;
}

/** bozza → in revisione: participants are told and may comment on sections for `days` days. */
export async function startReview(db: Db, actor: Actor, meetingId: string, days: number, now = new Date()) {
	const ctx = await managed(db, actor, meetingId);
	const until = new Date(now.getTime() + days * 86_400_000);
	let told: string[] = [];
	await db.transaction(async (tx) => {
		const row = await lockMinutes(tx, meetingId);
		if (row.status !== 'bozza') throw new DomainError('error_minutes_not_draft', undefined, 409);
		await tx.update(minutes).set({ status: 'in_revisione', reviewUntil: until, reviewStartedAt: now, reviewStartedBy: actor.id, updatedAt: now }).where(eq(minutes.meetingId, meetingId));
		await recordAudit(tx, { actorId: actor.id, action: 'minutes.review_started', entityType: 'meeting', entityId: meetingId, data: { until: until.toISOString() } });
		told = await notify(tx, await participantIds(tx, meetingId), {
			kind: 'notif_minutes_review',
			params: { title: ctx.meeting.title, until: formatRomeDate(until) },
			link: `/meetings/${meetingId}/minutes`,
			actorId: actor.id
		});
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
}

/**
 * Approves the current text: every privacy flag must be settled; the text is frozen as version
 * n + 1 with who and when, and the minutes become read-only until someone reopens them.
 */
export async function approveMinutes(db: Db, actor: Actor, meetingId: string, input: z.output<typeof approveInput>, now = new Date()) {
	const ctx = await managed(db, actor, meetingId);
	const flags = await refreshFlags(db, meetingId);
	if (flags.some((f) => f.resolution === 'open')) throw new DomainError('error_privacy_flags_open', undefined, 409);
	const content = await currentDraft(db, meetingId);
	const names = await nameResolver(db);
	let told: string[] = [];
	const version = await db.transaction(async (tx) => {
		const row = await lockMinutes(tx, meetingId);
		if (row.status === 'approvata') throw new DomainError('error_minutes_approved', undefined, 409);
		const number = row.currentVersion + 1;
		const [v] = await tx
			.insert(minutesVersions)
			.values({
				meetingId,
				number,
				content: content as unknown as Record<string, unknown>,
				text: docToPlainText(content, names),
				markdown: docToMarkdown(content, names),
				approvedBy: actor.id,
				approvedAt: now,
				approvalNote: input.note ?? null,
				changeNote: number > 1 ? (input.changeNote ?? null) : null
			})
			.returning();
		await tx.update(minutes).set({ status: 'approvata', currentVersion: number, reviewUntil: null, updatedAt: now }).where(eq(minutes.meetingId, meetingId));
		await recordAudit(tx, { actorId: actor.id, action: 'minutes.approved', entityType: 'meeting', entityId: meetingId, data: { version: number } });
		told = await notify(tx, await participantIds(tx, meetingId), {
			kind: 'notif_minutes_approved',
			params: { title: ctx.meeting.title, version: String(number) },
			link: `/meetings/${meetingId}/minutes`,
			actorId: actor.id
		});
		return v!;
	});
	announce(told);
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
	return version;
}

/** An approved text needs a correction: back to draft (coordinators edit); approving again makes version n + 1. */
export async function reopenMinutes(db: Db, actor: Actor, meetingId: string) {
	const ctx = await managed(db, actor, meetingId);
	await db.transaction(async (tx) => {
		const row = await lockMinutes(tx, meetingId);
		if (row.status === 'bozza') return;
		await tx.update(minutes).set({ status: 'bozza', reviewUntil: null, updatedAt: new Date() }).where(eq(minutes.meetingId, meetingId));
		await recordAudit(tx, { actorId: actor.id, action: 'minutes.reopened', entityType: 'meeting', entityId: meetingId, data: { from: row.status } });
	});
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
}

export async function listVersions(db: Db, meetingId: string) {
	return db
		.select({
			id: minutesVersions.id,
			number: minutesVersions.number,
			approvedAt: minutesVersions.approvedAt,
			approvedBy: minutesVersions.approvedBy,
			approvedByName: users.name,
			approvalNote: minutesVersions.approvalNote,
			changeNote: minutesVersions.changeNote
		})
		.from(minutesVersions)
		.innerJoin(users, eq(users.id, minutesVersions.approvedBy))
		.where(eq(minutesVersions.meetingId, meetingId))
		.orderBy(desc(minutesVersions.number));
}

export async function getVersion(db: Db, actor: Actor, meetingId: string, number: number) {
	await visible(db, actor, meetingId);
	const [v] = await db
		.select()
		.from(minutesVersions)
		.where(and(eq(minutesVersions.meetingId, meetingId), eq(minutesVersions.number, number)));
	if (!v) throw new DomainError('error_not_found', undefined, 404);
	return v;
}

// ---------- comments ----------

export async function addComment(db: Db, actor: Actor, meetingId: string, input: z.output<typeof commentInput>) {
	const ctx = await visible(db, actor, meetingId);
	if (!can(actor, 'minutes.comment', ctx.mref)) throw new DomainError('error_comments_closed', undefined, 403);
	let sectionTitle: string | null = null;
	if (input.sectionId) {
		const section = (await currentDraft(db, meetingId)).content?.find((n) => n.type === 'heading' && n.attrs?.agendaItemId === input.sectionId);
		sectionTitle = section?.content?.map((c) => c.text ?? '').join('') ?? null;
	}
	const [row] = await db
		.insert(minutesComments)
		.values({ meetingId, sectionId: input.sectionId ?? null, sectionTitle, authorId: actor.id, body: input.body })
		.returning();
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
	return row!;
}

export async function listComments(db: Db, meetingId: string) {
	return db
		.select({
			id: minutesComments.id,
			sectionId: minutesComments.sectionId,
			sectionTitle: minutesComments.sectionTitle,
			body: minutesComments.body,
			authorId: minutesComments.authorId,
			authorName: users.name,
			createdAt: minutesComments.createdAt,
			resolvedAt: minutesComments.resolvedAt
		})
		.from(minutesComments)
		.innerJoin(users, eq(users.id, minutesComments.authorId))
		.where(and(eq(minutesComments.meetingId, meetingId), isNull(minutesComments.deletedAt)))
		.orderBy(asc(minutesComments.createdAt));
}

export async function resolveComment(db: Db, actor: Actor, meetingId: string, commentId: string) {
	const ctx = await managed(db, actor, meetingId);
	const rows = await db
		.update(minutesComments)
		.set({ resolvedAt: new Date(), resolvedBy: actor.id })
		.where(and(eq(minutesComments.id, commentId), eq(minutesComments.meetingId, meetingId)))
		.returning({ id: minutesComments.id });
	if (!rows.length) throw new DomainError('error_not_found', undefined, 404);
	publish('meeting.updated', { meetingId, tableId: ctx.meeting.tableId, what: 'minutes' });
}

/** Minutes whose text matches (Italian full-text, accents ignored), among meetings the actor may see. */
export async function searchMinutes(db: Db, actor: Actor, q: string, limit = 20) {
	const query = q.trim().slice(0, 200);
	if (!query) return [];
	const rows = await db
		.select({ meetingId: minutes.meetingId, status: minutes.status })
		.from(minutes)
		.where(sql`to_tsvector('italian', f_unaccent(${minutes.text})) @@ plainto_tsquery('italian', f_unaccent(${query}))`)
		.limit(limit * 3);
	const out: { meetingId: string; status: MinutesStatus }[] = [];
	for (const r of rows) {
		const ctx = await minutesContext(db, actor, r.meetingId);
		if (ctx && can(actor, 'minutes.read', ctx.mref)) out.push(r);
		if (out.length >= limit) break;
	}
	return out;
}

