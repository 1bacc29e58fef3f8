import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import type { Plugin, ViteDevServer } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Dev only: attach the same Socket.IO gateway as production (src/server.ts) to Vite's HTTP server.
 * The module is loaded through Vite's SSR loader so that it shares `$lib` resolution with SvelteKit.
 */
function realtimeDevPlugin(): Plugin {
	return {
		name: 'intarsi-realtime-dev',
		apply: 'serve',
		configureServer(server: ViteDevServer) {
			const httpServer = server.httpServer;
			if (!httpServer) return;
			httpServer.once('listening', async () => {
				const mod = await server.ssrLoadModule('/src/lib/server/realtime/index.ts');
				const boot = await server.ssrLoadModule('/src/lib/server/boot.ts');
				await boot.ensureReady();
				await mod.attachRealtime(httpServer, { getDb: boot.getDatabase, redisUrl: process.env.REDIS_URL || undefined });
			});
		}
	};
}

/**
 * Build only, server side: the ~1,300 generated message modules lose their JSDoc type casts (most
 * of their text) by being reprinted without comments or extra whitespace. The server keeps every
 * module's source in memory; on the client the bundler minifies anyway.
 */
function compactServerMessagesPlugin(): Plugin {
	return {
		name: 'intarsi-compact-server-messages',
		apply: 'build',
		async transform(code, id) {
			if (this.environment.name !== 'ssr' || !/[\\/]paraglide[\\/]messages[\\/][^\\/]+\.js$/.test(id)) return null;
			const { transform } = await import('esbuild');
			const out = await transform(code, { loader: 'js', format: 'esm', minifyWhitespace: true, sourcemap: true, sourcefile: id });
			return { code: out.code, map: out.map };
		}
	};
}

export const paraglideOptions = {
	project: './src/lib/i18n/project.inlang',
	outdir: './src/lib/paraglide',
	strategy: ['cookie', 'baseLocale'] as ('cookie' | 'baseLocale')[]
};

export default defineConfig({
	plugins: [paraglideVitePlugin(paraglideOptions), compactServerMessagesPlugin(), sveltekit(), realtimeDevPlugin()],
	server: { port: 3000 },
	test: {
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'unit',
					include: ['src/**/*.spec.ts'],
					environment: 'node'
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['tests/integration/global-setup.ts'],
					testTimeout: 60_000,
					hookTimeout: 120_000,
					// Each file gets its own database clone; two workers match the two cores.
					maxWorkers: 2,
					sequence: { groupOrder: 1 }
				}
			}
		]
	}
});
