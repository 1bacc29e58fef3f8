#!/usr/bin/env node
// Bundles the production entry and the CLI next to SvelteKit's handler (build/). Dependencies stay
// external (node_modules); `$lib` resolves through the tsconfig paths that `svelte-kit sync` writes.
//
// Memory: every module's source text stays in the process (V8 keeps it to compile functions
// lazily), as a two-byte string as soon as the file holds one character beyond Latin-1, so:
// - the output is ASCII (`charset`; esbuild leaves comments as written, so what is left of them is
//   escaped afterwards), which halves the bundle's resident source; SvelteKit's server output
//   (build/server/, written by `vite build` just before) is escaped the same way;
// - code loaded by dynamic `import()` goes to chunks of its own (`splitting`), so that what only
//   some features need (TipTap/ProseMirror for the minutes) is not loaded at start-up;
// - the ~1,300 generated message modules lose their JSDoc casts (a type comment per function, most
//   of the text) by being reprinted without whitespace or comments, one file at a time;
// - a package socket.io already loads as CommonJS is required, not imported (`SHARED_CJS`).
import { build, transform } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** @type {import('esbuild').Plugin} */
const compactMessages = {
	name: 'compact-paraglide-messages',
	setup(b) {
		b.onLoad({ filter: /[\\/]paraglide[\\/]messages[\\/][^\\/]+\.js$/ }, async (args) => {
			const source = await readFile(args.path, 'utf8');
			const { code } = await transform(source, { loader: 'js', format: 'esm', minifyWhitespace: true, charset: 'ascii' });
			return { contents: code, loader: 'js' };
		});
	}
};

/**
 * Packages the server's dependencies already load as CommonJS, which the bundle takes through
 * `require` too (their named exports listed) instead of `import`: socket.io loads socket.io-parser
 * with `require`, while an `import` of it resolves, under Node, to its ESM debug build and a module
 * graph of its own — 9 MiB more resident memory at start-up, measured (src/lib/realtime/parser.ts
 * extends its classes).
 * @type {Record<string, string[]>}
 */
const SHARED_CJS = { 'socket.io-parser': ['Encoder', 'Decoder', 'PacketType', 'protocol'] };
/** @type {import('esbuild').Plugin} */
const requireSharedCjs = {
	name: 'require-shared-cjs',
	setup(b) {
		const filter = new RegExp(`^(${Object.keys(SHARED_CJS).map((n) => n.replace(/[.]/g, '\\.')).join('|')})$`);
		b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'shared-cjs' }));
		b.onLoad({ filter: /.*/, namespace: 'shared-cjs' }, (args) => ({
			contents: [
				`import { createRequire } from 'node:module';`,
				`const m = createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
				...(SHARED_CJS[args.path] ?? []).map((name) => `export const ${name} = m.${name};`)
			].join('\n'),
			loader: 'js'
		}));
	}
};

const result = await build({
	entryPoints: { server: 'src/server.ts', cli: 'src/cli/main.ts' },
	outdir: 'build',
	bundle: true,
	splitting: true,
	chunkNames: 'server-chunks/[name]-[hash]',
	platform: 'node',
	format: 'esm',
	target: 'node20',
	charset: 'ascii',
	packages: 'external',
	tsconfig: 'tsconfig.json',
	sourcemap: true,
	plugins: [compactMessages, requireSharedCjs],
	metafile: true,
	logLevel: 'warning'
});

/**
 * Writes every character beyond ASCII as a `\\uXXXX` escape, which means the same character in a
 * string, template or regular expression literal, an identifier or a comment; only a template's
 * raw text (`String.raw`) would see the difference, so files using it are left as they are.
 * Columns after an escaped character on the same line shift in the source map (messages, comments).
 * @param {string} file
 */
function escapeToAscii(file) {
	const code = readFileSync(file, 'utf8');
	if (!/[^\x00-\x7f]/.test(code) || code.includes('String.raw')) return;
	const escape = (/** @type {string} */ c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
	// An identity escape (`\\’`) means the character itself: its backslash goes with it.
	writeFileSync(file, code.replace(/(\\*)([^\x00-\x7f])/g, (_, /** @type {string} */ bs, /** @type {string} */ c) => bs.slice(bs.length % 2) + escape(c)));
}
const jsFiles = (/** @type {string} */ dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => path.join(dir, f));
for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) escapeToAscii(file);
for (const file of jsFiles('build/server')) escapeToAscii(file);
writeFileSync('build/.stamp', new Date().toISOString());
