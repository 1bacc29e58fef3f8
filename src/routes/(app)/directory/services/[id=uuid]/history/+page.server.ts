import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { serviceHistory } from '$lib/components/directory/edit/editing.server';

/** Who changed what and when, for the people who maintain the service. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const actor = authorize(locals.actor, 'directory.read');
	try {
		const history = await serviceHistory(getDatabase(), actor, params.id);
		if (!history.service.canEdit) error(403, 'error_forbidden');
		return history;
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
};
