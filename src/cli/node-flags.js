// The Node flags `npm start` runs the server with, read from package.json's "start" script, so that
// whatever else starts build/server.js as production does (the benchmarks) runs the same command.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Flags between `node` and `build/server.js` in package.json's "start" script (e.g.
 * `--max-semi-space-size=8`: see README, "Running against PostgreSQL").
 * @param {string} root the checkout's root
 * @returns {string[]}
 */
export function productionNodeFlags(root) {
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	const match = /\bnode((?:\s+--\S+)*)\s+build\/server\.js/.exec(pkg.scripts?.start ?? '');
	if (!match) throw new Error('package.json "start" does not run build/server.js with node');
	return (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
}
