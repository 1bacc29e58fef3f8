#!/usr/bin/env node
// Start-up figures of the built hub (`npm run build` first):
//   - time from process spawn to the first 200 on /login, on a new DATA_DIR (initdb + migrate + seed)
//     and on an existing one (target: under 3 s);
//   - idle RSS of the server process after start-up settles;
//   - the same on PostgreSQL when BENCH_DATABASE_URL is set (a database that already exists).
// Usage: node bench/startup.mjs [--runs 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { productionNodeFlags } from '../src/cli/node-flags.js';

const root = path.resolve(import.meta.dirname, '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
let port = 4300;

function rssMiB(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function startOnce(env) {
	const p = port++;
	const t0 = performance.now();
	const child = spawn(process.execPath, [...productionNodeFlags(root), 'build/server.js'], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(p), HOST: '127.0.0.1', ...env }, stdio: 'ignore' });
	let ms;
	for (;;) {
		try {
			const r = await fetch(`http://127.0.0.1:${p}/login`);
			if (r.status === 200) {
				ms = performance.now() - t0;
				break;
			}
		} catch {
			/* not listening yet */
		}
		if (child.exitCode !== null) throw new Error('server exited');
		await new Promise((r) => setTimeout(r, 20));
	}
	await new Promise((r) => setTimeout(r, 3000));
	const rss = rssMiB(child.pid);
	child.kill('SIGTERM');
	await new Promise((r) => child.once('exit', r));
	return { ms, rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(0);

const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-bench-'));
try {
	const first = await startOnce({ DATA_DIR: dir });
	const again = [];
	for (let i = 0; i < runs; i++) again.push(await startOnce({ DATA_DIR: dir }));
	console.log(`embedded (PGlite), first start on a new DATA_DIR: ${fmt(first.ms)} ms to first 200 on /login`);
	console.log(`embedded (PGlite), existing DATA_DIR, ${runs} runs: median ${fmt(median(again.map((r) => r.ms)))} ms, max ${fmt(Math.max(...again.map((r) => r.ms)))} ms`);
	console.log(`embedded (PGlite), idle RSS: median ${fmt(median(again.map((r) => r.rss)))} MiB`);
} finally {
	rmSync(dir, { recursive: true, force: true });
}

if (process.env.BENCH_DATABASE_URL) {
	const pgRuns = [];
	for (let i = 0; i < runs; i++) pgRuns.push(await startOnce({ DATABASE_URL: process.env.BENCH_DATABASE_URL, NODE_ENV: 'production' }));
	console.log(`PostgreSQL, ${runs} runs: median ${fmt(median(pgRuns.map((r) => r.ms)))} ms to first 200, idle RSS median ${fmt(median(pgRuns.map((r) => r.rss)))} MiB`);
} else {
	console.log('PostgreSQL: skipped (set BENCH_DATABASE_URL to measure it)');
}
