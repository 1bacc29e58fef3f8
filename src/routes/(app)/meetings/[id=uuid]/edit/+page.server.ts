import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { listPeople } from '$lib/server/network/people';
import { meetingInput, updateMeeting } from '$lib/server/meetings/meetings';
import { loadMeetingFor } from '$lib/server/meetings/guards';
import { parseForm } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { toRomeLocal } from '$lib/time/rome';

export const load: PageServerLoad = async ({ locals, params }) => {
	const db = getDatabase();
	const { meeting } = await loadMeetingFor(db, locals.actor, params.id, 'meeting.manage');
	if (meeting.status === 'annullata' || meeting.status === 'svolta') error(409, 'error_meeting_closed');
	return {
		meeting: { id: meeting.id, title: meeting.title, status: meeting.status },
		values: {
			title: meeting.title,
			description: meeting.description ?? '',
			start: meeting.startsAt ? toRomeLocal(meeting.startsAt) : '',
			end: meeting.endsAt ? toRomeLocal(meeting.endsAt) : '',
			address: meeting.address ?? '',
			onlineUrl: meeting.onlineUrl ?? '',
			chairId: meeting.chairId ?? '',
			secretaryId: meeting.secretaryId ?? ''
		},
		people: (await listPeople(db)).map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}`, organizationName: p.organizationName ?? '' }))
	};
};

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const db = getDatabase();
		await loadMeetingFor(db, locals.actor, params.id, 'meeting.manage');
		const parsed = parseForm(meetingInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		try {
			await updateMeeting(db, locals.actor!, params.id, parsed.data);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status === 403 ? 403 : 400, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		kickMailWorker();
		redirect(303, `/meetings/${params.id}`);
	}
};
