#!/usr/bin/env node
// Builds the app when build/ is missing or older than the sources, so that `npm start` works on a
// fresh clone and restarts fast when nothing changed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = process.cwd();
const stamp = path.join(root, 'build', '.stamp');
const inputs = ['src', 'static', 'drizzle', 'package.json', 'package-lock.json', 'svelte.config.js', 'vite.config.ts'];

/** @param {string} p @returns {number} */
function newest(p) {
	if (!existsSync(p)) return 0;
	const s = statSync(p);
	if (!s.isDirectory()) return s.mtimeMs;
	let max = s.mtimeMs;
	for (const e of readdirSync(p)) {
		if (e === 'paraglide' || e === 'node_modules') continue; // generated
		max = Math.max(max, newest(path.join(p, e)));
	}
	return max;
}

const built = existsSync(stamp) && existsSync(path.join(root, 'build', 'server.js')) ? statSync(stamp).mtimeMs : 0;
const source = Math.max(...inputs.map((i) => newest(path.join(root, i))));
if (built && built >= source) process.exit(0);
console.log(built ? 'Sources changed: rebuilding…' : 'First start: building Intarsi (about a minute)…');
const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
