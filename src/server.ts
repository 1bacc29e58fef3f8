/**
 * Production entry: one HTTP server carries SvelteKit (adapter-node handler) and Socket.IO.
 * Bundled by esbuild into build/server.js; `npm start` runs it.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, getConfig } from './lib/server/config';
import { getLogger } from './lib/server/logger';
import { StartupError, closeDatabase, ensureReady, getDatabase, getDatabaseHandle, isDemo } from './lib/server/boot';
import { attachRealtime } from './lib/server/realtime';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './lib/server/network/demo-seed';

const t0 = performance.now();
let config;
try {
	config = getConfig();
} catch (err) {
	console.error(err instanceof ConfigError ? err.message : err);
	process.exit(1);
}
const log = getLogger();

try {
	await ensureReady();
} catch (err) {
	if (err instanceof StartupError) console.error(`\n  Intarsi cannot start: ${err.message}\n`);
	else log.fatal({ err }, 'start-up failed');
	process.exit(1);
}

// adapter-node assumes https unless told otherwise, which makes SvelteKit's CSRF origin check refuse
// every form on a plain-http install. Without ORIGIN or PROTOCOL_HEADER (both documented for
// proxies), tell it the protocol of the actual connection through a header we set ourselves.
const CONNECTION_PROTOCOL = 'x-intarsi-connection-protocol';
// Post attachments are up to 10 MB (threads/attachments.ts); adapter-node's default body limit is 512 KB.
process.env.BODY_SIZE_LIMIT ??= '11M';
const deriveProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (deriveProtocol) process.env.PROTOCOL_HEADER = CONNECTION_PROTOCOL;

const here = path.dirname(fileURLToPath(import.meta.url));
const { handler } = (await import(pathToFileURL(path.join(here, 'handler.js')).href)) as {
	handler: http.RequestListener;
};

const server = http.createServer((req, res) => {
	if (deriveProtocol) req.headers[CONNECTION_PROTOCOL] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
	handler(req, res);
});
const realtime = await attachRealtime(server, {
	getDb: getDatabase,
	origins: config.origin ? [config.origin] : undefined,
	redisUrl: config.redisUrl
});

server.listen(config.port, config.host, () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const url = config.origin ?? `http://localhost:${port}`;
	log.info({ port, db: getDatabaseHandle().kind, startupMs: Math.round(performance.now() - t0) }, 'listening');
	const lines = [``, `  Intarsi è in ascolto su ${url}`, `  database: ${getDatabaseHandle().kind}, realtime: ${realtime.mode}`];
	if (isDemo()) {
		lines.push(``, `  Rete demo — account (password: ${DEMO_PASSWORD}):`);
		for (const a of DEMO_ACCOUNTS) lines.push(`    ${a.role.padEnd(12)} ${a.email}`);
	}
	console.log(lines.join('\n') + '\n');
});

let stopping = false;
async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	log.info({ signal }, 'shutting down');
	const force = setTimeout(() => process.exit(1), 10_000);
	force.unref();
	server.closeIdleConnections?.();
	// Closes Socket.IO and the HTTP server, then flushes pending document writes.
	await realtime.close();
	await closeDatabase();
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
