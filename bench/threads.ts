/**
 * npm run bench:threads — 1,000 connected sockets in one table, one post: time until every socket
 * has received it (p50/p95/max), and the server's RSS.
 *
 * The built server (`npm run build`) runs pinned to core 0, on PostgreSQL when BENCH_DATABASE_URL
 * is set (production mode), otherwise on PGlite; this generator is pinned to core 1 by the npm
 * script. Every socket is a person logged in with their own session, member of a members-only
 * table, in the table's room (as on the table page). The post is a real form submission
 * (`POST /threads/<id>?/reply`) by the table's coordinator: the time runs from sending it to each
 * socket's `thread:post` event, so it includes validation, rendering, the database transaction,
 * notifications and the broadcast. Several rounds (one post each) are measured after one warm-up.
 *
 * Options: --sockets 1000 --rounds 5 --follow (everyone follows the thread: 1,000 notifications per post)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { io as connect } from '../src/lib/realtime/io';
import { arg, freshDatabase } from './lib';
import { tableMembers, threadReaders } from '../src/lib/server/db/schema';
import { createPerson } from '../src/lib/server/network/people';
import { createTable } from '../src/lib/server/network/tables';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../src/lib/server/auth/session';
import { createThread } from '../src/lib/server/threads/threads';
import { productionNodeFlags } from '../src/cli/node-flags.js';

const root = path.resolve(import.meta.dirname, '..');
const SOCKETS = Number(arg('sockets', '1000'));
const ROUNDS = Number(arg('rounds', '5'));
/** Everyone follows the thread: each post also writes 1,000 in-app notifications (and pushes the bells). */
const FOLLOW = process.argv.includes('--follow');
const PORT = 4520;
const base = `http://127.0.0.1:${PORT}`;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const ms = (n: number) => n.toFixed(1);

function memory(pid: number) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function waitHttp(url: string, timeoutMs = 120_000) {
	const t0 = Date.now();
	for (;;) {
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			/* not yet */
		}
		if (Date.now() - t0 > timeoutMs) throw new Error(`server did not start: ${url}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function main() {
	const scratch = await freshDatabase('intarsi_bench_threads', 4);
	const { handle, env } = scratch;
	const prepStart = performance.now();
	await handle.migrate(path.join(root, 'drizzle'));
	const admin = await createPerson(handle.db, null, { name: 'Amministrazione bench', email: 'admin@bench.example.it', role: 'admin' });
	const coordinator = await createPerson(handle.db, null, { name: 'Coordinatrice bench', email: 'coord@bench.example.it', role: 'member' });
	const table = await createTable(handle.db, { id: admin.id, role: 'admin', tableRoles: {} }, { name: 'Tavolo bench', kind: 'tematico', visibility: 'members', coordinatorId: coordinator.id });
	const readers: { id: string; cookie: string }[] = [];
	for (let i = 0; i < SOCKETS; i++) {
		const p = await createPerson(handle.db, null, { name: `Operatore ${String(i).padStart(4, '0')}`, email: `op${i}@bench.example.it`, role: 'member' });
		const token = generateSessionToken();
		await createSession(handle.db, token, p.id);
		readers.push({ id: p.id, cookie: `${SESSION_COOKIE}=${token}` });
	}
	for (let i = 0; i < readers.length; i += 500)
		await handle.db.insert(tableMembers).values(readers.slice(i, i + 500).map((r) => ({ tableId: table.id, userId: r.id, role: 'member' as const })));
	const thread = await createThread(handle.db, { id: coordinator.id, role: 'member', tableRoles: { [table.id]: 'coordinator' } }, { tableId: table.id, title: 'Bench: un messaggio a mille persone', body: 'inizio' });
	if (FOLLOW)
		for (let i = 0; i < readers.length; i += 500)
			await handle.db.insert(threadReaders).values(readers.slice(i, i + 500).map((r) => ({ threadId: thread.id, userId: r.id, subscription: 'following' as const })));
	const posterToken = generateSessionToken();
	await createSession(handle.db, posterToken, coordinator.id);
	await handle.close();
	console.log(`prepared ${SOCKETS} people, sessions and memberships in ${((performance.now() - prepStart) / 1000).toFixed(1)} s`);

	const child = spawn('taskset', ['-c', '0', process.execPath, ...productionNodeFlags(root), 'build/server.js'], {
		cwd: root,
		env: { ...process.env, ...env, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ORIGIN: base },
		stdio: 'ignore'
	});
	const sockets: Socket[] = [];
	try {
		await waitHttp(`${base}/healthz`);
		const idle = memory(child.pid!);
		const connectStart = performance.now();
		const received: number[][] = [];
		let round = -1;
		let sentAt = 0;
		for (let i = 0; i < readers.length; i += 50) {
			await Promise.all(
				readers.slice(i, i + 50).map(async (r, j) => {
					const s = connect(`${base}`, { transports: ['websocket'], extraHeaders: { cookie: r.cookie }, reconnection: false, forceNew: true });
					sockets.push(s);
					const index = i + j;
					s.on('thread:post', () => {
						if (round >= 0) received[round]![index] = performance.now() - sentAt;
					});
					await new Promise<void>((resolve, reject) => {
						s.once('ready', () => resolve());
						s.once('connect_error', reject);
					});
					const reply = await s.timeout(30_000).emitWithAck('presence:join', `table:${table.id}`, null);
					if (!reply.ok) throw new Error(`join refused: ${reply.error}`);
				})
			);
		}
		const connected = memory(child.pid!);
		console.log(`connected and joined ${sockets.length} sockets in ${((performance.now() - connectStart) / 1000).toFixed(1)} s`);
		await new Promise((r) => setTimeout(r, 2000)); // presence broadcasts settle

		const post = async (text: string) => {
			const res = await fetch(`${base}/threads/${thread.id}?/reply`, {
				method: 'POST',
				headers: { cookie: `${SESSION_COOKIE}=${posterToken}`, origin: base, 'x-sveltekit-action': 'true', accept: 'application/json' },
				body: new URLSearchParams({ body: text })
			});
			const json = (await res.json()) as { type: string };
			if (json.type !== 'success') throw new Error(`post refused: ${JSON.stringify(json)}`);
		};
		const all: number[] = [];
		const rows: string[] = [];
		for (let r = -1; r < ROUNDS; r++) {
			received[Math.max(r, 0)] = new Array(SOCKETS).fill(NaN);
			round = r < 0 ? -1 : r;
			sentAt = performance.now();
			const responded = post(`Messaggio ${r + 1}: aggiornamento per tutto il tavolo.`).then(() => performance.now() - sentAt);
			const t0 = Date.now();
			const got = () => received[Math.max(r, 0)]!.filter((x) => !Number.isNaN(x)).length;
			while (r >= 0 && got() < SOCKETS && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 5));
			const httpMs = await responded;
			if (r < 0) {
				await new Promise((res) => setTimeout(res, 1000)); // warm-up round
				continue;
			}
			const times = received[r]!.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
			all.push(...times);
			rows.push(`| ${r + 1} | ${times.length}/${SOCKETS} | ${ms(httpMs)} | ${ms(pct(times, 50))} | ${ms(pct(times, 95))} | ${ms(times.at(-1)!)} |`);
			await new Promise((res) => setTimeout(res, 500));
		}
		all.sort((a, b) => a - b);
		const after = memory(child.pid!);
		console.log(`\nintarsi db: ${process.env.BENCH_DATABASE_URL ? 'postgresql' : 'pglite'}; ${SOCKETS} sockets in one table room${FOLLOW ? ', all following the thread' : ''}; server on core 0, generator on core 1\n`);
		console.log('| round | received | HTTP reply ms | p50 ms | p95 ms | max ms |');
		console.log('|---|---|---|---|---|---|');
		for (const row of rows) console.log(row);
		console.log(`| all | ${all.length}/${SOCKETS * ROUNDS} | | ${ms(pct(all, 50))} | ${ms(pct(all, 95))} | ${ms(all.at(-1)!)} |`);
		console.log(`\nserver RSS: idle ${idle.rss.toFixed(0)} MiB, ${SOCKETS} sockets connected ${connected.rss.toFixed(0)} MiB, after the posts ${after.rss.toFixed(0)} MiB (peak ${after.peak.toFixed(0)} MiB)`);
	} finally {
		for (const s of sockets) s.close();
		child.kill('SIGTERM');
		await new Promise((r) => child.once('exit', r));
		await scratch.remove();
	}
}

await main();
