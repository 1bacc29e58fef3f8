import type { SendMailOptions, Transporter } from 'nodemailer';
import type { MailRow } from '../db/schema';

/** What the worker needs of a nodemailer transporter (tests may pass their own). */
export interface MailTransport {
	sendMail(message: SendMailOptions): Promise<{ messageId?: string }>;
	close?(): void;
}

/**
 * An SMTP transport from SMTP_URL (`smtp://user:pass@host:587`, `smtps://…:465`; nodemailer reads
 * options such as `?pool=true` from the query). Timeouts bound a hung server well inside the
 * worker's lease, so that another instance never picks up a message still being sent.
 */
export function createSmtpTransport(url: string): MailTransport {
	// nodemailer is loaded on the first message (~15 MiB a process without SMTP_URL never needs).
	let transporter: Promise<Transporter> | undefined;
	const get = () =>
		(transporter ??= import('nodemailer').then((m) =>
			// Options the URL itself sets (e.g. ?socketTimeout=…) win over these defaults.
			m.default.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 })
		));
	return {
		sendMail: async (message) => (await get()).sendMail(message),
		close: () => void transporter?.then((t) => t.close())
	};
}

/**
 * The nodemailer message for an outbox row. A calendar attachment with an iTIP method becomes
 * nodemailer's `icalEvent`: a text/calendar;method=… alternative (what makes Outlook, Gmail and
 * Thunderbird offer "add to calendar") plus an .ics attachment. Only one per message can be that.
 */
export function toMailOptions(row: Pick<MailRow, 'toAddress' | 'toName' | 'subject' | 'text' | 'html' | 'attachments'>, from: string): SendMailOptions {
	const ical = row.attachments.find((a) => a.method && /^text\/calendar\b/i.test(a.contentType));
	const others = row.attachments.filter((a) => a !== ical);
	return {
		from,
		to: row.toName ? { name: row.toName, address: row.toAddress } : row.toAddress,
		subject: row.subject,
		text: row.text,
		...(row.html ? { html: row.html } : {}),
		...(ical
			? { icalEvent: { method: ical.method!, filename: ical.filename, content: Buffer.from(ical.content, 'base64').toString('utf8') } }
			: {}),
		attachments: others.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') })),
		// Links in our messages carry one-time tokens: no tracking, no remote content.
		disableFileAccess: true,
		disableUrlAccess: true
	};
}
