import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { listVisibleTables } from '$lib/server/network/tables';
import { tableKinds } from '$lib/server/db/schema';
import { unreadByPlace } from '$lib/server/threads/threads';

export const load: PageServerLoad = async ({ locals, url }) => {
	const kind = url.searchParams.get('kind');
	const [all, unread] = await Promise.all([listVisibleTables(getDatabase(), locals.actor!), unreadByPlace(getDatabase(), locals.actor!)]);
	const tables = kind && (tableKinds as readonly string[]).includes(kind) ? all.filter((t) => t.kind === kind) : all;
	return {
		kind: kind ?? '',
		kinds: tableKinds,
		tables: tables.map((t) => ({ id: t.id, name: t.name, kind: t.kind, district: t.district, visibility: t.visibility, members: t.members, myRole: t.myRole, unread: unread[t.id] ?? 0 }))
	};
};
