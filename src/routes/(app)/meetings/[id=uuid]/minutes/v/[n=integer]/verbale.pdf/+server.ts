import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { downloadHeaders, exportInputFor } from '$lib/server/minutes/export-input';
import { minutesFileName, minutesPdf } from '$lib/server/minutes/export';
import { getLocale } from '$lib/paraglide/runtime';

/** An approved version of the minutes as a PDF download. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const input = await exportInputFor(getDatabase(), locals.actor, params.id, Number(params.n), getLocale() === 'en' ? 'en' : 'it');
	const pdf = await minutesPdf(input);
	return new Response(new Uint8Array(pdf), { headers: downloadHeaders('application/pdf', minutesFileName(input, 'pdf'), pdf.length) });
};
