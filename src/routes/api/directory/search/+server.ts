import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { directoryReader } from '$lib/server/directory/access';
import { getSearchEngine } from '$lib/server/search';
import { directoryNow } from '$lib/server/directory/clock';

const list = z.array(z.string().trim().min(1).max(80)).max(20);
const query = z.object({
	q: z.string().max(200).default(''),
	category: list,
	district: list,
	language: list,
	target: list,
	openNow: z.enum(['1', 'true']).optional(),
	page: z.coerce.number().int().min(1).max(1000).default(1),
	pageSize: z.coerce.number().int().min(1).max(50).default(20)
});

/**
 * GET /api/directory/search?q=&category=&district=&language=&target=&openNow=1&page= →
 * { hits, facets, total, tookMs } (see docs/api.md). Logged-in people and partner systems with a
 * read-only token see every service; anonymous requests only public services, and only when the
 * directory is public.
 */
export const GET: RequestHandler = async ({ locals, url, request }) => {
	const db = getDatabase();
	const reader = await directoryReader(db, locals.actor, request.headers.get('authorization'));
	if (!reader) return json({ error: 'unauthorized' }, { status: 401 });
	const p = url.searchParams;
	const parsed = query.safeParse({
		q: p.get('q') ?? '',
		category: p.getAll('category'),
		district: p.getAll('district'),
		language: p.getAll('language'),
		target: p.getAll('target'),
		openNow: p.get('openNow') ?? undefined,
		page: p.get('page') ?? undefined,
		pageSize: p.get('pageSize') ?? undefined
	});
	if (!parsed.success) return json({ error: 'bad_request', issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), problem: i.message })) }, { status: 400 });
	const q = parsed.data;
	const result = await getSearchEngine().search({
		q: q.q,
		// Services that stopped (inactive, defunct) are not offered to people looking for help.
		filters: { category: q.category, district: q.district, language: q.language, target: q.target, openNow: !!q.openNow, status: ['active', 'temporarily closed'] },
		facets: ['category', 'district', 'language', 'target', 'openNow'],
		page: q.page,
		pageSize: q.pageSize,
		now: directoryNow(),
		publicOnly: reader.kind === 'public'
	});
	return json(result, { headers: { 'cache-control': reader.kind === 'public' ? 'public, max-age=30' : 'private, no-store' } });
};
