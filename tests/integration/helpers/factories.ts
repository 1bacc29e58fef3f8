import { randomBytes } from 'node:crypto';
import type { Db } from '../../../src/lib/server/db/client';
import type { NetworkRole, TableRole, TableVisibility } from '../../../src/lib/server/db/schema';
import type { Actor } from '../../../src/lib/server/authz';
import { createOrganization } from '../../../src/lib/server/network/organizations';
import { createPerson, getPerson, getTableRoles } from '../../../src/lib/server/network/people';
import { addTableMember, createTable } from '../../../src/lib/server/network/tables';
import { hashPassword } from '../../../src/lib/server/auth/password';

const uid = () => randomBytes(4).toString('hex');
export const PASSWORD = 'correct horse battery';
let cachedHash: string | undefined;

export async function makeOrganization(db: Db, name = `Comune di Prova ${uid()}`) {
	return createOrganization(db, null, { name, kind: 'comune', district: 'Distretto di prova' });
}

export async function makePerson(db: Db, opts: { role?: NetworkRole; organizationId?: string; email?: string; withPassword?: boolean } = {}) {
	cachedHash ??= await hashPassword(PASSWORD);
	return createPerson(db, null, {
		name: `Persona ${uid()}`,
		email: opts.email ?? `p.${uid()}@comune.example.it`,
		role: opts.role ?? 'member',
		organizationId: opts.organizationId,
		passwordHash: opts.withPassword === false ? null : cachedHash
	});
}

export async function actorFor(db: Db, user: { id: string; role: NetworkRole }): Promise<Actor> {
	return { id: user.id, role: user.role, organizationId: (await getPerson(db, user.id))?.organizationId ?? null, tableRoles: await getTableRoles(db, user.id) };
}

export async function makeTable(
	db: Db,
	opts: { visibility?: TableVisibility; coordinatorId?: string; members?: { id: string; role?: TableRole }[] } = {}
) {
	const admin = await makePerson(db, { role: 'admin' });
	const table = await createTable(db, { id: admin.id, role: 'admin', tableRoles: {} }, {
		name: `Tavolo ${uid()}`,
		kind: 'tematico',
		visibility: opts.visibility ?? 'network',
		coordinatorId: opts.coordinatorId
	});
	for (const m of opts.members ?? []) await addTableMember(db, admin.id, table.id, m.id, m.role ?? 'member');
	return { table, admin };
}
