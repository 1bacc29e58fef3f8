import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { directoryReader } from '$lib/server/directory/access';
import { exportCsv } from '$lib/server/directory/csv';
import { exportHsds } from '$lib/server/directory/hsds';

/** GET /api/directory/export?format=csv|hsds — the directory as CSV or HSDS 3.0 JSON (see docs/api.md). */
export const GET: RequestHandler = async ({ locals, url, request }) => {
	const db = getDatabase();
	const reader = await directoryReader(db, locals.actor, request.headers.get('authorization'));
	if (!reader) return json({ error: 'unauthorized' }, { status: 401 });
	const format = url.searchParams.get('format') ?? 'hsds';
	const publicOnly = reader.kind === 'public';
	const day = new Date().toISOString().slice(0, 10);
	if (format === 'csv') {
		const delimiter = url.searchParams.get('delimiter') === ',' ? ',' : ';';
		return new Response(await exportCsv(db, { publicOnly, delimiter }), {
			headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="rubrica-intarsi-${day}.csv"`, 'cache-control': 'private, no-store' }
		});
	}
	if (format === 'hsds')
		return new Response(await exportHsds(db, { publicOnly }), {
			headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="rubrica-intarsi-${day}.hsds.json"`, 'cache-control': 'private, no-store' }
		});
	return json({ error: 'bad_request', issues: [{ field: 'format', problem: 'csv or hsds' }] }, { status: 400 });
};
