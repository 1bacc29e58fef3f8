import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import pg from 'pg';
import { fromPostgresUrl, type DatabaseHandle } from '../../src/lib/server/db/client';
import { createPerson } from '../../src/lib/server/network/people';
import { addTableMember, createTable } from '../../src/lib/server/network/tables';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../../src/lib/server/auth/session';
import { CollabClient, type DocProvider } from '../../src/lib/collab/provider';

// SIGKILL the server while people type: every acknowledged edit must survive, and the edits the
// clients made while it was down must merge in once, without duplicates. Real built server, real
// client provider (in Node), real database (PGlite on disk; PostgreSQL when CI provides one).
const root = path.resolve(import.meta.dirname, '../..');
const engines: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

async function prepare(handle: DatabaseHandle) {
	await handle.migrate(path.join(root, 'drizzle'));
	const people = await Promise.all(
		[1, 2, 3].map((i) => createPerson(handle.db, null, { name: `Persona ${i}`, email: `persona${i}@durability.example`, role: i === 1 ? 'admin' : 'member' }))
	);
	const table = await createTable(handle.db, { id: people[0]!.id, role: 'admin', tableRoles: {} }, { name: 'Tavolo prova', kind: 'tematico', visibility: 'network', coordinatorId: people[0]!.id });
	for (const p of people.slice(1)) await addTableMember(handle.db, people[0]!.id, table.id, p.id, 'member');
	const cookies: string[] = [];
	for (const p of people) {
		const token = generateSessionToken();
		await createSession(handle.db, token, p.id);
		cookies.push(`${SESSION_COOKIE}=${token}`);
	}
	return { doc: `table-notes:${table.id}`, cookies };
}

/** Three sessions of the demo admin and the Cesena table's notes, through the login form. */
async function prepareOverHttp(port: number) {
	const base = `http://127.0.0.1:${port}`;
	const cookies: string[] = [];
	for (let i = 0; i < 3; i++) {
		const r = await fetch(`${base}/login`, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: base, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ email: 'admin@intarsi.demo', password: 'intarsi-demo-2026' })
		});
		const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
		if (!cookie) throw new Error(`login failed: ${r.status}`);
		cookies.push(cookie.split(';')[0]!);
	}
	const html = await (await fetch(`${base}/tables`, { headers: { cookie: cookies[0]! } })).text();
	const id = /href="\/tables\/([0-9a-f-]{36})">Tavolo territoriale Cesena Valle Savio/.exec(html)?.[1];
	if (!id) throw new Error('table not found');
	return { doc: `table-notes:${id}`, cookies };
}

function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
	const child = spawn(process.execPath, ['build/server.js'], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	let lastError = '';
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const poll = async () => {
			try {
				const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
				if (r.ok) return resolve(child);
				lastError = `status ${r.status}: ${(await r.text()).slice(0, 200)}`;
			} catch (err) {
				lastError = String((err as Error).cause ?? err);
			}
			if (child.exitCode !== null || Date.now() - started > 60_000) return reject(new Error(`server did not start (${lastError}): ${out}`));
			setTimeout(poll, 100);
		};
		void poll();
	});
}

const client = (port: number, cookie: string) =>
	new CollabClient({ url: `http://127.0.0.1:${port}`, io: { transports: ['websocket'], extraHeaders: { cookie }, reconnectionDelay: 200, reconnectionDelayMax: 500 } });
const until = async (check: () => boolean, ms: number, what: string) => {
	const t0 = Date.now();
	while (!check()) {
		if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
};

for (const [index, engine] of engines.entries()) {
	test(`[${engine}] SIGKILL while typing: acknowledged edits survive, offline edits merge once`, async () => {
		test.setTimeout(120_000);
		const port = 4290 + index; // (4190 is on the fetch standard's list of blocked ports)
		const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-kill-'));
		let env: Record<string, string>;
		let dbName = '';
		let prepared: { doc: string; cookies: string[] } | null = null;
		if (engine === 'pglite') {
			// PGlite is single-process: the server prepares it (demo network) and we log in over HTTP.
			env = { DATA_DIR: dir, NODE_ENV: 'development' };
		} else {
			const u = new URL(process.env.TEST_DATABASE_URL!);
			dbName = `intarsi_kill_${Date.now()}`;
			const admin = new pg.Client({ connectionString: u.toString() });
			await admin.connect();
			await admin.query(`create database ${dbName}`);
			await admin.end();
			u.pathname = `/${dbName}`;
			env = { DATABASE_URL: u.toString(), NODE_ENV: 'production' };
			const handle = await fromPostgresUrl(u.toString(), 2);
			prepared = await prepare(handle);
			await handle.close();
		}

		let server = await startServer(env, port);
		const servers = [server];
		try {
		const { doc, cookies } = prepared ?? (await prepareOverHttp(port));
		const typists = cookies.map((c, i) => {
			const ydoc = new Y.Doc();
			const provider: DocProvider = client(port, c).open(doc, ydoc);
			const state = { i, ydoc, provider, typed: [] as string[], acked: new Set<string>(), inflight: [] as string[] };
			provider.onStatus((s) => {
				if (s === 'saved') for (const t of state.inflight.splice(0)) state.acked.add(t);
			});
			return state;
		});
		await until(() => typists.every((t) => t.provider.status === 'saved'), 10_000, 'clients joined');

		let n = 0;
		let typing = true;
		const loop = (async () => {
			while (typing) {
				for (const t of typists) {
					// Tokens are atomic items of a Y.Array, inserted at random places.
					const token = `<${t.i}.${n}>`;
					const list = t.ydoc.getArray<string>('tokens');
					list.insert(Math.floor(Math.random() * (list.length + 1)), [token]);
					t.typed.push(token);
					t.inflight.push(token);
				}
				n++;
				await new Promise((r) => setTimeout(r, 4));
			}
		})();
		await new Promise((r) => setTimeout(r, 1500));
		server.kill('SIGKILL');
		await new Promise((r) => server.once('exit', r));
		await new Promise((r) => setTimeout(r, 400)); // they keep typing, offline
		typing = false;
		await loop;

		const acked = typists.flatMap((t) => [...t.acked]);
		expect(acked.length).toBeGreaterThan(50);
		server = await startServer(env, port);
		servers.push(server);

		// A newcomer sees every acknowledged edit, exactly once (the typists are reconnecting too,
		// so more may already be there).
		const fresh = new Y.Doc();
		const freshProvider = client(port, cookies[0]!).open(doc, fresh);
		await until(() => freshProvider.status === 'saved', 15_000, 'newcomer synced');
		const afterRestart = fresh.getArray<string>('tokens').toArray();
		const missing = acked.filter((tok) => !afterRestart.includes(tok));
		expect(missing, 'acknowledged edits lost').toEqual([]);
		expect(new Set(afterRestart).size).toBe(afterRestart.length);

		// The typists reconnect by themselves and merge what they typed while the server was down.
		await until(() => typists.every((t) => t.provider.status === 'saved'), 30_000, 'typists merged');
		const all = typists.flatMap((t) => t.typed);
		await until(() => fresh.getArray('tokens').length >= all.length, 15_000, 'all edits at the newcomer').catch((e) => {
			const have = new Set(fresh.getArray<string>('tokens').toArray());
			const miss = all.filter((t) => !have.has(t));
			console.log('missing', miss.length, 'of', all.length, miss.slice(0, 10));
			for (const t of typists) console.log('typist', t.i, t.provider.status, t.provider.lastError, t.ydoc.getArray('tokens').length, miss.filter((m) => t.ydoc.getArray<string>('tokens').toArray().includes(m)).length);
			throw e;
		});
		const final = fresh.getArray<string>('tokens').toArray();
		expect([...final].sort()).toEqual([...all].sort());
		for (const t of typists) expect(t.ydoc.getArray('tokens').toArray()).toEqual(final);

		freshProvider.destroy();
		for (const t of typists) t.provider.destroy();
		} finally {
		for (const s of servers) if (s.exitCode === null && s.signalCode === null) {
			s.kill('SIGTERM');
			await new Promise((r) => s.once('exit', r));
		}
		rmSync(dir, { recursive: true, force: true });
		if (dbName) {
			const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
			await admin.connect();
			await admin.query(`drop database if exists ${dbName} with (force)`);
			await admin.end();
		}
		}
	});
}
