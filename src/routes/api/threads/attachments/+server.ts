import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { MAX_ATTACHMENT_BYTES, storeUpload, type UploadPlace } from '$lib/server/threads/attachments';

/** Room for the multipart framing and the other fields around one file. */
const MAX_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024;

const placeFields = z.union([
	z.object({ threadId: z.uuid(), tableId: z.undefined(), piazza: z.undefined() }),
	z.object({ threadId: z.undefined(), tableId: z.uuid(), piazza: z.undefined() }),
	z.object({ threadId: z.undefined(), tableId: z.undefined(), piazza: z.enum(['1', 'true', 'on']) })
]);

const field = (form: FormData, name: string) => {
	const v = form.get(name);
	return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/**
 * POST /api/threads/attachments (multipart: `file`, and `threadId` for a reply, or `tableId` /
 * `piazza=1` for a thread about to be started) → 201 `{ id, fileName, mediaType, size }`; errors
 * `{ error, field? }` with 400, 401, 403, 404, 413 or 429. The id goes with the post when it is saved.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
	if (!locals.actor) return json({ error: 'unauthorized' }, { status: 401 });
	const length = Number(request.headers.get('content-length') ?? 0);
	if (length > MAX_REQUEST_BYTES) return json({ error: 'thread_attachment_error_too_large', field: 'file' }, { status: 413 });
	let form: FormData;
	try {
		form = await request.formData();
	} catch {
		return json({ error: 'bad_request' }, { status: 400 });
	}
	const file = form.get('file');
	if (!(file instanceof File)) return json({ error: 'thread_attachment_error_missing', field: 'file' }, { status: 400 });
	if (file.size > MAX_ATTACHMENT_BYTES) return json({ error: 'thread_attachment_error_too_large', field: 'file' }, { status: 413 });
	const parsed = placeFields.safeParse({ threadId: field(form, 'threadId'), tableId: field(form, 'tableId'), piazza: field(form, 'piazza') });
	if (!parsed.success) return json({ error: 'error_invalid', field: 'threadId' }, { status: 400 });
	const place: UploadPlace = parsed.data.threadId ? { threadId: parsed.data.threadId } : { tableId: parsed.data.tableId ?? null };
	try {
		const stored = await storeUpload(getDatabase(), locals.actor, place, { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
		return json(stored, { status: 201, headers: { 'cache-control': 'no-store' } });
	} catch (err) {
		if (err instanceof DomainError) return json({ error: err.code, ...(err.field ? { field: err.field } : {}) }, { status: err.status });
		throw err;
	}
};
