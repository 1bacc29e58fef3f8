import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getOutboxMessage } from '$lib/server/mail/outbox';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'admin.access');
	const row = await getOutboxMessage(getDatabase(), params.id);
	if (!row) error(404, 'not_found');
	return {
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
