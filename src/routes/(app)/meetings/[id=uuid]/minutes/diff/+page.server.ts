import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { getVersion, minutesContext } from '$lib/server/minutes/minutes';
import { diffVersions, diffStats } from '$lib/minutes/diff';

const num = (v: string | null) => (v && /^[1-9][0-9]{0,5}$/.test(v) ? Number(v) : null);

/** A readable diff between two approved versions of the minutes. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
	const db = getDatabase();
	const from = num(url.searchParams.get('from'));
	const to = num(url.searchParams.get('to'));
	if (!from || !to) error(400, 'bad_request');
	try {
		const [a, b] = [await getVersion(db, locals.actor!, params.id, from), await getVersion(db, locals.actor!, params.id, to)];
		const ctx = (await minutesContext(db, locals.actor, params.id))!;
		const result = diffVersions(a.text, b.text);
		return { meeting: { id: ctx.meeting.id, title: ctx.meeting.title }, from, to, parts: result.parts, coarse: result.coarse, stats: diffStats(result.parts) };
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
};
