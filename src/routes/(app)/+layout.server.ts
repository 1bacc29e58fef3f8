import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { can } from '$lib/server/authz';
import { getDatabase } from '$lib/server/boot';
import { unreadCount } from '$lib/server/notifications';

export const load: LayoutServerLoad = async ({ locals, url, depends }) => {
	depends('app:notifications');
	if (!locals.user) {
		const back = url.pathname + url.search;
		redirect(303, back === '/' ? '/login' : `/login?redirectTo=${encodeURIComponent(back)}`);
	}
	return {
		unreadNotifications: await unreadCount(getDatabase(), locals.user.id),
		nav: {
			admin: can(locals.actor, 'admin.access'),
			createTable: can(locals.actor, 'table.create'),
			manageOrganizations: can(locals.actor, 'organization.manage'),
			managePeople: can(locals.actor, 'person.manage')
		}
	};
};
