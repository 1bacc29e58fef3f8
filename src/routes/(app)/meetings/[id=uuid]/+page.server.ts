import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase, kickMailWorker } from '$lib/server/boot';
import { can } from '$lib/server/authz';
import { parseForm, uuidField, optionalText } from '$lib/server/validation';
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
		can: {
			manage,
			editAgenda: can(actor, 'agenda.edit', ref),
			propose: can(actor, 'agenda.propose', ref),
			respond: can(actor, 'meeting.respond', ref)
		}
	};
};

async function ctx(event: RequestEvent) {
	const db = getDatabase();
	const actor = event.locals.actor!;
	await loadMeetingFor(db, actor, event.params.id);
	return { db, actor, id: event.params.id };
}

const proposalRef = z.object({ proposalId: uuidField });
const personRef = z.object({ userId: uuidField });
const slotRef = z.object({ slotId: uuidField });
const checkbox = z.preprocess((v) => v === 'on' || v === 'true', z.boolean());

export const actions: Actions = {
	rsvp: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(rsvpInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'rsvp', errors: parsed.errors });
		try {
			await respond(db, actor, id, parsed.data.answer);
		} catch (err) {
			return domainFail(err, 'rsvp');
		}
		return { action: 'rsvp', success: true };
	},
	convene: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(z.object({ lockAgenda: checkbox }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'convene', errors: parsed.errors });
		try {
			await conveneMeeting(db, actor, id, { lockAgenda: parsed.data.lockAgenda });
		} catch (err) {
			return domainFail(err, 'convene');
		}
		kickMailWorker();
		return { action: 'convene', success: true };
	},
	cancel: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(cancelInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'cancel', errors: parsed.errors, values: parsed.values });
		try {
			await cancelMeeting(db, actor, id, parsed.data.reason);
		} catch (err) {
			return domainFail(err, 'cancel');
		}
		kickMailWorker();
		return { action: 'cancel', success: true };
	},
	held: async (event) => {
		const { db, actor, id } = await ctx(event);
		try {
			await markHeld(db, actor, id);
		} catch (err) {
			return domainFail(err, 'held');
		}
		return { action: 'held', success: true };
	},
	lock: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(z.object({ locked: checkbox }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'lock', errors: parsed.errors });
		try {
			await setAgendaLock(db, actor, id, parsed.data.locked);
		} catch (err) {
			return domainFail(err, 'lock');
		}
		return { action: 'lock', success: true };
	},
	addParticipants: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(z.object({ userId: z.preprocess((v) => (Array.isArray(v) ? v : v ? [v] : []), z.array(uuidField).min(1, 'error_required').max(200)) }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'addParticipants', errors: parsed.errors });
		try {
			await addParticipants(db, actor, id, parsed.data.userId);
		} catch (err) {
			return domainFail(err, 'addParticipants');
		}
		kickMailWorker();
		return { action: 'addParticipants', success: true };
	},
	removeParticipant: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(personRef, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'removeParticipant', errors: parsed.errors });
		try {
			await removeParticipant(db, actor, id, parsed.data.userId);
		} catch (err) {
			return domainFail(err, 'removeParticipant');
		}
		kickMailWorker();
		return { action: 'removeParticipant', success: true };
	},
	addSlot: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(slotInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'addSlot', errors: parsed.errors, values: parsed.values });
		try {
			await addSlot(db, actor, id, parsed.data);
		} catch (err) {
			return domainFail(err, 'addSlot', parsed.values);
		}
		return { action: 'addSlot', success: true };
	},
	removeSlot: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(slotRef, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'removeSlot', errors: parsed.errors });
		try {
			await removeSlot(db, actor, id, parsed.data.slotId);
		} catch (err) {
			return domainFail(err, 'removeSlot');
		}
		return { action: 'removeSlot', success: true };
	},
	answerPoll: async (event) => {
		const { db, actor, id } = await ctx(event);
		const form = await event.request.formData();
		// Fields "slot-<uuid>" = sì | se necessario | no.
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
	pickSlot: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(slotRef.extend({ convene: checkbox, lockAgenda: checkbox }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'pickSlot', errors: parsed.errors });
		try {
			await pickSlot(db, actor, id, parsed.data.slotId, { convene: parsed.data.convene, lockAgenda: parsed.data.lockAgenda });
		} catch (err) {
			return domainFail(err, 'pickSlot');
		}
		kickMailWorker();
		return { action: 'pickSlot', success: true };
	},
	propose: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(proposalInput, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'propose', errors: parsed.errors, values: parsed.values });
		try {
			await proposeItem(db, actor, id, parsed.data);
		} catch (err) {
			return domainFail(err, 'propose', parsed.values);
		}
		return { action: 'propose', success: true };
	},
	accept: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(proposalRef, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'accept', errors: parsed.errors });
		try {
			await acceptProposal(db, actor, id, parsed.data.proposalId);
		} catch (err) {
			return domainFail(err, 'accept');
		}
		return { action: 'accept', success: true };
	},
	decline: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(proposalRef.and(declineInput), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'decline', errors: parsed.errors, values: parsed.values });
		try {
			await declineProposal(db, actor, id, parsed.data.proposalId, parsed.data.reason);
		} catch (err) {
			return domainFail(err, 'decline', parsed.values);
		}
		return { action: 'decline', success: true };
	},
	withdraw: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(proposalRef, await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'withdraw', errors: parsed.errors });
		try {
			await withdrawProposal(db, actor, id, parsed.data.proposalId);
		} catch (err) {
			return domainFail(err, 'withdraw');
		}
		return { action: 'withdraw', success: true };
	},
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
			if (err instanceof Error && 'field' in err && typeof err.field === 'string') return domainFail(Object.assign(err, { field: `att-${err.field}` }), 'attendance');
			return domainFail(err, 'attendance');
		}
		return { action: 'attendance', success: true };
	},
	saveTemplate: async (event) => {
		const { db, actor, id } = await ctx(event);
		const parsed = parseForm(z.object({ name: optionalText(160).pipe(z.string('error_required')) }), await event.request.formData());
		if (!parsed.ok) return fail(400, { action: 'saveTemplate', errors: parsed.errors, values: parsed.values });
		try {
			await templateFromAgenda(db, actor, id, parsed.data.name);
		} catch (err) {
			return domainFail(err, 'saveTemplate', parsed.values);
		}
		return { action: 'saveTemplate', success: true };
	}
};

