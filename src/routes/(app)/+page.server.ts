import type { PageServerLoad } from './$types';
import { and, count, isNull } from 'drizzle-orm';
import { getDatabase } from '$lib/server/boot';
import { organizations, users } from '$lib/server/db/schema';
import { listVisibleTables } from '$lib/server/network/tables';
import { listPendingInvitations } from '$lib/server/network/invitations';
import { can } from '$lib/server/authz';
import { meetingsDashboard } from '$lib/server/meetings/meetings';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends('meetings:list');
	const db = getDatabase();
	const actor = locals.actor!;
	const [tables, [orgs], [people]] = await Promise.all([
		listVisibleTables(db, actor),
		db.select({ n: count() }).from(organizations).where(isNull(organizations.deletedAt)),
		db.select({ n: count() }).from(users).where(and(isNull(users.deletedAt), isNull(users.disabledAt)))
	]);
	const admin = can(actor, 'admin.access');
	return {
		welcome: url.searchParams.has('welcome'),
		myTables: tables.filter((t) => t.myRole).map((t) => ({ id: t.id, name: t.name, kind: t.kind, role: t.myRole!, members: t.members, visibility: t.visibility })),
		stats: { partners: orgs?.n ?? 0, people: people?.n ?? 0, tables: tables.length },
		pendingInvitations: admin ? (await listPendingInvitations(db)).length : null,
		meetings: await meetingsDashboard(db, actor)
	};
};
