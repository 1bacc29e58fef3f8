import type { Db } from '../../db/client';
import type { DocumentRef } from '../../authz';
import { getTable } from '../../network/tables';
import { tableRef } from '../../network/guards';
import { getActor } from '../../network/people';
import { meetingContext } from '../../meetings/meetings';
import { minutesContext } from '../../minutes/minutes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a document name refers to, as seen by this person, for authorization; null when it names nothing. */
export async function resolveDocument(db: Db, name: string, userId: string): Promise<DocumentRef | null> {
	const sep = name.indexOf(':');
	const kind = name.slice(0, sep);
	const id = name.slice(sep + 1);
	if (!UUID.test(id)) return null;
	switch (kind) {
		case 'table-notes': {
			const table = await getTable(db, id);
			return table ? { kind, table: tableRef(table) } : null;
		}
		case 'agenda': {
			const ctx = await meetingContext(db, await getActor(db, userId), id);
			return ctx ? { kind, meeting: ctx.ref } : null;
		}
		case 'minutes': {
			// Only minutes that were started (the first draft is written by the server).
			const ctx = await minutesContext(db, await getActor(db, userId), id);
			return ctx?.minutes ? { kind, minutes: ctx.mref } : null;
		}
		default:
			return null;
	}
}
