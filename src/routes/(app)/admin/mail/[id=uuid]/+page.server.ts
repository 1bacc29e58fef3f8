import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getConfig } from '$lib/server/config';
import { getOutboxMessage, retryFailedMail } from '$lib/server/mail/outbox';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'admin.access');
	const row = await getOutboxMessage(getDatabase(), params.id);
	if (!row) error(404, 'not_found');
	return {
		smtp: !!getConfig().smtpUrl,
		message: {
			id: row.id,
			createdAt: row.createdAt,
			toAddress: row.toAddress,
			toName: row.toName,
			subject: row.subject,
			text: row.text,
			kind: row.kind,
			status: row.status,
			attempts: row.attempts,
			lastError: row.lastError,
			nextAttemptAt: row.nextAttemptAt,
			sentAt: row.sentAt,
			messageId: row.messageId,
			// Names and sizes only: the content is downloaded through ./attachment/[n].
			attachments: row.attachments.map((a, n) => ({
				n,
				filename: a.filename,
				contentType: a.contentType,
				method: a.method ?? null,
				size: Math.floor((a.content.length * 3) / 4) - (a.content.endsWith('==') ? 2 : a.content.endsWith('=') ? 1 : 0)
			}))
		}
	};
};

export const actions: Actions = {
	/** A failed message back in the queue (see retryFailedMail); anything else is left alone. */
	retry: async ({ locals, params }) => {
		const actor = authorize(locals.actor, 'admin.access');
		// Without a mail server nothing would send it: the message stays as it is.
		if (!getConfig().smtpUrl) return fail(409, { retry: 'no_smtp' as const });
		const ids = await retryFailedMail(getDatabase(), actor.id, params.id);
		if (!ids.length) return fail(409, { retry: 'not_failed' as const });
		kickMailWorker();
		return { retry: 'queued' as const };
	}
};
