import { expect, test } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

// Luca Pieri (operatore) works for ASP Distretto Cesena Valle Savio, whose people maintain the ASP's
// services in the demo directory, among them this one (general hours Monday to Friday 08:30–13:00).
const SERVICE = 'Mediazione linguistico-culturale per i servizi – Cesena';
const ORGANIZATION = 'ASP Distretto Cesena Valle Savio';

test('an editor changes a service’s hours and phone; the card and the history show it', async ({ page }) => {
	test.setTimeout(90_000);
	await loginAs(page, ACCOUNTS.member);

	// Only the ASP's organisations offer "edit" to him; from there to the service card.
	await page.goto('/directory/organizations');
	// The kit draws its own checkboxes: the label is what takes the click.
	await page.locator('label[for="org-mine"]').click();
	await expect(page.getByLabel('Solo quelli che curo io')).toBeChecked();
	await expect(page.getByTestId('org-table').locator('tbody tr')).toHaveCount(1);
	await page.getByRole('link', { name: ORGANIZATION, exact: true }).click();
	await page.getByRole('link', { name: SERVICE }).click();
	await expect(page.getByTestId('service-name')).toHaveText(SERVICE);
	const cardUrl = new URL(page.url()).pathname;
	const oldPhone = (await page.getByTestId('service-phone').first().textContent())!.trim();

	await page.getByTestId('service-edit').click();
	await expect(page).toHaveURL(`${cardUrl}/edit`);
	await expect(page.locator('#f-name')).toHaveValue(SERVICE);
	expect(await seriousViolations(page), 'edit page').toEqual([]);

	// General hours: Monday closes earlier; a Saturday morning is added (the new row follows Friday).
	await expect(page.locator('#f-schedules-0-weekday')).toHaveValue('1');
	await page.locator('#f-schedules-0-closesAt').fill('12:30');
	const rows = await page.locator('#f-schedules [data-testid="schedule-row"]').count();
	await page.locator('#add-f-schedules').click();
	const added = page.locator(`#f-schedules-${rows}-weekday`);
	await expect(added).toBeFocused();
	await expect(added).toHaveValue('6');
	await page.locator(`#f-schedules-${rows}-opensAt`).fill('9.00');
	await page.locator(`#f-schedules-${rows}-closesAt`).fill('08:00');
	await page.locator('#f-phones-0-number').fill('0547 000 099');

	// An impossible range: the summary takes the focus, links to the field, nothing typed is lost.
	await page.getByTestId('service-save').click();
	const summary = page.getByTestId('error-summary');
	await expect(summary).toBeFocused();
	await expect(summary).toContainText('Orario');
	await expect(page.locator(`#f-schedules-${rows}-closesAt`)).toHaveAttribute('aria-invalid', 'true');
	await expect(page.locator('#f-phones-0-number')).toHaveValue('0547 000 099');
	await expect(page.locator('#f-schedules-0-closesAt')).toHaveValue('12:30');
	expect(await seriousViolations(page), 'edit page with errors').toEqual([]);
	await summary.getByRole('link').first().click();
	await expect(page.locator(`#f-schedules-${rows}-closesAt`)).toBeFocused();
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.type('12:00');

	await page.locator('label[for="f-verify"]').click();
	await expect(page.getByTestId('service-verify-on-save')).toBeChecked();
	await page.getByTestId('service-save').click();
	await expect(page).toHaveURL(`${cardUrl}?saved=updated`);
	await expect(page.getByTestId('service-saved')).toHaveText('Modifiche salvate.');
	await expect(page.getByTestId('service-phone').first()).toHaveText('0547 000 099');
	const hours = page.locator('#hours-h + table');
	await expect(hours.getByRole('row', { name: /lunedì/ })).toContainText('08:30–12:30');
	await expect(hours.getByRole('row', { name: /sabato/ })).toContainText('09:00–12:00');
	await expect(page.getByTestId('service-stale')).toHaveCount(0);

	// The history: his change on top, field by field, before and after.
	await page.getByTestId('service-history').click();
	const latest = page.getByTestId('history-event').first();
	await expect(latest).toContainText('Modifica');
	await expect(latest).toContainText('Luca Pieri');
	const phones = latest.getByTestId('history-change').filter({ hasText: 'Telefoni' });
	await expect(phones.locator('del', { hasText: oldPhone })).toHaveCount(1);
	await expect(phones.locator('ins', { hasText: '0547 000 099' })).toHaveCount(1);
	// In a list only what changed is marked: Monday's old and new hours, the new Saturday.
	const generalHours = latest.getByTestId('history-change').filter({ hasText: 'Orari generali' });
	await expect(generalHours.locator('del')).toHaveText(['lun 08:30-13:00']);
	await expect(generalHours.locator('ins')).toHaveText(['lun 08:30-12:30', 'sab 09:00-12:00']);
	expect(await seriousViolations(page), 'history page').toEqual([]);
});

test('editors see only their organisations; others get no edit links and a 403', async ({ page }) => {
	await loginAs(page, ACCOUNTS.coordinator);
	await page.goto('/directory');
	await page.getByTestId('directory-new-service').click();
	await expect(page).toHaveURL('/directory/services/new');
	const orgs = page.getByTestId('service-organization').locator('option');
	await expect(orgs.filter({ hasText: 'Comune di Modena' })).toHaveCount(1);
	await expect(orgs.filter({ hasText: ORGANIZATION })).toHaveCount(0);
	expect(await seriousViolations(page), 'new service page').toEqual([]);

	// Rows come and go from the keyboard; focus follows (to the new row, back to the button).
	await page.locator('#add-f-phones').focus();
	await page.keyboard.press('Enter');
	await expect(page.locator('#f-phones-0-number')).toBeFocused();
	await page.getByTestId('phone-remove').focus();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('phone-row')).toHaveCount(0);
	await expect(page.locator('#add-f-phones')).toBeFocused();
	await expect(page.getByTestId('form-announcer')).toHaveText('Rimosso: Telefono 1');

	await page.goto('/directory/organizations');
	await page.getByRole('link', { name: ORGANIZATION, exact: true }).click();
	await page.getByRole('link', { name: SERVICE }).click();
	await expect(page.getByTestId('service-edit')).toHaveCount(0);
	const res = await page.goto(`${new URL(page.url()).pathname}/edit`);
	expect(res?.status()).toBe(403);
});

test('an admin adds, renames, retires and restores a category; directory organisations', async ({ page }) => {
	test.setTimeout(60_000);
	await loginAs(page, ACCOUNTS.admin);
	await page.goto('/admin/directory');
	await page.getByTestId('taxonomy-link').click();
	await expect(page).toHaveURL('/admin/directory/taxonomy');
	expect(await seriousViolations(page), 'taxonomy page').toEqual([]);

	// A bad code is refused next to the field; then the term is added.
	const categories = page.locator('section', { has: page.locator('#tx-categoria') });
	await categories.locator('#code-categoria').fill('Salute Mentale');
	await categories.locator('#newname-categoria').fill('Salute mentale');
	await page.getByTestId('term-create-categoria').click();
	await expect(categories.locator('#code-categoria-error')).toBeVisible();
	await expect(categories.locator('#newname-categoria')).toHaveValue('Salute mentale');
	await categories.locator('#code-categoria').fill('salute-mentale');
	await page.getByTestId('term-create-categoria').click();
	await expect(page.getByText('Voce «Salute mentale» aggiunta.')).toBeVisible();
	const term = page.getByTestId('term').filter({ hasText: 'salute-mentale' });
	await expect(term).toContainText('Servizi che la usano: 0');

	// Renamed, then retired (no service uses it) and restored.
	await term.locator('summary').click();
	await term.getByLabel(/^Nome/).fill('Salute mentale e benessere');
	await term.getByRole('button', { name: 'Salva' }).click();
	await expect(page.getByText('Voce «Salute mentale e benessere» salvata.')).toBeVisible();
	await term.getByRole('button', { name: /Ritira/ }).click();
	await expect(term).toContainText('Ritirata');
	await term.getByRole('button', { name: /Ripristina/ }).click();
	await expect(term).not.toContainText('Ritirata');
	expect(await seriousViolations(page), 'taxonomy page after changes').toEqual([]);

	// A directory organisation (linked to no partner unless chosen): the invalid P.IVA is shown on its field.
	await page.goto('/directory/organizations/new');
	expect(await seriousViolations(page), 'new organisation page').toEqual([]);
	await page.locator('#f-name').fill('Associazione Esempio');
	await page.locator('#f-vatNumber').fill('123');
	await page.getByTestId('org-save').click();
	await expect(page.locator('#f-vatNumber-error')).toBeVisible();
	await expect(page.locator('#f-name')).toHaveValue('Associazione Esempio');
	await page.locator('#f-vatNumber').fill('');
	await page.getByTestId('org-save').click();
	await expect(page.getByTestId('org-name')).toHaveText('Associazione Esempio');
	await expect(page.getByText('Ente salvato.')).toBeVisible();
	await expect(page.getByText('Nessuno (lo curano gli amministratori)')).toBeVisible();
	expect(await seriousViolations(page), 'organisation page').toEqual([]);
	await page.goto('/directory/organizations');
	expect(await seriousViolations(page), 'organisations list').toEqual([]);
});
