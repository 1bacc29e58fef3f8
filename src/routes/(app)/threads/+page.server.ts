import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { listVisibleTables } from '$lib/server/network/tables';
import { listThreads, searchPosts, unreadByPlace } from '$lib/server/threads/threads';

/** Discussions: the Piazza's threads, the tables with their unread counts, and search in posts. */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
	depends('app:threads');
	const db = getDatabase();
	const actor = locals.actor!;
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 200);
	const [piazza, unread, tables, hits] = await Promise.all([
		listThreads(db, actor, { tableId: null }, { limit: 50 }),
		unreadByPlace(db, actor),
		listVisibleTables(db, actor),
		q ? searchPosts(db, actor, q) : Promise.resolve([])
	]);
	return {
		q,
		hits,
		piazza,
		places: tables.map((t) => ({ id: t.id, name: t.name, mine: !!t.myRole, visibility: t.visibility, unread: unread[t.id] ?? 0 })),
		canStart: can(actor, 'thread.create', null)
	};
};
