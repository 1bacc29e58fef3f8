import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import type { Actor } from '$lib/server/authz';
import type { Db } from '$lib/server/db/client';
import { listVisibleTables } from '$lib/server/network/tables';
import { tableRef } from '$lib/server/network/guards';
import { listPeople } from '$lib/server/network/people';
import { createMeeting, createMeetingInput } from '$lib/server/meetings/meetings';
import { listTemplates, startAgenda } from '$lib/server/meetings/agenda';
import { parseForm, uuidField } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';

/** Tables in which this person may schedule (coordinated ones; all for admins). */
async function schedulable(db: Db, actor: Actor) {
	const tables = await listVisibleTables(db, actor);
	return tables.filter((tb) => can(actor, 'meeting.create', tableRef({ id: tb.id, visibility: tb.visibility, archivedAt: tb.archivedAt })));
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const db = getDatabase();
	const actor = locals.actor!;
	const tables = await schedulable(db, actor);
	if (!tables.length) error(403, 'forbidden');
	const wanted = url.searchParams.get('table');
	const templates = (await Promise.all(tables.map((tb) => listTemplates(db, tb.id)))).flat();
	return {
		tables: tables.map((tb) => ({ id: tb.id, name: tb.name })),
		templates: templates.map((tp) => ({ id: tp.id, tableId: tp.tableId, name: tp.name })),
		people: (await listPeople(db)).map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}`, organizationName: p.organizationName ?? '' })),
		initial: { tableId: wanted && tables.some((tb) => tb.id === wanted) ? wanted : (tables[0]?.id ?? '') }
	};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const db = getDatabase();
		const actor = locals.actor!;
		const form = await request.formData();
		const parsed = parseForm(createMeetingInput, form);
		const tableId = uuidField.safeParse(form.get('tableId'));
		if (!parsed.ok || !tableId.success) {
			const errors = parsed.ok ? {} : parsed.errors;
			if (!tableId.success) errors.tableId = 'error_required';
			return fail(400, { errors, values: { ...parsed.values, participantIds: form.getAll('participantIds').map(String) } });
		}
		let id: string;
		try {
			id = (await createMeeting(db, actor, tableId.data, parsed.data)).id;
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status === 403 ? 403 : 400, { errors: { [err.field ?? '_form']: err.code }, values: parsed.values });
			throw err;
		}
		// The meeting exists now: a starting agenda that cannot be made is said on its page, not by
		// showing the form again (which would create a second draft).
		try {
			await startAgenda(db, actor, id, { templateId: parsed.data.templateId, copyPrevious: parsed.data.copyPrevious });
		} catch (err) {
			if (err instanceof DomainError) redirect(303, `/meetings/${id}?created=1&agendaError=${encodeURIComponent(err.code)}`);
			throw err;
		}
		redirect(303, `/meetings/${id}?created=1`);
	}
};
