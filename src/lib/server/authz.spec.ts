import { describe, expect, it } from 'vitest';
import { authorize, can, type Actor } from './authz';

const admin: Actor = { id: 'a', role: 'admin', tableRoles: {} };
const netCoordinator: Actor = { id: 'c', role: 'coordinator', tableRoles: { t1: 'coordinator' } };
const member: Actor = { id: 'm', role: 'member', tableRoles: { t1: 'member', priv: 'member' } };
const outsider: Actor = { id: 'o', role: 'member', tableRoles: {} };
const priv = { id: 'priv', visibility: 'members' as const };
const open = { id: 't1', visibility: 'network' as const };

describe('authz', () => {
	it('nobody anonymous may do anything', () => {
		expect(can(null, 'network.view')).toBe(false);
		expect(can(null, 'table.view', open)).toBe(false);
		expect(() => authorize(null, 'network.view')).toThrow();
	});

	it('members-only tables: members and admins only', () => {
		expect(can(member, 'table.view', priv)).toBe(true);
		expect(can(admin, 'table.view', priv)).toBe(true);
		expect(can(outsider, 'table.view', priv)).toBe(false);
		expect(can(netCoordinator, 'table.view', priv)).toBe(false);
		expect(can(outsider, 'table.view', open)).toBe(true);
	});

	it('table coordinators manage their own table, and only while it is not archived', () => {
		expect(can(netCoordinator, 'table.manageMembers', open)).toBe(true);
		expect(can(netCoordinator, 'table.manageMembers', { ...open, archived: true })).toBe(false);
		expect(can(member, 'table.manageMembers', open)).toBe(false);
		expect(can(netCoordinator, 'table.manageMembers', priv)).toBe(false);
		expect(can(netCoordinator, 'table.archive', open)).toBe(false);
		expect(can(netCoordinator, 'table.update', open)).toBe(false);
		expect(can(admin, 'table.update', priv)).toBe(true);
		expect(can(admin, 'table.archive', open)).toBe(true);
	});

	it('only admins manage organisations, people and resets; coordinators create tables', () => {
		for (const action of ['organization.manage', 'person.manage', 'person.issueReset', 'admin.access', 'invitation.manageAll'] as const) {
			expect(can(admin, action)).toBe(true);
			expect(can(netCoordinator, action)).toBe(false);
			expect(can(member, action)).toBe(false);
		}
		expect(can(netCoordinator, 'table.create')).toBe(true);
		expect(can(member, 'table.create')).toBe(false);
	});

	it('invitations: admins anywhere, table coordinators into their table only', () => {
		expect(can(admin, 'invitation.create', { tableId: null })).toBe(true);
		expect(can(netCoordinator, 'invitation.create', { tableId: 't1' })).toBe(true);
		expect(can(netCoordinator, 'invitation.create', { tableId: 'other' })).toBe(false);
		expect(can(netCoordinator, 'invitation.create', { tableId: null })).toBe(false);
		expect(can(member, 'invitation.create', { tableId: 't1' })).toBe(false);
	});

	it('authorize throws 403 for a logged-in person who may not', () => {
		try {
			authorize(outsider, 'table.view', priv);
			expect.unreachable();
		} catch (e) {
			expect((e as { status: number }).status).toBe(403);
		}
	});

	it('threads follow their table; the Piazza is everyone’s and admins moderate it', () => {
		const inPriv = { table: priv, locked: false };
		const inOpen = { table: open, locked: false };
		const piazza = { table: null, locked: false };
		expect(can(member, 'thread.view', inPriv)).toBe(true);
		expect(can(outsider, 'thread.view', inPriv)).toBe(false);
		expect(can(outsider, 'thread.view', piazza)).toBe(true);
		expect(can(outsider, 'thread.create', priv)).toBe(false);
		expect(can(outsider, 'thread.create', open)).toBe(true);
		expect(can(outsider, 'thread.create', null)).toBe(true);
		expect(can(member, 'thread.create', { ...priv, archived: true })).toBe(false);
		// Locked: only moderators post.
		expect(can(member, 'post.create', { ...inOpen, locked: true })).toBe(false);
		expect(can(netCoordinator, 'post.create', { ...inOpen, locked: true })).toBe(true);
		expect(can(netCoordinator, 'thread.moderate', inOpen)).toBe(true);
		expect(can(netCoordinator, 'thread.moderate', piazza)).toBe(false);
		expect(can(admin, 'thread.moderate', piazza)).toBe(true);
		expect(can(member, 'thread.moderate', inPriv)).toBe(false);
		// Own posts: edit while standing and open; delete own or as moderator.
		const mine = { thread: inOpen, authorId: member.id, deleted: false, hidden: false };
		expect(can(member, 'post.edit', mine)).toBe(true);
		expect(can(member, 'post.edit', { ...mine, hidden: true })).toBe(false);
		expect(can(member, 'post.edit', { ...mine, thread: { ...inOpen, locked: true } })).toBe(false);
		expect(can(outsider, 'post.edit', mine)).toBe(false);
		expect(can(member, 'post.delete', mine)).toBe(true);
		expect(can(netCoordinator, 'post.delete', mine)).toBe(true);
		expect(can(outsider, 'post.delete', mine)).toBe(false);
		expect(can(member, 'post.delete', { ...mine, deleted: true })).toBe(false);
	});
});
