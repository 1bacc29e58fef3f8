import { expect, test, type Browser, type Page } from '@playwright/test';
import { ACCOUNTS, loginAs, seriousViolations } from './helpers';
import { XSS_VECTORS } from '../../src/lib/server/threads/xss-vectors';

async function person(browser: Browser, email: string): Promise<Page> {
	const context = await browser.newContext({ locale: 'it-IT', timezoneId: 'Europe/Rome' });
	const page = await context.newPage();
	await loginAs(page, email);
	return page;
}

async function startThread(page: Page, title: string, body: string) {
	await page.goto('/threads/new');
	await expect(page.getByTestId('thread-create')).toBeEnabled();
	await page.getByLabel('Titolo').fill(title);
	await page.getByTestId('post-body').fill(body);
	await page.getByTestId('thread-create').click();
	await expect(page.getByTestId('thread-title')).toHaveText(title);
	return page.url();
}

test('a post appears live for the other person, with its unread marker; a mention rings the bell', async ({ browser }) => {
	test.setTimeout(60_000);
	const silvia = await person(browser, ACCOUNTS.coordinator);
	const luca = await person(browser, ACCOUNTS.member);
	const title = `Corsi di italiano a gennaio ${Date.now().toString(36)}`;
	const url = await startThread(silvia, title, 'Chi ha ancora posti nei corsi per le mamme?');

	// Luca sees the new thread in the Piazza, marked unread, without reloading.
	await luca.goto('/threads');
	const item = luca.getByTestId('thread-item').filter({ hasText: title });
	await expect(item).toBeVisible();
	await expect(item.getByTestId('thread-unread')).toHaveText('1 da leggere');
	expect(await seriousViolations(luca), '/threads').toEqual([]);
	await item.getByRole('link', { name: title }).click();
	await expect(luca.getByTestId('post')).toHaveCount(1);
	const bellBefore = Number((await luca.getByTestId('bell-count').textContent().catch(() => '0')) ?? 0);

	// Silvia writes: Luca sees "sta scrivendo…", then the post, live.
	await silvia.goto(url);
	const box = silvia.getByTestId('post-body');
	await box.click();
	await box.pressSequentially('Grazie a tutti, ', { delay: 20 });
	await expect(luca.getByTestId('typing')).toContainText('Silvia Malagoli sta scrivendo');
	// Mention with the autocomplete: type @Pie, choose with the keyboard.
	await box.pressSequentially('@Pier', { delay: 40 });
	await expect(silvia.getByRole('option', { name: /Luca Pieri/ })).toBeVisible();
	await box.press('Enter');
	await expect(box).toHaveValue(/@\[Luca Pieri\]\(user:[0-9a-f-]{36}\) $/);
	await box.pressSequentially('puoi verificare a Cesena?', { delay: 10 });
	await silvia.getByTestId('reply-submit').click();
	await expect(silvia.getByTestId('post')).toHaveCount(2);
	await expect(box).toHaveValue('');

	await expect(luca.getByTestId('post')).toHaveCount(2);
	const mentionLink = luca.getByTestId('post').nth(1).getByRole('link', { name: '@Luca Pieri' });
	await expect(mentionLink).toHaveAttribute('href', /^\/people\//);
	await expect(luca.getByTestId('bell-count')).toHaveText(String(bellBefore + 1));
	expect(await seriousViolations(luca), 'thread page').toEqual([]);

	// Back on the list later, the thread is read; a new post shows the "new since" line on return.
	await luca.goto('/threads');
	await expect(luca.getByTestId('thread-item').filter({ hasText: title }).getByTestId('thread-unread')).toHaveCount(0);
	await silvia.getByTestId('post-body').fill('Aggiornamento: i posti a Rimini sono finiti.');
	await silvia.getByTestId('reply-submit').click();
	await expect(luca.getByTestId('thread-item').filter({ hasText: title }).getByTestId('thread-unread')).toHaveText('1 da leggere');
	await luca.getByRole('link', { name: title }).click();
	await expect(luca.getByTestId('new-since')).toBeVisible();
	await expect(luca.locator('#post-3')).toContainText('i posti a Rimini sono finiti');

	// Search in the discussions: stemmed ("posto" finds "posti"), the hit links to the post.
	await luca.goto('/threads');
	await luca.getByLabel('Cerca nelle discussioni').fill('posto Rimini finito');
	await luca.getByRole('button', { name: 'Cerca' }).click();
	const hit = luca.getByTestId('thread-hits').getByRole('link', { name: title });
	await expect(hit).toHaveAttribute('href', /#post-3$/);
	await expect(luca.getByTestId('thread-hits').locator('mark').first()).toBeVisible();
});

test('hostile Markdown never runs in the browser', async ({ browser }) => {
	test.setTimeout(60_000);
	const silvia = await person(browser, ACCOUNTS.coordinator);
	const dialogs: string[] = [];
	silvia.on('dialog', (d) => {
		dialogs.push(d.message());
		void d.dismiss();
	});
	const body = XSS_VECTORS.join('\n\n');
	await startThread(silvia, 'Prova di sicurezza', body);
	await expect(silvia.getByTestId('post-body-html')).toContainText('window.__xss');
	// Hover and focus everything in the post: handlers would fire now if any had survived.
	for (const el of await silvia.getByTestId('post-body-html').locator('*').all()) await el.hover({ timeout: 500 }).catch(() => {});
	await silvia.waitForTimeout(300);
	expect(await silvia.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
	expect(dialogs).toEqual([]);
	// Another reader, another page load: still nothing.
	const luca = await person(browser, ACCOUNTS.member);
	await luca.goto(silvia.url());
	await expect(luca.getByTestId('post-body-html')).toBeVisible();
	expect(await luca.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('a members-only table’s thread stays private by every path a person could try', async ({ browser }) => {
	test.setTimeout(60_000);
	const admin = await person(browser, ACCOUNTS.admin);
	// "Salute, scuola e genitorialità" is members-only; the demo operator is not a member.
	await admin.goto('/tables');
	await admin.getByRole('link', { name: /Salute, scuola e genitorialità/ }).click();
	await expect(admin).toHaveURL(/\/tables\/[0-9a-f-]{36}$/);
	const tableUrl = new URL(admin.url());
	const tableId = tableUrl.pathname.split('/').pop()!;
	await admin.goto(`/threads/new?table=${tableId}`);
	await expect(admin.getByTestId('thread-create')).toBeEnabled();
	await admin.getByLabel('Titolo').fill('Riservato: calendario degli incontri con le scuole');
	await admin.getByTestId('post-body').fill('Parola chiave riservatissima: zanzibar.');
	await admin.getByTestId('thread-create').click();
	await expect(admin.getByTestId('thread-title')).toBeVisible();
	await expect(admin.getByText(/Nel tavolo «Salute, scuola e genitorialità/)).toBeVisible();
	const threadUrl = admin.url();

	const luca = await person(browser, ACCOUNTS.member);
	// The page: not found (the thread's existence is not confirmed either).
	const res = await luca.goto(threadUrl);
	expect(res?.status()).toBe(404);
	// The search: nothing.
	await luca.goto('/threads?q=zanzibar');
	await expect(luca.getByTestId('thread-hits')).toHaveCount(0);
	// A reply posted to the form action anyway: refused, and nothing was added.
	const post = await luca.request.post(`${threadUrl}?/reply`, { form: { body: 'intruso' }, headers: { origin: new URL(threadUrl).origin, accept: 'application/json', 'x-sveltekit-action': 'true' } });
	expect(await post.text()).not.toContain('"type":"success"');
	await admin.reload();
	await expect(admin.getByTestId('post')).toHaveCount(1);
});

