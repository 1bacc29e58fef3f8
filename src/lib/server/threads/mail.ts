/**
 * Threads by e-mail, through the same mail layer as meetings: people who chose "immediate" get one
 * e-mail per notification (in the transaction of the post); people who chose "digest" get one
 * e-mail a day listing what happened in the threads they follow or were mentioned in.
 */
import { and, asc, eq, gt, inArray, isNull, like, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationPreferences, notifications, users } from '../db/schema';
import { enqueueMail, mailDate, mailLocale, type MailContent, type MailLocale } from '../mail';
import { getLogger } from '../logger';
import { publicBaseUrl } from '../links';
import { m } from '../../paraglide/messages';
import { purgeOrphans } from './attachments';
import { startPeriodicJob, type PeriodicJob } from '../jobs';

const DAY = 24 * 3600_000;

function compose(locale: MailLocale, name: string, paragraphs: string[]): string {
	const o = { locale };
	return [m.mail_greeting({ name }, o), ...paragraphs, m.mail_threads_preferences({ link: `${publicBaseUrl()}/account#notifiche` }, o), m.mail_signature({}, o)].join('\n\n') + '\n';
}

export interface ThreadNews {
	kind: 'notif_thread_post' | 'notif_thread_mention';
	title: string;
	excerpt: string;
	author: string;
	link: string;
}

export function threadPostMail(p: ThreadNews & { name: string; locale: MailLocale }): MailContent {
	const o = { locale: p.locale };
	const subject = p.kind === 'notif_thread_mention' ? m.mail_thread_mention_subject({ title: p.title }, o) : m.mail_thread_post_subject({ title: p.title }, o);
	const lead = p.kind === 'notif_thread_mention' ? m.mail_thread_mention_body({ author: p.author, title: p.title }, o) : m.mail_thread_post_body({ author: p.author, title: p.title }, o);
	return { subject, text: compose(p.locale, p.name, [lead, `«${p.excerpt}»`, `${publicBaseUrl()}${p.link}`]) };
}

/** Immediate e-mails for those of these people who asked for them (call inside the post's transaction). */
export async function mailImmediately(tx: Db, userIds: string[], news: ThreadNews): Promise<number> {
	if (userIds.length === 0) return 0;
	const rows = await tx
		.select({ id: users.id, name: users.name, email: users.email, locale: users.locale })
		.from(notificationPreferences)
		.innerJoin(users, eq(users.id, notificationPreferences.userId))
		.where(and(inArray(notificationPreferences.userId, userIds), eq(notificationPreferences.threads, 'immediate'), isNull(users.deletedAt), isNull(users.disabledAt)));
	for (const u of rows) {
		const mail = threadPostMail({ ...news, name: u.name, locale: mailLocale(u.locale) });
		await enqueueMail(tx, { to: u.email, toName: u.name, subject: mail.subject, text: mail.text, kind: 'thread.post' });
	}
	return rows.length;
}

/** The digest e-mail: the day's thread notifications, grouped by thread. */
export function digestMail(p: { name: string; locale: MailLocale; items: { kind: string; title: string; excerpt: string; link: string; at: Date }[] }): MailContent {
	const o = { locale: p.locale };
	const byThread = new Map<string, typeof p.items>();
	for (const item of p.items) byThread.set(item.title, [...(byThread.get(item.title) ?? []), item]);
	const blocks = [...byThread.entries()].map(([title, items]) => {
		const lines = items.map((i) => `- ${mailDate(i.at, p.locale)}${i.kind === 'notif_thread_mention' ? ` (${m.mail_thread_digest_mention({}, o)})` : ''}: ${i.excerpt}`);
		return [`«${title}»`, ...lines, `${publicBaseUrl()}${items.at(-1)!.link}`].join('\n');
	});
	return {
		subject: m.mail_thread_digest_subject({ count: p.items.length }, o),
		text: compose(p.locale, p.name, [m.mail_thread_digest_body({}, o), ...blocks])
	};
}

/**
 * Sends the digests that are due: to each person in "digest" mode whose last digest is a day old
 * (or who never had one), listing the thread notifications since then; nothing when there is
 * nothing new. Each person is claimed with a conditional update, so two instances never send twice.
 */
export async function sendThreadDigests(db: Db, now = new Date()): Promise<{ sent: number }> {
	const due = await db
		.select({ userId: notificationPreferences.userId, since: notificationPreferences.digestSentAt, setAt: notificationPreferences.updatedAt })
		.from(notificationPreferences)
		.where(and(eq(notificationPreferences.threads, 'digest'), or(isNull(notificationPreferences.digestSentAt), lt(notificationPreferences.digestSentAt, new Date(now.getTime() - DAY + 60_000)))));
	let sent = 0;
	for (const d of due) {
		const since = d.since ?? new Date(Math.min(d.setAt.getTime(), now.getTime() - DAY));
		const done = await db.transaction(async (tx) => {
			const claimed = await tx
				.update(notificationPreferences)
				.set({ digestSentAt: now })
				.where(and(eq(notificationPreferences.userId, d.userId), d.since ? eq(notificationPreferences.digestSentAt, d.since) : isNull(notificationPreferences.digestSentAt)))
				.returning({ userId: notificationPreferences.userId });
			if (claimed.length === 0) return false;
			const items = await tx
				.select()
				.from(notifications)
				.where(and(eq(notifications.userId, d.userId), like(notifications.kind, 'notif_thread_%'), gt(notifications.createdAt, since)))
				.orderBy(asc(notifications.createdAt));
			if (items.length === 0) return false;
			const [u] = await tx.select().from(users).where(and(eq(users.id, d.userId), isNull(users.deletedAt), isNull(users.disabledAt)));
			if (!u) return false;
			const mail = digestMail({
				name: u.name,
				locale: mailLocale(u.locale),
				items: items.map((n) => ({ kind: n.kind, title: String(n.params.title ?? ''), excerpt: String(n.params.excerpt ?? ''), link: n.link ?? '/threads', at: n.createdAt }))
			});
			await enqueueMail(tx as unknown as Db, { to: u.email, toName: u.name, subject: mail.subject, text: mail.text, kind: 'thread.digest' });
			return true;
		});
		if (done) sent++;
	}
	return { sent };
}

export type DigestJob = PeriodicJob;

/** Checks every hour for digests that are due, and removes stale uploads (started once per process by boot.ts). */
export function startThreadDigests(getDb: () => Db, opts: { intervalMs?: number } = {}): DigestJob {
	return startPeriodicJob(
		'threads: digests',
		async () => {
			const log = getLogger();
			const { sent } = await sendThreadDigests(getDb());
			if (sent) log.info({ sent }, 'threads: digests queued');
			// Uploads never attached to a post (a reply abandoned) go after a day.
			const purged = await purgeOrphans(getDb());
			if (purged) log.info({ purged }, 'threads: unused uploads removed');
		},
		{ intervalMs: opts.intervalMs ?? 3600_000 }
	);
}
