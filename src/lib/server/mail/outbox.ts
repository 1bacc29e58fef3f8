import { and, count, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { mailOutbox, mailStatuses, type MailAttachment, type MailRow } from '../db/schema';
import { getConfig } from '../config';
import { stripControl } from '../validation';
import { recordAudit } from '../audit';

/** iTIP methods (RFC 5546) a calendar attachment may carry. */
export const itipMethods = ['PUBLISH', 'REQUEST', 'REPLY', 'ADD', 'CANCEL', 'REFRESH', 'COUNTER', 'DECLINECOUNTER'] as const;

/** 5 MB of base64 per attachment: meeting invitations and PDFs, not archives. */
const MAX_ATTACHMENT_BASE64 = 7_000_000;

const oneLine = (max: number) =>
	z
		.string()
		.transform((v) => stripControl(v.replace(/[\r\n\t]+/g, ' ')).trim())
		.pipe(z.string().min(1).max(max));

export const mailAttachmentSchema = z.object({
	filename: oneLine(200).refine((v) => !/[/\\]/.test(v), 'no path in a file name'),
	contentType: z
		.string()
		.max(200)
		.regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;\s*[a-z0-9_-]+=(?:"[^"\r\n]*"|[^;\s"]+))*$/i, 'invalid content type'),
	content: z
		.string()
		.max(MAX_ATTACHMENT_BASE64)
		.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'content must be base64'),
	method: z.enum(itipMethods).optional()
}) satisfies z.ZodType<MailAttachment>;

export const mailInput = z.object({
	to: z.string().trim().toLowerCase().max(254).pipe(z.email()),
	toName: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), oneLine(200).optional()),
	subject: oneLine(300),
	text: z.string().min(1).max(200_000).transform((v) => stripControl(v)),
	html: z.string().max(500_000).optional(),
	attachments: z.array(mailAttachmentSchema).max(10).default([]),
	/** What caused the message, for the admins' list: `invitation`, `password_reset`, `meeting.convened`… */
	kind: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'invalid kind')
});
export type MailInput = z.input<typeof mailInput>;

/**
 * Queues an e-mail. Pass the caller's transaction as `db` so that the message exists exactly when
 * the change that causes it commits. With SMTP configured the row is `pending` (the worker sends
 * it); without, it is `stored`: the outbox admins read at /admin/mail.
 */
export async function enqueueMail(db: Db, input: MailInput, opts: { deliver?: boolean } = {}): Promise<MailRow> {
	const parsed = mailInput.safeParse(input);
	if (!parsed.success) {
		// A programming error, not user input: say which field, never echo the content.
		const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
		throw new Error(`enqueueMail: invalid ${fields.join(', ')}`);
	}
	const m = parsed.data;
	const deliver = opts.deliver ?? !!getConfig().smtpUrl;
	const [row] = await db
		.insert(mailOutbox)
		.values({
			toAddress: m.to,
			toName: m.toName ?? null,
			subject: m.subject,
			text: m.text,
			html: m.html ?? null,
			attachments: m.attachments,
			kind: m.kind,
			status: deliver ? 'pending' : 'stored'
		})
		.returning();
	return row!;
}

export const OUTBOX_PAGE_SIZE = 50;

export const outboxQuery = z.object({
	page: z.coerce.number().int().min(1).max(100_000).catch(1),
	status: z.enum(mailStatuses).optional().catch(undefined)
});
export type OutboxQuery = z.output<typeof outboxQuery>;

/** The outbox for admins, newest first, without bodies. */
export async function listOutbox(db: Db, query: Partial<OutboxQuery> = {}, pageSize = OUTBOX_PAGE_SIZE) {
	const page = Math.max(1, Math.floor(query.page ?? 1));
	const where = query.status ? eq(mailOutbox.status, query.status) : undefined;
	const [rows, [total]] = await Promise.all([
		db
			.select({
				id: mailOutbox.id,
				createdAt: mailOutbox.createdAt,
				toAddress: mailOutbox.toAddress,
				toName: mailOutbox.toName,
				subject: mailOutbox.subject,
				kind: mailOutbox.kind,
				status: mailOutbox.status,
				attempts: mailOutbox.attempts,
				sentAt: mailOutbox.sentAt
			})
			.from(mailOutbox)
			.where(where)
			.orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
			.limit(pageSize)
			.offset((page - 1) * pageSize),
		db.select({ n: count() }).from(mailOutbox).where(where)
	]);
	const n = total?.n ?? 0;
	return { rows, total: n, page, pageSize, pages: Math.max(1, Math.ceil(n / pageSize)) };
}

/** How many messages gave up (`failed`): the outbox page offers to send them all again. */
export async function countFailedMail(db: Db): Promise<number> {
	const [row] = await db.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.status, 'failed'));
	return row?.n ?? 0;
}

/**
 * Sends again what gave up (`failed`, after the worker's last attempt): back to `pending`, attempts
 * from zero, due now. The last error stays visible until the next attempt replaces it (or clears
 * it, once sent). With `id`, that message only; without, every failed one (e.g. once a mail
 * server outage is over). Only failed messages change: one already sent is never sent twice.
 * Recorded in the audit log. Returns the ids put back in the queue.
 */
export async function retryFailedMail(db: Db, actorId: string, id?: string): Promise<string[]> {
	if (id !== undefined && !z.uuid().safeParse(id).success) return [];
	return db.transaction(async (tx) => {
		const rows = await tx
			.update(mailOutbox)
			.set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()` })
			.where(id === undefined ? eq(mailOutbox.status, 'failed') : and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'failed')))
			.returning({ id: mailOutbox.id });
		if (rows.length)
			await recordAudit(tx as unknown as Db, { actorId, action: 'mail.retried', entityType: 'mail_outbox', entityId: id ?? null, data: { count: rows.length } });
		return rows.map((r) => r.id);
	});
}

export async function getOutboxMessage(db: Db, id: string): Promise<MailRow | null> {
	if (!z.uuid().safeParse(id).success) return null;
	const [row] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
	return row ?? null;
}

/** The n-th attachment of a message, decoded, or null. */
export async function getOutboxAttachment(db: Db, id: string, n: number) {
	const row = await getOutboxMessage(db, id);
	const a = Number.isInteger(n) && n >= 0 ? row?.attachments[n] : undefined;
	if (!a) return null;
	return { filename: a.filename, contentType: a.contentType, method: a.method ?? null, content: Buffer.from(a.content, 'base64') };
}

/** Base64 of a UTF-8 text, for attachments built from strings (iCalendar). */
export const toBase64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
