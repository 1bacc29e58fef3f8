import type { PageServerLoad } from './$types';
import { getSearchEngine } from '$lib/server/search';

const FACETS = ['category', 'district', 'language', 'target'] as const;
const clean = (values: string[]) => values.map((v) => v.trim().slice(0, 80)).filter(Boolean).slice(0, 20);

/** The directory search: every filter lives in the URL, so a search can be shared as a link. */
export const load: PageServerLoad = async ({ url }) => {
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
		publicOnly: false
	});
	return { q, filters, openNow, page, result };
};
