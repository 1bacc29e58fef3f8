import { error } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { getOutboxAttachment } from '$lib/server/mail/outbox';

const attachmentIndex = z.string().regex(/^\d{1,3}$/).transform(Number);

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(filename: string): string {
	const ascii = filename.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'attachment';
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const GET: RequestHandler = async ({ locals, params }) => {
	authorize(locals.actor, 'admin.access');
	const n = attachmentIndex.safeParse(params.n);
	if (!n.success) error(404, 'not_found');
	const a = await getOutboxAttachment(getDatabase(), params.id, n.data);
	if (!a) error(404, 'not_found');
	return new Response(new Uint8Array(a.content), {
		headers: {
			'content-type': a.contentType,
			'content-length': String(a.content.length),
			// Always a download, never rendered on our origin (an attachment could be HTML).
			'content-disposition': contentDisposition(a.filename),
			'content-security-policy': "sandbox; default-src 'none'",
			'cache-control': 'private, no-store'
		}
	});
};
