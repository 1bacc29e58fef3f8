import { expect, test, type Browser, type Page } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';
import { extractPdfText } from '../integration/helpers/pdf-text';

async function session(browser: Browser, email: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await loginAs(page, email);
	return page;
}

const editor = (page: Page) => page.getByTestId('minutes-editor');

test('two people write the minutes at once, capture a decision and an action, and approve them into a PDF', async ({ browser }) => {
	test.setTimeout(120_000);
	const coord = await session(browser, ACCOUNTS.coordinator);
	// Last month's meeting of her table (held, with its register).
	await coord.goto('/meetings?past=1');
	await coord.getByRole('link', { name: /avvio delle attività/ }).click();
	await coord.getByTestId('open-minutes').click();
	await expect(coord.getByTestId('minutes-status')).toHaveText('Non iniziato');
	await coord.getByTestId('minutes-start').click();
	await expect(coord.getByTestId('minutes-status')).toHaveText('Bozza');
	// The draft: header, attendance, one section per agenda item.
	await expect(editor(coord)).toContainText('Verbale – Tavolo territoriale Modena – avvio delle attività');
	await expect(editor(coord)).toContainText('Mappatura dei servizi del territorio per le famiglie accolte');
	await expect(editor(coord)).toContainText('Laura Pellacani');
	const minutesUrl = new URL(coord.url()).pathname;

	const admin = await session(browser, ACCOUNTS.admin);
	await admin.goto(minutesUrl);
	await expect(editor(admin)).toContainText('Mappatura dei servizi');

	// Both type; each sees the other's text and caret with a name.
	// Each section is its heading and an empty paragraph to write in.
	await editor(coord).locator('h2:has-text("Mappatura dei servizi") + p').click();
	await coord.keyboard.type('Il tavolo condivide la mappa dei servizi. ');
	await expect(editor(admin)).toContainText('Il tavolo condivide la mappa dei servizi.');
	await editor(admin).locator('h2:has-text("Calendario degli sportelli") + p').click();
	await admin.keyboard.type('Gli sportelli restano aperti il martedì.');
	await expect(editor(coord)).toContainText('Gli sportelli restano aperti il martedì.');
	await expect(coord.locator('.collaboration-carets__label', { hasText: 'Chiara Benedetti' })).toBeVisible();
	await expect(admin.locator('.collaboration-carets__label', { hasText: 'Silvia Malagoli' })).toBeVisible();
	await expect(coord.getByTestId('minutes-writers')).toContainText('Chiara Benedetti');

	// A decision by slash command, an action item by the toolbar with owner and due date.
	await editor(coord).getByText('Il tavolo condivide la mappa dei servizi.').click();
	await coord.keyboard.press('End');
	await coord.keyboard.press('Enter');
	await coord.keyboard.type('/decisione ');
	await coord.keyboard.type('Si adotta la mappa condivisa dei servizi.');
	await expect(editor(admin).locator('.intarsi-decision')).toContainText('Si adotta la mappa condivisa dei servizi.');
	await coord.keyboard.press('Enter');
	await coord.getByTestId('tool-action').click();
	await coord.keyboard.type('Pubblicare la mappa sul sito del Comune');
	await coord.getByTestId('action-owner').selectOption({ label: 'Silvia Malagoli (Comune di Modena)' });
	await coord.getByTestId('action-due').fill('2027-01-31');
	await coord.getByTestId('action-due').dispatchEvent('change');
	await expect(editor(admin).locator('.intarsi-action-item')).toContainText('Pubblicare la mappa sul sito del Comune');
	await expect(coord.locator('.intarsi-collab-status').first()).toHaveText('Salvato');
	expect(await seriousViolations(coord)).toEqual([]);

	// The action item is on the Azioni page of its owner.
	await expect(async () => {
		await coord.goto('/actions');
		await expect(coord.getByRole('cell', { name: 'Pubblicare la mappa sul sito del Comune', exact: true })).toBeVisible({ timeout: 1000 });
	}).toPass({ timeout: 10_000 });
	expect(await seriousViolations(coord)).toEqual([]);

	// Approval: privacy check, then approve; the PDF of version 1 carries the decision.
	await coord.goto(minutesUrl);
	await coord.getByTestId('privacy-check').click();
	for (let i = 0; i < 10 && (await coord.getByTestId('privacy-confirm').count()) > 0; i++) {
		await coord.getByTestId('privacy-confirm').first().click();
		await coord.waitForLoadState('networkidle');
	}
	await coord.getByTestId('minutes-approve').click();
	await expect(coord.getByTestId('minutes-status')).toHaveText('Approvato');
	await expect(admin.getByTestId('minutes-status')).toHaveText('Approvato');
	const href = await coord.getByTestId('download-pdf').first().getAttribute('href');
	const pdf = await coord.request.get(href!);
	expect(pdf.status()).toBe(200);
	const text = extractPdfText(await pdf.body());
	expect(text).toContain('Si adotta la mappa condivisa dei servizi.');
	expect(text).toContain('Pubblicare la mappa sul sito del Comune');

	await admin.context().close();
	await coord.context().close();
});
