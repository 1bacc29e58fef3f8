import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { getVersion, listVersions, minutesContext } from '$lib/server/minutes/minutes';
import { users } from '$lib/server/db/schema';
import { eq } from 'drizzle-orm';

export const load: PageServerLoad = async ({ locals, params }) => {
	const db = getDatabase();
	try {
		const v = await getVersion(db, locals.actor!, params.id, Number(params.n));
		const ctx = (await minutesContext(db, locals.actor, params.id))!;
		const [by] = await db.select({ name: users.name }).from(users).where(eq(users.id, v.approvedBy));
		return {
			meeting: { id: ctx.meeting.id, title: ctx.meeting.title },
			version: { number: v.number, text: v.text, approvedAt: v.approvedAt, approvedByName: by?.name ?? '', approvalNote: v.approvalNote, changeNote: v.changeNote },
			numbers: (await listVersions(db, params.id)).map((x) => x.number)
		};
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
};
