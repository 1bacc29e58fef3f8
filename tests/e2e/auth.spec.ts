import { expect, test } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

test('the login page is accessible and lists the demo accounts', async ({ page }) => {
	await page.goto('/');
	await expect(page).toHaveURL(/\/login$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Accedi a Intarsi' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'it');
	await expect(page.getByText('admin@intarsi.demo')).toBeVisible();
	expect(await seriousViolations(page)).toEqual([]);
});

test('a wrong password gets a clear message and keeps the e-mail', async ({ page }) => {
	await page.goto('/login');
	await page.getByLabel('Indirizzo e-mail').fill(ACCOUNTS.member);
	await page.getByLabel(/^Password/).fill('non è la password');
	await page.getByRole('button', { name: 'Accedi' }).click();
	await expect(page.getByRole('alert')).toContainText('E-mail o password non corretti.');
	await expect(page.getByLabel('Indirizzo e-mail')).toHaveValue(ACCOUNTS.member);
});

test('admin: sees the administration menu and the audit log', async ({ page }) => {
	await loginAs(page, ACCOUNTS.admin);
	const nav = page.getByRole('navigation', { name: 'Navigazione principale' });
	for (const item of ['Dashboard', 'Tavoli', 'Riunioni', 'Discussioni', 'Rubrica servizi', 'Partner', 'Amministrazione'])
		await expect(nav.getByRole('link', { name: item, exact: true })).toBeVisible();
	await nav.getByRole('link', { name: 'Amministrazione' }).click();
	await expect(page.getByRole('heading', { name: 'Registro delle attività' })).toBeVisible();
	await page.goto('/tables');
	await expect(page.getByRole('link', { name: 'Tutela legale' })).toBeVisible();
});

test('coordinator: sees the dashboard, may create tables, may not administer', async ({ page }) => {
	await loginAs(page, ACCOUNTS.coordinator);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ciao, Silvia Malagoli');
	const nav = page.getByRole('navigation', { name: 'Navigazione principale' });
	await expect(nav.getByRole('link', { name: 'Tavoli' })).toBeVisible();
	await expect(nav.getByRole('link', { name: 'Amministrazione' })).toHaveCount(0);
	expect(await seriousViolations(page)).toEqual([]);
	await page.goto('/tables');
	await expect(page.getByRole('link', { name: 'Nuovo tavolo' })).toBeVisible();
	const response = await page.goto('/admin');
	expect(response?.status()).toBe(403);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accesso non consentito');
});

test('member: no admin, no table creation, and a members-only table answers 403', async ({ page }) => {
	await loginAs(page, ACCOUNTS.member);
	const nav = page.getByRole('navigation', { name: 'Navigazione principale' });
	await expect(nav.getByRole('link', { name: 'Amministrazione' })).toHaveCount(0);
	await page.goto('/tables');
	await expect(page.getByRole('link', { name: 'Nuovo tavolo' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Tutela legale' })).toHaveCount(0);
	expect((await page.goto('/tables/new'))?.status()).toBe(403);

	// Find the private table's id as the admin would, then try to open it as the member.
	const admin = await page.context().browser()!.newContext();
	const adminPage = await admin.newPage();
	await loginAs(adminPage, ACCOUNTS.admin);
	await adminPage.goto('/tables');
	const href = await adminPage.getByRole('link', { name: 'Tutela legale' }).getAttribute('href');
	await admin.close();
	expect(href).toMatch(/^\/tables\/[0-9a-f-]{36}$/);
	const response = await page.goto(href!);
	expect(response?.status()).toBe(403);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accesso non consentito');
	await expect(page.getByText('Membri')).toHaveCount(0);
});

test('logout ends the session; the old cookie no longer works', async ({ page, context }) => {
	await loginAs(page, ACCOUNTS.member);
	const cookie = (await context.cookies()).find((c) => c.name === 'intarsi_session');
	expect(cookie?.httpOnly).toBe(true);
	expect(cookie?.sameSite).toBe('Lax');
	await page.getByRole('button', { name: /Luca Pieri/ }).click();
	await page.getByRole('button', { name: 'Esci' }).click();
	await expect(page).toHaveURL(/\/login\?loggedOut=1$/);
	await expect(page.getByText('Sei uscito da Intarsi.')).toBeVisible();
	await context.addCookies([{ ...cookie!, expires: -1 }]);
	await page.goto('/');
	await expect(page).toHaveURL(/\/login$/);
});

test('language switch: English on request, remembered', async ({ page }) => {
	await loginAs(page, ACCOUNTS.member);
	await page.getByRole('button', { name: /English/ }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hello, Luca Pieri');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.goto('/tables');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Working tables');
	await page.getByRole('button', { name: /Italiano/ }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tavoli di lavoro');
});

test('healthz reports the embedded engines', async ({ request }) => {
	const r = await request.get('/healthz');
	expect(r.status()).toBe(200);
	expect(await r.json()).toEqual({ status: 'ok', db: 'pglite', search: 'postgres', realtime: 'memory' });
});

test('anonymous requests never reach a page or a form action of the app', async ({ request }) => {
	for (const path of ['/', '/tables', '/people', '/admin', '/account']) {
		const r = await request.get(path, { maxRedirects: 0 });
		expect(r.status(), path).toBe(303);
		expect(r.headers()['location']).toMatch(/^\/login/);
	}
	const post = await request.post('/partners/new', {
		maxRedirects: 0,
		headers: { origin: 'http://localhost:4173', accept: 'text/html' },
		form: { name: 'Ente fantasma', kind: 'comune' }
	});
	expect(post.status()).toBe(303);
	expect(post.headers()['location']).toBe('/login?redirectTo=%2Fpartners%2Fnew');
	// The same from script (use:enhance style): a redirect, and nothing written.
	const json = await request.post('/partners/new', { headers: { origin: 'http://localhost:4173' }, form: { name: 'Ente fantasma', kind: 'comune' } });
	expect(await json.json()).toMatchObject({ type: 'redirect', status: 303 });
});

test('nothing an anonymous request sent was stored', async ({ page }) => {
	await loginAs(page, ACCOUNTS.admin);
	await page.goto('/partners?q=fantasma');
	await expect(page.getByText('Nessun risultato.')).toBeVisible();
});

test('a form posted from another site is refused (CSRF origin check)', async ({ request }) => {
	const r = await request.post('/login', { maxRedirects: 0, headers: { origin: 'https://evil.example' }, form: { email: 'a@b.it', password: 'x' } });
	expect(r.status()).toBe(403);
});
