import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PGlite } from '@electric-sql/pglite';
import * as schema from './schema';

export type Schema = typeof schema;
/** Either driver's database, or a transaction of it: service functions take this first. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DbKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
	db: Db;
	kind: DbKind;
	migrate(migrationsFolder: string): Promise<void>;
	close(): Promise<void>;
}

/** Opens PGlite with the contrib extensions our migrations enable (pg_trgm, unaccent). */
export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<PGlite> {
	const { PGlite } = await import('@electric-sql/pglite');
	const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
	const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
	if (options.dataDir) mkdirSync(path.dirname(path.resolve(options.dataDir)), { recursive: true });
	return PGlite.create({
		dataDir: options.dataDir ? path.resolve(options.dataDir) : undefined,
		loadDataDir: options.loadDataDir,
		extensions: { pg_trgm, unaccent }
	});
}

export async function fromPglite(client: PGlite): Promise<DatabaseHandle> {
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	const db = drizzle(client, { schema });
	return {
		db: db as unknown as Db,
		kind: 'pglite',
		migrate: (migrationsFolder) => migrate(db, { migrationsFolder }),
		close: () => client.close()
	};
}

/** Advisory lock key so that instances starting together migrate one after another. */
const MIGRATION_LOCK = 731_215_004;

export async function fromPostgresUrl(url: string, poolSize = 10): Promise<DatabaseHandle> {
	const pg = (await import('pg')).default;
	const { drizzle } = await import('drizzle-orm/node-postgres');
	const { migrate } = await import('drizzle-orm/node-postgres/migrator');
	const pool = new pg.Pool({ connectionString: url, max: poolSize });
	// An idle connection dropped by the server (restart, failover, admin) must not crash the
	// process: pg emits it on the pool, and the next query simply opens a new connection.
	pool.on('error', (err) => {
		void import('../logger').then(({ getLogger }) => getLogger().warn({ err: err.message }, 'idle database connection lost'));
	});
	const db = drizzle(pool, { schema });
	return {
		db: db as unknown as Db,
		kind: 'postgres',
		async migrate(migrationsFolder) {
			const client = await pool.connect();
			try {
				await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
				await migrate(drizzle(client, { schema }), { migrationsFolder });
			} finally {
				await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
				client.release();
			}
		},
		close: () => pool.end()
	};
}

export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<DatabaseHandle> {
	if (opts.databaseUrl) return fromPostgresUrl(opts.databaseUrl);
	return fromPglite(await openPglite({ dataDir: opts.dataDir }));
}

/** Rows of a raw SQL query, on either driver (both return `{ rows }`). */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
	const result = (await db.execute(query)) as unknown as { rows: T[] };
	return result.rows;
}
