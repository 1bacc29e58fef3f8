import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { loadTableFor, tableRef } from '$lib/server/network/guards';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, templateInput, updateTemplate } from '$lib/server/meetings/agenda';
import { parseForm, uuidField } from '$lib/server/validation';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const db = getDatabase();
	// Same rule as the table page: members-only tables are for their members (and admins).
	const table = await loadTableFor(db, locals.actor, params.id, 'table.view');
	const manage = can(locals.actor, 'template.manage', tableRef(table));
	const templates = (await listTemplates(db, table.id)).map((tpl) => ({ id: tpl.id, name: tpl.name, items: tpl.items, updatedAt: tpl.updatedAt }));
	// The editor opens from the address (?new, ?edit=<id>), so it also works without JavaScript.
	const editId = manage ? url.searchParams.get('edit') : null;
	const editing = editId ? (templates.find((tpl) => tpl.id === editId) ?? null) : null;
	return {
		table: { id: table.id, name: table.name, archived: !!table.archivedAt },
		templates,
		can: { manage },
		editor: manage && url.searchParams.has('new') ? { mode: 'new' as const } : editing ? { mode: 'edit' as const, template: editing } : null,
		done: (['created', 'updated', 'deleted'] as const).find((k) => url.searchParams.has(k)) ?? null
	};
};

/** Loads the table, 404/403 as the page does, then requires template.manage (403 otherwise). */
async function manageable(event: RequestEvent) {
	const db = getDatabase();
	const table = await loadTableFor(db, event.locals.actor, event.params.id, 'table.view');
	if (!can(event.locals.actor, 'template.manage', tableRef(table))) error(403, 'forbidden');
	return { db, table, actor: event.locals.actor! };
}

/**
 * The editor sends its rows as JSON in `items`. Without JavaScript that hidden field is absent and
 * the rows come as repeated fields instead: they are turned into the same JSON (blank rows dropped).
 */
function withItems(form: FormData): FormData {
	if (form.has('items')) return form;
	const field = (name: string) => form.getAll(name).map((v) => (typeof v === 'string' ? v : ''));
	const titles = field('itemTitle');
	const kinds = field('itemKind');
	const durations = field('itemDuration');
	const notes = field('itemNotes');
	const rows = titles
		.map((title, i) => ({ title, kind: kinds[i] ?? '', durationMinutes: durations[i] ?? '', notes: notes[i] ?? '' }))
		.filter((r) => r.title.trim() !== '' || r.notes.trim() !== '');
	form.set('items', JSON.stringify(rows));
	return form;
}

function domainFail(err: unknown, action: string, values?: Record<string, string>) {
	if (err instanceof DomainError) return fail(err.status === 404 ? 404 : err.status === 403 ? 403 : 400, { action, errors: { [err.field ?? '_form']: err.code }, values });
	throw err;
}

const templateRef = z.object({ templateId: uuidField });

export const actions: Actions = {
	create: async (event) => {
		const { db, table, actor } = await manageable(event);
		const form = withItems(await event.request.formData());
		const parsed = parseForm(templateInput, form);
		if (!parsed.ok) return fail(400, { action: 'create', errors: parsed.errors, values: parsed.values });
		try {
			await createTemplate(db, actor, table.id, parsed.data);
		} catch (err) {
			return domainFail(err, 'create', parsed.values);
		}
		redirect(303, `/tables/${table.id}/templates?created`);
	},
	update: async (event) => {
		const { db, table, actor } = await manageable(event);
		const form = withItems(await event.request.formData());
		const ref = parseForm(templateRef, form);
		if (!ref.ok) return fail(400, { action: 'update', errors: ref.errors, values: ref.values });
		const existing = await getTemplate(db, ref.data.templateId);
		// Only this table's templates are edited from this page.
		if (!existing || existing.tableId !== table.id) return fail(404, { action: 'update', errors: { _form: 'error_not_found' }, values: ref.values });
		const parsed = parseForm(templateInput, form);
		if (!parsed.ok) return fail(400, { action: 'update', errors: parsed.errors, values: parsed.values });
		try {
			await updateTemplate(db, actor, existing.id, parsed.data);
		} catch (err) {
			return domainFail(err, 'update', parsed.values);
		}
		redirect(303, `/tables/${table.id}/templates?updated`);
	},
	delete: async (event) => {
		const { db, table, actor } = await manageable(event);
		const ref = parseForm(templateRef, await event.request.formData());
		if (!ref.ok) return fail(400, { action: 'delete', errors: ref.errors });
		const existing = await getTemplate(db, ref.data.templateId);
		if (!existing || existing.tableId !== table.id) return fail(404, { action: 'delete', errors: { _form: 'error_not_found' } });
		try {
			await deleteTemplate(db, actor, existing.id);
		} catch (err) {
			return domainFail(err, 'delete');
		}
		redirect(303, `/tables/${table.id}/templates?deleted`);
	}
};
