import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { publicBaseUrl } from '$lib/server/links';
import { authorize, can } from '$lib/server/authz';
import { getPerson, getPersonTables, setPersonDisabled } from '$lib/server/network/people';
import { issuePasswordReset } from '$lib/server/auth/reset';
import { DomainError } from '$lib/server/errors';

export const load: PageServerLoad = async ({ locals, params }) => {
	authorize(locals.actor, 'person.view');
	const db = getDatabase();
	const person = await getPerson(db, params.id);
	if (!person) error(404, 'not_found');
	const manage = can(locals.actor, 'person.manage');
	if (person.disabledAt && !manage) error(404, 'not_found');
	// Only the tables the viewer may see: a members-only table never shows up here for outsiders.
	const tables = (await getPersonTables(db, person.id)).filter((t) => can(locals.actor, 'table.view', { id: t.id, visibility: t.visibility }));
	return {
		person: {
			id: person.id,
			name: person.name,
			email: person.email,
			role: person.role,
			jobTitle: person.jobTitle,
			phone: person.phone,
			organizationId: person.organizationId,
			organizationName: person.organizationName,
			disabled: !!person.disabledAt,
			activated: person.activated,
			lastLoginAt: manage ? person.lastLoginAt : null
		},
		tables: tables.map((t) => ({ id: t.id, name: t.name, role: t.role })),
		can: { manage, reset: can(locals.actor, 'person.issueReset'), isSelf: locals.user?.id === person.id }
	};
};

export const actions: Actions = {
	toggleDisabled: async ({ locals, params }) => {
		const actor = authorize(locals.actor, 'person.manage');
		const db = getDatabase();
		const person = await getPerson(db, params.id);
		if (!person) error(404, 'not_found');
		try {
			await setPersonDisabled(db, actor.id, person.id, !person.disabledAt);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { action: 'toggleDisabled', errors: { _form: err.code } });
			throw err;
		}
		return { action: 'toggleDisabled', success: true };
	},
	reset: async ({ locals, params, url }) => {
		const actor = authorize(locals.actor, 'person.issueReset');
		try {
			const { link, expiresAt } = await issuePasswordReset(getDatabase(), actor.id, params.id, { baseUrl: publicBaseUrl(url.origin) });
			kickMailWorker();
			return { action: 'reset', success: true, link, expiresAt };
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status, { action: 'reset', errors: { _form: err.code } });
			throw err;
		}
	}
};
