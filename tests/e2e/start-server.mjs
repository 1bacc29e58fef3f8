// Starts the built hub for the e2e suite on a fresh data directory (or a fresh PostgreSQL database).
import { rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '../..');
if (process.env.E2E_PG_URL) {
	const pg = (await import('pg')).default;
	const url = new URL(process.env.E2E_PG_URL);
	const name = url.pathname.slice(1);
	const admin = new URL(url);
	admin.pathname = '/postgres';
	const client = new pg.Client({ connectionString: admin.toString() });
	await client.connect();
	await client.query(`drop database if exists ${name} with (force)`);
	await client.query(`create database ${name}`);
	await client.end();
	process.env.DATABASE_URL = url.toString();
} else {
	const dir = process.env.DATA_DIR;
	if (!dir) throw new Error('DATA_DIR is required');
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
}
process.chdir(root);
await import(pathToFileURL(path.join(root, 'build/server.js')).href);
