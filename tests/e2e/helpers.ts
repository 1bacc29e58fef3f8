import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO_PASSWORD = 'intarsi-demo-2026';
export const ACCOUNTS = {
	admin: 'admin@intarsi.demo',
	coordinator: 'coordinatrice@intarsi.demo',
	member: 'operatore@intarsi.demo'
} as const;

export async function loginAs(page: Page, email: string, password = DEMO_PASSWORD) {
	await page.goto('/login');
	await page.getByLabel('Indirizzo e-mail').fill(email);
	await page.getByLabel(/^Password/).fill(password);
	await page.getByRole('button', { name: 'Accedi' }).click();
	await expect(page).toHaveURL(/\/$/);
}

/** Serious and critical WCAG 2.1 A/AA violations, with enough detail to fix them. */
export async function seriousViolations(page: Page) {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}
