import type { PageServerLoad } from './$types';
import { directoryLabels, getSearchEngine } from '$lib/server/search';
import { getDatabase } from '$lib/server/boot';
import { directoryNow } from '$lib/server/directory/clock';

const FACETS = ['category', 'district', 'language', 'target'] as const;
/** Names of the filters in the URL, for the removable chips even when a filter matches nothing. */
const labels = directoryLabels(() => getDatabase());
const clean = (values: string[]) => values.map((v) => v.trim().slice(0, 80)).filter(Boolean).slice(0, 20);

/** The directory search: every filter lives in the URL, so a search can be shared as a link. */
export const load: PageServerLoad = async ({ url, locals }) => {
	const p = url.searchParams;
	const q = (p.get('q') ?? '').slice(0, 200);
	const filters = Object.fromEntries(FACETS.map((f) => [f, clean(p.getAll(f))])) as Record<(typeof FACETS)[number], string[]>;
	const openNow = p.get('openNow') === '1';
	const page = Math.min(1000, Math.max(1, Number(p.get('page')) || 1));
	const result = await getSearchEngine().search({
		q,
		filters: { ...filters, openNow, status: ['active', 'temporarily closed'] },
		facets: [...FACETS, 'openNow'],
		page,
		pageSize: 20,
		now: directoryNow(),
		// Anonymous visitors (public directory) see public services only.
		publicOnly: !locals.user
	});
	const named = async (kind: 'category' | 'target' | 'language') => Object.fromEntries(await labels(kind, filters[kind])) as Record<string, string>;
	const [category, target, language] = await Promise.all([named('category'), named('target'), named('language')]);
	const filterLabels: Record<(typeof FACETS)[number], Record<string, string>> = {
		category,
		target,
		language,
		district: Object.fromEntries(filters.district.map((d) => [d, d]))
	};
	// "Nuovo servizio": admins, and a partner's people (their organisation's services; the new-service page checks).
	const canCreateService = !!locals.actor && (locals.actor.role === 'admin' || !!locals.actor.organizationId);
	return { q, filters, filterLabels, openNow, page, result, anonymous: !locals.user, canCreateService };
};
