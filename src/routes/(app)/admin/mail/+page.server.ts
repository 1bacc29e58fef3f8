import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getConfig } from '$lib/server/config';
import { listOutbox, outboxQuery } from '$lib/server/mail/outbox';

export const load: PageServerLoad = async ({ locals, url }) => {
	authorize(locals.actor, 'admin.access');
	// Unknown or malformed filters fall back to "all, first page" rather than an error.
	const query = outboxQuery.parse({ page: url.searchParams.get('page') ?? undefined, status: url.searchParams.get('status') ?? undefined });
	const outbox = await listOutbox(getDatabase(), query);
	return { ...outbox, status: query.status ?? null, smtp: !!getConfig().smtpUrl };
};
