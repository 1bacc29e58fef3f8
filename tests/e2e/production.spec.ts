import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { seriousViolations } from './helpers';

// Runs against the second server: NODE_ENV=production on a real PostgreSQL database.
const dbUrl = () => {
	const u = new URL(process.env.TEST_DATABASE_URL!);
	u.pathname = '/intarsi_e2e';
	return u.toString();
};

test('production on PostgreSQL: healthz says postgres, no demo accounts exist', async ({ page, request }) => {
	const r = await request.get('/healthz');
	expect(await r.json()).toEqual({ status: 'ok', db: 'postgres', search: 'postgres', realtime: 'memory' });
	await page.goto('/login');
	await expect(page.getByText('Rete demo')).toHaveCount(0);
	await page.getByLabel('Indirizzo e-mail').fill('admin@intarsi.demo');
	await page.getByLabel(/^Password/).fill('intarsi-demo-2026');
	await page.getByRole('button', { name: 'Accedi' }).click();
	await expect(page.getByRole('alert')).toContainText('E-mail o password non corretti.');
});

test('the first admin is created with the documented command and can log in', async ({ page }) => {
	const root = path.resolve(import.meta.dirname, '../..');
	const out = execFileSync('node', ['build/cli.js', 'admin:create', '--email', 'prima.admin@unione.example.it', '--name', 'Prima Amministratrice', '--password-stdin'], {
		cwd: root,
		env: { ...process.env, DATABASE_URL: dbUrl(), NODE_ENV: 'production' },
		input: 'password iniziale lunga\n'
	}).toString();
	expect(out).toContain('Administrator Prima Amministratrice <prima.admin@unione.example.it> created.');
	await page.goto('/login');
	await page.getByLabel('Indirizzo e-mail').fill('prima.admin@unione.example.it');
	await page.getByLabel(/^Password/).fill('password iniziale lunga');
	await page.getByRole('button', { name: 'Accedi' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ciao, Prima Amministratrice');
	await expect(page.getByRole('link', { name: 'Amministrazione' })).toBeVisible();
});

test('an admin sends again the e-mails the mail server refused, one from its page, then all the rest', async ({ page }) => {
	// Two messages that gave up after every attempt, written straight into the database (this
	// server's mail server refuses every connection: see playwright.config.ts).
	const client = new pg.Client({ connectionString: dbUrl() });
	await client.connect();
	try {
		const failed = (to: string) =>
			client.query<{ id: string }>(
				`insert into mail_outbox (to_address, subject, text, kind, status, attempts, last_error) values ($1, 'Convocazione', 'Testo', 'meeting.convened', 'failed', 8, '550 mailbox unavailable') returning id`,
				[to]
			);
		const one = (await failed('primo@comune.example.it')).rows[0]!.id;
		await failed('secondo@comune.example.it');

		await page.goto('/login');
		await page.getByLabel('Indirizzo e-mail').fill('prima.admin@unione.example.it');
		await page.getByLabel(/^Password/).fill('password iniziale lunga');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ciao, Prima Amministratrice');

		await page.goto(`/admin/mail/${one}`);
		await expect(page.getByRole('alert')).toContainText('550 mailbox unavailable');
		await page.getByRole('button', { name: "Riprova l'invio" }).click();
		await expect(page.getByRole('status').filter({ hasText: 'Messaggio rimesso in coda' })).toBeVisible();
		await expect(page.getByRole('button', { name: "Riprova l'invio" })).toHaveCount(0);
		// Back in the queue: the worker tries again at once (and, with this mail server, fails again).
		expect((await client.query('select status from mail_outbox where id = $1', [one])).rows[0]).toEqual({ status: 'pending' });
		expect(await seriousViolations(page)).toEqual([]);

		await page.goto('/admin/mail');
		await expect(page.getByText('Messaggi non inviati dopo tutti i tentativi: 1.')).toBeVisible();
		await page.getByRole('button', { name: 'Riprova tutti i messaggi non inviati (1)' }).click();
		await expect(page.getByRole('status').filter({ hasText: 'Messaggi rimessi in coda: 1.' })).toBeVisible();
		await expect(page.getByRole('button', { name: /Riprova tutti/ })).toHaveCount(0);
		expect(await seriousViolations(page)).toEqual([]);
		expect((await client.query(`select count(*)::int as n from mail_outbox where status = 'failed'`)).rows[0]).toEqual({ n: 0 });
		const audit = await client.query(`select entity_id, data from audit_log where action = 'mail.retried' order by at`);
		expect(audit.rows).toEqual([
			{ entity_id: one, data: { count: 1 } },
			{ entity_id: null, data: { count: 1 } }
		]);
	} finally {
		await client.end();
	}
});
