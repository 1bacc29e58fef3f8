import { expect, test, type Browser, type Page, type WebSocketRoute } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';

const TABLE = 'Tavolo territoriale Cesena Valle Savio';

async function openTable(browser: Browser, email: string): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await loginAs(page, email);
	await page.goto('/tables');
	await page.getByRole('link', { name: TABLE }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(TABLE);
	return page;
}

const notes = (page: Page) => page.getByRole('textbox', { name: /Appunti del tavolo/ });
const status = (page: Page) => page.locator('.intarsi-collab-status');

test('two members see each other arrive and leave, and write the notes together live', async ({ browser }) => {
	const admin = await openTable(browser, ACCOUNTS.admin);
	const member = await openTable(browser, ACCOUNTS.member);

	// Presence: each sees the other, with name and organisation.
	await expect(admin.getByTestId('presence')).toContainText('Luca Pieri');
	await expect(member.getByTestId('presence')).toContainText('Chiara Benedetti');

	await expect(status(member)).toHaveText('Salvato');
	await expect(status(admin)).toHaveText('Salvato');
	await notes(member).click();
	await notes(member).pressSequentially('Prossimo passo: mappatura sportelli. ');
	await expect(notes(admin)).toHaveValue(/Prossimo passo: mappatura sportelli\./);
	await expect(status(member)).toHaveText('Salvato');
	await expect(admin.getByText('Sta scrivendo:')).toBeVisible();

	await notes(admin).click();
	await admin.keyboard.press('End');
	await notes(admin).pressSequentially('Referente: ASP.');
	await expect(notes(member)).toHaveValue('Prossimo passo: mappatura sportelli. Referente: ASP.');
	expect(await seriousViolations(member)).toEqual([]);

	// Reload: the text was stored, not only passed around.
	await member.reload();
	await expect(notes(member)).toHaveValue('Prossimo passo: mappatura sportelli. Referente: ASP.');

	await member.context().close();
	await expect(admin.getByTestId('presence')).not.toContainText('Luca Pieri', { timeout: 10_000 });
	await expect(admin.getByTestId('presence')).toContainText('Nessun altro presente ora');
	await admin.context().close();
});

test('someone who may see but not write the table gets the notes read-only', async ({ browser }) => {
	const coordinator = await openTable(browser, ACCOUNTS.coordinator);
	await expect(status(coordinator)).toHaveText('Sola lettura');
	await expect(notes(coordinator)).toHaveAttribute('readonly', '');
	await expect(coordinator.getByText('li scrivono i membri del tavolo')).toBeVisible();
	await coordinator.context().close();
});

/**
 * Chromium's offline emulation leaves open WebSockets alone, so the test routes the page's
 * WebSockets through Playwright and cuts them (and any reconnection attempt) while "offline".
 */
async function cuttableNetwork(page: Page) {
	let offline = false;
	const open: { close(): Promise<void> }[] = [];
	await page.routeWebSocket(/socket\.io/, (ws) => {
		if (offline) return void ws.close();
		ws.connectToServer();
		open.push(ws);
	});
	return {
		async goOffline() {
			offline = true;
			await page.context().setOffline(true);
			await Promise.all(open.splice(0).map((ws) => ws.close().catch(() => {})));
		},
		async goOnline() {
			offline = false;
			await page.context().setOffline(false);
		}
	};
}

test('edits made offline are kept and merged when the connection returns', async ({ browser }) => {
	const admin = await openTable(browser, ACCOUNTS.admin);
	const context = await browser.newContext();
	const member = await context.newPage();
	const network = await cuttableNetwork(member);
	await loginAs(member, ACCOUNTS.member);
	await member.goto('/tables');
	await member.getByRole('link', { name: TABLE }).click();
	await expect(status(member)).toHaveText('Salvato');
	await network.goOffline();
	await expect(status(member)).toHaveText('Offline — le modifiche saranno sincronizzate', { timeout: 15_000 });
	await notes(member).click();
	await member.keyboard.press('Control+End');
	await notes(member).pressSequentially(' Scritto offline.');
	await notes(admin).click();
	await admin.keyboard.press('Control+Home');
	await notes(admin).pressSequentially('Intanto online. ');
	await network.goOnline();
	await expect(status(member)).toHaveText('Salvato', { timeout: 20_000 });
	// Both edits, each exactly once, the same on both screens (their order is the CRDT's choice).
	await expect(notes(admin)).toHaveValue(/Scritto offline\./);
	await expect(notes(member)).toHaveValue(/Intanto online\./);
	const final = await notes(admin).inputValue();
	await expect(notes(member)).toHaveValue(final);
	expect(final.split('Scritto offline.').length).toBe(2);
	expect(final.split('Intanto online.').length).toBe(2);
	await admin.context().close();
	await member.context().close();
});

test('logging out leaves no offline copy of the notes in the browser', async ({ browser }) => {
	const member = await openTable(browser, ACCOUNTS.member);
	await expect(status(member)).toHaveText('Salvato');
	const before = await member.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
	expect(before.some((n) => n?.startsWith('intarsi:'))).toBe(true);
	await member.getByRole('button', { name: /Luca Pieri/ }).click();
	await member.getByRole('button', { name: 'Esci' }).click();
	await expect(member).toHaveURL(/\/login/);
	await expect.poll(async () => (await member.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).filter((n) => n?.startsWith('intarsi:'))).toEqual([]);
	await member.context().close();
});

test('a page open across a deploy that changed the wire format says so, keeps the edits, and reloads into a live page', async ({ browser }) => {
	const context = await browser.newContext();
	const member = await context.newPage();
	// Live, the page talks to the real server. Then the hub is "updated": the connections drop, and
	// the hub answers the page's new handshakes as it answers a page of an older wire version
	// (the real refusal is covered by tests/integration/collab-reconnect.test.ts): Engine.IO opens,
	// each namespace is refused `outdated`.
	let live = true;
	const routes: WebSocketRoute[] = [];
	await member.routeWebSocket(/\/socket\.io\//, (ws) => {
		routes.push(ws);
		if (live) return void ws.connectToServer();
		ws.send(`0${JSON.stringify({ sid: 'updated-hub', upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 })}`);
		ws.onMessage((message) => {
			const m = /^40(\/[^,]*,)?/.exec(String(message));
			if (m) ws.send(`44${m[1] ?? ''}${JSON.stringify({ message: 'outdated' })}`);
		});
	});
	await loginAs(member, ACCOUNTS.member);
	await member.goto('/tables');
	await member.getByRole('link', { name: TABLE }).click();
	await expect(status(member)).toHaveText('Salvato');

	live = false;
	for (const ws of routes.splice(0)) await ws.close();
	const notice = member.getByTestId('update-notice');
	await expect(notice).toContainText('Intarsi è stato aggiornato e questa pagina non riceve più gli aggiornamenti in tempo reale', { timeout: 15_000 });
	await expect(status(member)).toHaveText('Intarsi è stato aggiornato — ricarica la pagina per salvare le modifiche Ricarica');
	// Presence is not claimed from a connection that is down.
	await expect(member.getByTestId('presence')).toContainText('Presenze non disponibili: connessione assente');
	expect(await seriousViolations(member)).toEqual([]);

	// Written on the outdated page: kept in the browser's copy, saved after the reload.
	const line = `Scritto prima di ricaricare ${Date.now()}.`;
	const written = new RegExp(line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	await notes(member).click();
	await member.keyboard.press('Control+End');
	await notes(member).pressSequentially(` ${line}`);
	await expect(notes(member)).toHaveValue(written);
	live = true;
	await notice.getByRole('button', { name: 'Ricarica la pagina' }).click();
	await expect(status(member)).toHaveText('Salvato', { timeout: 15_000 });
	await expect(member.getByTestId('update-notice')).toHaveCount(0);
	await expect(member.getByTestId('presence')).toContainText('Nessun altro presente ora');
	await expect(notes(member)).toHaveValue(written);
	// …and on the server: another member opening the table reads it.
	const admin = await openTable(browser, ACCOUNTS.admin);
	await expect(notes(admin)).toHaveValue(written);
	await admin.context().close();
	await context.close();
});
