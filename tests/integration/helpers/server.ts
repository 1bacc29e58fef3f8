import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Y from 'yjs';
import type { Db } from '../../../src/lib/server/db/client';
import { attachRealtime, type Realtime } from '../../../src/lib/server/realtime';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../../../src/lib/server/auth/session';
import { CollabClient, type DocProvider } from '../../../src/lib/collab/provider';

export interface TestServer {
	url: string;
	realtime: Realtime;
	close(): Promise<void>;
}

/** A real HTTP server on port 0 with the real realtime layer attached. */
export async function startRealtimeServer(
	getDb: () => Db,
	options: { idleUnloadMs?: number; compactAfter?: number; redisUrl?: string; redisKey?: string; sessionRecheckMs?: number } = {}
): Promise<TestServer> {
	const server = http.createServer((_req, res) => res.end('ok'));
	const realtime = await attachRealtime(server, { getDb, ...options });
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		realtime,
		close: () => realtime.close()
	};
}

export async function sessionCookie(db: Db, userId: string): Promise<string> {
	const token = generateSessionToken();
	await createSession(db, token, userId);
	return `${SESSION_COOKIE}=${token}`;
}

/** The real client provider, in Node, authenticated with a session cookie. */
export function collabClient(url: string, cookie: string, opts: { reconnection?: boolean } = {}): CollabClient {
	return new CollabClient({ url, io: { transports: ['websocket'], extraHeaders: { cookie }, reconnection: opts.reconnection ?? true, reconnectionDelay: 100, reconnectionDelayMax: 500 } });
}

export function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			if (check()) return resolve();
			if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
			setTimeout(tick, 10);
		};
		tick();
	});
}

export const whenSaved = (p: DocProvider, timeoutMs?: number) => waitFor(() => p.status === 'saved', timeoutMs, `${p.name} saved (status ${p.status})`);

/**
 * Opens a document with the real provider, writes a first edit into its notes and waits until both
 * are saved; `statuses` records every status the provider reports after that.
 */
export async function openWithFirstEdit(client: CollabClient, name: string, first: string) {
	const doc = new Y.Doc();
	const provider = client.open(name, doc);
	await whenSaved(provider);
	doc.getText('notes').insert(0, first);
	await whenSaved(provider);
	const statuses: string[] = [];
	provider.onStatus((s) => statuses.push(s));
	return { doc, provider, statuses };
}

export function text(doc: Y.Doc): string {
	return doc.getText('notes').toString();
}
