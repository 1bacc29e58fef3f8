import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { getPublicServiceCard, getServiceCard, verifyService } from '$lib/server/directory/services';
import { isOpenAt, scheduleToHours } from '$lib/server/search';
import { directoryNow } from '$lib/server/directory/clock';
import { listThreads } from '$lib/server/threads/threads';

/** The service card: everything an operator needs to refer someone. */
export const load: PageServerLoad = async ({ locals, params }) => {
	try {
		const now = directoryNow();
		const card = locals.actor ? await getServiceCard(getDatabase(), locals.actor, params.id, now) : await getPublicServiceCard(getDatabase(), params.id, now);
		const rows = [...card.hours, ...card.locations.flatMap((l) => l.hours)].flatMap((d) => d.ranges.map((r) => ({ weekday: d.weekday, opensAt: r.opensAt, closesAt: r.closesAt, validFrom: r.validFrom, validTo: r.validTo })));
		// Threads about the service, for people of the network (never for anonymous visitors).
		const threads = locals.actor ? await listThreads(getDatabase(), locals.actor, { link: { kind: 'service', id: params.id } }) : [];
		return { card, openNow: isOpenAt(scheduleToHours(rows), now), threads, canDiscuss: !!locals.actor };
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
};

export const actions: Actions = {
	verify: async ({ locals, params }) => {
		try {
			await verifyService(getDatabase(), locals.actor!, params.id);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { action: 'verify', errors: { _form: err.code } });
			throw err;
		}
		return { action: 'verify', success: true };
	}
};
