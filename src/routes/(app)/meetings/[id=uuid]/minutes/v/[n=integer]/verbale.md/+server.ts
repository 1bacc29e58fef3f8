import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { downloadHeaders, exportInputFor } from '$lib/server/minutes/export-input';
import { minutesFileName } from '$lib/server/minutes/export';

/** An approved version of the minutes as Markdown: the text frozen with the version. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const input = await exportInputFor(getDatabase(), locals.actor, params.id, Number(params.n));
	const body = new TextEncoder().encode(input.markdown.endsWith('\n') ? input.markdown : `${input.markdown}\n`);
	return new Response(body, { headers: downloadHeaders('text/markdown; charset=utf-8', minutesFileName(input, 'md'), body.length) });
};
