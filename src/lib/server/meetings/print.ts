/**
 * The agenda ("ordine del giorno") as it is printed and exported to PDF: one loader for both, read
 * from the live document (not the projection, which trails it by a moment), so what is printed is
 * exactly what the editors see.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { meetingParticipants, organizations, users } from '../db/schema';
import type { MeetingStatus } from '../db/schema';
import { can, type Actor } from '../authz';
import { DomainError } from '../errors';
import { readDocument } from '../realtime/collab/edit';
import { readItems, runningTimes, type AgendaItem, type AgendaKind } from '$lib/agenda/model';
import { formatRomeTime, romeDay } from '$lib/time/rome';
import { agendaDoc } from './agenda';
import { meetingContext } from './meetings';

export interface PrintPresenter {
	/** A person of the network, or the free-text name (an external guest). */
	name: string | null;
	organization: string | null;
}

export interface PrintItem {
	id: string;
	/** 1-based position. */
	number: number;
	title: string;
	kind: AgendaKind;
	durationMinutes: number;
	startOffsetMinutes: number;
	startsAt: Date | null;
	/** "HH:MM" in Europe/Rome; null while the meeting has no time. */
	startTime: string | null;
	presenter: PrintPresenter | null;
	notes: string;
	links: string[];
}

export interface AgendaPrint {
	meeting: {
		id: string;
		title: string;
		description: string | null;
		status: MeetingStatus;
		cancelReason: string | null;
		startsAt: Date | null;
		endsAt: Date | null;
		address: string | null;
		onlineUrl: string | null;
	};
	table: { id: string; name: string };
	items: PrintItem[];
	totalMinutes: number;
	/** Length of the meeting from its times; null when it has none. */
	plannedMinutes: number | null;
	/** Minutes by which the items exceed the planned length (0 when they fit). */
	overMinutes: number;
}

/**
 * Everything the printed agenda and its PDF show. Meetings the actor may not see answer as if
 * they did not exist (404), like tables do.
 */
export async function agendaForPrint(db: Db, actor: Actor | null, meetingId: string): Promise<AgendaPrint> {
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) throw new DomainError('error_not_found', undefined, 404);
	const { meeting, table } = ctx;

	const doc = await readDocument(() => db, agendaDoc(meetingId));
	let raw: AgendaItem[];
	try {
		raw = readItems(doc);
	} finally {
		doc.destroy();
	}
	const { items: timed, totalMinutes } = runningTimes(raw, meeting.startsAt);
	const presenterOf = await resolvePresenters(db, meetingId, timed);

	const plannedMinutes =
		meeting.startsAt && meeting.endsAt ? Math.max(0, Math.round((meeting.endsAt.getTime() - meeting.startsAt.getTime()) / 60_000)) : null;

	return {
		meeting: {
			id: meeting.id,
			title: meeting.title,
			description: meeting.description,
			status: meeting.status,
			cancelReason: meeting.cancelReason,
			startsAt: meeting.startsAt,
			endsAt: meeting.endsAt,
			address: meeting.address,
			onlineUrl: meeting.onlineUrl
		},
		table: { id: table.id, name: table.name },
		items: timed.map((it, i) => ({
			id: it.id,
			number: i + 1,
			title: it.title,
			kind: it.kind,
			durationMinutes: it.durationMinutes,
			startOffsetMinutes: it.startOffsetMinutes,
			startsAt: it.startsAt,
			startTime: it.startsAt ? formatRomeTime(it.startsAt) : null,
			presenter: presenterOf(it),
			notes: it.notes,
			links: it.links
		})),
		totalMinutes,
		plannedMinutes,
		overMinutes: plannedMinutes !== null ? Math.max(0, totalMinutes - plannedMinutes) : 0
	};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type PresenterFields = Pick<AgendaItem, 'presenterUserId' | 'presenterOrganizationId' | 'presenterName'>;

/**
 * Names for the presenters: a person of the network with the organisation they represent at this
 * meeting (as a participant) or else belong to; an organisation alone; or the free-text name.
 */
async function resolvePresenters(db: Db, meetingId: string, items: PresenterFields[]) {
	// The document is edited in browsers: ids that are not uuids never reach a query.
	const userIds = [...new Set(items.map((i) => i.presenterUserId).filter((v): v is string => !!v && UUID.test(v)))];
	const people = new Map<string, { name: string; organizationId: string | null }>();
	if (userIds.length) {
		const rows = await db.select({ id: users.id, name: users.name, organizationId: users.organizationId }).from(users).where(inArray(users.id, userIds));
		for (const r of rows) people.set(r.id, { name: r.name, organizationId: r.organizationId });
		const asParticipant = await db
			.select({ id: meetingParticipants.userId, organizationId: meetingParticipants.organizationId })
			.from(meetingParticipants)
			.where(eq(meetingParticipants.meetingId, meetingId));
		for (const p of asParticipant) {
			const person = people.get(p.id);
			if (person && p.organizationId) person.organizationId = p.organizationId;
		}
	}
	const orgIds = new Set(items.map((i) => i.presenterOrganizationId).filter((v): v is string => !!v && UUID.test(v)));
	for (const p of people.values()) if (p.organizationId) orgIds.add(p.organizationId);
	const orgNames = new Map<string, string>();
	if (orgIds.size) {
		const rows = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, [...orgIds]));
		for (const r of rows) orgNames.set(r.id, r.name);
	}
	return (item: PresenterFields): PrintPresenter | null => {
		const person = item.presenterUserId ? people.get(item.presenterUserId) : undefined;
		const name = person?.name || item.presenterName?.trim() || null;
		const chosenOrg = item.presenterOrganizationId ? orgNames.get(item.presenterOrganizationId) : undefined;
		const personOrg = person?.organizationId ? orgNames.get(person.organizationId) : undefined;
		const organization = chosenOrg ?? personOrg ?? null;
		if (!name && !organization) return null;
		return { name, organization };
	};
}

/** "Anna Rossi (Comune di Cesena)", "Comune di Cesena", "Anna Rossi". */
export function presenterLabel(p: PrintPresenter | null): string | null {
	if (!p) return null;
	if (p.name && p.organization) return `${p.name} (${p.organization})`;
	return p.name ?? p.organization;
}

/** ASCII, lower-case, dash-separated, for file names. */
export function slugify(value: string, max = 60): string {
	const slug = value
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, max)
		.replace(/-+$/g, '');
	return slug || 'riunione';
}

/** odg-2026-10-25-tavolo-minori.pdf: the meeting's day in Rome (today's while it has none). */
export function agendaFileName(data: Pick<AgendaPrint, 'meeting'>, now = new Date()): string {
	return `odg-${romeDay(data.meeting.startsAt ?? now)}-${slugify(data.meeting.title)}.pdf`;
}
