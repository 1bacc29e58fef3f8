import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { parseForm, requiredText, uuidField } from '$lib/server/validation';
import { DomainError } from '$lib/server/errors';
import { domainFail, loadMeetingFor } from '$lib/server/meetings/guards';
import {
	addParticipants,
	attendanceEntry,
	cancelInput,
	cancelMeeting,
	conveneMeeting,
	listParticipants,
	markAgendaSeen,
	markHeld,
	removeParticipant,
	respond,
	rsvpInput,
	rsvpTally,
	setAgendaLock,
	setAttendance
} from '$lib/server/meetings/meetings';
import { addSlot, answerSlots, pickSlot, pollGrid, removeSlot, slotInput } from '$lib/server/meetings/polls';
import { acceptProposal, declineInput, declineProposal, listProposals, proposalInput, proposeItem, templateFromAgenda, withdrawProposal } from '$lib/server/meetings/agenda';
import { listPeople } from '$lib/server/network/people';
import { listOrganizations } from '$lib/server/network/organizations';
import { listTableMembers } from '$lib/server/network/tables';
import { pollAnswers } from '$lib/server/db/schema';
import { toRomeLocal } from '$lib/time/rome';
import { colorFor } from '$lib/realtime/colors';
import { addActionsReviewItem, openActionsOfTable } from '$lib/server/minutes/actions';
import { listThreads } from '$lib/server/threads/threads';

export const load: PageServerLoad = async ({ locals, params, url, depends }) => {
	depends(`meeting:${params.id}`);
	const db = getDatabase();
	const actor = locals.actor!;
	const { meeting, table, ref } = await loadMeetingFor(db, actor, params.id);
	const manage = can(actor, 'meeting.manage', ref);
	const participants = await listParticipants(db, meeting);
	const me = participants.find((p) => p.userId === actor.id) ?? null;
	if (me) await markAgendaSeen(db, meeting.id, actor.id);
	const poll = await pollGrid(db, meeting.id);
	const participantIds = new Set(participants.map((p) => p.userId));
	// People who can be named as presenters: participants and the table's members.
	const members = await listTableMembers(db, table.id);
	const presenters = new Map<string, { id: string; name: string; organizationName: string | null }>();
	for (const p of participants) presenters.set(p.userId, { id: p.userId, name: p.name, organizationName: p.organizationName });
	for (const mb of members) if (!presenters.has(mb.userId)) presenters.set(mb.userId, { id: mb.userId, name: mb.name, organizationName: mb.organizationName });
	const now = Date.now();
	return {
		created: url.searchParams.has('created'),
		agendaError: /^error_[a-z_]+$/.test(url.searchParams.get('agendaError') ?? '') ? url.searchParams.get('agendaError') : null,
		meeting: {
			id: meeting.id,
			title: meeting.title,
			description: meeting.description,
			startsAt: meeting.startsAt,
			endsAt: meeting.endsAt,
			startLocal: meeting.startsAt ? toRomeLocal(meeting.startsAt) : null,
			address: meeting.address,
			onlineUrl: meeting.onlineUrl,
			status: meeting.status,
			sequence: meeting.sequence,
			cancelReason: meeting.cancelReason,
			agendaLocked: !!meeting.agendaLockedAt,
			chairId: meeting.chairId,
			secretaryId: meeting.secretaryId,
			started: !!meeting.startsAt && meeting.startsAt.getTime() - now <= 3600_000
		},
		table: { id: table.id, name: table.name, visibility: table.visibility },
		participants,
		tally: rsvpTally(participants),
		me: me ? { rsvp: me.rsvp } : null,
		poll: {
			slots: poll.slots,
			bestSlotId: poll.bestSlotId,
			answers: poll.answers,
			mine: poll.answers[actor.id] ?? {}
		},
		proposals: await listProposals(db, meeting.id),
		presenters: [...presenters.values()].sort((a, b) => a.name.localeCompare(b.name, 'it')),
		organizations: (await listOrganizations(db)).map((o) => ({ id: o.id, name: o.name })),
		candidates: manage
			? (await listPeople(db))
					.filter((p) => !participantIds.has(p.id))
					.map((p) => ({ id: p.id, label: `${p.name}${p.organizationName ? ` (${p.organizationName})` : ''}`, organizationName: p.organizationName ?? '' }))
			: [],
		color: colorFor(actor.id),
		// Open actions of the table, offered as a "Verifica azioni" item while the agenda is prepared.
		openActions: manage && (meeting.status === 'bozza' || meeting.status === 'convocata') ? (await openActionsOfTable(db, table.id)).length : 0,
		can: {
			manage,
			editAgenda: can(actor, 'agenda.edit', ref),
			propose: can(actor, 'agenda.propose', ref),
			respond: can(actor, 'meeting.respond', ref),
			startThread: can(actor, 'thread.create', ref.table)
		},
		threads: await listThreads(db, actor, { aboutMeeting: meeting.id })
	};
};

async function ctx(event: RequestEvent) {
	const db = getDatabase();
	const actor = event.locals.actor!;
	await loadMeetingFor(db, actor, event.params.id);
	return { db, actor, id: event.params.id };
}

type Ctx = Awaited<ReturnType<typeof ctx>>;

/**
 * One form action: the meeting must be visible, the form valid (`schema`), then `run` (a service
 * that checks the finer right); domain errors come back as form errors under the action's name.
 */
function action<S extends z.ZodType>(name: string, schema: S, run: (c: Ctx, data: z.output<S>) => Promise<unknown>, opts: { mail?: boolean } = {}) {
	return async (event: RequestEvent) => {
		const c = await ctx(event);
		const parsed = parseForm(schema, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: name, errors: parsed.errors, values: parsed.values });
		try {
			await run(c, parsed.data);
		} catch (err) {
			return domainFail(err, name, parsed.values);
		}
		if (opts.mail) kickMailWorker();
		return { action: name, success: true };
	};
}

const proposalRef = z.object({ proposalId: uuidField });
const personRef = z.object({ userId: uuidField });
const slotRef = z.object({ slotId: uuidField });
const checkbox = z.preprocess((v) => v === 'on' || v === 'true', z.boolean());
const none = z.object({});

export const actions: Actions = {
	rsvp: action('rsvp', rsvpInput, ({ db, actor, id }, d) => respond(db, actor, id, d.answer)),
	convene: action('convene', z.object({ lockAgenda: checkbox }), ({ db, actor, id }, d) => conveneMeeting(db, actor, id, { lockAgenda: d.lockAgenda }), { mail: true }),
	cancel: action('cancel', cancelInput, ({ db, actor, id }, d) => cancelMeeting(db, actor, id, d.reason), { mail: true }),
	held: action('held', none, ({ db, actor, id }) => markHeld(db, actor, id)),
	lock: action('lock', z.object({ locked: checkbox }), ({ db, actor, id }, d) => setAgendaLock(db, actor, id, d.locked)),
	addParticipants: action(
		'addParticipants',
		z.object({ userId: z.preprocess((v) => (Array.isArray(v) ? v : v ? [v] : []), z.array(uuidField).min(1, 'error_required').max(200)) }),
		({ db, actor, id }, d) => addParticipants(db, actor, id, d.userId),
		{ mail: true }
	),
	removeParticipant: action('removeParticipant', personRef, ({ db, actor, id }, d) => removeParticipant(db, actor, id, d.userId), { mail: true }),
	addSlot: action('addSlot', slotInput, ({ db, actor, id }, d) => addSlot(db, actor, id, d)),
	removeSlot: action('removeSlot', slotRef, ({ db, actor, id }, d) => removeSlot(db, actor, id, d.slotId)),
	answerPoll: async (event) => {
		const { db, actor, id } = await ctx(event);
		const form = await event.request.formData();
		// Fields "slot-<uuid>" = yes | ifneeded | no.
		const answers: Record<string, (typeof pollAnswers)[number]> = {};
		for (const [k, v] of form.entries()) {
			if (!k.startsWith('slot-') || typeof v !== 'string') continue;
			const slotId = k.slice(5);
			if (!uuidField.safeParse(slotId).success || !(pollAnswers as readonly string[]).includes(v)) return fail(400, { action: 'answerPoll', errors: { _form: 'error_invalid' } });
			answers[slotId] = v as (typeof pollAnswers)[number];
		}
		try {
			await answerSlots(db, actor, id, answers);
		} catch (err) {
			return domainFail(err, 'answerPoll');
		}
		return { action: 'answerPoll', success: true };
	},
	pickSlot: action(
		'pickSlot',
		slotRef.extend({ convene: checkbox, lockAgenda: checkbox }),
		({ db, actor, id }, d) => pickSlot(db, actor, id, d.slotId, { convene: d.convene, lockAgenda: d.lockAgenda }),
		{ mail: true }
	),
	propose: action('propose', proposalInput, ({ db, actor, id }, d) => proposeItem(db, actor, id, d)),
	accept: action('accept', proposalRef, ({ db, actor, id }, d) => acceptProposal(db, actor, id, d.proposalId)),
	decline: action('decline', proposalRef.and(declineInput), ({ db, actor, id }, d) => declineProposal(db, actor, id, d.proposalId, d.reason)),
	withdraw: action('withdraw', proposalRef, ({ db, actor, id }, d) => withdrawProposal(db, actor, id, d.proposalId)),
	attendance: async (event) => {
		const { db, actor, id } = await ctx(event);
		const form = await event.request.formData();
		// Fields per participant: att-<userId> = present|absent|delegated|"" ; delegate-<userId> = name.
		const entries: z.output<typeof attendanceEntry>[] = [];
		for (const [k, v] of form.entries()) {
			if (!k.startsWith('att-') || typeof v !== 'string') continue;
			const userId = k.slice(4);
			const delegateName = form.get(`delegate-${userId}`);
			const parsed = attendanceEntry.safeParse({ userId, attendance: v === '' ? null : v, delegateName: typeof delegateName === 'string' ? delegateName : null });
			if (!parsed.success) return fail(400, { action: 'attendance', errors: { _form: 'error_invalid' } });
			entries.push(parsed.data);
		}
		try {
			await setAttendance(db, actor, id, entries);
		} catch (err) {
			if (err instanceof DomainError && err.field) return domainFail(new DomainError(err.code, `att-${err.field}`, err.status), 'attendance');
			return domainFail(err, 'attendance');
		}
		return { action: 'attendance', success: true };
	},
	reviewActions: action('reviewActions', none, ({ db, actor, id }) => addActionsReviewItem(db, actor, id)),
	saveTemplate: action('saveTemplate', z.object({ name: requiredText(160) }), ({ db, actor, id }, d) => templateFromAgenda(db, actor, id, d.name))
};
