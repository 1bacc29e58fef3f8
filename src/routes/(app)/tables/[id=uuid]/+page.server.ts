import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { publicBaseUrl } from '$lib/server/links';
import { can } from '$lib/server/authz';
import { loadTableFor, tableRef } from '$lib/server/network/guards';
import {
	addTableMember,
	listTableMembers,
	memberInput,
	removeTableMember,
	setTableArchived,
	setTableMemberRole
} from '$lib/server/network/tables';
import { listPeople } from '$lib/server/network/people';
import { listOrganizations } from '$lib/server/network/organizations';
import { createInvitation, getInvitation, invitationInput, listPendingInvitations, revokeInvitation } from '$lib/server/network/invitations';
import { parseForm, uuidField } from '$lib/server/validation';
import { listTableMeetings } from '$lib/server/meetings/meetings';
import { listThreads } from '$lib/server/threads/threads';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const db = getDatabase();
	const table = await loadTableFor(db, locals.actor, params.id, 'table.view');
	const ref = tableRef(table);
	const manage = can(locals.actor, 'table.manageMembers', ref);
	const members = await listTableMembers(db, table.id);
	const memberIds = new Set(members.map((mb) => mb.userId));
	return {
		created: url.searchParams.has('created'),
		table: {
			id: table.id,
			name: table.name,
			kind: table.kind,
			district: table.district,
			description: table.description,
			visibility: table.visibility,
			archived: !!table.archivedAt
		},
		members,
		can: {
			manage,
			update: can(locals.actor, 'table.update', ref),
			archive: can(locals.actor, 'table.archive', ref),
			invite: can(locals.actor, 'invitation.create', { tableId: table.id }),
			writeNotes: can(locals.actor, 'document.write', { kind: 'table-notes', table: ref }),
			schedule: can(locals.actor, 'meeting.create', ref),
			templates: can(locals.actor, 'template.manage', ref),
			startThread: can(locals.actor, 'thread.create', ref)
		},
		threads: await listThreads(db, locals.actor!, { tableId: table.id }, { limit: 30 }),
		meetings: await listTableMeetings(db, table.id),
		candidates: manage
			? (await listPeople(db))
					.filter((p) => !memberIds.has(p.id))
					.map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}` }))
			: [],
		organizations: manage ? (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name })) : [],
		invitations: manage
			? (await listPendingInvitations(db, { tableId: table.id })).map((i) => ({ id: i.id, email: i.email, expiresAt: i.expiresAt, createdByName: i.createdByName }))
			: []
	};
};

async function manageable(event: RequestEvent) {
	const db = getDatabase();
	const table = await loadTableFor(db, event.locals.actor, event.params.id, 'table.manageMembers');
	return { db, table, actor: event.locals.actor! };
}

function domainFail(err: unknown, action: string, values?: Record<string, string>) {
	if (err instanceof DomainError) return fail(err.status === 404 ? 404 : 400, { action, errors: { [err.field ?? '_form']: err.code }, values });
	throw err;
}

const memberRef = z.object({ userId: uuidField });

export const actions: Actions = {
	addMember: async (event) => {
		const { db, table, actor } = await manageable(event);
		const parsed = parseForm(memberInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'addMember', errors: parsed.errors, values: parsed.values });
		try {
			await addTableMember(db, actor.id, table.id, parsed.data.userId, parsed.data.role);
		} catch (err) {
			return domainFail(err, 'addMember', parsed.values);
		}
		return { action: 'addMember', success: true };
	},
	setRole: async (event) => {
		const { db, table, actor } = await manageable(event);
		const parsed = parseForm(memberInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'setRole', errors: parsed.errors });
		try {
			await setTableMemberRole(db, actor.id, table.id, parsed.data.userId, parsed.data.role);
		} catch (err) {
			return domainFail(err, 'setRole');
		}
		return { action: 'setRole', success: true };
	},
	removeMember: async (event) => {
		const { db, table, actor } = await manageable(event);
		const parsed = parseForm(memberRef, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'removeMember', errors: parsed.errors });
		try {
			await removeTableMember(db, actor.id, table.id, parsed.data.userId);
		} catch (err) {
			return domainFail(err, 'removeMember');
		}
		return { action: 'removeMember', success: true };
	},
	invite: async (event) => {
		const { db, table, actor } = await manageable(event);
		const form = await event.request.formData();
		form.set('tableId', table.id);
		const parsed = parseForm(invitationInput, form);
		if (!parsed.ok) return fail(400, { action: 'invite', errors: parsed.errors, values: parsed.values });
		try {
			const { link, invitation } = await createInvitation(db, actor, parsed.data, { baseUrl: publicBaseUrl(event.url.origin) });
			kickMailWorker();
			return { action: 'invite', success: true, link, email: invitation.email, expiresAt: invitation.expiresAt };
		} catch (err) {
			return domainFail(err, 'invite', parsed.values);
		}
	},
	revokeInvitation: async (event) => {
		const { db, table, actor } = await manageable(event);
		const parsed = parseForm(z.object({ invitationId: uuidField }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'revokeInvitation', errors: parsed.errors });
		const inv = await getInvitation(db, parsed.data.invitationId);
		// A coordinator revokes only the invitations of this table.
		if (!inv || inv.tableId !== table.id) return fail(404, { action: 'revokeInvitation', errors: { _form: 'error_not_found' } });
		try {
			await revokeInvitation(db, actor.id, inv.id);
		} catch (err) {
			return domainFail(err, 'revokeInvitation');
		}
		return { action: 'revokeInvitation', success: true };
	},
	archive: async (event) => {
		const db = getDatabase();
		const table = await loadTableFor(db, event.locals.actor, event.params.id, 'table.archive');
		await setTableArchived(db, event.locals.actor!.id, table.id, !table.archivedAt);
		return { action: 'archive', success: true };
	}
};
