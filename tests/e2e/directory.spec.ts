import { expect, test, type Page } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

// The e2e server's directory clock starts on Tuesday 24 November 2026 at 10:30 in Rome
// (DIRECTORY_CLOCK_START in playwright.config.ts): "aperto ora" is the same whenever the suite runs.
const LEGAL_AID_RIMINI = 'Consulenza legale su immigrazione e asilo – Rimini';

/** The results list once the search index has the demo directory (it is filled as the server starts). */
async function waitForResults(page: Page) {
	await expect(async () => {
		await page.reload();
		await expect(page.getByTestId('directory-hit').first()).toBeVisible({ timeout: 1000 });
	}).toPass({ timeout: 30_000 });
}

test('an operator finds a legal-aid service speaking Arabic in Rimini, open now, in a few keystrokes', async ({ page }) => {
	await loginAs(page, ACCOUNTS.member);
	await page.goto('/directory');
	await waitForResults(page);
	expect(await seriousViolations(page), '/directory').toEqual([]);

	const box = page.getByTestId('directory-q');
	await box.click();
	await box.pressSequentially('tutela leg', { delay: 30 });
	// Ticking filters at once, before the typed query has even been sent, keeps the query.
	// The kit draws the checkbox on its label (the input itself is visually hidden): click the label.
	for (const id of ['f-district-Rimini', 'f-language-ar', 'f-openNow']) {
		await page.locator(`label[for="${id}"]`).click();
		await expect(page.locator(`#${id}`)).toBeChecked();
	}
	await expect(page).toHaveURL(/q=tutela\+leg/);
	await expect(page).toHaveURL(/district=Rimini/);
	await expect(page).toHaveURL(/language=ar/);
	await expect(page).toHaveURL(/openNow=1/);

	const hits = page.getByTestId('directory-hit');
	await expect(hits.first()).toContainText(LEGAL_AID_RIMINI);
	// Every result is in Rimini, speaks Arabic and is open now.
	for (const hit of await hits.all()) {
		await expect(hit).toContainText('Rimini');
		await expect(hit).toContainText('Arabo');
		await expect(hit).toContainText('Aperto ora');
	}
	await expect(page.getByRole('button', { name: /Rimini/ })).toBeVisible(); // the removable filter chip
	expect(await seriousViolations(page), '/directory with filters').toEqual([]);

	// The shared link reproduces the search.
	const shared = page.url();
	await page.goto('/');
	await page.goto(shared);
	await expect(page.getByTestId('directory-hit').first()).toContainText(LEGAL_AID_RIMINI);

	// Keyboard: from the box down into the results, Enter opens the card.
	await box.focus();
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('link', { name: LEGAL_AID_RIMINI })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('service-name')).toHaveText(LEGAL_AID_RIMINI);
	await expect(page.getByTestId('service-open')).toBeVisible();
	await expect(page.getByText('Arabo').first()).toBeVisible();
	await expect(page.getByRole('link', { name: /mappa|map/i }).first()).toHaveAttribute('href', /openstreetmap\.org/);
	await expect(page.locator('a[href^="tel:"]').first()).toBeVisible();
	expect(await seriousViolations(page), 'service card').toEqual([]);
});

test('an empty result suggests removing a filter, and removing it brings results back', async ({ page }) => {
	await loginAs(page, ACCOUNTS.member);
	await page.goto('/directory?q=consulenza+legale&district=Rimini&language=ka');
	await expect(page.getByTestId('directory-empty')).toContainText('filtr');
	await page.getByRole('button', { name: /Georgiano/ }).click();
	await expect(page).not.toHaveURL(/language=ka/);
	await expect(page.getByTestId('directory-hit').first()).toContainText(LEGAL_AID_RIMINI);
});

test('anonymous visitors read the public directory, and nothing else', async ({ page }) => {
	await page.goto('/directory?q=tutela&district=Rimini');
	await expect(page.getByTestId('directory-public-notice')).toBeVisible();
	await expect(page.getByTestId('header-login')).toBeVisible();
	await expect(page.getByTestId('directory-hit').first()).toBeVisible();
	// No app navigation, notification bell or user menu for visitors.
	await expect(page.getByRole('navigation', { name: /principale|main/i })).toHaveCount(0);
	expect(await seriousViolations(page), 'public /directory').toEqual([]);

	await page.getByRole('link', { name: LEGAL_AID_RIMINI }).click();
	await expect(page.getByTestId('service-name')).toHaveText(LEGAL_AID_RIMINI);
	// Who verified it stays inside the network; visitors cannot confirm it.
	await expect(page.getByRole('button', { name: /confermo/i })).toHaveCount(0);
	expect(await seriousViolations(page), 'public service card').toEqual([]);
	// Reading only: the card's form action asks for a login, whatever the visitor sends.
	const verify = await page.request.post(`${page.url()}?/verify`, {
		form: {},
		headers: { origin: new URL(page.url()).origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(verify.status()).toBe(303);
	expect(verify.headers()['location']).toMatch(/^\/login/);

	// The rest of the app still needs a login.
	for (const path of ['/', '/meetings', '/tables', '/admin/directory']) {
		await page.goto(path);
		await expect(page, path).toHaveURL(/\/login/);
	}
	// The login link brings the visitor back to the search after logging in.
	await page.goto('/directory?q=tutela');
	await page.getByTestId('header-login').click();
	await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdirectory%3Fq%3Dtutela/);
});
