import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { parseForm, uuidField } from '$lib/server/validation';
import { createTerm, deleteTerm, listTerms, termInput, termUpdateInput, termUsage, updateTerm } from '$lib/server/directory/taxonomy';

/** The directory's two taxonomies (categories and targets), for admins. */
export const load: PageServerLoad = async ({ locals }) => {
	authorize(locals.actor, 'directory.admin');
	const db = getDatabase();
	const [terms, usage] = await Promise.all([listTerms(db, { includeRetired: true }), termUsage(db)]);
	return { terms: terms.map((tm) => ({ ...tm, retired: !!tm.retired, services: usage.get(tm.id) ?? 0 })) };
};

const failWith = (action: string, err: unknown, values?: Record<string, string>, termId?: string) => {
	if (err instanceof DomainError) return fail(err.status === 404 ? 404 : 400, { action, termId, errors: { [err.field ?? '_form']: err.code }, values });
	throw err;
};

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const parsed = parseForm(termInput, await request.formData());
		if (!parsed.ok) return fail(400, { action: 'create', errors: parsed.errors, values: parsed.values });
		try {
			const row = await createTerm(getDatabase(), actor, parsed.data);
			return { action: 'create', success: true, name: row.name };
		} catch (err) {
			return failWith('create', err, parsed.values);
		}
	},
	update: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const form = await request.formData();
		const id = uuidField.safeParse(form.get('termId'));
		const parsed = parseForm(termUpdateInput, form);
		if (!id.success) return fail(400, { action: 'update', errors: { _form: 'error_invalid' } });
		if (!parsed.ok) return fail(400, { action: 'update', termId: id.data, errors: parsed.errors, values: parsed.values });
		try {
			const row = await updateTerm(getDatabase(), actor, id.data, parsed.data);
			return { action: 'update', termId: id.data, success: true, name: row.name };
		} catch (err) {
			return failWith('update', err, parsed.values, id.data);
		}
	},
	retire: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const parsed = parseForm(z.object({ termId: uuidField }), await request.formData());
		if (!parsed.ok) return fail(400, { action: 'retire', errors: { _form: 'error_invalid' } });
		try {
			await deleteTerm(getDatabase(), actor, parsed.data.termId);
			return { action: 'retire', termId: parsed.data.termId, success: true };
		} catch (err) {
			return failWith('retire', err, undefined, parsed.data.termId);
		}
	},
	restore: async ({ locals, request }) => {
		const actor = authorize(locals.actor, 'directory.admin');
		const db = getDatabase();
		const parsed = parseForm(z.object({ termId: uuidField }), await request.formData());
		if (!parsed.ok) return fail(400, { action: 'restore', errors: { _form: 'error_invalid' } });
		const term = (await listTerms(db, { includeRetired: true })).find((x) => x.id === parsed.data.termId && x.retired);
		if (!term) return fail(404, { action: 'restore', errors: { _form: 'error_not_found' } });
		try {
			// A retired term comes back through createTerm, with its code and its last name.
			await createTerm(db, actor, { taxonomy: term.taxonomy, code: term.code, name: term.name, description: term.description ?? undefined });
			return { action: 'restore', termId: term.id, success: true, name: term.name };
		} catch (err) {
			return failWith('restore', err, undefined, term.id);
		}
	}
};
