#!/usr/bin/env node
// Bundles the production entry and the CLI next to SvelteKit's handler (build/). Dependencies stay
// external (node_modules); `$lib` resolves through the tsconfig paths that `svelte-kit sync` writes.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

await build({
	entryPoints: { server: 'src/server.ts', cli: 'src/cli/main.ts' },
	outdir: 'build',
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	tsconfig: 'tsconfig.json',
	sourcemap: true,
	logLevel: 'warning'
});
writeFileSync('build/.stamp', new Date().toISOString());
