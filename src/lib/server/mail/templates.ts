/**
 * Plain-text e-mails, written with the i18n messages in the recipient's language (Italian when we
 * do not know it: invitations go to people without an account yet).
 */
import { m } from '../../paraglide/messages';

export type MailLocale = 'it' | 'en';
export const mailLocale = (value: string | null | undefined): MailLocale => (value === 'en' ? 'en' : 'it');

export interface MailContent {
	subject: string;
	text: string;
}

/** Dates in e-mails: Europe/Rome, spelled out ("3 marzo 2026 alle ore 10:00"). */
export function mailDate(value: Date, locale: MailLocale): string {
	return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'it-IT', { timeZone: 'Europe/Rome', dateStyle: 'long', timeStyle: 'short' }).format(value);
}

function compose(locale: MailLocale, name: string | null | undefined, paragraphs: (string | null | undefined | false)[]): string {
	const o = { locale };
	const greeting = name ? m.mail_greeting({ name }, o) : m.mail_greeting_plain({}, o);
	return [greeting, ...paragraphs.filter((p): p is string => !!p), m.mail_signature({}, o)].join('\n\n') + '\n';
}

export function invitationMail(p: {
	name?: string | null;
	inviterName: string | null;
	tableName?: string | null;
	link: string;
	expiresAt: Date;
	locale?: MailLocale;
}): MailContent {
	const locale = p.locale ?? 'it';
	const o = { locale };
	return {
		subject: m.mail_invitation_subject({}, o),
		text: compose(locale, p.name, [
			p.inviterName ? m.mail_invitation_body({ inviter: p.inviterName }, o) : m.mail_invitation_body_plain({}, o),
			p.tableName && m.mail_invitation_table({ table: p.tableName }, o),
			`${m.mail_invitation_link({ date: mailDate(p.expiresAt, locale) }, o)}\n${p.link}`,
			m.mail_invitation_ignore({}, o)
		])
	};
}

export function passwordResetMail(p: { name?: string | null; link: string; expiresAt: Date; locale?: MailLocale }): MailContent {
	const locale = p.locale ?? 'it';
	const o = { locale };
	return {
		subject: m.mail_reset_subject({}, o),
		text: compose(locale, p.name, [
			m.mail_reset_body({}, o),
			`${m.mail_reset_link({ date: mailDate(p.expiresAt, locale) }, o)}\n${p.link}`,
			m.mail_reset_ignore({}, o)
		])
	};
}
