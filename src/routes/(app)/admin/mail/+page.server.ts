import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getConfig } from '$lib/server/config';
import { countFailedMail, listOutbox, outboxQuery, retryFailedMail } from '$lib/server/mail/outbox';

export const load: PageServerLoad = async ({ locals, url }) => {
	authorize(locals.actor, 'admin.access');
	// Unknown or malformed filters fall back to "all, first page" rather than an error.
	const query = outboxQuery.parse({ page: url.searchParams.get('page') ?? undefined, status: url.searchParams.get('status') ?? undefined });
	const db = getDatabase();
	const [outbox, failed] = await Promise.all([listOutbox(db, query), countFailedMail(db)]);
	return { ...outbox, status: query.status ?? null, smtp: !!getConfig().smtpUrl, failed };
};

export const actions: Actions = {
	/** Every failed message back in the queue, e.g. once a mail server outage is over. */
	retryAll: async ({ locals }) => {
		const actor = authorize(locals.actor, 'admin.access');
		// Without a mail server nothing would send them (the page offers no button then).
		if (!getConfig().smtpUrl) return fail(409, { noSmtp: true });
		const ids = await retryFailedMail(getDatabase(), actor.id);
		if (ids.length) kickMailWorker();
		return { retried: ids.length };
	}
};
