import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { downloadHeaders, exportInputFor } from '$lib/server/minutes/export-input';
import { minutesDocx, minutesFileName } from '$lib/server/minutes/export';
import { getLocale } from '$lib/paraglide/runtime';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** An approved version of the minutes as a Word document. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const input = await exportInputFor(getDatabase(), locals.actor, params.id, Number(params.n), getLocale() === 'en' ? 'en' : 'it');
	const docx = await minutesDocx(input);
	return new Response(new Uint8Array(docx), { headers: downloadHeaders(DOCX_TYPE, minutesFileName(input, 'docx'), docx.length) });
};
