import type { Db } from '../../db/client';
import type { DocumentRef } from '../../authz';
import { getTable } from '../../network/tables';
import { tableRef } from '../../network/guards';

/** What a document name refers to, for authorization; null when it names nothing. */
export async function resolveDocument(db: Db, name: string): Promise<DocumentRef | null> {
	const sep = name.indexOf(':');
	const kind = name.slice(0, sep);
	const id = name.slice(sep + 1);
	switch (kind) {
		case 'table-notes': {
			const table = await getTable(db, id);
			return table ? { kind, table: tableRef(table) } : null;
		}
		default:
			return null;
	}
}
