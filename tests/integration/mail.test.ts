import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makePerson, makeTable } from './helpers/factories';
import { closedPort, mimeParts, startSmtpServer, type TestSmtpServer } from './helpers/smtp';
import { fromPostgresUrl, type Db } from '../../src/lib/server/db/client';
import { auditLog, mailOutbox } from '../../src/lib/server/db/schema';
import { getConfig } from '../../src/lib/server/config';
import { countFailedMail, enqueueMail, getOutboxAttachment, getOutboxMessage, listOutbox, retryFailedMail, toBase64 } from '../../src/lib/server/mail/outbox';
import { drainOutbox, startMailWorker } from '../../src/lib/server/mail/worker';
import { createSmtpTransport, type MailTransport } from '../../src/lib/server/mail/transport';
import { meetingCalendar } from '../../src/lib/server/meetings/ical';
import { createInvitation } from '../../src/lib/server/network/invitations';
import { issuePasswordReset } from '../../src/lib/server/auth/reset';
import { waitFor } from './helpers/server';

const FROM = 'Intarsi <noreply@intarsi.test>';

function invitationIcs(id: string) {
	return meetingCalendar(
		[
			{
				id,
				title: 'Tavolo di prova',
				description: 'Ordine del giorno in allegato.',
				startsAt: new Date('2026-03-30T08:00:00Z'),
				endsAt: new Date('2026-03-30T10:00:00Z'),
				address: 'Via Roma 1, Cesena',
				onlineUrl: null,
				status: 'convocata',
				sequence: 0,
				tableName: 'Tavolo di prova',
				url: `https://hub.example.it/meetings/${id}`,
				updatedAt: new Date('2026-03-01T08:00:00Z'),
				organizer: { name: 'Anna Rossi', email: 'anna.rossi@example.it' },
				attendees: [{ name: 'Bruno Bianchi', email: 'bruno.bianchi@example.it', rsvp: 'pending' }]
			}
		],
		{ name: 'Convocazione', method: 'REQUEST' }
	);
}

/** Clears the outbox so that each test counts only its own messages. */
async function emptyOutbox(db: Db) {
	await db.delete(mailOutbox);
}

describeEachDb('mail outbox', (get, kind) => {
	let smtp: TestSmtpServer;
	beforeAll(async () => {
		smtp = await startSmtpServer({ rejectRcpt: (a) => (a.startsWith('rifiutato@') ? 'mailbox unavailable' : null) });
	});
	afterAll(async () => {
		await smtp?.close();
	});

	it('without SMTP stores messages, lists them newest first and serves their attachments', async () => {
		const { db } = get();
		await emptyOutbox(db);
		expect(getConfig().smtpUrl).toBeUndefined();
		const first = await enqueueMail(db, { to: 'Prima@Example.it', subject: 'Prima', text: 'uno', kind: 'test' });
		await new Promise((r) => setTimeout(r, 5));
		const ics = invitationIcs('0f0e0d0c-0b0a-4090-8070-605040302010');
		const second = await enqueueMail(db, {
			to: 'seconda@example.it',
			toName: 'Seconda\r\nBcc: intruso@example.it',
			subject: 'Seconda\r\nBcc: intruso@example.it',
			text: 'due',
			kind: 'meeting.convened',
			attachments: [{ filename: 'invito.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', content: toBase64(ics), method: 'REQUEST' }]
		});
		expect(first.status).toBe('stored');
		expect(first.toAddress).toBe('prima@example.it');
		// Header injection is flattened, never passed on.
		expect(second.subject).toBe('Seconda Bcc: intruso@example.it');
		expect(second.toName).not.toMatch(/[\r\n]/);

		const page = await listOutbox(db, { page: 1 });
		expect(page.total).toBe(2);
		expect(page.rows.map((r) => r.id)).toEqual([second.id, first.id]);
		expect(page.rows[0]).not.toHaveProperty('text');
		expect((await listOutbox(db, { page: 1, status: 'sent' })).total).toBe(0);
		expect((await listOutbox(db, { page: 2 }, 1)).rows.map((r) => r.id)).toEqual([first.id]);

		const msg = await getOutboxMessage(db, second.id);
		expect(msg?.text).toBe('due');
		expect(await getOutboxMessage(db, 'not-a-uuid')).toBeNull();
		const att = await getOutboxAttachment(db, second.id, 0);
		expect(att?.content.toString('utf8')).toBe(ics);
		expect(att?.method).toBe('REQUEST');
		expect(await getOutboxAttachment(db, second.id, 1)).toBeNull();

		// The worker without SMTP_URL sends nothing and starts no timer.
		const worker = startMailWorker(() => db, { smtpUrl: undefined, mailFrom: FROM });
		expect(worker.mode).toBe('store');
		await worker.stop();

		await expect(enqueueMail(db, { to: 'not an address', subject: 'x', text: 'x', kind: 'test' })).rejects.toThrow(/invalid to/);
		await expect(enqueueMail(db, { to: 'a@example.it', subject: 'x', text: 'x', kind: 'Bad Kind' })).rejects.toThrow(/invalid kind/);
	});

	it('delivers pending mail over SMTP, with the calendar invitation as text/calendar; method=REQUEST', async () => {
		const { db } = get();
		await emptyOutbox(db);
		smtp.received.length = 0;
		const ics = invitationIcs('1a2b3c4d-0000-4000-8000-000000000001');
		const row = await enqueueMail(
			db,
			{
				to: 'bruno.bianchi@example.it',
				toName: 'Bruno Bianchi',
				subject: 'Convocazione: Tavolo di prova',
				text: 'Sei convocato alla riunione del tavolo.',
				kind: 'meeting.convened',
				attachments: [
					{ filename: 'invito.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', content: toBase64(ics), method: 'REQUEST' },
					{ filename: 'note.txt', contentType: 'text/plain', content: toBase64('allegato semplice') }
				]
			},
			{ deliver: true }
		);
		expect(row.status).toBe('pending');
		const transport = createSmtpTransport(smtp.url);
		const result = await drainOutbox(db, transport, { from: FROM });
		transport.close?.();
		expect(result).toEqual({ sent: 1, retrying: 0, failed: 0 });

		const [sent] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, row.id));
		expect(sent!.status).toBe('sent');
		expect(sent!.attempts).toBe(1);
		expect(sent!.sentAt).toBeInstanceOf(Date);
		expect(sent!.messageId).toMatch(/^<.+@.+>$/);

		expect(smtp.received).toHaveLength(1);
		const mail = smtp.received[0]!;
		expect(mail.to).toEqual(['bruno.bianchi@example.it']);
		expect(mail.from).toBe('noreply@intarsi.test');
		expect(mail.raw).toMatch(/^Subject: Convocazione: Tavolo di prova\r?$/m);
		expect(mail.raw).toMatch(/^To: Bruno Bianchi <bruno\.bianchi@example\.it>\r?$/m);
		expect(mail.raw).toContain(`Message-ID: ${sent!.messageId}`);
		const parts = mimeParts(mail.raw);
		const calendar = parts.find((p) => /^text\/calendar/i.test(p.headers['content-type'] ?? ''));
		expect(calendar?.headers['content-type']).toMatch(/method=REQUEST/i);
		expect(calendar?.body).toContain('METHOD:REQUEST');
		expect(calendar?.body).toContain('UID:1a2b3c4d-0000-4000-8000-000000000001@intarsi');
		// nodemailer adds the same event as an .ics attachment (the Gmail way), and our other file.
		expect(parts.some((p) => /^application\/ics/i.test(p.headers['content-type'] ?? '') && p.body.includes('METHOD:REQUEST'))).toBe(true);
		expect(parts.find((p) => /note\.txt/.test(p.headers['content-disposition'] ?? ''))?.body).toBe('allegato semplice');
		expect(parts.find((p) => /^text\/plain/i.test(p.headers['content-type'] ?? '') && !p.headers['content-disposition'])?.body).toContain('Sei convocato');

		// Sent rows are never claimed again.
		expect(await drainOutbox(db, createSmtpTransport(smtp.url), { from: FROM })).toEqual({ sent: 0, retrying: 0, failed: 0 });
	});

	it('retries with backoff while the server is down, then gives up with the last error', async () => {
		const { db } = get();
		await emptyOutbox(db);
		const row = await enqueueMail(db, { to: 'x@example.it', subject: 'Prova', text: 'x', kind: 'test' }, { deliver: true });
		const down = createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}`);
		const opts = { from: FROM, maxAttempts: 2, backoffMs: () => 60_000 };

		expect(await drainOutbox(db, down, opts)).toEqual({ sent: 0, retrying: 1, failed: 0 });
		let [r] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, row.id));
		expect(r).toMatchObject({ status: 'pending', attempts: 1 });
		expect(r!.lastError).toMatch(/ECONNREFUSED/);
		expect(r!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);

		// Not due yet: nothing happens.
		expect(await drainOutbox(db, down, opts)).toEqual({ sent: 0, retrying: 0, failed: 0 });

		await db.update(mailOutbox).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(mailOutbox.id, row.id));
		expect(await drainOutbox(db, down, opts)).toEqual({ sent: 0, retrying: 0, failed: 1 });
		[r] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, row.id));
		expect(r).toMatchObject({ status: 'failed', attempts: 2 });
		expect(r!.lastError).toMatch(/ECONNREFUSED/);
		down.close?.();

		// A refusal by the server is recorded with its reply code.
		const refused = await enqueueMail(db, { to: 'rifiutato@example.it', subject: 'Prova', text: 'x', kind: 'test' }, { deliver: true });
		const transport = createSmtpTransport(smtp.url);
		expect(await drainOutbox(db, transport, { from: FROM, maxAttempts: 1 })).toEqual({ sent: 0, retrying: 0, failed: 1 });
		transport.close?.();
		const [f] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, refused.id));
		expect(f!.status).toBe('failed');
		expect(f!.lastError).toMatch(/550/);
	});

	it('an admin sends failed messages again, one or all; a sent message is never sent twice', async () => {
		const { db } = get();
		await emptyOutbox(db);
		smtp.received.length = 0;
		const admin = await makePerson(db, { role: 'admin' });
		const a = await enqueueMail(db, { to: 'a@example.it', subject: 'Prova A', text: 'a', kind: 'test' }, { deliver: true });
		const b = await enqueueMail(db, { to: 'b@example.it', subject: 'Prova B', text: 'b', kind: 'test' }, { deliver: true });
		const down = createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}`);
		expect(await drainOutbox(db, down, { from: FROM, maxAttempts: 1 })).toEqual({ sent: 0, retrying: 0, failed: 2 });
		down.close?.();
		const c = await enqueueMail(db, { to: 'c@example.it', subject: 'Prova C', text: 'c', kind: 'test' }, { deliver: true });
		const up = createSmtpTransport(smtp.url);
		expect(await drainOutbox(db, up, { from: FROM })).toEqual({ sent: 1, retrying: 0, failed: 0 });
		expect(await countFailedMail(db)).toBe(2);

		// One message: back in the queue, attempts from zero, its last error still shown.
		expect(await retryFailedMail(db, admin.id, a.id)).toEqual([a.id]);
		const [ra] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, a.id));
		expect(ra).toMatchObject({ status: 'pending', attempts: 0 });
		expect(ra!.lastError).toMatch(/ECONNREFUSED/);
		expect(ra!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
		// Anything but a failed message is left alone (no second copy of what was sent).
		expect(await retryFailedMail(db, admin.id, c.id)).toEqual([]);
		expect(await retryFailedMail(db, admin.id, a.id)).toEqual([]);
		expect(await retryFailedMail(db, admin.id, 'not-a-uuid')).toEqual([]);
		expect((await getOutboxMessage(db, c.id))!.status).toBe('sent');
		// All the others at once.
		expect(await countFailedMail(db)).toBe(1);
		expect(await retryFailedMail(db, admin.id)).toEqual([b.id]);
		expect(await countFailedMail(db)).toBe(0);

		expect(await drainOutbox(db, up, { from: FROM })).toEqual({ sent: 2, retrying: 0, failed: 0 });
		up.close?.();
		for (const id of [a.id, b.id]) expect(await getOutboxMessage(db, id)).toMatchObject({ status: 'sent', lastError: null });
		expect(smtp.received.map((r) => r.to).flat().sort()).toEqual(['a@example.it', 'b@example.it', 'c@example.it']);
		const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'mail.retried'));
		expect(audit.filter((x) => x.actorId === admin.id).map((x) => [x.entityId, x.data])).toEqual([
			[a.id, { count: 1 }],
			[null, { count: 1 }]
		]);
	});

	it('a dead server costs one connection per batch; a refused message does not stop the others', async () => {
		const { db } = get();
		await emptyOutbox(db);
		for (let i = 0; i < 3; i++) await enqueueMail(db, { to: `d${i}@example.it`, subject: `Giù ${i}`, text: 'x', kind: 'test' }, { deliver: true });
		let calls = 0;
		const dead: MailTransport = {
			sendMail: async () => {
				calls++;
				throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ESOCKET' });
			}
		};
		expect(await drainOutbox(db, dead, { from: FROM })).toEqual({ sent: 0, retrying: 3, failed: 0 });
		expect(calls).toBe(1);
		const rows = await db.select().from(mailOutbox);
		expect(rows.every((r) => r.status === 'pending' && r.attempts === 1 && /ECONNREFUSED/.test(r.lastError ?? ''))).toBe(true);

		await db.update(mailOutbox).set({ nextAttemptAt: sql`now() - interval '1 second'` });
		const picky: MailTransport = {
			sendMail: async (m) => {
				if (m.subject === 'Giù 0') throw Object.assign(new Error('Message rejected'), { code: 'EMESSAGE', responseCode: 554 });
				return { messageId: `<${String(m.subject).length}@test>` };
			}
		};
		expect(await drainOutbox(db, picky, { from: FROM, backoffMs: () => 60_000 })).toEqual({ sent: 2, retrying: 1, failed: 0 });
	});

	it(`two drains running at once never send the same message twice${kind === 'postgres' ? ' (two connection pools)' : ''}`, async () => {
		const handle = get();
		const { db } = handle;
		await emptyOutbox(db);
		smtp.received.length = 0;
		const ids: string[] = [];
		for (let i = 0; i < 30; i++)
			ids.push((await enqueueMail(db, { to: `r${i}@example.it`, subject: `Messaggio ${i}`, text: `n. ${i}`, kind: 'test' }, { deliver: true })).id);
		// On PostgreSQL the second drain is another "instance": its own pool, its own connections.
		const other = kind === 'postgres' ? await fromPostgresUrl((handle as unknown as { url: string }).url, 3) : null;
		const sentBy = { a: [] as string[], b: [] as string[] };
		const slowTransport = (who: 'a' | 'b'): MailTransport => {
			const real = createSmtpTransport(smtp.url);
			return {
				async sendMail(message) {
					await new Promise((r) => setTimeout(r, 15));
					sentBy[who].push(String(message.subject));
					return real.sendMail(message);
				},
				close: () => real.close?.()
			};
		};
		const ta = slowTransport('a');
		const tb = slowTransport('b');
		try {
			const [ra, rb] = await Promise.all([
				drainOutbox(db, ta, { from: FROM, batchSize: 4, maxRounds: 50 }),
				drainOutbox(other?.db ?? db, tb, { from: FROM, batchSize: 4, maxRounds: 50 })
			]);
			expect(ra.sent + rb.sent).toBe(30);
		} finally {
			ta.close?.();
			tb.close?.();
			await other?.close();
		}
		const subjects = [...sentBy.a, ...sentBy.b];
		expect(new Set(subjects).size).toBe(30);
		expect(subjects).toHaveLength(30);
		expect(sentBy.a.length).toBeGreaterThan(0);
		expect(sentBy.b.length).toBeGreaterThan(0);
		expect(smtp.received).toHaveLength(30);
		const rows = await db.select({ status: mailOutbox.status, attempts: mailOutbox.attempts }).from(mailOutbox).where(inArray(mailOutbox.id, ids));
		expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
	});

	it('claims at most one batch per round', async () => {
		const { db } = get();
		await emptyOutbox(db);
		for (let i = 0; i < 10; i++) await enqueueMail(db, { to: `b${i}@example.it`, subject: `Lotto ${i}`, text: 'x', kind: 'test' }, { deliver: true });
		const seen: string[] = [];
		const recorder: MailTransport = { sendMail: async (m) => (seen.push(String(m.subject)), { messageId: `<${seen.length}@test>` }) };
		expect(await drainOutbox(db, recorder, { from: FROM, batchSize: 4, maxRounds: 1 })).toEqual({ sent: 4, retrying: 0, failed: 0 });
		expect(seen).toEqual(['Lotto 0', 'Lotto 1', 'Lotto 2', 'Lotto 3']);
		expect(await drainOutbox(db, recorder, { from: FROM, batchSize: 4 })).toEqual({ sent: 6, retrying: 0, failed: 0 });
		expect(new Set(seen).size).toBe(10);
	});

	it('the background worker sends what is queued, and stops', async () => {
		const { db } = get();
		await emptyOutbox(db);
		smtp.received.length = 0;
		const worker = startMailWorker(() => db, { smtpUrl: smtp.url, mailFrom: FROM }, { intervalMs: 50 });
		try {
			expect(worker.mode).toBe('smtp');
			const row = await enqueueMail(db, { to: 'worker@example.it', subject: 'Dal worker', text: 'ciao', kind: 'test' }, { deliver: true });
			worker.kick();
			await waitFor(() => smtp.received.some((m) => m.to.includes('worker@example.it')), 10_000, 'worker delivery');
			// The row is marked right after the SMTP reply.
			let status = '';
			for (let i = 0; i < 100 && status !== 'sent'; i++) {
				if (i) await new Promise((res) => setTimeout(res, 20));
				status = (await db.select({ s: mailOutbox.status }).from(mailOutbox).where(eq(mailOutbox.id, row.id)))[0]!.s;
			}
			expect(status).toBe('sent');
		} finally {
			await worker.stop();
		}
	});

	it('invitations and admin password resets queue an e-mail with the link shown to the admin', async () => {
		const { db } = get();
		await emptyOutbox(db);
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const { table, admin } = await makeTable(db, { coordinatorId: coordinator.id });
		const { link, invitation, token } = await createInvitation(
			db,
			await actorFor(db, admin),
			{ email: 'nuova.persona@example.it', name: 'Nuova Persona', role: 'member', tableId: table.id, tableRole: 'member' },
			{ baseUrl: 'https://hub.example.it' }
		);
		expect(link).toBe(`https://hub.example.it/invite/${token}`);
		const [inv] = await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'invitation'));
		expect(inv).toMatchObject({ toAddress: invitation.email, toName: 'Nuova Persona', status: 'stored', subject: "Invito a Intarsi, l'hub della rete INTARSI" });
		expect(inv!.text).toContain(link);
		expect(inv!.text).toContain('Buongiorno Nuova Persona,');
		expect(inv!.text).toContain(admin.name);
		expect(inv!.text).toContain(`«${table.name}»`);

		const user = await makePerson(db);
		const reset = await issuePasswordReset(db, admin.id, user.id, { baseUrl: 'https://hub.example.it' });
		expect(reset.link).toBe(`https://hub.example.it/reset/${reset.token}`);
		const [mail] = await db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'password_reset'));
		expect(mail).toMatchObject({ toAddress: user.email, status: 'stored' });
		expect(mail!.text).toContain(reset.link);

		// A refused invitation queues nothing (the e-mail is written in the invitation's transaction).
		await expect(
			createInvitation(db, await actorFor(db, admin), { email: user.email, role: 'member', tableRole: 'member' }, { baseUrl: 'https://hub.example.it' })
		).rejects.toMatchObject({ code: 'error_email_taken' });
		expect((await listOutbox(db)).total).toBe(2);
	});
});
