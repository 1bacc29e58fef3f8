import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { getTable, listTableMembers } from '$lib/server/network/tables';
import { tableRef } from '$lib/server/network/guards';
import { findOverlaps, meetingContext, participantIds } from '$lib/server/meetings/meetings';
import { parseRomeLocal } from '$lib/time/rome';

const query = z.object({
	start: z.string().max(20),
	end: z.string().max(20),
	table: z.uuid().optional(),
	meeting: z.uuid().optional(),
	includeMembers: z.enum(['1']).optional(),
	participant: z.array(z.uuid()).max(300)
});

/**
 * Who among a meeting's (future) participants already has a meeting overlapping [start, end).
 * For coordinators while they schedule: titles they may not see are withheld.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.actor) error(401, 'unauthenticated');
	const actor = locals.actor;
	const parsed = query.safeParse({
		start: url.searchParams.get('start') ?? '',
		end: url.searchParams.get('end') ?? '',
		table: url.searchParams.get('table') ?? undefined,
		meeting: url.searchParams.get('meeting') ?? undefined,
		includeMembers: url.searchParams.get('includeMembers') ?? undefined,
		participant: url.searchParams.getAll('participant')
	});
	if (!parsed.success) return json({ error: 'bad_request' }, { status: 400 });
	const q = parsed.data;
	const start = parseRomeLocal(q.start);
	const end = parseRomeLocal(q.end);
	if (!start.ok || !end.ok || end.date <= start.date) return json({ overlaps: [] });
	// A meeting's own window, not a way to read someone's agenda for a year.
	if (end.date.getTime() - start.date.getTime() > 24 * 3600_000) return json({ error: 'bad_request' }, { status: 400 });
	const db = getDatabase();
	const people = new Set(q.participant);
	if (q.meeting) {
		const ctx = await meetingContext(db, actor, q.meeting);
		if (!ctx || !can(actor, 'meeting.manage', ctx.ref)) error(403, 'forbidden');
		for (const id of await participantIds(db, q.meeting)) people.add(id);
	} else if (q.table) {
		const table = await getTable(db, q.table);
		if (!table || !can(actor, 'meeting.create', tableRef(table))) error(403, 'forbidden');
		if (q.includeMembers) for (const mb of await listTableMembers(db, table.id)) people.add(mb.userId);
		people.add(actor.id);
	} else error(400, 'bad_request');
	const overlaps = await findOverlaps(db, actor, [...people], start.date, end.date, q.meeting);
	return json({ overlaps });
};
