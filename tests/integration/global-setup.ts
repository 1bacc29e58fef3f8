/**
 * Prepares migrated template databases once per run; every test file then gets its own copy:
 * PGlite from a data-dir dump (a fresh initdb costs ~5 s, a load well under that), PostgreSQL
 * by CREATE DATABASE … TEMPLATE. No two files ever share a database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { fromPglite, fromPostgresUrl, openPglite } from '../../src/lib/server/db/client';

declare module 'vitest' {
	export interface ProvidedContext {
		pgliteDumpPath: string;
		postgresTemplate: { url: string; template: string } | null;
		redisUrl: string | null;
	}
}

/** TEST_REDIS_URL, or a throwaway redis-server when the binary is on this machine. */
async function provideRedis(dir: string): Promise<{ url: string | null; stop: () => Promise<void> }> {
	if (process.env.TEST_REDIS_URL) return { url: process.env.TEST_REDIS_URL, stop: async () => {} };
	const { spawnSync, spawn } = await import('node:child_process');
	if (spawnSync('redis-server', ['--version']).status !== 0) {
		if (process.env.REQUIRE_REDIS === '1') throw new Error('REQUIRE_REDIS=1 but neither TEST_REDIS_URL nor redis-server is available.');
		console.warn('\n[integration] no Redis (TEST_REDIS_URL or redis-server): the two-instance suite does not run here (CI runs it).\n');
		return { url: null, stop: async () => {} };
	}
	const port = 20000 + Math.floor(Math.random() * 20000);
	const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
	const { Redis } = await import('ioredis');
	const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: (n) => (n > 50 ? null : 50) });
	await probe.connect();
	await probe.quit();
	return {
		url: `redis://127.0.0.1:${port}`,
		stop: async () => {
			child.kill('SIGTERM');
		}
	};
}

const MIGRATIONS = path.resolve('drizzle');

export default async function setup(project: TestProject) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-it-'));
	const pglite = await openPglite();
	const handle = await fromPglite(pglite);
	await handle.migrate(MIGRATIONS);
	const dump = await pglite.dumpDataDir('none');
	const dumpPath = path.join(dir, 'pglite.tar');
	writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
	await handle.close();
	project.provide('pgliteDumpPath', dumpPath);

	const redis = await provideRedis(dir);
	project.provide('redisUrl', redis.url);

	const url = process.env.TEST_DATABASE_URL;
	if (!url && process.env.REQUIRE_POSTGRES === '1')
		throw new Error('REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: the PostgreSQL suite cannot run.');
	let template: string | null = null;
	if (url) {
		template = `intarsi_tpl_${process.pid}`;
		const admin = await fromPostgresUrl(url, 1);
		const { sql } = await import('drizzle-orm');
		await admin.db.execute(sql.raw(`drop database if exists ${template}`));
		await admin.db.execute(sql.raw(`create database ${template}`));
		await admin.close();
		const tpl = await fromPostgresUrl(withDatabase(url, template), 1);
		await tpl.migrate(MIGRATIONS);
		await tpl.close();
		project.provide('postgresTemplate', { url, template });
	} else {
		project.provide('postgresTemplate', null);
		console.warn('\n[integration] TEST_DATABASE_URL is not set: running the suite on PGlite only (CI runs both).\n');
	}

	return async () => {
		await redis.stop();
		rmSync(dir, { recursive: true, force: true });
		if (url && template) {
			const admin = await fromPostgresUrl(url, 1);
			const { sql } = await import('drizzle-orm');
			await admin.db.execute(sql.raw(`drop database if exists ${template} with (force)`)).catch(() => {});
			await admin.close();
		}
	};
}

export function withDatabase(url: string, database: string): string {
	const u = new URL(url);
	u.pathname = `/${database}`;
	return u.toString();
}
