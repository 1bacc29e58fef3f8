import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

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
