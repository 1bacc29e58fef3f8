/**
 * Files attached to posts: documents and images that professionals exchange (never case files of
 * beneficiaries: the hub does not hold them). An upload is checked (who may post there, size, what
 * the bytes are), stored under DATA_DIR by a random key, and waits unattached until the post that
 * carries it is saved; `attachToPost` binds it inside that post's transaction. Reading follows the
 * post: whoever may read the thread, while the post stands (moderators also while it is hidden).
 * Anything else is "not found", so nobody learns that a file exists.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { and, count, eq, inArray, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { postAttachments, posts, tables } from '../db/schema';
import { can, type Actor, type ThreadRef } from '../authz';
import { getConfig } from '../config';
import { DomainError } from '../errors';
import { tableRef } from '../network/guards';
import { threadContext } from './threads';
import { attachmentTypes, extensionOf, inlineImageTypes, sniff, type AttachmentType } from './sniff';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_POST = 10;
/** Uploads one person may hold unattached at a time (a full disk is not a composer feature). */
export const MAX_PENDING_UPLOADS = 30;
export const MAX_FILE_NAME_CHARS = 200;
/** Unattached uploads older than this are purged. */
export const ORPHAN_TTL_MS = 24 * 3600_000;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_RE = /^[0-9a-f]{32}$/;

export interface StorageOptions {
	/** Root of stored data (files go to `<dataDir>/attachments`); default: DATA_DIR. */
	dataDir?: string;
}

/** Where an upload goes: an existing thread, or a thread about to be started in a table or the Piazza (null). */
export type UploadPlace = { threadId: string } | { tableId: string | null };

export interface UploadFile {
	name: string;
	/** The browser's claim; recorded nowhere, the bytes decide. */
	type?: string;
	bytes: Uint8Array;
}

export interface AttachmentInfo {
	id: string;
	fileName: string;
	mediaType: string;
	size: number;
}

const notFound = () => new DomainError('error_not_found', undefined, 404);
const invalidIds = () => new DomainError('thread_attachment_error_invalid', 'attachments');

const attachmentsRoot = (opts: StorageOptions = {}) => path.resolve(opts.dataDir ?? getConfig().dataDir, 'attachments');

/** The file of a storage key (keys are random hex: checked, so a row can never point elsewhere). */
export function attachmentPath(storageKey: string, opts: StorageOptions = {}): string {
	if (!KEY_RE.test(storageKey)) throw new Error('invalid attachment storage key');
	return path.join(attachmentsRoot(opts), storageKey.slice(0, 2), storageKey);
}

// Bidirectional overrides and isolates let "fattura‮fdp.exe" look like "fattura.pdf"; zero-width
// and line-separator characters hide or break names in lists.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name safe to show and to offer for download: no folders, no control or direction
 * characters, no characters file systems reserve, Unicode kept (NFC), at most 200 characters, and
 * an extension that matches what the file is (a PNG called "verbale.pdf" becomes "verbale.pdf.png").
 */
export function sanitizeFileName(raw: string, mediaType?: AttachmentType): string {
	let name = raw.normalize('NFC').replace(INVISIBLE, '');
	name = name.split(/[/\\]/).pop() ?? '';
	name = name
		.replace(/[<>:"|?*]/g, '_')
		.replace(/\s+/g, ' ')
		.replace(/^[\s.]+/, '')
		.replace(/[\s.]+$/, '');
	if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
	if (!name) name = 'allegato';
	const own = extensionOf(name);
	const allowed: readonly string[] = mediaType ? attachmentTypes[mediaType] : [];
	const added = mediaType && !allowed.includes(own) ? `.${allowed[0]}` : '';
	// Over the limit: shorten the stem and keep the extension the file is opened by.
	const kept = added ? '' : own ? `.${own}` : '';
	const stem = kept ? name.slice(0, -kept.length) : name;
	const budget = MAX_FILE_NAME_CHARS - [...added].length - [...kept].length;
	const chars = [...stem];
	const short = chars.length > budget ? chars.slice(0, budget).join('').replace(/[\s.]+$/, '') || 'allegato' : stem;
	return short + kept + added;
}

/** The ThreadRef a new post or thread would have, after checking the actor may post there. */
async function placeRef(db: Db, actor: Actor, place: UploadPlace): Promise<{ threadId: string | null; ref: ThreadRef }> {
	if ('threadId' in place) {
		const ctx = await threadContext(db, place.threadId);
		if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
		if (!can(actor, 'post.create', ctx.ref)) throw new DomainError(ctx.ref.locked ? 'thread_error_locked' : 'error_forbidden', undefined, 403);
		return { threadId: ctx.thread.id, ref: ctx.ref };
	}
	let ref: ThreadRef = { table: null, locked: false };
	if (place.tableId !== null) {
		if (!UUID_RE.test(place.tableId)) throw notFound();
		const [t] = await db.select().from(tables).where(and(eq(tables.id, place.tableId), isNull(tables.deletedAt)));
		if (!t) throw notFound();
		ref = { table: tableRef(t), locked: false };
		if (!can(actor, 'thread.view', ref)) throw notFound();
	}
	if (!can(actor, 'thread.create', ref.table)) throw new DomainError('error_forbidden', undefined, 403);
	return { threadId: null, ref };
}

/** Writes the bytes to a temporary file beside the target, flushes it, then renames it into place. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
	const dir = path.dirname(file);
	await mkdir(dir, { recursive: true });
	const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		const fh = await open(tmp, 'wx', 0o600);
		try {
			await fh.writeFile(bytes);
			await fh.sync();
		} finally {
			await fh.close();
		}
		await rename(tmp, file);
	} catch (err) {
		await rm(tmp, { force: true });
		throw err;
	}
}

/**
 * Stores an upload for a post not yet written. Checks, in this order: the actor may post there
 * (404 for a place they may not see, 403 when they may not write), how many uploads they hold
 * unattached, the size (413), and what the bytes are (refused: 400 `thread_attachment_error_type`).
 */
export async function storeUpload(db: Db, actor: Actor, place: UploadPlace, file: UploadFile, opts: StorageOptions = {}): Promise<AttachmentInfo> {
	const { threadId } = await placeRef(db, actor, place);
	const [pending] = await db
		.select({ n: count() })
		.from(postAttachments)
		.where(and(eq(postAttachments.uploadedBy, actor.id), isNull(postAttachments.postId), isNull(postAttachments.deletedAt)));
	if (Number(pending?.n ?? 0) >= MAX_PENDING_UPLOADS) throw new DomainError('thread_attachment_error_pending', 'file', 429);
	if (file.bytes.byteLength > MAX_ATTACHMENT_BYTES) throw new DomainError('thread_attachment_error_too_large', 'file', 413);
	if (file.bytes.byteLength === 0) throw new DomainError('thread_attachment_error_empty', 'file');
	const sniffed = sniff(file.bytes, file.name);
	if (!sniffed.ok) throw new DomainError('thread_attachment_error_type', 'file');
	const fileName = sanitizeFileName(file.name, sniffed.mediaType);
	const sha256 = createHash('sha256').update(file.bytes).digest('hex');
	const storageKey = randomBytes(16).toString('hex');
	const target = attachmentPath(storageKey, opts);
	await writeAtomically(target, file.bytes);
	try {
		const [row] = await db
			.insert(postAttachments)
			.values({ postId: null, uploadedBy: actor.id, threadId, fileName, mediaType: sniffed.mediaType, size: file.bytes.byteLength, sha256, storageKey })
			.returning({ id: postAttachments.id });
		return { id: row!.id, fileName, mediaType: sniffed.mediaType, size: file.bytes.byteLength };
	} catch (err) {
		await rm(target, { force: true });
		throw err;
	}
}

/**
 * Binds uploads to a post, inside the transaction that saves the post (a failure here must roll
 * the post back). Only the author's own unattached uploads qualify: those made for this thread, and
 * for the thread's first post also those made for a new thread. At most 10 per post. Throws
 * `thread_attachment_error_invalid` (400) when any id does not qualify, `…_too_many` over the cap.
 */
export async function attachToPost(tx: Db, actor: Actor, postId: string, threadId: string, attachmentIds: readonly string[]): Promise<AttachmentInfo[]> {
	const ids = [...new Set(attachmentIds)];
	if (ids.length === 0) return [];
	if (ids.length > MAX_ATTACHMENTS_PER_POST) throw new DomainError('thread_attachment_error_too_many', 'attachments');
	if (!ids.every((id) => UUID_RE.test(id)) || !UUID_RE.test(postId) || !UUID_RE.test(threadId)) throw invalidIds();
	const [post] = await tx
		.select({ authorId: posts.authorId, seq: posts.seq })
		.from(posts)
		.where(and(eq(posts.id, postId), eq(posts.threadId, threadId)));
	if (!post || post.authorId !== actor.id) throw invalidIds();
	const [already] = await tx
		.select({ n: count() })
		.from(postAttachments)
		.where(and(eq(postAttachments.postId, postId), isNull(postAttachments.deletedAt)));
	if (Number(already?.n ?? 0) + ids.length > MAX_ATTACHMENTS_PER_POST) throw new DomainError('thread_attachment_error_too_many', 'attachments');
	// Uploads for a new thread carry no thread id yet; they may only open a thread (its first post).
	const forThread: SQL = post.seq === 1 ? or(eq(postAttachments.threadId, threadId), isNull(postAttachments.threadId))! : eq(postAttachments.threadId, threadId);
	const rows = await tx
		.update(postAttachments)
		.set({ postId, threadId })
		.where(
			and(
				inArray(postAttachments.id, ids),
				eq(postAttachments.uploadedBy, actor.id),
				isNull(postAttachments.postId),
				isNull(postAttachments.deletedAt),
				forThread
			)
		)
		.returning({ id: postAttachments.id, fileName: postAttachments.fileName, mediaType: postAttachments.mediaType, size: postAttachments.size });
	if (rows.length !== ids.length) throw invalidIds();
	const order = new Map(ids.map((id, i) => [id, i]));
	return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/**
 * The attachments of these posts, by post id, in upload order. No permission check: for pages
 * that already decided which posts (and which post bodies) the reader sees.
 */
export async function attachmentsOfPosts(db: Db, postIds: readonly string[]): Promise<Map<string, AttachmentInfo[]>> {
	const out = new Map<string, AttachmentInfo[]>();
	if (postIds.length === 0) return out;
	const rows = await db
		.select({ id: postAttachments.id, postId: postAttachments.postId, fileName: postAttachments.fileName, mediaType: postAttachments.mediaType, size: postAttachments.size, createdAt: postAttachments.createdAt })
		.from(postAttachments)
		.where(and(inArray(postAttachments.postId, [...postIds]), isNull(postAttachments.deletedAt)))
		.orderBy(postAttachments.createdAt, postAttachments.id);
	for (const r of rows) {
		const list = out.get(r.postId!) ?? [];
		list.push({ id: r.id, fileName: r.fileName, mediaType: r.mediaType, size: r.size });
		out.set(r.postId!, list);
	}
	return out;
}

export interface StoredAttachment extends AttachmentInfo {
	sha256: string;
	createdAt: Date;
	/** The bytes as a web stream (for a Response body). */
	stream(): ReadableStream<Uint8Array>;
	/** The bytes at once (at most 10 MB). */
	bytes(): Promise<Uint8Array>;
}

/**
 * An attachment and its bytes, for someone who may read it: whoever may read the post's thread
 * while the post stands (hidden posts: moderators only); an unattached upload only its uploader.
 * Anything else — no such id, a removed file, a deleted post or thread — is 404.
 */
export async function readAttachment(db: Db, actor: Actor, id: string, opts: StorageOptions = {}): Promise<StoredAttachment> {
	if (!UUID_RE.test(id)) throw notFound();
	const [row] = await db
		.select()
		.from(postAttachments)
		.where(and(eq(postAttachments.id, id), isNull(postAttachments.deletedAt)));
	if (!row) throw notFound();
	if (row.postId === null) {
		if (row.uploadedBy !== actor.id) throw notFound();
	} else {
		const [post] = await db.select().from(posts).where(eq(posts.id, row.postId));
		if (!post || post.deletedAt) throw notFound();
		const ctx = await threadContext(db, post.threadId);
		if (!ctx || !can(actor, 'thread.view', ctx.ref)) throw notFound();
		if (post.hiddenAt && !can(actor, 'thread.moderate', ctx.ref)) throw notFound();
	}
	const file = attachmentPath(row.storageKey, opts);
	try {
		const st = await stat(file);
		if (!st.isFile()) throw notFound();
	} catch (err) {
		if (err instanceof DomainError) throw err;
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound();
		throw err;
	}
	return {
		id: row.id,
		fileName: row.fileName,
		mediaType: row.mediaType,
		size: row.size,
		sha256: row.sha256,
		createdAt: row.createdAt,
		stream: () => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
		bytes: async () => {
			const fh = await open(file, 'r');
			try {
				return new Uint8Array(await fh.readFile());
			} finally {
				await fh.close();
			}
		}
	};
}

/** The uploader takes back an upload not yet in a post (the composer's "remove"). 404 otherwise. */
export async function discardUpload(db: Db, actor: Actor, id: string, opts: StorageOptions = {}): Promise<void> {
	if (!UUID_RE.test(id)) throw notFound();
	const [row] = await db
		.delete(postAttachments)
		.where(and(eq(postAttachments.id, id), eq(postAttachments.uploadedBy, actor.id), isNull(postAttachments.postId)))
		.returning({ storageKey: postAttachments.storageKey });
	if (!row) throw notFound();
	await rm(attachmentPath(row.storageKey, opts), { force: true });
}

/**
 * Deletes uploads that never became part of a post and are older than `olderThan` (default: a day
 * ago), rows first and then files, so a post saved meanwhile keeps its file: the delete's
 * condition (no post) is re-checked on the row it would remove. Returns how many went.
 */
export async function purgeOrphans(db: Db, olderThan: Date = new Date(Date.now() - ORPHAN_TTL_MS), opts: StorageOptions = {}): Promise<number> {
	const rows = await db
		.delete(postAttachments)
		.where(and(isNull(postAttachments.postId), lt(postAttachments.createdAt, olderThan)))
		.returning({ storageKey: postAttachments.storageKey });
	for (const r of rows) {
		if (KEY_RE.test(r.storageKey)) await rm(attachmentPath(r.storageKey, opts), { force: true });
	}
	return rows.length;
}

/** RFC 8187 encoding for `filename*` (encodeURIComponent leaves a few characters the header grammar does not allow). */
const rfc8187 = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Response headers for serving an attachment: the sniffed type (never the uploader's), images
 * inline and everything else as a download, no sniffing, a sandbox with nothing allowed, and
 * private caching only.
 */
export function attachmentHeaders(a: Pick<StoredAttachment, 'fileName' | 'mediaType' | 'size' | 'sha256'>): Headers {
	const inline = inlineImageTypes.has(a.mediaType);
	const ascii = a.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const h = new Headers();
	h.set('Content-Type', a.mediaType.startsWith('text/') ? `${a.mediaType}; charset=utf-8` : a.mediaType);
	h.set('Content-Length', String(a.size));
	h.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${rfc8187(a.fileName)}`);
	h.set('X-Content-Type-Options', 'nosniff');
	// Revalidated on every use: once a post is deleted or hidden, the browser's copy is not shown again.
	h.set('Cache-Control', 'private, no-cache');
	h.set('Content-Security-Policy', "default-src 'none'; sandbox");
	h.set('Cross-Origin-Resource-Policy', 'same-origin');
	h.set('ETag', `"${a.sha256}"`);
	return h;
}
