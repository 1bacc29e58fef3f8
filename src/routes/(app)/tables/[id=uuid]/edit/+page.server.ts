import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { loadTableFor } from '$lib/server/network/guards';
import { tableInput, updateTable } from '$lib/server/network/tables';
import { parseForm } from '$lib/server/validation';

export const load: PageServerLoad = async ({ locals, params }) => {
	const table = await loadTableFor(getDatabase(), locals.actor, params.id, 'table.update');
	return {
		table: { id: table.id, name: table.name, kind: table.kind, district: table.district, description: table.description, visibility: table.visibility }
	};
};

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const db = getDatabase();
		const table = await loadTableFor(db, locals.actor, params.id, 'table.update');
		const parsed = parseForm(tableInput, await request.formData());
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
		await updateTable(db, locals.actor!.id, table.id, parsed.data);
		redirect(303, `/tables/${table.id}`);
	}
};
