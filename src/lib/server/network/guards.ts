import { error } from '@sveltejs/kit';
import type { Db } from '../db/client';
import { authorize, type Action, type Actor, type TableRef } from '../authz';
import { getTable } from './tables';

type TableAction = Extract<Action, 'table.view' | 'table.update' | 'table.archive' | 'table.manageMembers'>;

export const tableRef = (t: { id: string; visibility: 'network' | 'members'; archivedAt: Date | null }): TableRef => ({
	id: t.id,
	visibility: t.visibility,
	archived: !!t.archivedAt
});

/** Loads a table and checks the action on it: 404 when it does not exist, 403 when not allowed. */
export async function loadTableFor(db: Db, actor: Actor | null, id: string, action: TableAction) {
	const table = await getTable(db, id);
	if (!table) error(404, 'not_found');
	authorize(actor, action, tableRef(table));
	return table;
}
