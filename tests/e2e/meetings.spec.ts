import { expect, test, type Browser, type Page } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

async function session(browser: Browser, email: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await loginAs(page, email);
	return page;
}

const titleInputs = (page: Page) => page.getByTestId('item-title');

test('a coordinator and an invited member prepare a meeting together: date poll, live agenda, proposal', async ({ browser }) => {
	test.setTimeout(90_000);
	const coord = await session(browser, ACCOUNTS.coordinator);

	// The coordinator creates a draft in her table and invites an operator of another organisation.
	await coord.goto('/meetings/new');
	await coord.locator('#f-title').fill('Tavolo Modena: raccordo con ASP Cesena');
	const pieri = await coord.locator('#f-participantIds option', { hasText: 'Luca Pieri' }).getAttribute('value');
	await coord.locator('#f-participantIds').selectOption([pieri!]);
	await coord.getByTestId('meeting-submit').click();
	await expect(coord).toHaveURL(/\/meetings\/[0-9a-f-]{36}\?created=1/);
	const meetingUrl = new URL(coord.url()).pathname;
	await expect(coord.getByTestId('meeting-status')).toHaveText('Bozza');
	expect(await seriousViolations(coord)).toEqual([]);

	// Two dates proposed.
	await coord.locator('#slot-start').fill('2027-01-12T10:00');
	await coord.locator('#slot-end').fill('2027-01-12T12:00');
	await coord.getByTestId('poll-add-slot').click();
	await expect(coord.locator('[data-testid^="poll-total-"]')).toHaveCount(1);
	await coord.locator('#slot-start').fill('2027-01-14T15:00');
	await coord.locator('#slot-end').fill('2027-01-14T17:00');
	await coord.getByTestId('poll-add-slot').click();
	await expect(coord.locator('[data-testid^="poll-total-"]')).toHaveCount(2);

	// The member finds the meeting among his and opens it; both see each other there.
	const member = await session(browser, ACCOUNTS.member);
	await member.goto('/meetings');
	await member.getByRole('link', { name: 'Tavolo Modena: raccordo con ASP Cesena' }).click();
	await expect(member).toHaveURL(meetingUrl);
	await expect(member.getByTestId('presence')).toContainText('Silvia Malagoli');
	await expect(coord.getByTestId('presence')).toContainText('Luca Pieri');

	// The member answers the poll; the coordinator's grid updates without a reload.
	const firstSlot = coord.locator('[data-testid^="poll-total-"]').first();
	await expect(firstSlot).toContainText('sì 0');
	await member.locator('[data-testid^="poll-yes-"]').first().check();
	await member.locator('[data-testid^="poll-no-"]').last().check();
	await member.getByTestId('poll-save').click();
	await expect(firstSlot).toContainText('sì 1');
	await expect(coord.getByTestId('poll-row').filter({ hasText: 'Luca Pieri' })).toContainText('✔');

	// The agenda, written by both at once.
	await expect(coord.locator('.intarsi-collab-status').first()).toHaveText('Salvato');
	await coord.getByTestId('agenda-add').click();
	await expect(titleInputs(coord)).toHaveCount(1);
	await titleInputs(coord).first().pressSequentially('Sportelli sociali: tempi di accesso');
	await expect(titleInputs(member)).toHaveValue('Sportelli sociali: tempi di accesso');
	await member.getByTestId('agenda-add').click();
	await expect(titleInputs(member)).toHaveCount(2);
	await titleInputs(member).nth(1).pressSequentially('Mediazione per le famiglie accolte a Cesena');
	await expect(titleInputs(coord).nth(1)).toHaveValue('Mediazione per le famiglie accolte a Cesena');
	// While the member is in his item, the coordinator sees it marked with his name.
	await expect(coord.getByTestId('item-lock')).toContainText('Luca Pieri');
	await member.getByTestId('item-notes').nth(1).pressSequentially('Disponibilità in arabo e tigrino.');
	await expect(coord.getByTestId('item-notes').nth(1)).toHaveValue('Disponibilità in arabo e tigrino.');
	// Reorder by keyboard: the second item goes up for both.
	await coord.getByRole('button', { name: 'Sposta su il punto 2' }).click();
	await expect(titleInputs(member).first()).toHaveValue('Mediazione per le famiglie accolte a Cesena');
	await expect(coord.getByTestId('agenda-total')).toContainText('30 min');

	// A proposal: the member proposes, the coordinator accepts, the item enters the agenda for both.
	await member.getByText('Proponi un punto').click();
	await member.locator('#proposal-title').fill('Calendario delle formazioni congiunte');
	await member.getByTestId('proposal-submit').click();
	await expect(member.getByText('Proposta inviata ai coordinatori.')).toBeVisible();
	const proposal = coord.getByTestId('proposal').filter({ hasText: 'Calendario delle formazioni congiunte' });
	await expect(proposal).toBeVisible();
	await proposal.getByTestId('proposal-accept').click();
	await expect(titleInputs(member)).toHaveCount(3);
	await expect(titleInputs(member).nth(2)).toHaveValue('Calendario delle formazioni congiunte');
	await expect(member.getByTestId('proposals-pending')).toHaveCount(0);

	expect(await seriousViolations(member)).toEqual([]);
	expect(await seriousViolations(coord)).toEqual([]);

	// The agenda is stored, not only passed around.
	await member.reload();
	await expect(titleInputs(member)).toHaveCount(3);
	await expect(titleInputs(member).first()).toHaveValue('Mediazione per le famiglie accolte a Cesena');

	// The coordinator picks the first date and convenes: the member's page follows, with RSVP.
	await coord.getByTestId('poll-pick').click();
	await expect(coord.getByTestId('meeting-status')).toHaveText('Convocata');
	await expect(member.getByTestId('meeting-status')).toHaveText('Convocata');
	await expect(member.getByTestId('meeting-when')).toContainText('martedì 12 gennaio 2027, 10:00–12:00');
	await member.getByTestId('rsvp-yes').click();
	await expect(coord.getByTestId('rsvp-tally')).toContainText('Sì 1');

	// The member was notified: the bell rings.
	await member.goto('/');
	await expect(member.getByTestId('bell-count')).toBeVisible();
	await member.getByTestId('bell').click();
	await expect(member.getByTestId('notification').first()).toContainText('Tavolo Modena: raccordo con ASP Cesena');

	await member.context().close();
	await coord.context().close();
});

test('the calendar lists my meetings by month and the .ics is served', async ({ browser }) => {
	const coord = await session(browser, ACCOUNTS.coordinator);
	await coord.goto('/meetings');
	await expect(coord.getByTestId('meeting-row').first()).toBeVisible();
	expect(await seriousViolations(coord)).toEqual([]);
	await coord.getByRole('link', { name: 'Mese' }).click();
	await expect(coord.getByTestId('month-grid')).toBeVisible();
	expect(await seriousViolations(coord)).toEqual([]);
	await coord.goto('/meetings');
	await coord.getByTestId('meeting-row').filter({ hasText: 'riunione di verifica' }).getByRole('link').first().click();
	const href = await coord.getByRole('link', { name: /Aggiungi al calendario/ }).getAttribute('href');
	const res = await coord.request.get(href!);
	expect(res.status()).toBe(200);
	expect(res.headers()['content-type']).toContain('text/calendar');
	const body = await res.text();
	expect(body).toContain('BEGIN:VTIMEZONE');
	expect(body).toContain('TZID:Europe/Rome');
	// The printable agenda and its PDF.
	await coord.getByRole('link', { name: /Stampa l'ordine del giorno/ }).click();
	await expect(coord.getByRole('heading', { level: 1 })).toContainText('riunione di verifica');
	await expect(coord.getByText('Varie ed eventuali')).toBeVisible();
	expect(await seriousViolations(coord)).toEqual([]);
	const pdf = await coord.request.get(new URL(coord.url()).pathname.replace(/\/print$/, '/agenda.pdf'));
	expect(pdf.status()).toBe(200);
	expect(pdf.headers()['content-type']).toBe('application/pdf');
	expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
	await coord.context().close();
});

test('a member of another table cannot open a members-only table’s meeting', async ({ browser }) => {
	const member = await session(browser, ACCOUNTS.member);
	const admin = await session(browser, ACCOUNTS.admin);
	// The admin schedules a meeting in "Tutela legale" (members only; the operator is not a member).
	await admin.goto('/meetings/new');
	await admin.waitForLoadState('networkidle');
	// Select once the page is interactive (a selection made before hydration would be reset).
	await expect(async () => {
		await admin.locator('#f-tableId').selectOption({ label: 'Tutela legale' });
		await expect(admin.locator('#f-tableId option:checked')).toHaveText('Tutela legale', { timeout: 500 });
	}).toPass({ timeout: 10_000 });
	await admin.locator('#f-title').fill('Riservata: procedure di protezione');
	await admin.getByTestId('meeting-submit').click();
	await expect(admin).toHaveURL(/\/meetings\/[0-9a-f-]{36}/);
	await expect(admin.getByRole('link', { name: 'Tutela legale', exact: true })).toBeVisible();
	const path = new URL(admin.url()).pathname;
	const res = await member.goto(path);
	expect(res?.status()).toBe(404);
	const ics = await member.request.get(`${path}/calendar.ics`);
	expect(ics.status()).toBe(404);
	await member.goto('/meetings');
	await expect(member.getByText('Riservata: procedure di protezione')).toHaveCount(0);
	await member.context().close();
	await admin.context().close();
});
