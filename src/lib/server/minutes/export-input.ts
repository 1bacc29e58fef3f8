/**
 * What the exports of an approved version of the minutes show, read once for the PDF, Word and
 * Markdown downloads: the frozen text, the meeting as it is now (title, time, place, chair,
 * attendance) and each action's current status (owners update it after the approval).
 */
import { error } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { actionItems } from '../db/schema';
import type { Actor } from '../authz';
import { DomainError } from '../errors';
import { listParticipants, meetingContext } from '../meetings/meetings';
import { m } from '$lib/paraglide/messages';
import type { PMNode } from '$lib/minutes/schema';
import { collectActions, collectDecisions, sectionsOf } from '$lib/minutes/text';
import { getVersion, nameResolver } from './minutes';
import { ownerLabel, type ExportActionStatus, type MinutesExportInput } from './export';

/** The section title (level-2 heading) each decision block sits in, by block id. */
function decisionSections(content: PMNode): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (node: PMNode, title: string) => {
		if (node.type === 'decision' && typeof node.attrs?.id === 'string' && !out.has(node.attrs.id)) out.set(node.attrs.id, title);
		for (const child of node.content ?? []) walk(child, title);
	};
	for (const section of sectionsOf(content)) for (const block of section.blocks) walk(block, section.title);
	return out;
}

/**
 * The export input of version `n` of a meeting's minutes. Throws DomainError 404 when the meeting,
 * its minutes or the version are not visible to the actor (as `getVersion` does).
 */
export async function exportInput(db: Db, actor: Actor, meetingId: string, n: number, locale: 'it' | 'en' = 'it'): Promise<MinutesExportInput & { markdown: string }> {
	const version = await getVersion(db, actor, meetingId, n);
	const ctx = await meetingContext(db, actor, meetingId);
	if (!ctx) throw new DomainError('error_not_found', undefined, 404);
	const { meeting, table } = ctx;
	const names = await nameResolver(db);
	const content = version.content as unknown as PMNode;

	const people = await listParticipants(db, meeting);
	const sections = decisionSections(content);
	const decisions = collectDecisions(content).map((d) => ({ text: d.text, section: sections.get(d.id) || null }));

	const statusRows = await db.select({ id: actionItems.id, status: actionItems.status }).from(actionItems).where(eq(actionItems.meetingId, meetingId));
	const statusOf = new Map<string, ExportActionStatus>(statusRows.map((r) => [r.id, r.status]));
	const actions = collectActions(content).map((a) => ({
		description: a.description,
		owner: ownerLabel(names, a.ownerUserId, a.ownerOrganizationId),
		dueDate: a.dueDate,
		status: statusOf.get(a.id) ?? 'aperta'
	}));

	return {
		networkName: m.network_name({}, { locale }),
		tableName: table.name,
		meeting: { title: meeting.title, startsAt: meeting.startsAt, endsAt: meeting.endsAt, address: meeting.address, onlineUrl: meeting.onlineUrl },
		chairName: meeting.chairId ? names.person(meeting.chairId) : null,
		secretaryName: meeting.secretaryId ? names.person(meeting.secretaryId) : null,
		attendance: people.map((p) => ({
			name: p.name,
			organization: p.organizationName,
			attendance: p.attendance,
			delegate: p.delegateName?.trim() || p.delegateUserName || null
		})),
		content,
		decisions,
		actions,
		version: {
			number: version.number,
			approvedAt: version.approvedAt,
			approvedByName: names.person(version.approvedBy) ?? '—',
			approvalNote: version.approvalNote,
			changeNote: version.changeNote
		},
		resolve: { person: names.person, organization: names.organization },
		locale,
		markdown: version.markdown
	};
}

/** `exportInput` for a download route: not visible → 404, not allowed → 403 (SvelteKit errors). */
export async function exportInputFor(db: Db, actor: Actor | null, meetingId: string, n: number, locale: 'it' | 'en' = 'it') {
	if (!actor) error(404, 'not_found');
	try {
		return await exportInput(db, actor, meetingId, n, locale);
	} catch (err) {
		if (err instanceof DomainError && err.status === 404) error(404, 'not_found');
		if (err instanceof DomainError && err.status === 403) error(403, 'forbidden');
		throw err;
	}
}

/** Headers of a download (file names are ASCII: `minutesFileName` slugs the title). */
export function downloadHeaders(contentType: string, fileName: string, length?: number): Record<string, string> {
	const headers: Record<string, string> = {
		'content-type': contentType,
		'content-disposition': `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
		'cache-control': 'private, no-store'
	};
	if (length !== undefined) headers['content-length'] = String(length);
	return headers;
}
