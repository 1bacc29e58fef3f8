import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { actionStatuses } from '$lib/server/db/schema';
import type { ActionStatus } from '$lib/server/db/schema';
import { listVisibleTables } from '$lib/server/network/tables';
import { domainFail } from '$lib/server/meetings/guards';
import { parseForm, stripControl, uuidField } from '$lib/server/validation';
import { ACTIONS_PAGE_SIZE, actionScopes, countActionsByScope, listActions, updateActionStatus } from '$lib/server/minutes/actions';
import { romeDay } from '$lib/time/rome';

/** Filters live in the URL: ?scope=&status=&status=&table=&overdue=1&q=&page= (bad values fall back). */
const params = z.object({
	scope: z.enum(actionScopes).catch('mine'),
	table: z.uuid().optional().catch(undefined),
	overdue: z.enum(['1']).optional().catch(undefined),
	q: z
		.string()
		.optional()
		.catch(undefined)
		.transform((v) => stripControl(v ?? '').trim().slice(0, 100)),
	page: z.coerce.number().int().min(1).max(100_000).catch(1)
});

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends('actions:list');
	const db = getDatabase();
	const actor = locals.actor!;
	const p = params.parse(Object.fromEntries(url.searchParams));
	const status = [...new Set(url.searchParams.getAll('status'))].filter((s): s is ActionStatus => (actionStatuses as readonly string[]).includes(s));
	const today = romeDay(new Date());
	const common = { status, tableId: p.table, overdue: !!p.overdue, q: p.q };
	const [list, counts, tables] = await Promise.all([
		listActions(db, actor, { scope: p.scope, ...common, page: p.page }, today),
		countActionsByScope(db, actor, common, today),
		listVisibleTables(db, actor, { includeArchived: true })
	]);
	return {
		filters: { scope: p.scope, status, table: p.table ?? null, overdue: !!p.overdue, q: p.q, page: p.page },
		rows: list.rows,
		total: list.total,
		pages: Math.max(1, Math.ceil(list.total / ACTIONS_PAGE_SIZE)),
		counts,
		statuses: actionStatuses,
		tables: tables.map((tb) => ({ id: tb.id, name: tb.name })),
		today
	};
};

const statusInput = z.object({ id: uuidField, status: z.enum(actionStatuses, 'error_required') });

export const actions: Actions = {
	/** One row's status; errors come back with the row's id so the page shows them beside it. */
	status: async ({ locals, request }) => {
		const parsed = parseForm(statusInput, await request.formData());
		if (!parsed.ok) return fail(400, { action: 'status', errors: parsed.errors, values: parsed.values });
		try {
			await updateActionStatus(getDatabase(), locals.actor!, parsed.data.id, parsed.data.status);
		} catch (err) {
			return domainFail(err, 'status', parsed.values);
		}
		return { action: 'status', success: true, id: parsed.data.id, status: parsed.data.status };
	}
};
