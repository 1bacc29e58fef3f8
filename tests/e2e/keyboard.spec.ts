import { expect, test } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

test('keyboard only: skip link, user menu open/close with Escape, logout', async ({ page }) => {
	await loginAs(page, ACCOUNTS.coordinator);
	await page.goto('/tables');
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Vai al contenuto principale' });
	await expect(skip).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.locator('#main')).toBeFocused();

	const menuButton = page.getByRole('button', { name: /Silvia Malagoli/ });
	await menuButton.focus();
	await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
	await page.keyboard.press('Enter');
	await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
	await page.keyboard.press('Tab');
	await expect(page.getByRole('link', { name: 'Il mio account' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
	await expect(menuButton).toBeFocused();
	await expect(page.getByRole('link', { name: 'Il mio account' })).toBeHidden();

	await page.keyboard.press('Enter');
	await page.keyboard.press('Tab');
	await page.keyboard.press('Tab');
	await expect(page.getByRole('button', { name: 'Esci' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/login\?loggedOut=1$/);
});

test('no serious accessibility violations on the admin pages and forms', async ({ page }) => {
	await loginAs(page, ACCOUNTS.admin);
	for (const path of ['/admin', '/admin/invitations', '/people', '/partners', '/partners/new', '/tables/new', '/account', '/meetings']) {
		await page.goto(path);
		expect(await seriousViolations(page), path).toEqual([]);
	}
});

test('a form with errors says what is wrong next to each field', async ({ page }) => {
	await loginAs(page, ACCOUNTS.admin);
	await page.goto('/partners/new');
	await page.getByLabel(/^Nome/).fill('Comune di Cervia');
	await page.getByLabel(/^Sito web/).fill('cervia');
	await page.getByLabel(/^Partita IVA/).fill('12345678901');
	await page.getByRole('button', { name: 'Crea' }).click();
	await expect(page.getByText('Questo campo è obbligatorio.')).toBeVisible();
	await expect(page.getByText('Indirizzo web non valido')).toBeVisible();
	await expect(page.getByText('Partita IVA non valida')).toBeVisible();
	await expect(page.getByLabel(/^Nome/)).toHaveValue('Comune di Cervia');
	await expect(page.getByLabel(/^Partita IVA/)).toHaveAttribute('aria-invalid', 'true');
	expect(await seriousViolations(page)).toEqual([]);

	await page.getByLabel(/^Tipo di ente/).selectOption({ label: 'Comune' });
	await page.getByLabel(/^Sito web/).fill('https://www.comune.cervia.ra.it');
	await page.getByLabel(/^Partita IVA/).fill('');
	await page.getByRole('button', { name: 'Crea' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Comune di Cervia');
	await page.goto('/admin');
	await expect(page.getByRole('cell', { name: "ha creato l'ente" }).first()).toBeVisible();
});
