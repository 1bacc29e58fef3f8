import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { agendaFileName, agendaForPrint } from '$lib/server/meetings/print';
import { agendaPdf } from '$lib/server/meetings/pdf';
import { getLocale } from '$lib/paraglide/runtime';

/** The agenda as a PDF download, with the content of the printable page. */
export const GET: RequestHandler = async ({ locals, params }) => {
	let agenda;
	try {
		agenda = await agendaForPrint(getDatabase(), locals.actor, params.id);
	} catch (err) {
		if (err instanceof DomainError && err.status === 404) error(404, 'not_found');
		throw err;
	}
	const pdf = await agendaPdf(agenda, { locale: getLocale() });
	return new Response(new Uint8Array(pdf), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename="${agendaFileName(agenda)}"`,
			'content-length': String(pdf.length),
			'cache-control': 'private, no-store'
		}
	});
};
