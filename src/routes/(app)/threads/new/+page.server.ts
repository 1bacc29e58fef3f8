import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { DomainError } from '$lib/server/errors';
import { formValues } from '$lib/server/validation';
import { createThread, describeLink, threadPlaces } from '$lib/server/threads/threads';
import { threadLinkKinds, type ThreadLinkKind } from '$lib/server/db/schema';

/** `link=meeting:<id>` (or agenda_item:<meeting>:<item>, action:<id>, service:<id>) from the page it is about. */
function parseLink(raw: string | null): { kind: ThreadLinkKind; id: string } | null {
	if (!raw) return null;
	const i = raw.indexOf(':');
	const kind = raw.slice(0, i) as ThreadLinkKind;
	if (i < 0 || !threadLinkKinds.includes(kind)) return null;
	return { kind, id: raw.slice(i + 1).slice(0, 120) };
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const db = getDatabase();
	const actor = locals.actor!;
	const places = await threadPlaces(db, actor);
	const link = parseLink(url.searchParams.get('link'));
	const linked = link ? await describeLink(db, actor, link.kind, link.id) : null;
	const table = url.searchParams.get('table');
	return {
		places,
		piazza: can(actor, 'thread.create', null),
		place: places.some((p) => p.id === table) ? table : '',
		link: linked && link ? { value: `${link.kind}:${link.id}`, ...linked } : null
	};
};

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const form = await request.formData();
		const values = formValues(form);
		const place = String(form.get('place') ?? '');
		const link = parseLink(String(form.get('link') ?? '') || null);
		try {
			const t = await createThread(getDatabase(), locals.actor!, {
				tableId: place && place !== 'piazza' ? place : null,
				title: String(form.get('title') ?? ''),
				body: String(form.get('body') ?? ''),
				attachmentIds: form.getAll('attachmentIds').map(String),
				link
			});
			redirect(303, `/threads/${t.id}`);
		} catch (err) {
			if (err instanceof DomainError) return fail(err.status === 404 ? 400 : err.status, { action: 'create', values, errors: { [err.field ?? '_form']: err.code } });
			const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
			if (issues) return fail(400, { action: 'create', values, errors: Object.fromEntries(issues.map((i) => [String(i.path[0] ?? '_form'), i.message])) });
			throw err;
		}
	}
};
