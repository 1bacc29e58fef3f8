import type { LayoutServerLoad } from './$types';
import { getLocale } from '$lib/paraglide/runtime';

/** Only what the browser needs of the user; never hashes, sessions or table maps. */
export const load: LayoutServerLoad = ({ locals }) => ({
	locale: getLocale(),
	user: locals.user
		? {
				id: locals.user.id,
				name: locals.user.name,
				email: locals.user.email,
				role: locals.user.role,
				organizationName: locals.user.organizationName
			}
		: null
});
