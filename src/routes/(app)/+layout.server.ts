import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { can } from '$lib/server/authz';

export const load: LayoutServerLoad = ({ locals, url }) => {
	if (!locals.user) {
		const back = url.pathname + url.search;
		redirect(303, back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
	}
	return {
		nav: {
			admin: can(locals.actor, 'admin.access'),
			createTable: can(locals.actor, 'table.create'),
			manageOrganizations: can(locals.actor, 'organization.manage'),
			managePeople: can(locals.actor, 'person.manage')
		}
	};
};
