export { enqueueMail, mailInput, mailAttachmentSchema, itipMethods, listOutbox, getOutboxMessage, getOutboxAttachment, outboxQuery, OUTBOX_PAGE_SIZE, toBase64 } from './outbox';
export type { MailInput, OutboxQuery } from './outbox';
export { drainOutbox, startMailWorker, mailBackoffMs, MAIL_MAX_ATTEMPTS } from './worker';
export type { DrainOptions, DrainResult, MailWorker } from './worker';
export { createSmtpTransport, toMailOptions } from './transport';
export type { MailTransport } from './transport';
export { invitationMail, passwordResetMail, mailDate, mailLocale } from './templates';
export type { MailContent, MailLocale } from './templates';
