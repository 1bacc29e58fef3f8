import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { sql } from 'drizzle-orm';
import { fromPglite, fromPostgresUrl, openPglite, type DatabaseHandle, type DbKind } from '../../../src/lib/server/db/client';
import { withDatabase } from '../global-setup';

export interface TestDatabase extends DatabaseHandle {
	destroy(): Promise<void>;
}

export function availableEngines(): DbKind[] {
	return inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

/** A private, migrated, empty database for one test file. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
	if (kind === 'pglite') {
		const blob = new Blob([readFileSync(inject('pgliteDumpPath'))]);
		const handle = await fromPglite(await openPglite({ loadDataDir: blob }));
		return { ...handle, destroy: () => handle.close() };
	}
	const tpl = inject('postgresTemplate');
	if (!tpl) throw new Error('no PostgreSQL template');
	const name = `intarsi_t_${randomBytes(6).toString('hex')}`;
	const admin = await fromPostgresUrl(tpl.url, 1);
	await admin.db.execute(sql.raw(`create database ${name} template ${tpl.template}`));
	await admin.close();
	const url = withDatabase(tpl.url, name);
	const handle = await fromPostgresUrl(url, 5);
	return {
		...handle,
		url,
		async destroy() {
			await handle.close();
			const a = await fromPostgresUrl(tpl.url, 1);
			await a.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
			await a.close();
		}
	} as TestDatabase;
}

/** Runs the same suite on every available engine: PGlite always, PostgreSQL when CI provides it. */
export function describeEachDb(name: string, body: (get: () => TestDatabase, kind: DbKind) => void) {
	for (const kind of availableEngines()) {
		describe(`${name} [${kind}]`, () => {
			let db: TestDatabase | undefined;
			beforeAll(async () => {
				db = await createTestDatabase(kind);
			});
			afterAll(async () => {
				await db?.destroy();
			});
			body(() => {
				if (!db) throw new Error('database not ready');
				return db;
			}, kind);
		});
	}
}
