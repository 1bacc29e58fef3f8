import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { parseForm, uuidField } from '$lib/server/validation';
import { domainFail } from '$lib/server/meetings/guards';
import { listParticipants } from '$lib/server/meetings/meetings';
import { listPeople } from '$lib/server/network/people';
import { listOrganizations } from '$lib/server/network/organizations';
import {
	addComment,
	approveInput,
	approveMinutes,
	commentInput,
	currentDraft,
	flagInput,
	listComments,
	listFlags,
	listVersions,
	minutesContext,
	reopenMinutes,
	resolveComment,
	reviewInput,
	runPrivacyCheck,
	settleFlag,
	startMinutes,
	startReview
} from '$lib/server/minutes/minutes';
import { sectionsOf } from '$lib/minutes/text';
import { colorFor } from '$lib/realtime/colors';

export const load: PageServerLoad = async ({ locals, params, depends }) => {
	depends(`meeting:${params.id}`);
	const db = getDatabase();
	const actor = locals.actor!;
	const ctx = await minutesContext(db, actor, params.id);
	if (!ctx || !can(actor, 'minutes.read', ctx.mref)) error(404, 'not_found');
	const { meeting, table, mref } = ctx;
	const manage = can(actor, 'minutes.manage', mref);
	const started = !!ctx.minutes;
	const versions = started ? await listVersions(db, meeting.id) : [];
	const sections = started ? sectionsOf(await currentDraft(db, meeting.id)).filter((s) => s.agendaItemId) : [];
	const participants = await listParticipants(db, meeting);
	return {
		meeting: { id: meeting.id, title: meeting.title, status: meeting.status, startsAt: meeting.startsAt, endsAt: meeting.endsAt },
		table: { id: table.id, name: table.name },
		minutes: ctx.minutes ? { status: ctx.minutes.status, reviewUntil: ctx.minutes.reviewUntil, currentVersion: ctx.minutes.currentVersion } : null,
		versions,
		sections: sections.map((s) => ({ id: s.agendaItemId!, title: s.title })),
		comments: started ? await listComments(db, meeting.id) : [],
		flags: started && manage ? await listFlags(db, meeting.id) : [],
		people: (await listPeople(db)).map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}` })),
		organizations: (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name })),
		participantCount: participants.length,
		color: colorFor(actor.id),
		can: {
			start: !started && can(actor, 'minutes.edit', mref) && (meeting.status === 'convocata' || meeting.status === 'svolta'),
			edit: can(actor, 'minutes.edit', mref),
			comment: can(actor, 'minutes.comment', mref),
			manage
		}
	};
};

async function ctx(event: RequestEvent) {
	const db = getDatabase();
	const actor = event.locals.actor!;
	const c = await minutesContext(db, actor, event.params.id);
	if (!c || !can(actor, 'minutes.read', c.mref)) error(404, 'not_found');
	return { db, actor, id: event.params.id };
}

type Ctx = Awaited<ReturnType<typeof ctx>>;

function action<S extends z.ZodType>(name: string, schema: S, run: (c: Ctx, data: z.output<S>) => Promise<unknown>) {
	return async (event: RequestEvent) => {
		const c = await ctx(event);
		const parsed = parseForm(schema, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: name, errors: parsed.errors, values: parsed.values });
		try {
			const result = await run(c, parsed.data);
			return { action: name, success: true, result: result && typeof result === 'object' && 'length' in result ? { flags: (result as unknown[]).length } : null };
		} catch (err) {
			return domainFail(err, name, parsed.values);
		}
	};
}

const none = z.object({});

export const actions: Actions = {
	start: action('start', none, ({ db, actor, id }) => startMinutes(db, actor, id)),
	review: action('review', reviewInput, ({ db, actor, id }, d) => startReview(db, actor, id, d.days)),
	approve: action('approve', approveInput, ({ db, actor, id }, d) => approveMinutes(db, actor, id, d)),
	reopen: action('reopen', none, ({ db, actor, id }) => reopenMinutes(db, actor, id)),
	comment: action('comment', commentInput, ({ db, actor, id }, d) => addComment(db, actor, id, d)),
	resolveComment: action('resolveComment', z.object({ commentId: uuidField }), ({ db, actor, id }, d) => resolveComment(db, actor, id, d.commentId)),
	check: action('check', none, ({ db, actor, id }) => runPrivacyCheck(db, actor, id)),
	settle: action('settle', flagInput, ({ db, actor, id }, d) => settleFlag(db, actor, id, d))
};
