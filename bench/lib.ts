/**
 * What the benchmark scripts share: reading their options, and a database of their own for a run
 * (a fresh one on BENCH_DATABASE_URL's server, dropped afterwards, or PGlite in a scratch directory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fromPglite, fromPostgresUrl, openPglite, type DatabaseHandle } from '../src/lib/server/db/client';

/** The value after `--name` on the command line, or `fallback`. */
export const arg = (name: string, fallback: string): string => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1]! : fallback;
};

/** A new, empty database `<prefix>_<time>` on BENCH_DATABASE_URL's server: its URL, and how to drop it. */
export async function createScratchDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
	const server = process.env.BENCH_DATABASE_URL;
	if (!server) throw new Error('BENCH_DATABASE_URL is not set');
	const name = `${prefix}_${Date.now()}`;
	const admin = new pg.Client({ connectionString: server });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const u = new URL(server);
	u.pathname = `/${name}`;
	return {
		name,
		url: u.toString(),
		async drop() {
			const a = new pg.Client({ connectionString: server });
			await a.connect();
			await a.query(`drop database if exists ${name} with (force)`);
			await a.end();
		}
	};
}

export interface BenchDatabase {
	/** Open on the database, for preparing the run (close it before a server takes over PGlite). */
	handle: DatabaseHandle;
	/** The environment that points a server process at the same database. */
	env: Record<string, string>;
	/** A scratch directory (the server's data directory; PGlite's files with PGlite). */
	dir: string;
	/** The database's name on BENCH_DATABASE_URL's server ('' with PGlite). */
	name: string;
	/** Removes the directory and drops the database; call it once the server has stopped. */
	remove(): Promise<void>;
}

/**
 * A database for one run of a server: on PostgreSQL when BENCH_DATABASE_URL is set (production
 * mode, `poolSize` connections for the preparation), else PGlite (development mode, no demo data).
 */
export async function freshDatabase(prefix: string, poolSize: number): Promise<BenchDatabase> {
	const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix.replace(/_/g, '-')}-`));
	if (process.env.BENCH_DATABASE_URL) {
		const db = await createScratchDatabase(prefix);
		return {
			handle: await fromPostgresUrl(db.url, poolSize),
			env: { DATABASE_URL: db.url, NODE_ENV: 'production' },
			dir,
			name: db.name,
			async remove() {
				rmSync(dir, { recursive: true, force: true });
				await db.drop();
			}
		};
	}
	return {
		handle: await fromPglite(await openPglite({ dataDir: path.join(dir, 'pglite') })),
		env: { DATA_DIR: dir, SEED_DEMO: '0', NODE_ENV: 'development' },
		dir,
		name: '',
		async remove() {
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
