/**
 * Projection of the minutes document: its plain text (for search), its decisions and its action
 * items become queryable rows. Action items keep their status here (owners update it long after
 * approval); an item removed from the draft is marked removed, and comes back if restored.
 */
import type * as Y from 'yjs';
import { and, eq, inArray, isNull, not, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { actionItems, decisions, minutes, organizations, users } from '../db/schema';
import { collectActions, collectDecisions, docToPlainText } from '$lib/minutes/text';
import { docJson } from './minutes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function projectMinutes(db: Db, meetingId: string, ydoc: Y.Doc, now = new Date()): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'minutes-projection:' + meetingId}))`);
		const [row] = await tx.select({ meetingId: minutes.meetingId }).from(minutes).where(eq(minutes.meetingId, meetingId));
		if (!row) return;
		// Read under the lock: a run that waited writes what the document holds now.
		const doc = await docJson(ydoc);
		await tx.update(minutes).set({ text: docToPlainText(doc), updatedAt: now }).where(eq(minutes.meetingId, meetingId));

		const found = collectDecisions(doc);
		await tx.delete(decisions).where(eq(decisions.meetingId, meetingId));
		const seenDecisions = new Set<string>();
		const decisionRows = found.filter((d) => !seenDecisions.has(d.id) && seenDecisions.add(d.id));
		if (decisionRows.length)
			await tx.insert(decisions).values(decisionRows.map((d, i) => ({ meetingId, decisionId: d.id, agendaItemId: d.agendaItemId, position: i, text: d.text, updatedAt: now })));

		// Owners must exist (a faulty client could name anything).
		const actions = collectActions(doc).filter((a) => UUID.test(a.id));
		const userIds = [...new Set(actions.map((a) => a.ownerUserId).filter((x): x is string => !!x && UUID.test(x)))];
		const orgIds = [...new Set(actions.map((a) => a.ownerOrganizationId).filter((x): x is string => !!x && UUID.test(x)))];
		const knownUsers = new Set(userIds.length ? (await tx.select({ id: users.id }).from(users).where(inArray(users.id, userIds))).map((u) => u.id) : []);
		const knownOrgs = new Set(orgIds.length ? (await tx.select({ id: organizations.id }).from(organizations).where(inArray(organizations.id, orgIds))).map((o) => o.id) : []);
		// An id already used by another meeting's action (copied text) is not taken over.
		const ids = actions.map((a) => a.id);
		const foreign = new Set(
			ids.length ? (await tx.select({ id: actionItems.id }).from(actionItems).where(and(inArray(actionItems.id, ids), not(eq(actionItems.meetingId, meetingId))))).map((r) => r.id) : []
		);
		const seen = new Set<string>();
		for (const a of actions) {
			if (foreign.has(a.id) || seen.has(a.id)) continue;
			seen.add(a.id);
			const values = {
				agendaItemId: a.agendaItemId,
				description: a.description,
				ownerUserId: a.ownerUserId && knownUsers.has(a.ownerUserId) ? a.ownerUserId : null,
				ownerOrganizationId: a.ownerOrganizationId && knownOrgs.has(a.ownerOrganizationId) ? a.ownerOrganizationId : null,
				dueDate: a.dueDate,
				removedAt: null,
				updatedAt: now
			};
			await tx
				.insert(actionItems)
				.values({ id: a.id, meetingId, ...values })
				.onConflictDoUpdate({ target: actionItems.id, set: values });
		}
		// Items no longer in the draft.
		const gone = and(eq(actionItems.meetingId, meetingId), isNull(actionItems.removedAt), seen.size ? not(inArray(actionItems.id, [...seen])) : undefined);
		await tx.update(actionItems).set({ removedAt: now, updatedAt: now }).where(gone);
	});
}
