/**
 * Discussion threads in tables and in the network-wide Piazza: posts in Markdown (rendered and
 * sanitised here), replies and quotes, edits with history, soft deletes, mentions, subscriptions,
 * read marks and moderation. Every function checks permissions through authz; nobody is told of,
 * or can read, a thread of a table they may not see.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import {
	actionItems,
	agendaItems,
	dirServices,
	notificationPreferences,
	organizations,
	postMentions,
	postRevisions,
	posts,
	tables,
	threadReaders,
	threads,
	users,
	type ThreadLinkKind
} from '../db/schema';
import { can, type Actor, type PostRef, type ThreadRef } from '../authz';
import { DomainError } from '../errors';
import { getActors } from '../network/people';
import { tableRef } from '../network/guards';
import { meetingContext } from '../meetings/meetings';
import { recordAudit } from '../audit';
import { announce, notify } from '../notifications';
import { publish } from '../events';
import { requiredText } from '../validation';
import { excerpt, renderPost } from './markdown';
import { mailImmediately } from './mail';
import { attachToPost, attachmentsOfPosts, type AttachmentInfo } from './attachments';
import { enqueuePosts, enqueueThreadPosts } from '../search/posts';
import { sharedSearchEngine } from '../search/engine';
import type { PostHit, SearchEngine } from '../search/types';

export const MAX_POST_CHARS = 20_000;

const body = z
	.string({ error: 'error_required' })
	.transform((v) => v.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim())
	.pipe(z.string().min(1, 'error_required').max(MAX_POST_CHARS, 'thread_error_too_long'));

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const threadLinkInput = z.object({
	kind: z.enum(['meeting', 'agenda_item', 'action', 'service']),
	id: z.string().max(120)
});

export const threadInput = z.object({
	/** Null or absent: the Piazza. */
	tableId: z.uuid('error_invalid').nullable().default(null),
	title: requiredText(200),
	body,
	link: threadLinkInput.nullable().default(null),
	attachmentIds: z.array(z.uuid('error_invalid')).max(10, 'thread_attachment_error_too_many').default([])
});
export type ThreadInput = z.input<typeof threadInput>;

export const postInput = z.object({
	body,
	replyToId: z.uuid('error_invalid').nullable().default(null),
	attachmentIds: z.array(z.uuid('error_invalid')).max(10, 'thread_attachment_error_too_many').default([])
});
export type PostInput = z.input<typeof postInput>;

export const hideInput = z.object({ reason: requiredText(500) });

const notFound = () => new DomainError('error_not_found', undefined, 404);
const forbidden = () => new DomainError('error_forbidden', undefined, 403);

type ThreadRow = typeof threads.$inferSelect;
type PostRow = typeof posts.$inferSelect;

/** A thread with what permissions need (null when it does not exist or was deleted). */
export async function threadContext(db: Db, id: string) {
	if (!UUID_RE.test(id)) return null;
	const [thread] = await db.select().from(threads).where(and(eq(threads.id, id), isNull(threads.deletedAt)));
	if (!thread) return null;
	let table: typeof tables.$inferSelect | null = null;
	if (thread.tableId) {
		const [t] = await db.select().from(tables).where(eq(tables.id, thread.tableId));
		if (!t || t.deletedAt) return null;
		table = t;
	}
	const ref: ThreadRef = { table: table ? tableRef(table) : null, locked: !!thread.lockedAt };
	return { thread, table, ref };
}

const postRef = (ref: ThreadRef, p: PostRow): PostRef => ({ thread: ref, authorId: p.authorId, deleted: !!p.deletedAt, hidden: !!p.hiddenAt });

/**
 * What a thread is about must be visible to whoever sees the thread: a meeting, agenda item or
 * action puts the thread in its meeting's table; a service (the directory is the network's) may
 * go anywhere.
 */
async function checkLink(db: Db, actor: Actor, link: { kind: ThreadLinkKind; id: string }, tableId: string | null) {
	const seen = await seeLink(db, actor, link.kind, link.id);
	if (!seen) throw new DomainError('thread_error_link', 'link');
	if (seen.meeting && seen.meeting.tableId !== tableId) throw new DomainError('thread_error_link_table', 'link');
}

/**
 * What a thread link points to, if it exists and this person may see it: the service, or the
 * meeting (for an agenda item or an action, the meeting they belong to) with the item's or
 * action's own label.
 */
async function seeLink(db: Db, actor: Actor, kind: ThreadLinkKind, id: string) {
	if (kind === 'service') {
		if (!UUID_RE.test(id)) return null;
		const [s] = await db.select({ name: dirServices.name }).from(dirServices).where(and(eq(dirServices.id, id), isNull(dirServices.deletedAt)));
		return s ? { service: { id, name: s.name }, meeting: null, label: null } : null;
	}
	let meetingId = id;
	let label: string | null = null;
	if (kind === 'agenda_item') {
		const [m, item] = id.split(':');
		if (!m || !item || !UUID_RE.test(m)) return null;
		const [row] = await db.select({ title: agendaItems.title }).from(agendaItems).where(and(eq(agendaItems.meetingId, m), eq(agendaItems.itemId, item)));
		if (!row) return null;
		[meetingId, label] = [m, row.title];
	} else if (kind === 'action') {
		if (!UUID_RE.test(id)) return null;
		const [a] = await db.select({ meetingId: actionItems.meetingId, description: actionItems.description }).from(actionItems).where(eq(actionItems.id, id));
		if (!a) return null;
		[meetingId, label] = [a.meetingId, a.description];
	}
	if (!UUID_RE.test(meetingId)) return null;
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) return null;
	return { service: null, meeting: ctx.meeting, label };
}

/** The people a post mentions who exist, and the active people of the organisations it mentions. */
async function mentionedPeople(db: Db, mentions: { users: string[]; organizations: string[] }) {
	const people = new Set<string>();
	if (mentions.users.length) {
		const rows = await db
			.select({ id: users.id })
			.from(users)
			.where(and(inArray(users.id, mentions.users), isNull(users.deletedAt), isNull(users.disabledAt)));
		for (const r of rows) people.add(r.id);
	}
	let orgs: string[] = [];
	if (mentions.organizations.length) {
		orgs = (await db.select({ id: organizations.id }).from(organizations).where(inArray(organizations.id, mentions.organizations))).map((o) => o.id);
		if (orgs.length) {
			const rows = await db
				.select({ id: users.id })
				.from(users)
				.where(and(inArray(users.organizationId, orgs), isNull(users.deletedAt), isNull(users.disabledAt)));
			for (const r of rows) people.add(r.id);
		}
	}
	return { people: [...people], users: mentions.users.filter((u) => people.has(u)), organizations: orgs };
}

/** Of these people, those who may read the thread (nobody hears of a thread they cannot open). */
async function mayRead(db: Db, ref: ThreadRef, userIds: string[]): Promise<string[]> {
	return (await getActors(db, userIds)).filter((a) => can(a, 'thread.view', ref)).map((a) => a.id);
}

async function setSubscription(db: Db, threadId: string, userId: string, state: 'following' | 'muted' | null, opts: { onlyIfUnset?: boolean } = {}) {
	await db
		.insert(threadReaders)
		.values({ threadId, userId, subscription: state })
		.onConflictDoUpdate({
			target: [threadReaders.threadId, threadReaders.userId],
			set: { subscription: opts.onlyIfUnset ? sql`coalesce(${threadReaders.subscription}, ${state}::subscription_state)` : state, updatedAt: new Date() }
		});
}

async function markReadUpTo(db: Db, threadId: string, userId: string, seq: number) {
	await db
		.insert(threadReaders)
		.values({ threadId, userId, lastReadSeq: seq, lastVisitAt: new Date() })
		.onConflictDoUpdate({
			target: [threadReaders.threadId, threadReaders.userId],
			set: { lastReadSeq: sql`greatest(${threadReaders.lastReadSeq}, ${seq})`, lastVisitAt: new Date(), updatedAt: new Date() }
		});
}

export interface PostNews {
	threadId: string;
	postId: string;
	tableId: string | null;
	seq: number;
	/** People told in the app (and maybe by e-mail), after commit. */
	notified: string[];
}

/**
 * Adds a post (inside the caller's transaction): numbers it, renders it, subscribes the author
 * and the mentioned, tells followers and the mentioned who may read the thread.
 */
async function addPost(tx: Db, actor: Actor, thread: ThreadRow, ref: ThreadRef, input: { body: string; replyToId: string | null; attachmentIds?: string[] }): Promise<PostNews> {
	// One post at a time per thread: the row lock orders the sequence numbers.
	const [locked] = await tx.select({ postCount: threads.postCount }).from(threads).where(eq(threads.id, thread.id)).for('update');
	const seq = (locked?.postCount ?? 0) + 1;
	if (input.replyToId) {
		const [parent] = await tx.select({ id: posts.id }).from(posts).where(and(eq(posts.id, input.replyToId), eq(posts.threadId, thread.id)));
		if (!parent) throw new DomainError('thread_error_reply', 'replyToId');
	}
	const rendered = await renderPost(input.body);
	const now = new Date();
	const [post] = await tx
		.insert(posts)
		.values({ threadId: thread.id, seq, authorId: actor.id, body: input.body, html: rendered.html, text: rendered.text, replyToId: input.replyToId, createdAt: now })
		.returning();
	await tx.update(threads).set({ postCount: seq, lastPostAt: now, updatedAt: now }).where(eq(threads.id, thread.id));
	const mentioned = await mentionedPeople(tx, rendered.mentions);
	if (mentioned.users.length || mentioned.organizations.length)
		await tx.insert(postMentions).values([
			...mentioned.users.map((userId) => ({ postId: post!.id, userId })),
			...mentioned.organizations.map((organizationId) => ({ postId: post!.id, organizationId }))
		]);
	if (input.attachmentIds?.length) await attachToPost(tx, actor, post!.id, thread.id, input.attachmentIds);
	await enqueuePosts(tx, [post!.id]);
	await setSubscription(tx, thread.id, actor.id, 'following', { onlyIfUnset: true });
	await markReadUpTo(tx, thread.id, actor.id, seq);
	const notified = await tellAbout(tx, actor, thread, ref, post!, mentioned.people);
	return { threadId: thread.id, postId: post!.id, tableId: thread.tableId, seq, notified };
}

/** In-app notifications for a new post: the mentioned (who may read it) and the followers. */
async function tellAbout(tx: Db, actor: Actor, thread: ThreadRow, ref: ThreadRef, post: PostRow, mentionedIds: string[]): Promise<string[]> {
	const link = `/threads/${thread.id}#post-${post.seq}`;
	const params = { title: thread.title, excerpt: excerpt(post.text, 120) };
	const mentionReaders = await mayRead(tx, ref, mentionedIds.filter((id) => id !== actor.id));
	for (const id of mentionReaders) await setSubscription(tx, thread.id, id, 'following', { onlyIfUnset: true });
	const followers = await tx
		.select({ userId: threadReaders.userId })
		.from(threadReaders)
		.where(and(eq(threadReaders.threadId, thread.id), eq(threadReaders.subscription, 'following')));
	const mentionedSet = new Set(mentionReaders);
	const followerReaders = await mayRead(
		tx,
		ref,
		followers.map((f) => f.userId).filter((id) => id !== actor.id && !mentionedSet.has(id))
	);
	const mentionedTold = await notify(tx, mentionReaders, { kind: 'notif_thread_mention', params, link, actorId: actor.id });
	const followersTold = await notify(tx, followerReaders, { kind: 'notif_thread_post', params, link, actorId: actor.id });
	const author = await authorName(tx, actor.id);
	await mailImmediately(tx, mentionedTold, { kind: 'notif_thread_mention', title: thread.title, excerpt: params.excerpt, author, link });
	await mailImmediately(tx, followersTold, { kind: 'notif_thread_post', title: thread.title, excerpt: params.excerpt, author, link });
	return [...mentionedTold, ...followersTold];
}

async function authorName(db: Db, userId: string): Promise<string> {
	const [u] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
	return u?.name ?? '';
}

function afterCommit(news: PostNews) {
	publish('post.created', { threadId: news.threadId, tableId: news.tableId, postId: news.postId, seq: news.seq });
	announce(news.notified);
}

/** Starts a thread with its first post. */
export async function createThread(db: Db, actor: Actor, raw: ThreadInput): Promise<{ id: string; seq: number }> {
	const input = threadInput.parse(raw);
	let ref: ThreadRef = { table: null, locked: false };
	if (input.tableId) {
		const [t] = await db.select().from(tables).where(and(eq(tables.id, input.tableId), isNull(tables.deletedAt)));
		if (!t) throw notFound();
		ref = { table: tableRef(t), locked: false };
		if (!can(actor, 'thread.view', ref)) throw notFound();
	}
	if (!can(actor, 'thread.create', ref.table)) throw forbidden();
	if (input.link) await checkLink(db, actor, input.link, input.tableId);
	const news = await db.transaction(async (tx) => {
		const [thread] = await tx
			.insert(threads)
			.values({ tableId: input.tableId, title: input.title, linkKind: input.link?.kind ?? null, linkId: input.link?.id ?? null, createdBy: actor.id })
			.returning();
		return addPost(tx as unknown as Db, actor, thread!, ref, { body: input.body, replyToId: null, attachmentIds: input.attachmentIds });
	});
	afterCommit(news);
	return { id: news.threadId, seq: news.seq };
}

/** Replies in a thread. */
export async function createPost(db: Db, actor: Actor, threadId: string, raw: PostInput): Promise<{ id: string; seq: number }> {
	const input = postInput.parse(raw);
	const ctx = await threadContext(db, threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	if (!can(actor, 'post.create', ctx.ref)) throw new DomainError(ctx.ref.locked ? 'thread_error_locked' : 'error_forbidden', undefined, 403);
	const news = await db.transaction(async (tx) => {
		// Locked meanwhile? The row lock in addPost orders this against lockThread.
		const [now] = await tx.select({ lockedAt: threads.lockedAt }).from(threads).where(eq(threads.id, threadId)).for('update');
		const ref = { ...ctx.ref, locked: !!now?.lockedAt };
		if (!can(actor, 'post.create', ref)) throw new DomainError('thread_error_locked', undefined, 403);
		return addPost(tx as unknown as Db, actor, ctx.thread, ref, input);
	});
	afterCommit(news);
	return { id: news.postId, seq: news.seq };
}

async function postContext(db: Db, actor: Actor, postId: string) {
	if (!UUID_RE.test(postId)) throw notFound();
	const [post] = await db.select().from(posts).where(eq(posts.id, postId));
	if (!post) throw notFound();
	const ctx = await threadContext(db, post.threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	return { post, ...ctx };
}

/** An author changes their post: the old text goes to its history; newly mentioned people hear of it. */
export async function editPost(db: Db, actor: Actor, postId: string, raw: { body: string }): Promise<void> {
	const { body: text } = z.object({ body }).parse(raw);
	const { post, thread, ref } = await postContext(db, actor, postId);
	if (!can(actor, 'post.edit', postRef(ref, post))) throw forbidden();
	if (text === post.body) return;
	const notified = await db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		const rendered = await renderPost(text);
		await t.insert(postRevisions).values({ postId, body: post.body, replacedBy: actor.id });
		await t.update(posts).set({ body: text, html: rendered.html, text: rendered.text, editedAt: new Date() }).where(eq(posts.id, postId));
		await enqueuePosts(t, [postId]);
		const before = await t.select().from(postMentions).where(eq(postMentions.postId, postId));
		const mentioned = await mentionedPeople(t, rendered.mentions);
		await t.delete(postMentions).where(eq(postMentions.postId, postId));
		if (mentioned.users.length || mentioned.organizations.length)
			await t.insert(postMentions).values([
				...mentioned.users.map((userId) => ({ postId, userId })),
				...mentioned.organizations.map((organizationId) => ({ postId, organizationId }))
			]);
		// Only people not mentioned before are told (an edit does not ring everyone again).
		const beforePeople = new Set((await mentionedPeople(t, { users: before.flatMap((b) => (b.userId ? [b.userId] : [])), organizations: before.flatMap((b) => (b.organizationId ? [b.organizationId] : [])) })).people);
		const fresh = await mayRead(t, ref, mentioned.people.filter((id) => !beforePeople.has(id) && id !== actor.id));
		for (const id of fresh) await setSubscription(t, thread.id, id, 'following', { onlyIfUnset: true });
		const news = { kind: 'notif_thread_mention' as const, title: thread.title, excerpt: excerpt(rendered.text, 120), link: `/threads/${thread.id}#post-${post.seq}` };
		const told = await notify(t, fresh, { kind: news.kind, params: { title: news.title, excerpt: news.excerpt }, link: news.link, actorId: actor.id });
		await mailImmediately(t, told, { ...news, author: await authorName(t, actor.id) });
		return told;
	});
	publish('post.updated', { threadId: thread.id, tableId: thread.tableId, postId });
	announce(notified);
}

/** Soft delete: the post keeps its place ("message deleted"), its text leaves every page. */
export async function deletePost(db: Db, actor: Actor, postId: string): Promise<void> {
	const { post, thread, ref } = await postContext(db, actor, postId);
	if (!can(actor, 'post.delete', postRef(ref, post))) throw forbidden();
	await db.transaction(async (tx) => {
		await tx.update(posts).set({ deletedAt: new Date(), deletedBy: actor.id }).where(eq(posts.id, postId));
		await enqueuePosts(tx as unknown as Db, [postId]);
		if (post.authorId !== actor.id)
			await recordAudit(tx as unknown as Db, { actorId: actor.id, action: 'post.delete', entityType: 'post', entityId: postId, data: { threadId: thread.id } });
	});
	publish('post.updated', { threadId: thread.id, tableId: thread.tableId, postId });
}

/** Moderators hide a post with a reason (shown in its place), or show it again. */
export async function setPostHidden(db: Db, actor: Actor, postId: string, hidden: { reason: string } | null): Promise<void> {
	const reason = hidden ? hideInput.parse(hidden).reason : null;
	const { post, thread, ref } = await postContext(db, actor, postId);
	if (!can(actor, 'thread.moderate', ref)) throw forbidden();
	await db.transaction(async (tx) => {
		await tx
			.update(posts)
			.set(reason ? { hiddenAt: new Date(), hiddenBy: actor.id, hiddenReason: reason } : { hiddenAt: null, hiddenBy: null, hiddenReason: null })
			.where(eq(posts.id, post.id));
		await enqueuePosts(tx as unknown as Db, [post.id]);
		await recordAudit(tx as unknown as Db, { actorId: actor.id, action: reason ? 'post.hide' : 'post.unhide', entityType: 'post', entityId: post.id, data: { threadId: thread.id, reason } });
	});
	publish('post.updated', { threadId: thread.id, tableId: thread.tableId, postId });
}

async function moderate(db: Db, actor: Actor, threadId: string) {
	const ctx = await threadContext(db, threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	if (!can(actor, 'thread.moderate', ctx.ref)) throw forbidden();
	return ctx;
}

export async function setThreadPinned(db: Db, actor: Actor, threadId: string, pinned: boolean) {
	const { thread } = await moderate(db, actor, threadId);
	await db.transaction(async (tx) => {
		await tx.update(threads).set({ pinnedAt: pinned ? new Date() : null }).where(eq(threads.id, threadId));
		await recordAudit(tx as unknown as Db, { actorId: actor.id, action: pinned ? 'thread.pin' : 'thread.unpin', entityType: 'thread', entityId: threadId });
	});
	publish('thread.changed', { threadId, tableId: thread.tableId });
}

export async function setThreadLocked(db: Db, actor: Actor, threadId: string, locked: boolean) {
	const { thread } = await moderate(db, actor, threadId);
	await db.transaction(async (tx) => {
		await tx.update(threads).set(locked ? { lockedAt: new Date(), lockedBy: actor.id } : { lockedAt: null, lockedBy: null }).where(eq(threads.id, threadId));
		await recordAudit(tx as unknown as Db, { actorId: actor.id, action: locked ? 'thread.lock' : 'thread.unlock', entityType: 'thread', entityId: threadId });
	});
	publish('thread.changed', { threadId, tableId: thread.tableId });
}

/**
 * Moves a thread to another table or to the Piazza (null). The moderator must moderate both places.
 * Links to a meeting, item or action bind a thread to its table: those threads do not move.
 */
export async function moveThread(db: Db, actor: Actor, threadId: string, toTableId: string | null) {
	const { thread } = await moderate(db, actor, threadId);
	if (thread.tableId === toTableId) return;
	if (thread.linkKind && thread.linkKind !== 'service') throw new DomainError('thread_error_move_linked');
	let target: ThreadRef = { table: null, locked: !!thread.lockedAt };
	if (toTableId) {
		const [t] = await db.select().from(tables).where(and(eq(tables.id, toTableId), isNull(tables.deletedAt)));
		if (!t) throw notFound();
		target = { table: tableRef(t), locked: !!thread.lockedAt };
	}
	if (!can(actor, 'thread.moderate', target)) throw forbidden();
	await db.transaction(async (tx) => {
		await tx.update(threads).set({ tableId: toTableId, updatedAt: new Date() }).where(eq(threads.id, threadId));
		await enqueueThreadPosts(tx as unknown as Db, threadId);
		await recordAudit(tx as unknown as Db, { actorId: actor.id, action: 'thread.move', entityType: 'thread', entityId: threadId, data: { from: thread.tableId, to: toTableId } });
	});
	publish('thread.changed', { threadId, tableId: thread.tableId });
	publish('thread.changed', { threadId, tableId: toTableId });
}

/** Follow, mute, or go back to neither. */
export async function setFollowing(db: Db, actor: Actor, threadId: string, state: 'following' | 'muted' | null) {
	const ctx = await threadContext(db, threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	await setSubscription(db, threadId, actor.id, state);
}

/** Records that the person has read the thread up to post `seq`. */
export async function markThreadRead(db: Db, actor: Actor, threadId: string, seq: number) {
	const ctx = await threadContext(db, threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	await markReadUpTo(db, threadId, actor.id, Math.max(0, Math.min(seq, ctx.thread.postCount)));
}

export interface ThreadSummary {
	id: string;
	title: string;
	tableId: string | null;
	linkKind: ThreadLinkKind | null;
	linkId: string | null;
	pinned: boolean;
	locked: boolean;
	postCount: number;
	unread: number;
	lastPostAt: Date;
	createdBy: string;
	authorName: string;
	subscription: 'following' | 'muted' | null;
}

/** Threads of a table, of the Piazza (tableId null) or about something, newest activity first (pinned on top). */
export async function listThreads(
	db: Db,
	actor: Actor,
	where: { tableId: string | null } | { link: { kind: ThreadLinkKind; id: string } } | { aboutMeeting: string },
	opts: { limit?: number } = {}
): Promise<ThreadSummary[]> {
	const conds = [isNull(threads.deletedAt)];
	if ('tableId' in where) conds.push(where.tableId ? eq(threads.tableId, where.tableId) : isNull(threads.tableId));
	else if ('link' in where) conds.push(eq(threads.linkKind, where.link.kind), eq(threads.linkId, where.link.id));
	else {
		// A meeting's threads: about the meeting, one of its agenda items or one of its actions.
		const m = where.aboutMeeting;
		conds.push(
			sql`((${threads.linkKind} = 'meeting' and ${threads.linkId} = ${m})
				or (${threads.linkKind} = 'agenda_item' and ${threads.linkId} like ${`${m}:%`})
				or (${threads.linkKind} = 'action' and ${threads.linkId} in (select ${actionItems.id}::text from ${actionItems} where ${actionItems.meetingId} = ${m}::uuid)))`
		);
	}
	const rows = await db
		.select({
			thread: threads,
			authorName: users.name,
			lastReadSeq: threadReaders.lastReadSeq,
			subscription: threadReaders.subscription,
			table: tables
		})
		.from(threads)
		.innerJoin(users, eq(users.id, threads.createdBy))
		.leftJoin(tables, eq(tables.id, threads.tableId))
		.leftJoin(threadReaders, and(eq(threadReaders.threadId, threads.id), eq(threadReaders.userId, actor.id)))
		.where(and(...conds))
		.orderBy(sql`${threads.pinnedAt} is null`, desc(threads.lastPostAt))
		.limit(opts.limit ?? 200);
	return rows
		.filter((r) => {
			if (r.table?.deletedAt) return false;
			const ref: ThreadRef = { table: r.table ? tableRef(r.table) : null, locked: !!r.thread.lockedAt };
			return can(actor, 'thread.view', ref);
		})
		.map((r) => ({
			id: r.thread.id,
			title: r.thread.title,
			tableId: r.thread.tableId,
			linkKind: r.thread.linkKind,
			linkId: r.thread.linkId,
			pinned: !!r.thread.pinnedAt,
			locked: !!r.thread.lockedAt,
			postCount: r.thread.postCount,
			unread: Math.max(0, r.thread.postCount - (r.lastReadSeq ?? 0)),
			lastPostAt: r.thread.lastPostAt,
			createdBy: r.thread.createdBy,
			authorName: r.authorName,
			subscription: r.subscription ?? null
		}));
}

/** Unread posts per place (table id, or 'piazza') over the threads the person may read. */
export async function unreadByPlace(db: Db, actor: Actor): Promise<Record<string, number>> {
	const rows = await db
		.select({
			tableId: threads.tableId,
			visibility: tables.visibility,
			archivedAt: tables.archivedAt,
			tableDeleted: tables.deletedAt,
			unread: sql<number>`sum(greatest(0, ${threads.postCount} - coalesce(${threadReaders.lastReadSeq}, 0)))::int`
		})
		.from(threads)
		.leftJoin(tables, eq(tables.id, threads.tableId))
		.leftJoin(threadReaders, and(eq(threadReaders.threadId, threads.id), eq(threadReaders.userId, actor.id)))
		.where(and(isNull(threads.deletedAt), sql`coalesce(${threadReaders.subscription}::text, '') <> 'muted'`))
		.groupBy(threads.tableId, tables.visibility, tables.archivedAt, tables.deletedAt);
	const out: Record<string, number> = {};
	for (const r of rows) {
		if (r.tableDeleted) continue;
		const ref: ThreadRef = { table: r.tableId ? { id: r.tableId, visibility: r.visibility!, archived: !!r.archivedAt } : null, locked: false };
		if (!can(actor, 'thread.view', ref)) continue;
		if (Number(r.unread) > 0) out[r.tableId ?? 'piazza'] = Number(r.unread);
	}
	return out;
}

export interface PostView {
	id: string;
	seq: number;
	authorId: string;
	authorName: string;
	authorOrganization: string | null;
	/** Null when deleted, or hidden from this reader. */
	html: string | null;
	body: string | null;
	replyToSeq: number | null;
	createdAt: Date;
	editedAt: Date | null;
	deleted: boolean;
	hidden: { reason: string } | null;
	canEdit: boolean;
	canDelete: boolean;
	/** Files of the post (none when its text is not shown). */
	attachments: AttachmentInfo[];
}

/** A thread with its posts as this person may see them, and where they had read up to. */
export async function getThread(db: Db, actor: Actor, threadId: string) {
	const ctx = await threadContext(db, threadId);
	if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
	const moderator = can(actor, 'thread.moderate', ctx.ref);
	const rows = await db
		.select({ post: posts, authorName: users.name, authorOrganization: organizations.name })
		.from(posts)
		.innerJoin(users, eq(users.id, posts.authorId))
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(eq(posts.threadId, threadId))
		.orderBy(asc(posts.seq));
	const seqById = new Map(rows.map((r) => [r.post.id, r.post.seq]));
	const files = await attachmentsOfPosts(db, rows.map((r) => r.post.id));
	const [reader] = await db
		.select()
		.from(threadReaders)
		.where(and(eq(threadReaders.threadId, threadId), eq(threadReaders.userId, actor.id)));
	const postsView: PostView[] = rows.map(({ post, authorName, authorOrganization }) => {
		const ref = postRef(ctx.ref, post);
		const deleted = !!post.deletedAt;
		const hiddenFromMe = !!post.hiddenAt && !moderator;
		return {
			id: post.id,
			seq: post.seq,
			authorId: post.authorId,
			authorName,
			authorOrganization,
			html: deleted || hiddenFromMe ? null : post.html,
			body: deleted || hiddenFromMe ? null : post.body,
			replyToSeq: post.replyToId ? (seqById.get(post.replyToId) ?? null) : null,
			createdAt: post.createdAt,
			editedAt: post.editedAt,
			deleted,
			hidden: post.hiddenAt ? { reason: post.hiddenReason ?? '' } : null,
			canEdit: can(actor, 'post.edit', ref),
			canDelete: can(actor, 'post.delete', ref),
			attachments: deleted || hiddenFromMe ? [] : (files.get(post.id) ?? [])
		};
	});
	return {
		thread: ctx.thread,
		table: ctx.table ? { id: ctx.table.id, name: ctx.table.name } : null,
		posts: postsView,
		lastReadSeq: reader?.lastReadSeq ?? 0,
		subscription: reader?.subscription ?? null,
		can: {
			reply: can(actor, 'post.create', ctx.ref),
			moderate: moderator
		}
	};
}

/** The earlier texts of a post, newest first (for whoever may read the thread; not of deleted or hidden posts). */
export async function postHistory(db: Db, actor: Actor, postId: string) {
	const { post, ref } = await postContext(db, actor, postId);
	if (post.deletedAt || (post.hiddenAt && !can(actor, 'thread.moderate', ref))) throw notFound();
	return db
		.select({ body: postRevisions.body, replacedAt: postRevisions.replacedAt, replacedBy: users.name })
		.from(postRevisions)
		.innerJoin(users, eq(users.id, postRevisions.replacedBy))
		.where(eq(postRevisions.postId, postId))
		.orderBy(desc(postRevisions.replacedAt));
}

/** How this person wants to hear of threads. */
export async function getNotificationMode(db: Db, userId: string) {
	const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
	return row?.threads ?? 'in_app';
}

export async function setNotificationMode(db: Db, actor: Actor, mode: 'in_app' | 'immediate' | 'digest') {
	const parsed = z.enum(['in_app', 'immediate', 'digest']).parse(mode);
	await db
		.insert(notificationPreferences)
		.values({ userId: actor.id, threads: parsed })
		.onConflictDoUpdate({ target: notificationPreferences.userId, set: { threads: parsed, updatedAt: new Date() } });
}

/** People and organisations to mention, by name (the editor's autocomplete). */
export async function mentionCandidates(db: Db, q: string, limit = 8) {
	const term = q.trim().slice(0, 60);
	if (!term) return [];
	const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	const people = await db
		.select({ id: users.id, name: users.name, organization: organizations.name })
		.from(users)
		.leftJoin(organizations, eq(organizations.id, users.organizationId))
		.where(and(isNull(users.deletedAt), isNull(users.disabledAt), sql`f_unaccent(${users.name}) ilike f_unaccent(${pattern})`))
		.orderBy(asc(users.name))
		.limit(limit);
	const orgs = await db
		.select({ id: organizations.id, name: organizations.name })
		.from(organizations)
		.where(and(isNull(organizations.deletedAt), sql`f_unaccent(${organizations.name}) ilike f_unaccent(${pattern})`))
		.orderBy(asc(organizations.name))
		.limit(Math.max(2, Math.floor(limit / 2)));
	return [
		...people.map((p) => ({ kind: 'user' as const, id: p.id, name: p.name, detail: p.organization })),
		...orgs.map((o) => ({ kind: 'org' as const, id: o.id, name: o.name, detail: null }))
	].slice(0, limit);
}

export type { PostHit };

/**
 * Full-text search in the posts this person may read, through the search layer (Postgres
 * full-text by default, Meilisearch when configured): authz decides the places (the Piazza and
 * the tables whose threads the person may see); deleted and hidden posts never match.
 */
export async function searchPosts(
	db: Db,
	actor: Actor,
	q: string,
	opts: { tableId?: string | null; limit?: number; engine?: SearchEngine } = {}
): Promise<PostHit[]> {
	const text = q.trim().slice(0, 200);
	if (!text) return [];
	const rows = await db.select().from(tables).where(isNull(tables.deletedAt));
	const places = rows.filter((t) => can(actor, 'thread.view', { table: tableRef(t), locked: false })).map((t) => t.id);
	if (can(actor, 'thread.view', { table: null, locked: false })) places.push('piazza');
	const engine = opts.engine ?? sharedSearchEngine(() => db);
	return engine.searchPosts({ q: text, places, tableId: opts.tableId, limit: opts.limit ?? 30 });
}

/**
 * What a thread link points to, as this person may see it: a label and a page (null when it is
 * gone or not visible to them — the thread then shows no link).
 */
export async function describeLink(db: Db, actor: Actor, kind: ThreadLinkKind, id: string): Promise<{ label: string; href: string; kind: ThreadLinkKind } | null> {
	const seen = await seeLink(db, actor, kind, id);
	if (!seen) return null;
	if (seen.service) return { kind, label: seen.service.name, href: `/directory/services/${seen.service.id}` };
	const meeting = seen.meeting!;
	return { kind, label: seen.label ? `${seen.label} — ${meeting.title}` : meeting.title, href: `/meetings/${meeting.id}` };
}

/** Places where this person may start a thread: the Piazza (null) and tables. */
export async function threadPlaces(db: Db, actor: Actor) {
	const rows = await db.select().from(tables).where(and(isNull(tables.deletedAt), isNull(tables.archivedAt))).orderBy(asc(tables.name));
	return rows.filter((t) => can(actor, 'thread.view', { table: tableRef(t), locked: false }) && can(actor, 'thread.create', tableRef(t))).map((t) => ({ id: t.id, name: t.name }));
}
