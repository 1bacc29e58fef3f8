/**
 * npm run bench:collab — end-to-end propagation latency of Yjs updates, Intarsi vs Hocuspocus.
 *
 * N clients on M documents, each editing as a Poisson process at R updates/s, for D seconds;
 * latency is measured from send to every other client of the document (p50/p95/p99/max), plus the
 * server's CPU and peak RSS, the generator's event-loop lag and final convergence. Server pinned to
 * core 0, this generator to core 1 (the npm script runs it under `taskset -c 1`). Clients are thin:
 * writers keep only their own edits, receivers decode update metadata (Y.parseUpdateMeta).
 *
 * Intarsi runs the built server (`npm run build`) on PostgreSQL when BENCH_DATABASE_URL is set
 * (production mode), otherwise on PGlite; every update is written to the log (group commit)
 * before its author is acknowledged. Hocuspocus runs in memory with no extensions.
 *
 * Options: --duration 30 --configs 100/20/2,200/40/2 --only intarsi|hocuspocus
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import pg from 'pg';
import { fromPglite, fromPostgresUrl, openPglite, type DatabaseHandle } from '../src/lib/server/db/client';
import { createPerson } from '../src/lib/server/network/people';
import { createTable } from '../src/lib/server/network/tables';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../src/lib/server/auth/session';
import { SYNC_STEP1, SYNC_UPDATE, encodeSync } from '../src/lib/collab/protocol';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1]! : fallback;
};
const DURATION = Number(arg('duration', '30')) * 1000;
const CONFIGS = arg('configs', '100/20/2,200/40/2').split(',').map((c) => c.split('/').map(Number) as [number, number, number]);
const ONLY = arg('only', '');
/** Extra Node flags for the servers, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const serverNodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface Result {
	server: string;
	config: string;
	updates: number;
	deliveries: number;
	expected: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
	cpu: number;
	rssMiB: number;
	lagP99: number;
	converged: boolean;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const procStat = (pid: number) => {
	const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, seconds
};
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function waitHttp(url: string, child: ChildProcess) {
	const t0 = Date.now();
	for (;;) {
		try {
			const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
			if (r.status < 500) return;
		} catch {
			/* not yet */
		}
		if (child.exitCode !== null) throw new Error(`${url}: server exited`);
		if (Date.now() - t0 > 60_000) throw new Error(`${url}: server did not start`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** A thin client: a writer with only its own edits, and a receiver that decodes metadata only. */
interface Thin {
	doc: string;
	ydoc: Y.Doc;
	sends: { clock: number; t: number }[];
	send(update: Uint8Array): void;
	close(): void;
}

interface Transport {
	name: string;
	pid: number;
	open(doc: string, onUpdate: (update: Uint8Array) => void): Promise<(update: Uint8Array) => void> & { close?: () => void };
	fullState(doc: string): Promise<Y.Doc>;
	stop(): Promise<void>;
}

// ---------- Intarsi ----------
async function startIntarsi(docsNeeded: number): Promise<Transport & { docs: string[]; closeAll(): void }> {
	const port = 4510;
	const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-bench-'));
	let handle: DatabaseHandle;
	let env: Record<string, string>;
	let dbName = '';
	if (process.env.BENCH_DATABASE_URL) {
		const u = new URL(process.env.BENCH_DATABASE_URL);
		dbName = `intarsi_bench_${Date.now()}`;
		const admin = new pg.Client({ connectionString: u.toString() });
		await admin.connect();
		await admin.query(`create database ${dbName}`);
		await admin.end();
		u.pathname = `/${dbName}`;
		handle = await fromPostgresUrl(u.toString(), 2);
		env = { DATABASE_URL: u.toString(), NODE_ENV: 'production' };
	} else {
		handle = await fromPglite(await openPglite({ dataDir: path.join(dir, 'pglite') }));
		env = { DATA_DIR: dir, SEED_DEMO: '0', NODE_ENV: 'development' };
	}
	await handle.migrate(path.join(root, 'drizzle'));
	const user = await createPerson(handle.db, null, { name: 'Bench', email: 'bench@example.it', role: 'admin' });
	const actor = { id: user.id, role: 'admin' as const, tableRoles: {} };
	const docs: string[] = [];
	for (let i = 0; i < docsNeeded; i++) docs.push(`table-notes:${(await createTable(handle.db, actor, { name: `Bench ${i}`, kind: 'tematico', visibility: 'network' })).id}`);
	const token = generateSessionToken();
	await createSession(handle.db, token, user.id);
	await handle.close();
	const cookie = `${SESSION_COOKIE}=${token}`;

	const child = spawn('taskset', ['-c', '0', process.execPath, ...serverNodeArgs, 'build/server.js'], {
		cwd: root,
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
		stdio: 'ignore'
	});
	await waitHttp(`http://127.0.0.1:${port}/healthz`, child);
	const sockets: Socket[] = [];
	const newSocket = async () => {
		const s = connect(`http://127.0.0.1:${port}/collab`, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
		await new Promise<void>((r, j) => {
			s.once('connect', () => r());
			s.once('connect_error', j);
		});
		sockets.push(s);
		return s;
	};
	return {
		name: 'intarsi',
		pid: child.pid!,
		docs,
		open(doc, onUpdate) {
			return (async () => {
				const s = await newSocket();
				s.on('msg', (_name: string, payload: Uint8Array) => {
					const d = decoding.createDecoder(new Uint8Array(payload));
					if (decoding.readVarUint(d) !== 0) return;
					const syncType = decoding.readVarUint(d);
					if (syncType === 2 || syncType === 1) onUpdate(decoding.readVarUint8Array(d));
				});
				const reply = await s.emitWithAck('join', doc);
				if (!reply.ok) throw new Error(`join refused: ${reply.error}`);
				return (update: Uint8Array) => s.emit('msg', doc, encodeSync(SYNC_UPDATE, update), () => {});
			})() as ReturnType<Transport['open']>;
		},
		async fullState(doc) {
			const s = await newSocket();
			const ydoc = new Y.Doc();
			await new Promise<void>((resolve) => {
				s.on('msg', (_n: string, payload: Uint8Array) => {
					const d = decoding.createDecoder(new Uint8Array(payload));
					if (decoding.readVarUint(d) !== 0) return;
					const t = decoding.readVarUint(d);
					const data = decoding.readVarUint8Array(d);
					if (t === 1) {
						Y.applyUpdate(ydoc, data);
						resolve();
					}
				});
				void s.emitWithAck('join', doc).then(() => s.emit('msg', doc, encodeSync(SYNC_STEP1, Y.encodeStateVector(ydoc))));
			});
			s.close();
			return ydoc;
		},
		closeAll() {
			for (const s of sockets.splice(0)) s.close();
		},
		async stop() {
			for (const s of sockets.splice(0)) s.close();
			child.kill('SIGTERM');
			await new Promise((r) => child.once('exit', r));
			rmSync(dir, { recursive: true, force: true });
			if (dbName) {
				const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
				await admin.connect();
				await admin.query(`drop database if exists ${dbName} with (force)`);
				await admin.end();
			}
		}
	};
}

// ---------- Hocuspocus ----------
async function startHocuspocus(docsNeeded: number): Promise<Transport & { docs: string[]; closeAll(): void }> {
	const port = 4520;
	const child = spawn('taskset', ['-c', '0', process.execPath, ...serverNodeArgs, 'bench/hocuspocus-server.mjs'], { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
	await waitHttp(`http://127.0.0.1:${port}/`, child);
	const docs = Array.from({ length: docsNeeded }, (_, i) => `bench-${i}`);
	const sockets: WebSocket[] = [];
	const frame = (doc: string, write: (e: encoding.Encoder) => void) => {
		const e = encoding.createEncoder();
		encoding.writeVarString(e, doc);
		write(e);
		return encoding.toUint8Array(e);
	};
	const connectDoc = (doc: string, onMessage: (type: number, d: decoding.Decoder) => void) =>
		new Promise<WebSocket>((resolve, reject) => {
			const ws = new WebSocket(`ws://127.0.0.1:${port}`);
			sockets.push(ws);
			ws.binaryType = 'nodebuffer';
			ws.on('error', reject);
			ws.on('open', () => {
				ws.send(
					frame(doc, (e) => {
						encoding.writeVarUint(e, 2); // Auth
						encoding.writeVarUint(e, 0); // Token
						encoding.writeVarString(e, '');
					})
				);
			});
			ws.on('message', (data: Buffer) => {
				const d = decoding.createDecoder(new Uint8Array(data));
				decoding.readVarString(d);
				const type = decoding.readVarUint(d);
				if (type === 2) return resolve(ws); // authenticated
				onMessage(type, d);
			});
		});
	return {
		name: 'hocuspocus',
		pid: child.pid!,
		docs,
		open(doc, onUpdate) {
			return (async () => {
				const ws = await connectDoc(doc, (type, d) => {
					if (type !== 0 && type !== 4) return;
					const syncType = decoding.readVarUint(d);
					if (syncType === 2 || syncType === 1) onUpdate(decoding.readVarUint8Array(d));
				});
				ws.send(
					frame(doc, (e) => {
						encoding.writeVarUint(e, 0);
						encoding.writeVarUint(e, 0);
						encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
					})
				);
				return (update: Uint8Array) =>
					ws.send(
						frame(doc, (e) => {
							encoding.writeVarUint(e, 0);
							encoding.writeVarUint(e, 2);
							encoding.writeVarUint8Array(e, update);
						})
					);
			})() as ReturnType<Transport['open']>;
		},
		async fullState(doc) {
			const ydoc = new Y.Doc();
			let done: () => void;
			const got = new Promise<void>((r) => (done = r));
			const ws = await connectDoc(doc, (type, d) => {
				if (type !== 0 && type !== 4) return;
				const t = decoding.readVarUint(d);
				if (t === 1) {
					Y.applyUpdate(ydoc, decoding.readVarUint8Array(d));
					done();
				}
			});
			ws.send(
				frame(doc, (e) => {
					encoding.writeVarUint(e, 0);
					encoding.writeVarUint(e, 0);
					encoding.writeVarUint8Array(e, Y.encodeStateVector(ydoc));
				})
			);
			await got;
			ws.close();
			return ydoc;
		},
		closeAll() {
			for (const ws of sockets.splice(0)) ws.close();
		},
		async stop() {
			for (const ws of sockets.splice(0)) ws.close();
			child.kill('SIGTERM');
			await new Promise((r) => child.once('exit', r));
		}
	};
}

async function run(transport: Transport & { docs: string[]; closeAll(): void }, n: number, m: number, rate: number): Promise<Result> {
	interface Writer {
		cid: number;
		doc: string;
		ydoc: Y.Doc;
		sends: { clock: number; t: number }[];
		send?: (u: Uint8Array) => void;
	}
	const writers: Writer[] = [];
	const byCid = new Map<number, Writer>();
	const latencies: number[] = [];
	let measuring = false;
	let deliveries = 0;
	let expected = 0;
	const perDoc = new Map<string, number>();
	for (let i = 0; i < n; i++) perDoc.set(transport.docs[i % m]!, (perDoc.get(transport.docs[i % m]!) ?? 0) + 1);

	for (let i = 0; i < n; i++) {
		const doc = transport.docs[i % m]!;
		const ydoc = new Y.Doc();
		const w: Writer = { cid: ydoc.clientID, doc, ydoc, sends: [] };
		writers.push(w);
		byCid.set(w.cid, w);
		w.send = await transport.open(doc, (update) => {
			if (!measuring) return;
			const now = performance.now();
			const meta = Y.parseUpdateMeta(update);
			for (const [client, to] of meta.to) {
				const src = byCid.get(client);
				if (!src || src === w) continue;
				const from = meta.from.get(client) ?? 0;
				for (const s of src.sends) {
					if (s.clock > from && s.clock <= to) {
						latencies.push(now - s.t);
						deliveries++;
					}
				}
			}
		});
		ydoc.on('update', (u: Uint8Array) => {
			const to = Y.parseUpdateMeta(u).to.get(w.cid)!;
			if (measuring) {
				w.sends.push({ clock: to, t: performance.now() });
				if (w.sends.length > 64) w.sends.shift(); // old sends are long delivered
				expected += perDoc.get(doc)! - 1;
			}
			w.send!(u);
		});
	}

	const lag = monitorEventLoopDelay({ resolution: 10 });
	const cpu0 = procStat(transport.pid);
	measuring = true;
	lag.enable();
	let updates = 0;
	const stopAt = performance.now() + DURATION;
	await Promise.all(
		writers.map(async (w) => {
			const text = w.ydoc.getText('notes');
			for (;;) {
				const wait = (-Math.log(1 - Math.random()) / rate) * 1000;
				await new Promise((r) => setTimeout(r, wait));
				if (performance.now() > stopAt) return;
				text.insert(text.length, 'x');
				updates++;
			}
		})
	);
	await new Promise((r) => setTimeout(r, 1000)); // let the last updates arrive
	measuring = false;
	lag.disable();
	const cpu = (procStat(transport.pid) - cpu0) / ((DURATION + 1000) / 1000);
	const rssMiB = peakRss(transport.pid);

	// Final convergence: the server holds every writer's last clock for its document.
	let converged = true;
	for (const doc of new Set(writers.map((w) => w.doc))) {
		const state = await transport.fullState(doc);
		const sv = Y.decodeStateVector(Y.encodeStateVector(state));
		for (const w of writers.filter((x) => x.doc === doc)) {
			const last = Y.decodeStateVector(Y.encodeStateVector(w.ydoc)).get(w.cid) ?? 0;
			if ((sv.get(w.cid) ?? 0) !== last) converged = false;
		}
	}
	transport.closeAll();
	const sorted = latencies.sort((a, b) => a - b);
	return {
		server: transport.name,
		config: `${n}/${m}/${rate}`,
		updates,
		deliveries,
		expected,
		p50: pct(sorted, 50),
		p95: pct(sorted, 95),
		p99: pct(sorted, 99),
		max: sorted.at(-1) ?? NaN,
		cpu,
		rssMiB,
		lagP99: lag.percentile(99) / 1e6,
		converged
	};
}

const results: Result[] = [];
const maxDocs = Math.max(...CONFIGS.map((c) => c[1]));
for (const [n, m, r] of CONFIGS) {
	for (const which of ['intarsi', 'hocuspocus']) {
		if (ONLY && ONLY !== which) continue;
		// A fresh server per row, so peak RSS belongs to that row.
		const transport = which === 'intarsi' ? await startIntarsi(maxDocs) : await startHocuspocus(maxDocs);
		try {
			const res = await run(transport, n, m, r);
			results.push(res);
			console.error(`done ${which} ${n}/${m}/${r}`);
		} finally {
			await transport.stop();
		}
	}
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
console.log(`\ncollab propagation, ${DURATION / 1000}s per row (N clients / M documents / R updates per client per s)`);
console.log(`intarsi db: ${process.env.BENCH_DATABASE_URL ? 'postgresql' : 'pglite'}; generator on core 1, server on core 0`);
console.log('server      N/M/R      updates  delivered/expected   p50ms  p95ms  p99ms  maxms  cpu%  peakRSS MiB  gen-lag p99 ms  converged');
for (const x of results)
	console.log(
		`${x.server.padEnd(11)} ${x.config.padEnd(10)} ${String(x.updates).padStart(7)}  ${`${x.deliveries}/${x.expected}`.padStart(17)}  ${f(x.p50).padStart(6)} ${f(x.p95).padStart(6)} ${f(x.p99).padStart(6)} ${f(x.max).padStart(6)} ${(x.cpu * 100).toFixed(0).padStart(5)}  ${f(x.rssMiB).padStart(11)}  ${f(x.lagP99).padStart(14)}  ${x.converged}`
	);
for (const [n, m, r] of CONFIGS) {
	const a = results.find((x) => x.server === 'intarsi' && x.config === `${n}/${m}/${r}`);
	const b = results.find((x) => x.server === 'hocuspocus' && x.config === `${n}/${m}/${r}`);
	if (a && b) console.log(`ratio intarsi/hocuspocus at ${n}/${m}/${r}: p95 ${(a.p95 / b.p95).toFixed(2)}, p99 ${(a.p99 / b.p99).toFixed(2)}, cpu ${(a.cpu / b.cpu).toFixed(2)}`);
}
