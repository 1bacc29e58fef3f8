import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { auditLog, invitations, organizations, tableMembers, users } from '../../src/lib/server/db/schema';
import { can } from '../../src/lib/server/authz';
import { createOrganization, deleteOrganization, listOrganizations, updateOrganization } from '../../src/lib/server/network/organizations';
import { setPersonDisabled, updatePerson } from '../../src/lib/server/network/people';
import { addTableMember, createTable, listTableMembers, listVisibleTables, removeTableMember, setTableMemberRole } from '../../src/lib/server/network/tables';
import { acceptInvitation, createInvitation, lookupInvitation, revokeInvitation } from '../../src/lib/server/network/invitations';
import { login } from '../../src/lib/server/auth/login';

describeEachDb('organisations', (get) => {
	it('are created, updated, and soft-deleted with an audit trail', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const org = await createOrganization(db, admin.id, { name: 'Comune di Cesenatico', kind: 'comune', district: 'Rubicone', taxCode: '00220600407' });
		await expect(createOrganization(db, admin.id, { name: 'comune di cesenatico', kind: 'comune' })).rejects.toMatchObject({ code: 'error_organization_exists' });
		await updateOrganization(db, admin.id, org.id, { name: 'Comune di Cesenatico', kind: 'comune', district: 'Cesena Valle Savio' });
		const listed = await listOrganizations(db, { q: 'cesenatico' });
		expect(listed).toHaveLength(1);
		expect(listed[0]!.district).toBe('Cesena Valle Savio');

		const person = await makePerson(db, { organizationId: org.id });
		expect((await listOrganizations(db, { q: 'cesenatico' }))[0]!.people).toBe(1);
		await expect(deleteOrganization(db, admin.id, org.id)).rejects.toMatchObject({ code: 'error_organization_has_people' });
		await setPersonDisabled(db, admin.id, person.id, true);
		await deleteOrganization(db, admin.id, org.id);
		expect(await listOrganizations(db, { q: 'cesenatico' })).toHaveLength(0);
		const [row] = await db.select().from(organizations).where(eq(organizations.id, org.id));
		expect(row!.deletedAt).not.toBeNull();
		expect(row!.deletedBy).toBe(admin.id);
		const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, org.id));
		expect(audit.map((a) => a.action).sort()).toEqual(['organization.created', 'organization.deleted', 'organization.updated']);
	});
});

describeEachDb('people', (get) => {
	it('keep at least one active administrator', async () => {
		const { db } = get();
		const [existingAdmins] = [await db.select().from(users).where(eq(users.role, 'admin'))];
		for (const a of existingAdmins) await db.update(users).set({ role: 'member' }).where(eq(users.id, a.id));
		const admin = await makePerson(db, { role: 'admin' });
		await expect(updatePerson(db, admin.id, admin.id, { name: 'X Y', email: admin.email, role: 'member' })).rejects.toMatchObject({ code: 'error_last_admin' });
		await expect(setPersonDisabled(db, admin.id, admin.id, true)).rejects.toMatchObject({ code: 'error_cannot_disable_self' });
		const other = await makePerson(db, { role: 'admin' });
		await updatePerson(db, other.id, admin.id, { name: admin.name, email: admin.email, role: 'member' });
		const [row] = await db.select().from(users).where(eq(users.id, admin.id));
		expect(row!.role).toBe('member');
	});

	it('refuse an e-mail that another account uses', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const a = await makePerson(db);
		const b = await makePerson(db);
		await expect(updatePerson(db, admin.id, b.id, { name: b.name, email: a.email, role: 'member' })).rejects.toMatchObject({ code: 'error_email_taken', field: 'email' });
	});
});

describeEachDb('tables', (get) => {
	it('members-only tables are visible to their members and admins only', async () => {
		const { db } = get();
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const member = await makePerson(db);
		const outsider = await makePerson(db);
		const { table: priv, admin } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const { table: open } = await makeTable(db, { visibility: 'network', coordinatorId: coordinator.id });

		const ids = async (u: { id: string; role: 'admin' | 'coordinator' | 'member' }) =>
			(await listVisibleTables(db, await actorFor(db, u))).map((t) => t.id);
		expect(await ids(member)).toEqual(expect.arrayContaining([priv.id, open.id]));
		expect(await ids(outsider)).toContain(open.id);
		expect(await ids(outsider)).not.toContain(priv.id);
		expect(await ids(admin)).toContain(priv.id);

		const ref = { id: priv.id, visibility: priv.visibility };
		expect(can(await actorFor(db, outsider), 'table.view', ref)).toBe(false);
		expect(can(await actorFor(db, member), 'table.view', ref)).toBe(true);
		expect(can(await actorFor(db, member), 'table.manageMembers', ref)).toBe(false);
		expect(can(await actorFor(db, coordinator), 'table.manageMembers', ref)).toBe(true);
	});

	it('a network coordinator who creates a table coordinates it', async () => {
		const { db } = get();
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const table = await createTable(db, await actorFor(db, coordinator), { name: 'Tavolo scuola', kind: 'tematico', visibility: 'members' });
		const members = await listTableMembers(db, table.id);
		expect(members.map((m) => [m.userId, m.role])).toEqual([[coordinator.id, 'coordinator']]);
	});

	it('members are added, promoted, removed; a table always keeps a coordinator', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const other = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: coordinator.id });
		await addTableMember(db, coordinator.id, table.id, other.id, 'member');
		await expect(addTableMember(db, coordinator.id, table.id, other.id, 'member')).rejects.toMatchObject({ code: 'error_already_member' });
		await expect(removeTableMember(db, coordinator.id, table.id, coordinator.id)).rejects.toMatchObject({ code: 'error_last_coordinator' });
		await expect(setTableMemberRole(db, coordinator.id, table.id, coordinator.id, 'member')).rejects.toMatchObject({ code: 'error_last_coordinator' });
		await setTableMemberRole(db, coordinator.id, table.id, other.id, 'coordinator');
		await removeTableMember(db, other.id, table.id, coordinator.id);
		const rows = await db.select().from(tableMembers).where(eq(tableMembers.tableId, table.id));
		expect(rows.map((r) => [r.userId, r.role])).toEqual([[other.id, 'coordinator']]);
		const audit = await db.select().from(auditLog).where(and(eq(auditLog.entityId, table.id)));
		expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['table.member_added', 'table.member_role_changed', 'table.member_removed']));
	});
});

describeEachDb('invitations', (get) => {
	it('a table coordinator invites into their own table only; the link works once', async () => {
		const { db } = get();
		const org = await makeOrganization(db);
		const coordinator = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id });
		const { table: otherTable } = await makeTable(db);
		const actor = await actorFor(db, coordinator);
		expect(can(actor, 'invitation.create', { tableId: table.id })).toBe(true);
		expect(can(actor, 'invitation.create', { tableId: otherTable.id })).toBe(false);
		expect(can(actor, 'invitation.create', { tableId: null })).toBe(false);

		// Even asking for the admin role, a coordinator's invitation makes a network member.
		const { token, invitation } = await createInvitation(db, actor, {
			email: 'nuova.operatrice@comune.example.it',
			role: 'admin',
			tableId: table.id,
			tableRole: 'member',
			organizationId: org.id
		});
		expect(invitation.role).toBe('member');
		const [stored] = await db.select().from(invitations).where(eq(invitations.id, invitation.id));
		expect(stored!.tokenHash).not.toBe(token);
		expect((await lookupInvitation(db, token)).state).toBe('valid');

		const user = await acceptInvitation(db, token, { name: 'Giulia Neri', password: 'una password lunga', confirmPassword: 'una password lunga' });
		expect(user.role).toBe('member');
		expect(user.organizationId).toBe(org.id);
		const members = await listTableMembers(db, table.id);
		expect(members.find((m) => m.userId === user.id)?.role).toBe('member');
		expect((await login(db, { email: 'nuova.operatrice@comune.example.it', password: 'una password lunga', ip: null, userAgent: null })).ok).toBe(true);

		expect((await lookupInvitation(db, token)).state).toBe('used');
		await expect(acceptInvitation(db, token, { name: 'Altra', password: 'altra password lunga', confirmPassword: 'altra password lunga' })).rejects.toMatchObject({ code: 'error_invitation_invalid' });
	});

	it('expired and revoked invitations cannot be used; existing e-mails are refused', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const actor = await actorFor(db, admin);
		const a = await createInvitation(db, actor, { email: 'scaduto@example.it', role: 'member', tableRole: 'member' });
		await db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, a.invitation.id));
		expect((await lookupInvitation(db, a.token)).state).toBe('expired');
		await expect(acceptInvitation(db, a.token, { name: 'X', password: 'abcdefghijkl', confirmPassword: 'abcdefghijkl' })).rejects.toMatchObject({ code: 'error_invitation_invalid' });

		const b = await createInvitation(db, actor, { email: 'revocato@example.it', role: 'coordinator', tableRole: 'member' });
		await revokeInvitation(db, admin.id, b.invitation.id);
		expect((await lookupInvitation(db, b.token)).state).toBe('revoked');
		await expect(revokeInvitation(db, admin.id, b.invitation.id)).rejects.toMatchObject({ code: 'error_invitation_not_pending' });

		await expect(createInvitation(db, actor, { email: admin.email.toUpperCase().toLowerCase(), role: 'member', tableRole: 'member' })).rejects.toMatchObject({ code: 'error_email_taken' });
		expect((await lookupInvitation(db, 'garbage')).state).toBe('unknown');
	});

	it('two people racing on one link: exactly one account is created', async () => {
		const { db } = get();
		const admin = await makePerson(db, { role: 'admin' });
		const { token } = await createInvitation(db, await actorFor(db, admin), { email: 'gara@example.it', role: 'member', tableRole: 'member' });
		const input = { name: 'Gara', password: 'password di gara', confirmPassword: 'password di gara' };
		const results = await Promise.allSettled([acceptInvitation(db, token, input), acceptInvitation(db, token, input)]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(await db.select().from(users).where(eq(users.email, 'gara@example.it'))).toHaveLength(1);
	});
});

describeEachDb('invitations after the inviter loses the right', (get) => {
	it('a removed coordinator’s pending invitation stops working', async () => {
		const { db } = get();
		const coordinator = await makePerson(db);
		const successor = await makePerson(db);
		const { table, admin } = await makeTable(db, { coordinatorId: coordinator.id, members: [{ id: successor.id, role: 'coordinator' }] });
		const { token } = await createInvitation(db, await actorFor(db, coordinator), { email: 'tardi@example.it', role: 'member', tableId: table.id, tableRole: 'coordinator' });
		expect((await lookupInvitation(db, token)).state).toBe('valid');
		await removeTableMember(db, admin.id, table.id, coordinator.id);
		expect((await lookupInvitation(db, token)).state).toBe('revoked');
		await expect(acceptInvitation(db, token, { name: 'Tardi', password: 'password lunga ok', confirmPassword: 'password lunga ok' })).rejects.toMatchObject({ code: 'error_invitation_invalid' });
		expect(await db.select().from(users).where(eq(users.email, 'tardi@example.it'))).toHaveLength(0);
	});

	it('organisation names are unique whatever the case, even under a race', async () => {
		const { db } = get();
		const results = await Promise.allSettled([
			createOrganization(db, null, { name: 'Comune di Forlimpopoli', kind: 'comune' }),
			createOrganization(db, null, { name: 'COMUNE DI FORLIMPOPOLI', kind: 'comune' })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
		expect(rejected.reason).toMatchObject({ code: 'error_organization_exists' });
	});

	it('two coordinators demoting each other at once leave the table one coordinator', async () => {
		const { db } = get();
		const a = await makePerson(db);
		const b = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: a.id, members: [{ id: b.id, role: 'coordinator' }] });
		const results = await Promise.allSettled([
			setTableMemberRole(db, a.id, table.id, b.id, 'member'),
			setTableMemberRole(db, b.id, table.id, a.id, 'member')
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		const coords = (await listTableMembers(db, table.id)).filter((m) => m.role === 'coordinator');
		expect(coords).toHaveLength(1);
	});
});
