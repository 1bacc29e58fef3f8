import { expect, test } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

test('a table coordinator invites a newcomer, who joins the table through the link', async ({ page, browser }) => {
	await loginAs(page, ACCOUNTS.coordinator);
	await page.getByRole('link', { name: 'Tavolo territoriale Modena', exact: true }).first().click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tavolo territoriale Modena');
	expect(await seriousViolations(page)).toEqual([]);

	const invite = page.getByRole('region', { name: 'Invita una persona nuova' });
	await invite.getByLabel('Indirizzo e-mail').fill('elena.ferri@comune.modena.example');
	await invite.getByLabel('Nome e cognome').fill('Elena Ferri');
	await invite.getByLabel('Ente').selectOption({ label: 'Comune di Modena' });
	await invite.getByRole('button', { name: 'Crea invito' }).click();
	const link = await page.getByTestId('invitation-link').textContent();
	expect(link).toMatch(/\/invite\/[a-z2-7]{32}$/);
	await expect(invite.getByRole('listitem').filter({ hasText: 'elena.ferri@comune.modena.example' })).toHaveCount(1);

	const newcomer = await browser.newContext();
	const p = await newcomer.newPage();
	await p.goto(link!);
	await expect(p.getByText('Entrerai nel tavolo «Tavolo territoriale Modena».')).toBeVisible();
	expect(await seriousViolations(p)).toEqual([]);
	await p.getByLabel('Scegli una password').fill('corto');
	await p.getByLabel('Ripeti la password').fill('corto');
	await p.getByRole('button', { name: 'Attiva il mio account' }).click();
	await expect(p.getByText('La password deve avere almeno 10 caratteri.')).toBeVisible();
	await p.getByLabel('Scegli una password').fill('una frase lunga e sicura');
	await p.getByLabel('Ripeti la password').fill('una frase lunga e sicura');
	await p.getByRole('button', { name: 'Attiva il mio account' }).click();
	await expect(p).toHaveURL(/\/\?welcome=1$/);
	await expect(p.getByRole('heading', { level: 1 })).toHaveText('Ciao, Elena Ferri');
	await expect(p.getByRole('link', { name: 'Tavolo territoriale Modena', exact: true })).toBeVisible();

	// The link is single-use.
	const again = await (await browser.newContext()).newPage();
	await again.goto(link!);
	await expect(again.getByText('Questo invito è già stato usato.')).toBeVisible();
	await newcomer.close();
});

test('an admin issues a reset link; the new password works and the old one does not', async ({ page, browser }) => {
	await loginAs(page, ACCOUNTS.admin);
	await page.goto('/people?q=ghebremedhin');
	await page.getByRole('link', { name: 'Tesfay Ghebremedhin' }).click();
	await page.getByRole('button', { name: 'Crea link per reimpostare la password' }).click();
	const link = await page.getByTestId('reset-link').textContent();
	expect(link).toMatch(/\/reset\/[a-z2-7]{32}$/);

	const other = await browser.newContext();
	const p = await other.newPage();
	await p.goto(link!);
	await p.getByLabel('Nuova password').fill('nuova password sicura');
	await p.getByLabel('Ripeti la password').fill('nuova password sicura');
	await p.getByRole('button', { name: 'Salva la nuova password' }).click();
	await expect(p.getByText('Password impostata')).toBeVisible();
	const email = (await page.getByRole('link', { name: /@/ }).first().textContent())!.trim();
	await p.getByLabel('Indirizzo e-mail').fill(email);
	await p.getByLabel(/^Password/).fill('intarsi-demo-2026');
	await p.getByRole('button', { name: 'Accedi' }).click();
	await expect(p.getByRole('alert')).toContainText('E-mail o password non corretti.');
	await loginAs(p, email, 'nuova password sicura');
	await other.close();
});
