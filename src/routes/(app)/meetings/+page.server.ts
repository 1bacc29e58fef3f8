import type { PageServerLoad } from './$types';
import { z } from 'zod';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { listVisibleTables } from '$lib/server/network/tables';
import { tableRef } from '$lib/server/network/guards';
import { listMyMeetings } from '$lib/server/meetings/meetings';
import { addDays, romeDay, romeDayStart } from '$lib/time/rome';

const params = z.object({
	view: z.enum(['list', 'month']).catch('list'),
	month: z
		.string()
		.regex(/^\d{4}-(0[1-9]|1[0-2])$/)
		.optional()
		.catch(undefined),
	table: z.uuid().optional().catch(undefined),
	past: z.enum(['1']).optional().catch(undefined)
});

/** My meetings across my tables: a list (upcoming, or past) or a month grid, filtered by table. */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends('meetings:list');
	const db = getDatabase();
	const actor = locals.actor!;
	const q = params.parse(Object.fromEntries(url.searchParams));
	const tables = await listVisibleTables(db, actor);
	const mine = tables.filter((tb) => tb.myRole || actor.role === 'admin');
	const now = new Date();
	const today = romeDay(now);
	const month = q.month ?? today.slice(0, 7);
	let meetings;
	if (q.view === 'month') {
		const first = `${month}-01`;
		// Monday on or before the 1st, six weeks.
		const dow = (new Date(`${first}T12:00:00Z`).getUTCDay() + 6) % 7;
		const gridStart = addDays(first, -dow);
		meetings = await listMyMeetings(db, actor, { from: romeDayStart(gridStart), to: romeDayStart(addDays(gridStart, 42)), tableId: q.table });
		return { view: q.view, month, gridStart, today, table: q.table ?? null, past: false, meetings, tables: mine.map((tb) => ({ id: tb.id, name: tb.name })), canCreate: canCreateAny(actor, tables) };
	}
	meetings = q.past
		? await listMyMeetings(db, actor, { to: now, tableId: q.table, order: 'desc', limit: 200 })
		: await listMyMeetings(db, actor, { from: now, tableId: q.table, includeUndated: true });
	return { view: q.view, month, gridStart: null, today, table: q.table ?? null, past: !!q.past, meetings, tables: mine.map((tb) => ({ id: tb.id, name: tb.name })), canCreate: canCreateAny(actor, tables) };
};

function canCreateAny(actor: NonNullable<App.Locals['actor']>, tables: Awaited<ReturnType<typeof listVisibleTables>>) {
	return tables.some((tb) => can(actor, 'meeting.create', tableRef({ id: tb.id, visibility: tb.visibility, archivedAt: tb.archivedAt })));
}
