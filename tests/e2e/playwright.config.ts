import { defineConfig } from '@playwright/test';
import path from 'node:path';

const here = import.meta.dirname;
const out = path.join(here, '.output');
export const EMBEDDED_URL = 'http://localhost:4173';
export const POSTGRES_URL = 'http://localhost:4174';
const pg = process.env.TEST_DATABASE_URL;

function withDatabase(url: string, database: string) {
	const u = new URL(url);
	u.pathname = `/${database}`;
	return u.toString();
}

export default defineConfig({
	testDir: here,
	outputDir: path.join(out, 'results'),
	fullyParallel: false,
	workers: 1,
	retries: 0,
	forbidOnly: true,
	reporter: [['list']],
	timeout: 30_000,
	use: {
		baseURL: EMBEDDED_URL,
		locale: 'it-IT',
		timezoneId: 'Europe/Rome',
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	},
	projects: [
		{ name: 'embedded', testIgnore: /production\.spec\.ts/ },
		...(pg ? [{ name: 'postgres-production', testMatch: /production\.spec\.ts/, use: { baseURL: POSTGRES_URL } }] : [])
	],
	webServer: [
		{
			command: 'node tests/e2e/start-server.mjs',
			cwd: path.resolve(here, '../..'),
			url: `${EMBEDDED_URL}/healthz`,
			reuseExistingServer: false,
			timeout: 90_000,
			env: {
				PORT: '4173',
				HOST: '127.0.0.1',
				DATA_DIR: path.join(out, 'data'),
				LOG_LEVEL: 'warn',
				NODE_ENV: 'development',
				// "Aperto ora" as on a Tuesday morning, whenever the suite runs (directory.spec.ts).
				DIRECTORY_CLOCK_START: '2026-11-24T10:30:00+01:00'
			}
		},
		...(pg
			? [
					{
						command: 'node tests/e2e/start-server.mjs',
						cwd: path.resolve(here, '../..'),
						url: `${POSTGRES_URL}/healthz`,
						reuseExistingServer: false,
						timeout: 90_000,
						// A mail server that refuses connections: mail is queued and retried, never delivered.
						env: { PORT: '4174', HOST: '127.0.0.1', E2E_PG_URL: withDatabase(pg, 'intarsi_e2e'), NODE_ENV: 'production', LOG_LEVEL: 'warn', SMTP_URL: 'smtp://127.0.0.1:9' }
					}
				]
			: [])
	]
});
