import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { attachmentHeaders, discardUpload, readAttachment } from '$lib/server/threads/attachments';

const domainError = (err: unknown) => {
	if (err instanceof DomainError) return json({ error: err.code }, { status: err.status, headers: { 'cache-control': 'no-store' } });
	throw err;
};

/**
 * GET /api/threads/attachments/<id> → the file, with its sniffed type; images inline, everything
 * else as a download; 404 for anything the person may not read (existence is not revealed).
 */
export const GET: RequestHandler = async ({ locals, params, request }) => {
	if (!locals.actor) return json({ error: 'unauthorized' }, { status: 401 });
	try {
		const a = await readAttachment(getDatabase(), locals.actor, params.id);
		const headers = attachmentHeaders(a);
		if (request.headers.get('if-none-match') === headers.get('etag')) {
			headers.delete('content-length');
			return new Response(null, { status: 304, headers });
		}
		return new Response(a.stream(), { headers });
	} catch (err) {
		return domainError(err);
	}
};

/** DELETE /api/threads/attachments/<id>: the uploader removes an upload not yet in a post → 204. */
export const DELETE: RequestHandler = async ({ locals, params }) => {
	if (!locals.actor) return json({ error: 'unauthorized' }, { status: 401 });
	try {
		await discardUpload(getDatabase(), locals.actor, params.id);
		return new Response(null, { status: 204 });
	} catch (err) {
		return domainError(err);
	}
};
