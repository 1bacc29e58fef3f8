import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { can } from '$lib/server/authz';
import { getDatabase } from '$lib/server/boot';
import { unreadCount } from '$lib/server/notifications';

export const load: LayoutServerLoad = async ({ locals, url, route, depends }) => {
	depends('app:notifications');
	if (!locals.user) {
		// hooks.server.ts lets anonymous visitors reach only the public directory's pages.
		if (!route.id?.startsWith('/(app)/directory')) {
			const back = url.pathname + url.search;
			redirect(303, back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
		}
		return { anonymous: true, unreadNotifications: 0, nav: { admin: false, createTable: false, manageOrganizations: false, managePeople: false } };
	}
	return {
		anonymous: false,
		unreadNotifications: await unreadCount(getDatabase(), locals.user.id),
		nav: {
			admin: can(locals.actor, 'admin.access'),
			createTable: can(locals.actor, 'table.create'),
			manageOrganizations: can(locals.actor, 'organization.manage'),
			managePeople: can(locals.actor, 'person.manage')
		}
	};
};
