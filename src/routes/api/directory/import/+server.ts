import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { detectFormat, importDirectory } from '$lib/server/directory/import';
import { kickSearchWorker } from '$lib/server/search';

const MAX_BYTES = 20 * 1024 * 1024;

/**
 * POST /api/directory/import?format=csv|hsds&dryRun=1 (administrators; the body is the file):
 * all-or-nothing, idempotent; answers the validation report (see docs/api.md).
 */
export const POST: RequestHandler = async ({ locals, url, request }) => {
	if (!locals.actor) return json({ error: 'unauthorized' }, { status: 401 });
	const length = Number(request.headers.get('content-length') ?? 0);
	if (length > MAX_BYTES) return json({ error: 'too_large' }, { status: 413 });
	const content = await request.text();
	if (content.length > MAX_BYTES) return json({ error: 'too_large' }, { status: 413 });
	const requested = url.searchParams.get('format');
	const format = requested === 'csv' || requested === 'hsds' ? requested : detectFormat(null, content);
	try {
		const report = await importDirectory(getDatabase(), locals.actor, { format, content, dryRun: url.searchParams.get('dryRun') === '1' });
		if (report.ok && !report.dryRun) kickSearchWorker();
		return json(report, { status: report.ok ? 200 : 422 });
	} catch (err) {
		if (err instanceof DomainError) return json({ error: err.code }, { status: err.status });
		throw err;
	}
};
