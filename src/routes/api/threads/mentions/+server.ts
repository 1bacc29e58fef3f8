import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { mentionCandidates } from '$lib/server/threads/threads';

/** GET /api/threads/mentions?q= → { candidates: [{ kind: 'user'|'org', id, name, detail }] } (people of the network only). */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.actor) return json({ error: 'unauthorized' }, { status: 401 });
	const q = (url.searchParams.get('q') ?? '').slice(0, 60);
	return json({ candidates: await mentionCandidates(getDatabase(), q) }, { headers: { 'cache-control': 'private, no-store' } });
};
