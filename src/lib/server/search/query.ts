/** Query normalisation and facet shaping shared by both engines. */
import type { LabelResolver } from './labels';
import { MAX_PAGE_SIZE, type FacetName, type FacetValue, type SearchQuery } from './types';

const MAX_PAGE = 1000;

export function normalizeQuery(q: SearchQuery): SearchQuery {
	const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(q.pageSize) || 20));
	const page = Math.min(MAX_PAGE, Math.max(1, Math.floor(q.page) || 1));
	return { ...q, q: (q.q ?? '').slice(0, 200), page, pageSize, facets: [...new Set(q.facets ?? [])], filters: q.filters ?? {} };
}

/** Counts → sorted facet values with labels; selected values stay listed (count 0 if none). */
export async function facetValues(
	facet: Exclude<FacetName, 'openNow'>,
	counts: [string, number][],
	selected: string[],
	labels?: LabelResolver
): Promise<FacetValue[]> {
	const map = new Map(counts.map(([v, c]) => [v, Number(c)]));
	for (const s of selected) if (!map.has(s)) map.set(s, 0);
	const values = [...map.keys()];
	const names = facet === 'district' || !labels ? new Map<string, string>() : await labels(facet, values);
	return [...map]
		.map(([value, count]) => ({ value, label: names.get(value) ?? value, count }))
		.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'it'))
		.slice(0, 100);
}
