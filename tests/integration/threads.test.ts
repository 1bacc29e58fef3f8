import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { auditLog, mailOutbox, notificationPreferences, notifications, postRevisions, posts } from '../../src/lib/server/db/schema';
import { sendThreadDigests } from '../../src/lib/server/threads/mail';
import { storeUpload } from '../../src/lib/server/threads/attachments';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Actor } from '../../src/lib/server/authz';
import { createMeeting, createMeetingInput } from '../../src/lib/server/meetings/meetings';
import { subscribe } from '../../src/lib/server/events';
import {
	createPost,
	createThread,
	deletePost,
	editPost,
	getThread,
	listThreads,
	markThreadRead,
	moveThread,
	postHistory,
	setFollowing,
	setPostHidden,
	setThreadLocked,
	setThreadPinned,
	mentionCandidates,
	searchPosts,
	setNotificationMode,
	unreadByPlace
} from '../../src/lib/server/threads/threads';
import type { Db } from '../../src/lib/server/db/client';
import { createPostgresEngine, drainSearchOutbox } from '../../src/lib/server/search';
import type { PostSearchDocument, SearchEngine } from '../../src/lib/server/search/types';

const meetingInput = (o: Record<string, unknown>) => {
	const r = createMeetingInput.safeParse({ participantIds: [], includeMembers: 'on', copyPrevious: '', ...o });
	if (!r.success) throw new Error(JSON.stringify(r.error));
	return r.data;
};

const notes = (db: Db, userId: string) => db.select().from(notifications).where(eq(notifications.userId, userId));
const mention = (p: { id: string; name: string }) => `@[${p.name}](user:${p.id})`;

describeEachDb('threads', (get) => {
	/** A members-only table (coordinator + member), an outsider, an admin, and a network table. */
	async function world() {
		const { db } = get();
		const org = await makeOrganization(db);
		const coordinator = await makePerson(db, { organizationId: org.id });
		const member = await makePerson(db, { organizationId: org.id });
		const outsider = await makePerson(db);
		const { table: privateTable, admin } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const { table: openTable } = await makeTable(db, { visibility: 'network', coordinatorId: coordinator.id });
		const as = (p: { id: string; role: 'admin' | 'coordinator' | 'member' }) => actorFor(db, p);
		return { db, org, coordinator, member, outsider, admin, privateTable, openTable, as };
	}

	it('a members-only table’s threads stay private through every path', async () => {
		const w = await world();
		const [c, m, o] = await Promise.all([w.as(w.coordinator), w.as(w.member), w.as(w.outsider)]);
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Casi complessi: come ci organizziamo', body: `Proposta per ${mention(w.outsider)} e ${mention(w.member)}` });
		// The outsider is mentioned but may not read the table: not told, not subscribed, no access.
		expect(await notes(w.db, w.outsider.id)).toHaveLength(0);
		expect((await notes(w.db, w.member.id)).map((n) => n.kind)).toEqual(['notif_thread_mention']);
		await expect(getThread(w.db, o, t.id)).rejects.toMatchObject({ status: 404 });
		await expect(createPost(w.db, o, t.id, { body: 'posso?' })).rejects.toMatchObject({ status: 404 });
		await expect(createThread(w.db, o, { tableId: w.privateTable.id, title: 'x', body: 'y' })).rejects.toMatchObject({ status: 404 });
		await expect(setFollowing(w.db, o, t.id, 'following')).rejects.toMatchObject({ status: 404 });
		await expect(markThreadRead(w.db, o, t.id, 1)).rejects.toMatchObject({ status: 404 });
		expect(await listThreads(w.db, o, { tableId: w.privateTable.id })).toEqual([]);
		expect(await unreadByPlace(w.db, o)).not.toHaveProperty(w.privateTable.id);
		// Members read and count it as unread.
		expect((await listThreads(w.db, m, { tableId: w.privateTable.id })).map((x) => [x.title, x.unread])).toEqual([['Casi complessi: come ci organizziamo', 1]]);
		expect((await unreadByPlace(w.db, m))[w.privateTable.id]).toBe(1);
		// Mentioned from a thread the outsider cannot read: the link renders, nothing leaks to them.
		const view = await getThread(w.db, m, t.id);
		expect(view.posts[0]!.html).toContain(`href="/people/${w.outsider.id}"`);
	});

	it('replies number posts, follow the author and the mentioned, and tell followers only', async () => {
		const w = await world();
		const [c, m] = await Promise.all([w.as(w.coordinator), w.as(w.member)]);
		const third = await makePerson(w.db);
		const t3 = await w.as(third);
		const events: unknown[] = [];
		const off = subscribe('post.created', (e) => events.push(e));
		try {
			const t = await createThread(w.db, c, { tableId: w.openTable.id, title: 'Corsi di italiano per le mamme', body: 'Chi ha posti a gennaio?' });
			expect(t.seq).toBe(1);
			const r1 = await createPost(w.db, t3, t.id, { body: 'Noi a Rimini, due posti.' });
			expect(r1.seq).toBe(2);
			// The coordinator (author, following) is told; the member (not following) is not.
			expect((await notes(w.db, w.coordinator.id)).map((n) => n.kind)).toEqual(['notif_thread_post']);
			expect(await notes(w.db, w.member.id)).toHaveLength(0);
			const r2 = await createPost(w.db, c, t.id, { body: `Grazie! ${mention(w.member)} puoi sentirli?`, replyToId: r1.id });
			expect(r2.seq).toBe(3);
			// The third person follows since posting; the member is mentioned (and now follows).
			expect((await notes(w.db, third.id)).map((n) => n.kind)).toEqual(['notif_thread_post']);
			expect((await notes(w.db, w.member.id)).map((n) => n.kind)).toEqual(['notif_thread_mention']);
			await createPost(w.db, t3, t.id, { body: 'Certo.' });
			expect((await notes(w.db, w.member.id)).map((n) => n.kind).sort()).toEqual(['notif_thread_mention', 'notif_thread_post']);
			// Muting stops it.
			await setFollowing(w.db, m, t.id, 'muted');
			await createPost(w.db, c, t.id, { body: 'Ottimo, chiudo io.' });
			expect(await notes(w.db, w.member.id)).toHaveLength(2);
			const view = await getThread(w.db, c, t.id);
			expect(view.posts.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
			expect(view.posts[2]!.replyToSeq).toBe(2);
			expect(events).toHaveLength(5);
			expect(events[0]).toMatchObject({ threadId: t.id, tableId: w.openTable.id, seq: 1 });
		} finally {
			off();
		}
	});

	it('mentioning an organisation reaches its people who may read the thread', async () => {
		const w = await world();
		const c = await w.as(w.coordinator);
		const ciac = await makeOrganization(w.db, 'CIAC Parma prova');
		const a = await makePerson(w.db, { organizationId: ciac.id });
		const b = await makePerson(w.db, { organizationId: ciac.id });
		await createThread(w.db, c, { tableId: null, title: 'Piazza: formazione sulla tutela legale', body: `Chiediamo a @[CIAC](org:${ciac.id}) il calendario.` });
		expect((await notes(w.db, a.id)).map((n) => n.kind)).toEqual(['notif_thread_mention']);
		expect((await notes(w.db, b.id)).map((n) => n.kind)).toEqual(['notif_thread_mention']);
	});

	it('unread counts follow what each person has read, per thread and per table', async () => {
		const w = await world();
		const [c, m] = await Promise.all([w.as(w.coordinator), w.as(w.member)]);
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Calendario', body: 'uno' });
		await createPost(w.db, c, t.id, { body: 'due' });
		await createPost(w.db, c, t.id, { body: 'tre' });
		expect((await listThreads(w.db, m, { tableId: w.privateTable.id }))[0]!.unread).toBe(3);
		expect((await listThreads(w.db, c, { tableId: w.privateTable.id }))[0]!.unread).toBe(0);
		await markThreadRead(w.db, m, t.id, 2);
		expect((await listThreads(w.db, m, { tableId: w.privateTable.id }))[0]!.unread).toBe(1);
		expect((await getThread(w.db, m, t.id)).lastReadSeq).toBe(2);
		// Reading never goes backwards, nor beyond the last post.
		await markThreadRead(w.db, m, t.id, 1);
		await markThreadRead(w.db, m, t.id, 99);
		expect((await getThread(w.db, m, t.id)).lastReadSeq).toBe(3);
		expect(await unreadByPlace(w.db, m)).not.toHaveProperty(w.privateTable.id);
		// The Piazza is shared with the other tests of this file: count the difference.
		const before = (await unreadByPlace(w.db, m)).piazza ?? 0;
		const piazza = await createThread(w.db, c, { tableId: null, title: 'In Piazza', body: 'ciao a tutti' });
		expect((await unreadByPlace(w.db, m)).piazza).toBe(before + 1);
		await setFollowing(w.db, m, piazza.id, 'muted');
		expect((await unreadByPlace(w.db, m)).piazza ?? 0).toBe(before);
	});

	it('authors edit with history and delete softly; others cannot', async () => {
		const w = await world();
		const [c, m] = await Promise.all([w.as(w.coordinator), w.as(w.member)]);
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Verbale', body: 'prima versione' });
		const [first] = await w.db.select().from(posts).where(and(eq(posts.threadId, t.id), eq(posts.seq, 1)));
		await expect(editPost(w.db, m, first!.id, { body: 'modificato da altri' })).rejects.toMatchObject({ status: 403 });
		await editPost(w.db, c, first!.id, { body: `seconda versione per ${mention(w.member)}` });
		const view = await getThread(w.db, m, t.id);
		expect(view.posts[0]!.editedAt).not.toBeNull();
		expect(view.posts[0]!.html).toContain('seconda versione');
		expect((await postHistory(w.db, m, first!.id)).map((h) => h.body)).toEqual(['prima versione']);
		expect((await w.db.select().from(postRevisions).where(eq(postRevisions.postId, first!.id))).length).toBe(1);
		// Newly mentioned by the edit: told once; editing again does not ring again.
		expect((await notes(w.db, w.member.id)).map((n) => n.kind)).toEqual(['notif_thread_mention']);
		await editPost(w.db, c, first!.id, { body: `terza versione per ${mention(w.member)}` });
		expect(await notes(w.db, w.member.id)).toHaveLength(1);

		const reply = await createPost(w.db, m, t.id, { body: 'un mio messaggio' });
		await expect(deletePost(w.db, await w.as(w.outsider), reply.id)).rejects.toMatchObject({ status: 404 });
		await deletePost(w.db, m, reply.id);
		const after = await getThread(w.db, c, t.id);
		expect(after.posts[1]).toMatchObject({ deleted: true, html: null, body: null, seq: 2 });
		await expect(editPost(w.db, m, reply.id, { body: 'ripensamento' })).rejects.toMatchObject({ status: 403 });
	});

	it('moderation: coordinators pin, lock, hide with a reason and move; every act is audited', async () => {
		const w = await world();
		const [c, m, a] = await Promise.all([w.as(w.coordinator), w.as(w.member), w.as(w.admin)]);
		const t = await createThread(w.db, m, { tableId: w.privateTable.id, title: 'Segnalazione', body: 'testo con un dato da togliere' });
		await expect(setThreadPinned(w.db, m, t.id, true)).rejects.toMatchObject({ status: 403 });
		await setThreadPinned(w.db, c, t.id, true);
		const other = await createThread(w.db, m, { tableId: w.privateTable.id, title: 'Più recente', body: 'x' });
		expect((await listThreads(w.db, m, { tableId: w.privateTable.id })).map((x) => [x.id, x.pinned])).toEqual([
			[t.id, true],
			[other.id, false]
		]);

		const [first] = await w.db.select().from(posts).where(eq(posts.threadId, t.id));
		await expect(setPostHidden(w.db, m, first!.id, { reason: 'no' })).rejects.toMatchObject({ status: 403 });
		await setPostHidden(w.db, c, first!.id, { reason: 'Conteneva dati personali di un beneficiario' });
		const asMember = await getThread(w.db, m, t.id);
		expect(asMember.posts[0]).toMatchObject({ html: null, hidden: { reason: 'Conteneva dati personali di un beneficiario' }, canEdit: false });
		expect((await getThread(w.db, c, t.id)).posts[0]!.html).toContain('dato da togliere');

		await setThreadLocked(w.db, c, t.id, true);
		await expect(createPost(w.db, m, t.id, { body: 'ancora una cosa' })).rejects.toMatchObject({ code: 'thread_error_locked' });
		expect((await createPost(w.db, c, t.id, { body: 'Discussione chiusa.' })).seq).toBe(2);

		// Moving needs moderation rights on both places: the coordinator does not moderate the Piazza.
		await expect(moveThread(w.db, c, t.id, null)).rejects.toMatchObject({ status: 403 });
		await moveThread(w.db, c, t.id, w.openTable.id);
		expect((await listThreads(w.db, m, { tableId: w.openTable.id })).map((x) => x.id)).toContain(t.id);
		await moveThread(w.db, a, t.id, null);
		expect((await listThreads(w.db, await w.as(w.outsider), { tableId: null })).map((x) => x.id)).toContain(t.id);

		const audit = await w.db.select().from(auditLog).where(eq(auditLog.entityId, t.id));
		expect(audit.map((r) => r.action).sort()).toEqual(['thread.lock', 'thread.move', 'thread.move', 'thread.pin']);
		const hidden = await w.db.select().from(auditLog).where(eq(auditLog.entityId, first!.id));
		expect(hidden.map((r) => [r.action, (r.data as { reason: string }).reason])).toEqual([['post.hide', 'Conteneva dati personali di un beneficiario']]);
	});

	it('threads about a meeting live in its table and show there', async () => {
		const w = await world();
		const [c, o] = await Promise.all([w.as(w.coordinator), w.as(w.outsider)]);
		const meeting = await createMeeting(w.db, c, w.privateTable.id, meetingInput({ title: 'Tavolo di dicembre', start: '2026-12-10T10:00', end: '2026-12-10T12:00' }));
		// In the Piazza a private meeting would be discussed in front of everyone: refused.
		await expect(createThread(w.db, c, { tableId: null, title: 'Sul tavolo', body: 'x', link: { kind: 'meeting', id: meeting.id } })).rejects.toMatchObject({ code: 'thread_error_link_table' });
		// Someone who cannot see the meeting cannot link it.
		await expect(createThread(w.db, o, { tableId: null, title: 'x', body: 'y', link: { kind: 'meeting', id: meeting.id } })).rejects.toMatchObject({ code: 'thread_error_link' });
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Preparazione', body: 'Materiali?', link: { kind: 'meeting', id: meeting.id } });
		expect((await listThreads(w.db, c, { link: { kind: 'meeting', id: meeting.id } })).map((x) => x.id)).toEqual([t.id]);
		expect(await listThreads(w.db, o, { link: { kind: 'meeting', id: meeting.id } })).toEqual([]);
		expect((await listThreads(w.db, c, { aboutMeeting: meeting.id })).map((x) => x.id)).toEqual([t.id]);
		expect(await listThreads(w.db, c, { aboutMeeting: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
		await expect(moveThread(w.db, await w.as(w.admin), t.id, w.openTable.id)).rejects.toMatchObject({ code: 'thread_error_move_linked' });
	});

	it('refuses empty, oversized and malformed input with a clear error, and saves nothing', async () => {
		const w = await world();
		const c: Actor = await w.as(w.coordinator);
		await expect(createThread(w.db, c, { tableId: w.openTable.id, title: '', body: 'x' })).rejects.toThrow();
		await expect(createThread(w.db, c, { tableId: w.openTable.id, title: 'ok', body: '   ' })).rejects.toThrow(/error_required/);
		await expect(createThread(w.db, c, { tableId: w.openTable.id, title: 'ok', body: 'x'.repeat(20_001) })).rejects.toThrow(/thread_error_too_long/);
		await expect(createThread(w.db, c, { tableId: 'not-a-uuid', title: 'ok', body: 'x' })).rejects.toThrow();
		await expect(createThread(w.db, c, { tableId: w.openTable.id, title: 'ok', body: 'x', link: { kind: 'service', id: '00000000-0000-4000-8000-000000000000' } })).rejects.toMatchObject({ code: 'thread_error_link' });
		const t = await createThread(w.db, c, { tableId: w.openTable.id, title: 'ok', body: 'x' });
		await expect(createPost(w.db, c, t.id, { body: 'y', replyToId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'thread_error_reply' });
		await expect(getThread(w.db, c, 'nope')).rejects.toMatchObject({ status: 404 });
		expect((await getThread(w.db, c, t.id)).posts).toHaveLength(1);
		expect((await listThreads(w.db, c, { tableId: w.openTable.id })).map((x) => x.title)).toEqual(['ok']);
	});

	it('two replies at once get distinct numbers', async () => {
		const w = await world();
		const c = await w.as(w.coordinator);
		const t = await createThread(w.db, c, { tableId: w.openTable.id, title: 'Di corsa', body: 'via' });
		const people = await Promise.all([1, 2, 3, 4].map(() => makePerson(w.db)));
		const actors = await Promise.all(people.map((p) => w.as(p)));
		const seqs = await Promise.all(actors.map((a, i) => createPost(w.db, a, t.id, { body: `risposta ${i}` })));
		expect(seqs.map((s) => s.seq).sort()).toEqual([2, 3, 4, 5]);
	});

	it('e-mails: at once for those who asked, a daily digest for others, nothing for in-app only', async () => {
		const w = await world();
		const [c, m] = await Promise.all([w.as(w.coordinator), w.as(w.member)]);
		const quick = await makePerson(w.db);
		const daily = await makePerson(w.db);
		const [q, d] = await Promise.all([w.as(quick), w.as(daily)]);
		await setNotificationMode(w.db, q, 'immediate');
		await setNotificationMode(w.db, d, 'digest');
		const mails = async (to: string) => w.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to));
		const t = await createThread(w.db, c, { tableId: w.openTable.id, title: 'Mediatori per il consultorio', body: `Servono mediatori: ${mention(quick)} ${mention(daily)} ${mention(w.member)}` });
		const immediate = await mails(quick.email);
		expect(immediate).toHaveLength(1);
		expect(immediate[0]!.subject).toBe('Ti hanno menzionato in «Mediatori per il consultorio»');
		expect(immediate[0]!.text).toContain(`${w.coordinator.name} ti ha menzionato`);
		expect(immediate[0]!.text).toContain(`/threads/${t.id}#post-1`);
		expect(await mails(daily.email)).toHaveLength(0);
		expect(await mails(w.member.email)).toHaveLength(0);
		await createPost(w.db, m, t.id, { body: 'Posso chiedere alla cooperativa.' });
		expect(await mails(quick.email)).toHaveLength(2);

		// The digest: one e-mail with both notifications, once; not again within a day.
		const tomorrow = new Date();
		const first = await sendThreadDigests(w.db, tomorrow);
		expect(first.sent).toBeGreaterThanOrEqual(1);
		const digest = await mails(daily.email);
		expect(digest).toHaveLength(1);
		expect(digest[0]!.subject).toBe('Intarsi: 2 novità nelle discussioni');
		expect(digest[0]!.text).toContain('«Mediatori per il consultorio»');
		expect(digest[0]!.text).toContain('Posso chiedere alla cooperativa.');
		expect(digest[0]!.text).toContain('(ti hanno menzionato)');
		await sendThreadDigests(w.db, new Date(tomorrow.getTime() + 3600_000));
		expect(await mails(daily.email)).toHaveLength(1);
		const [pref] = await w.db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, daily.id));
		expect(pref!.digestSentAt?.getTime()).toBe(tomorrow.getTime());
		// Two instances at once: still one digest per person.
		await new Promise((r) => setTimeout(r, 5));
		await createPost(w.db, m, t.id, { body: 'Ho sentito la cooperativa: confermano.' });
		const later = new Date(tomorrow.getTime() + 25 * 3600_000);
		await Promise.all([sendThreadDigests(w.db, later), sendThreadDigests(w.db, later)]);
		expect(await mails(daily.email)).toHaveLength(2);
	});

	it('search finds posts by stem and without accents, never in threads one may not read, never deleted or hidden ones', async () => {
		const w = await world();
		const [c, m, o] = await Promise.all([w.as(w.coordinator), w.as(w.member), w.as(w.outsider)]);
		const engine = createPostgresEngine(w.db);
		const word = `zq${Date.now().toString(36)}`; // unique per run: other tests share the database
		const priv = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Riservata', body: `Le mediatrici della città ${word} sono disponibili` });
		const open = await createThread(w.db, c, { tableId: w.openTable.id, title: 'Aperta', body: `Mediazione linguistica a ${word}: chi c'è?` });
		const hits = await searchPosts(w.db, m, `mediatrice citta ${word}`, { engine });
		expect(hits.map((h) => h.threadId)).toEqual([priv.id]);
		expect(hits[0]!.snippet).toContain('<mark>');
		expect((await searchPosts(w.db, m, word, { engine })).map((h) => h.threadId).sort()).toEqual([priv.id, open.id].sort());
		expect((await searchPosts(w.db, o, word, { engine })).map((h) => h.threadId)).toEqual([open.id]);
		expect((await searchPosts(w.db, m, word, { tableId: w.openTable.id, engine })).map((h) => h.threadId)).toEqual([open.id]);
		const [openPost] = await w.db.select().from(posts).where(eq(posts.threadId, open.id));
		await setPostHidden(w.db, c, openPost!.id, { reason: 'fuori tema' });
		expect(await searchPosts(w.db, o, word, { engine })).toEqual([]);
		await deletePost(w.db, c, (await w.db.select().from(posts).where(eq(posts.threadId, priv.id)))[0]!.id);
		expect(await searchPosts(w.db, m, word, { engine })).toEqual([]);
	});

	it('mention candidates: people and organisations by name, accents ignored', async () => {
		const w = await world();
		const found = await mentionCandidates(w.db, w.coordinator.name);
		expect(found.some((f) => f.kind === 'user' && f.id === w.coordinator.id)).toBe(true);
		const orgs = await mentionCandidates(w.db, w.org.name);
		expect(orgs.some((f) => f.kind === 'org' && f.id === w.org.id)).toBe(true);
		expect(await mentionCandidates(w.db, '   ')).toEqual([]);
	});

	it('files uploaded for a reply travel with it, and leave with it when it is deleted', async () => {
		const w = await world();
		const [c, m] = await Promise.all([w.as(w.coordinator), w.as(w.member)]);
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-files-'));
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Con allegato', body: 'vedi sotto' });
		const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
		const file = await storeUpload(w.db, m, { threadId: t.id }, { name: 'calendario corsi.pdf', bytes: pdf }, { dataDir });
		const reply = await createPost(w.db, m, t.id, { body: 'Ecco il calendario.', attachmentIds: [file.id] });
		const view = await getThread(w.db, c, t.id);
		expect(view.posts[1]!.attachments.map((a) => [a.fileName, a.mediaType])).toEqual([['calendario corsi.pdf', 'application/pdf']]);
		// Someone else's upload cannot be attached; the reply is not saved either.
		const other = await storeUpload(w.db, c, { threadId: t.id }, { name: 'x.pdf', bytes: pdf }, { dataDir });
		await expect(createPost(w.db, m, t.id, { body: 'furbo', attachmentIds: [other.id] })).rejects.toThrow();
		expect((await getThread(w.db, c, t.id)).posts).toHaveLength(2);
		await deletePost(w.db, m, reply.id);
		expect((await getThread(w.db, c, t.id)).posts[1]!.attachments).toEqual([]);
	});

	it('posts reach the search layer through the outbox: indexed while they stand, removed when deleted or hidden', async () => {
		const w = await world();
		const c = await w.as(w.coordinator);
		// An engine that records what the worker sends it (what Meilisearch would receive).
		const indexed = new Map<string, PostSearchDocument>();
		const recorder: SearchEngine = {
			kind: 'meilisearch',
			index: async () => {},
			remove: async () => {},
			search: async () => ({ hits: [], facets: {}, total: 0, tookMs: 0 }),
			reindexAll: async () => {},
			health: async () => true,
			indexPosts: async (docs) => void docs.forEach((d) => indexed.set(d.id, d)),
			removePosts: async (ids) => void ids.forEach((id) => indexed.delete(id)),
			searchPosts: async () => []
		};
		await drainSearchOutbox(w.db, recorder);
		const t = await createThread(w.db, c, { tableId: w.privateTable.id, title: 'Per la ricerca', body: 'primo messaggio' });
		const reply = await createPost(w.db, c, t.id, { body: 'secondo messaggio' });
		await drainSearchOutbox(w.db, recorder);
		const mine = () => [...indexed.values()].filter((d) => d.threadId === t.id);
		expect(mine().map((d) => [d.seq, d.text, d.tableId, d.threadTitle]).sort()).toEqual([
			[1, 'primo messaggio', w.privateTable.id, 'Per la ricerca'],
			[2, 'secondo messaggio', w.privateTable.id, 'Per la ricerca']
		]);
		await editPost(w.db, c, reply.id, { body: 'secondo messaggio, corretto' });
		await drainSearchOutbox(w.db, recorder);
		expect(indexed.get(reply.id)?.text).toBe('secondo messaggio, corretto');
		await setPostHidden(w.db, c, reply.id, { reason: 'prova' });
		await drainSearchOutbox(w.db, recorder);
		expect(indexed.has(reply.id)).toBe(false);
		await moveThread(w.db, await w.as(w.admin), t.id, null);
		await drainSearchOutbox(w.db, recorder);
		expect(mine().map((d) => d.tableId)).toEqual([null]);
	});
});
