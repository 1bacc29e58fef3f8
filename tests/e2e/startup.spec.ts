import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

function run(env: Record<string, string>, port: number) {
	const child = spawn(process.execPath, ['build/server.js'], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env } });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, exited, output: () => output };
}

test('production mode refuses a database that holds the demo accounts', async () => {
	test.setTimeout(60_000);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'intarsi-e2e-'));
	try {
		const demo = run({ DATA_DIR: dir, NODE_ENV: 'development' }, 4181);
		await expect.poll(() => demo.output(), { timeout: 40_000 }).toContain('admin@intarsi.demo');
		demo.child.kill('SIGTERM');
		expect(await demo.exited).toBe(0);

		const prod = run({ DATA_DIR: dir, NODE_ENV: 'production' }, 4182);
		expect(await prod.exited).toBe(1);
		expect(prod.output()).toContain('Intarsi cannot start: This database holds the demo network');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
