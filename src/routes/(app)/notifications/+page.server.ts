import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { listNotifications, markRead } from '$lib/server/notifications';

export const load: PageServerLoad = async ({ locals, depends }) => {
	depends('app:notifications');
	const rows = await listNotifications(getDatabase(), locals.user!.id, 100);
	return { notifications: rows.map((n) => ({ id: n.id, kind: n.kind, params: n.params, link: n.link, createdAt: n.createdAt, read: !!n.readAt })) };
};

export const actions: Actions = {
	markAll: async ({ locals }) => {
		await markRead(getDatabase(), locals.user!.id);
		return { success: true };
	}
};
