import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { agendaForPrint } from '$lib/server/meetings/print';

/** The printable agenda: the live document, so the sheet matches what the editors see. */
export const load: PageServerLoad = async ({ locals, params }) => {
	try {
		return { agenda: await agendaForPrint(getDatabase(), locals.actor, params.id) };
	} catch (err) {
		// A meeting the person may not see is not revealed: 404 like one that does not exist.
		if (err instanceof DomainError && err.status === 404) error(404, 'not_found');
		throw err;
	}
};
