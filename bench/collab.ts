/**
 * npm run bench:collab — end-to-end propagation latency of Yjs updates, Intarsi vs Hocuspocus.
 *
 * N clients on M documents, each editing as a Poisson process at R updates/s, for D seconds;
 * latency is measured from send to receipt at every other client of the document (p50/p95/p99/max;
 * receipt is when the client's WebSocket delivers the message, before it is decoded: see `onArrival`),
 * plus the ack latency (send → the server's acknowledgement to the author), the server's CPU and peak
 * RSS, the generator's own CPU and event-loop lag, and final convergence. Server pinned to core 0,
 * this generator to core 1 (the npm script runs it under `taskset -c 1`; the header line prints the
 * affinity and the load average, as other work on the machine moves the numbers).
 *
 * Clients are equally thin on both sides, one raw `ws` WebSocket each, so that the generator costs
 * about the same per delivered message whichever server it drives:
 * - Intarsi: `ThinSocketIo` speaks Engine.IO v4 / Socket.IO v5 directly (`?EIO=4&transport=websocket&wire=2`:
 *   open, namespace connect, ping/pong, events, binary events in one frame, acks) instead of
 *   socket.io-client (no manager, reconnection, polling or emitter layers). Like a Node client it
 *   sends the session cookie on the handshake and no Origin. Every update asks for the ack, as the
 *   reference provider does.
 * - Hocuspocus: its own y-protocol frames (document name, message type, payload); its SyncStatus
 *   message is the per-update ack.
 * Writers keep only their own edits; receivers decode update metadata only (Y.parseUpdateMeta).
 * What remains different is the servers' own wire behaviour, measured as it is: both send an update
 * as one binary frame (Intarsi's is a Socket.IO packet, whose header is JSON text, through the hub's
 * parser: see docs/realtime.md, "Wire format"), and Hocuspocus also echoes every update to its author.
 * The lag is what Node's event-loop histogram reads minus its sampling interval (at resolution 10 ms
 * an idle loop reads ~10.1 ms: the old "lag p99 ≈ 11 ms" was that interval, not lag).
 *
 * Intarsi runs the built server (`npm run build`) on PostgreSQL when BENCH_DATABASE_URL is set (a
 * fresh database is created on that server for each row and dropped after it; production mode),
 * otherwise on PGlite; every update is appended to the log (group commit) before its author is
 * acknowledged, while the broadcast to the others does not wait for it. A local PostgreSQL is moved
 * to the generator's core for the run (see `pinLocalDatabase`; "db cpu%" is its CPU, read from
 * /proc). Hocuspocus runs in memory with no extensions (nothing stored; its ack means "applied").
 *
 * Options: --duration 30 --warmup 10 --db-cpu generator|any --configs 100/20/2,200/40/2
 * --only intarsi|hocuspocus|intarsi-b --rounds 1 --peer-entry other-build/server.js
 * (more rounds: the rows alternate servers and the ratios compare medians; the machine's noise moves
 * single rows). The warm-up runs the same load, unmeasured, before the measured seconds (--warmup 0
 * measures from the fresh process's first update, JIT compilation included).
 * Environment: BENCH_DATABASE_URL, BENCH_NODE_ARGS (extra flags for both servers, e.g.
 * "--perf-basic-prof" for `perf record`: see bench/perf-map.mjs), BENCH_INTARSI_ENTRY (server entry, default build/server.js),
 * BENCH_TRACE=n (print the first n raw frames of the first Intarsi connection), BENCH_DUMP=file (append
 * each row's sorted latencies to that file, one JSON line per row, to compare whole distributions).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import pg from 'pg';
import { arg, freshDatabase } from './lib';
import { productionNodeFlags } from '../src/cli/node-flags.js';
import { createPerson } from '../src/lib/server/network/people';
import { createTable } from '../src/lib/server/network/tables';
import { SESSION_COOKIE, createSession, generateSessionToken } from '../src/lib/server/auth/session';
import { SYNC_STEP1, SYNC_UPDATE, encodeSync, type JoinReply, type SendReply } from '../src/lib/collab/protocol';
import { frameChunks, joinFrame, WIRE_VERSION } from '../src/lib/realtime/parser';

const noop = () => {};

const root = path.resolve(import.meta.dirname, '..');
const DURATION = Number(arg('duration', '30')) * 1000;
const CONFIGS = arg('configs', '100/20/2,200/40/2').split(',').map((c) => c.split('/').map(Number) as [number, number, number]);
const ONLY = arg('only', '');
/** Rounds per configuration (each one row per server, alternating which goes first); ratios are of medians. */
const ROUNDS = Math.max(1, Number(arg('rounds', '1')));
const WARMUP = Math.max(0, Number(arg('warmup', '10'))) * 1000;
/** Where a local PostgreSQL runs during the rows: "generator" (default: the generator's cores) or "any" (left as it is). */
const DB_CPU = arg('db-cpu', 'generator');
const LAG_RESOLUTION_MS = 5;
/** Extra Node flags for the servers, e.g. BENCH_NODE_ARGS=--perf-basic-prof (see bench/perf-map.mjs). */
const serverNodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** BENCH_TRACE=20 prints the first 20 raw frames the first Intarsi connection receives. */
const TRACE = Number(process.env.BENCH_TRACE ?? 0);
const INTARSI_ENTRY = process.env.BENCH_INTARSI_ENTRY ?? 'build/server.js';
/**
 * --peer-entry other-build/server.js: the peer is another Intarsi build instead of Hocuspocus (rows
 * "intarsi-b"), to compare a change against the current build in one run, rows alternating.
 */
const PEER_ENTRY = arg('peer-entry', '');
const PEER = PEER_ENTRY ? 'intarsi-b' : 'hocuspocus';

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
	/** Send → the server's ack to the author (Intarsi: durable in PostgreSQL; Hocuspocus: applied in memory). */
	ackP50: number;
	ackP95: number;
	cpu: number;
	/** CPU of the server's PostgreSQL backends during the row (NaN: none, or not on this machine). */
	dbCpu: number;
	rssMiB: number;
	/** CPU of this generator process during the row (fraction of one core). */
	genCpu: number;
	/** Event-loop lag of the generator (delay beyond the sampling interval), ms. */
	lagP50: number;
	lagP99: number;
	lagMax: number;
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

/**
 * Arrival time of the message being handled. Each WebSocket message is time-stamped when its
 * `message` event fires and handled after the poll phase that read it (setImmediate), in arrival
 * order, on both servers' clients alike. The receivers of one update are read in the same wake-up of
 * this one event loop (in life they are four browsers): timing each after the decoding of the ones
 * before would add the generator's own work, which is not the server's, to the later receivers.
 */
let arrivedAt = 0;
const inbox: { t: number; run: () => void }[] = [];
function onArrival(run: () => void) {
	inbox.push({ t: performance.now(), run });
	if (inbox.length === 1) setImmediate(drainInbox);
}
function drainInbox() {
	for (let i = 0; i < inbox.length; i++) {
		arrivedAt = inbox[i]!.t;
		inbox[i]!.run();
	}
	inbox.length = 0;
}

interface Transport {
	name: string;
	pid: number;
	/**
	 * Connects one client to `doc`: `onUpdate` receives every Yjs update the server sends it, `onAck`
	 * each acknowledgement of the client's own updates (in order). Resolves to the send function.
	 */
	open(doc: string, onUpdate: (update: Uint8Array) => void, onAck: () => void): Promise<(update: Uint8Array) => void>;
	fullState(doc: string): Promise<Y.Doc>;
	stop(): Promise<void>;
	/** The server's database backends, when they are processes of this machine (their CPU is the server's too). */
	dbPids?(): Promise<number[]>;
}

// ---------- Intarsi ----------
/**
 * A thin Socket.IO client: Engine.IO v4 / Socket.IO v5 spoken directly over one raw `ws` WebSocket
 * (`/socket.io/?EIO=4&transport=websocket&wire=2`, no polling, no upgrade, no reconnection manager), for
 * one namespace. What it handles, as the server sends it (see docs/realtime.md):
 *   engine.io  "0{…}" open · "2" ping → "3" pong · "1" close · "4…" message (a Socket.IO packet)
 *   socket.io  "40/collab,{sid}" connected · "44/collab,{message}" refused ·
 *              "42/collab,[event,…]" event · "43/collab,<id>[…]" ack · a binary frame: a binary
 *              event or ack, its header "5<n>-/collab,[event,…{_placeholder,num}]" (or "6<n>-…")
 *              and its n attachments in one frame (the hub's parser, src/lib/realtime/parser.ts);
 *              the standard form (that header as a text frame "45<n>-…", then n binary frames) too
 * Placeholders are resolved at the top level of the argument list only (all /collab needs).
 */
class ThinSocketIo {
	private nextAck = 0;
	private readonly acks = new Map<number, (args: unknown[]) => void>();
	/** A binary event or ack whose attachments are still arriving. */
	private partial: { type: number; id: number; args: unknown[]; buffers: Buffer[]; need: number } | null = null;
	private readonly prefix: string;
	onEvent: (name: string, args: unknown[]) => void = () => {};

	private constructor(
		private readonly ws: WebSocket,
		readonly nsp: string
	) {
		this.prefix = nsp === '/' ? '' : `${nsp},`;
	}

	static connect(origin: string, nsp: string, headers: Record<string, string>, trace = 0): Promise<ThinSocketIo> {
		const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket&wire=${WIRE_VERSION}`, { headers, perMessageDeflate: false });
		const client = new ThinSocketIo(ws, nsp);
		return new Promise((resolve, reject) => {
			ws.on('error', reject);
			ws.on('close', () => reject(new Error('closed before connecting')));
			ws.on('message', (data: Buffer, isBinary: boolean) =>
				onArrival(() => {
					if (trace > 0) {
						trace--;
						console.error(`  <- ${isBinary ? `binary ${data.length} B: ${data.toString('hex').slice(0, 48)}` : data.toString()}`);
					}
					if (isBinary) return client.onBinary(data);
					const text = data.toString();
					switch (text.charCodeAt(0)) {
						case 0x30: // "0" open: join the namespace (auth is the cookie on the handshake)
							return ws.send(`40${client.prefix}`);
						case 0x32: // "2" ping
							return ws.send('3');
						case 0x34: // "4" message
							return client.onPacket(text, resolve, reject);
						case 0x31: // "1" close
							return ws.close();
					}
				})
			);
		});
	}

	/** A Socket.IO packet at `text[start]` (after the engine.io "4" of a text frame, or a binary frame's header). */
	private onPacket(text: string, connected: (c: ThinSocketIo) => void, refused: (e: Error) => void, start = 1) {
		const type = text.charCodeAt(start) - 0x30;
		let i = start + 1;
		let attachments = 0;
		if (type === 5 || type === 6) {
			const dash = text.indexOf('-', i);
			attachments = Number(text.slice(i, dash));
			i = dash + 1;
		}
		if (text.charCodeAt(i) === 0x2f /* "/" */) {
			const comma = text.indexOf(',', i);
			const nsp = comma < 0 ? text.slice(i) : text.slice(i, comma);
			if (nsp !== this.nsp) return;
			i = comma < 0 ? text.length : comma + 1;
		} else if (this.nsp !== '/') return;
		let id = -1;
		let j = i;
		while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
		if (j > i) id = Number(text.slice(i, j));
		const json = j < text.length ? (JSON.parse(text.slice(j)) as unknown) : undefined;
		switch (type) {
			case 0: // CONNECT
				return connected(this);
			case 4: // CONNECT_ERROR
				return refused(new Error((json as { message?: string } | undefined)?.message ?? 'connect_error'));
			case 1: // DISCONNECT
				return this.ws.close();
			case 2: // EVENT
			case 3: // ACK
				return this.dispatch(type, id, json as unknown[]);
			case 5: // BINARY_EVENT
			case 6: // BINARY_ACK
				this.partial = { type: type - 3, id, args: json as unknown[], buffers: [], need: attachments };
		}
	}

	private onBinary(data: Buffer) {
		const p = this.partial;
		if (!p) {
			// The hub's one-frame binary packet (src/lib/realtime/parser.ts): its header, then its
			// attachments, as views into the frame.
			const [header, ...attachments] = frameChunks(data, 10) as Buffer[];
			this.onPacket(header!.toString('utf8'), noop, noop, 0);
			const partial = this.partial as typeof p;
			if (!partial) throw new Error('a binary frame whose header is not a binary packet');
			partial.buffers.push(...attachments);
			if (partial.buffers.length !== partial.need) throw new Error('attachments do not match the header');
			return this.complete(partial);
		}
		p.buffers.push(data);
		if (p.buffers.length === p.need) this.complete(p);
	}

	private complete(p: NonNullable<ThinSocketIo['partial']>) {
		this.partial = null;
		const args = p.args.map((a) =>
			a && typeof a === 'object' && (a as { _placeholder?: boolean })._placeholder ? p.buffers[(a as { num: number }).num] : a
		);
		this.dispatch(p.type, p.id, args);
	}

	private dispatch(type: number, id: number, args: unknown[]) {
		if (type === 3) {
			const ack = this.acks.get(id);
			if (ack) {
				this.acks.delete(id);
				ack(args);
			}
			return;
		}
		this.onEvent(args[0] as string, args.slice(1));
	}

	/** EVENT "42<nsp>,<id>[name, …json]" (no binary arguments). */
	emit(args: unknown[], ack?: (args: unknown[]) => void) {
		let id = '';
		if (ack) {
			const n = this.nextAck++;
			this.acks.set(n, ack);
			id = String(n);
		}
		this.ws.send(`42${this.prefix}${id}${JSON.stringify(args)}`);
	}

	/**
	 * BINARY_EVENT with one attachment, as one binary frame (the hub's parser): `head` is the JSON
	 * argument list up to the placeholder (e.g. `["msg","doc",`), encoded once by the caller.
	 */
	emitBinary(head: string, bytes: Uint8Array, ack?: (args: unknown[]) => void) {
		let id = '';
		if (ack) {
			const n = this.nextAck++;
			this.acks.set(n, ack);
			id = String(n);
		}
		this.ws.send(joinFrame(`51-${this.prefix}${id}${head}{"_placeholder":true,"num":0}]`, [bytes]));
	}

	emitWithAck(args: unknown[]): Promise<unknown[]> {
		return new Promise((resolve) => this.emit(args, resolve));
	}

	close() {
		this.ws.close();
	}
}

async function startIntarsi(docsNeeded: number, entry = INTARSI_ENTRY, name = 'intarsi'): Promise<Transport & { docs: string[]; closeAll(): void }> {
	const port = 4510;
	const scratch = await freshDatabase('intarsi_bench', 2);
	const { handle, env, name: dbName } = scratch;
	await handle.migrate(path.join(root, 'drizzle'));
	const user = await createPerson(handle.db, null, { name: 'Bench', email: 'bench@example.it', role: 'admin' });
	const actor = { id: user.id, role: 'admin' as const, tableRoles: {} };
	const docs: string[] = [];
	for (let i = 0; i < docsNeeded; i++) docs.push(`table-notes:${(await createTable(handle.db, actor, { name: `Bench ${i}`, kind: 'tematico', visibility: 'network' })).id}`);
	const token = generateSessionToken();
	await createSession(handle.db, token, user.id);
	await handle.close();
	// Like a Node client: the session cookie on the handshake, no Origin header.
	const headers = { cookie: `${SESSION_COOKIE}=${token}` };

	// Started as `npm start` starts it (its Node flags), on the server's core.
	const child = spawn('taskset', ['-c', '0', process.execPath, ...productionNodeFlags(root), ...serverNodeArgs, entry], {
		cwd: root,
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
		stdio: 'ignore'
	});
	await waitHttp(`http://127.0.0.1:${port}/healthz`, child);
	const sockets: ThinSocketIo[] = [];
	let trace = TRACE;
	const join = async (doc: string, onMsg: (payload: Buffer) => void) => {
		const s = await ThinSocketIo.connect(`http://127.0.0.1:${port}`, '/collab', headers, trace);
		trace = 0;
		sockets.push(s);
		s.onEvent = (name, args) => {
			if (name === 'msg' && args[0] === doc) onMsg(args[1] as Buffer);
		};
		const [reply] = (await s.emitWithAck(['join', doc])) as [JoinReply];
		if (!reply.ok) throw new Error(`join refused: ${reply.error}`);
		return s;
	};
	return {
		name,
		pid: child.pid!,
		docs,
		async open(doc, onUpdate, onAck) {
			const s = await join(doc, (payload) => {
				const d = decoding.createDecoder(payload);
				if (decoding.readVarUint(d) !== 0) return;
				const syncType = decoding.readVarUint(d);
				if (syncType === 2 || syncType === 1) onUpdate(decoding.readVarUint8Array(d));
			});
			const head = `["msg",${JSON.stringify(doc)},`;
			// Every update asks for the ack, as the reference provider does; { ok: true } means durable.
			return (update: Uint8Array) =>
				s.emitBinary(head, encodeSync(SYNC_UPDATE, update), (args) => {
					if (!(args[0] as SendReply).ok) throw new Error(`update refused: ${JSON.stringify(args[0])}`);
					onAck();
				});
		},
		async fullState(doc) {
			const ydoc = new Y.Doc();
			let done!: () => void;
			const got = new Promise<void>((r) => (done = r));
			const s = await join(doc, (payload) => {
				const d = decoding.createDecoder(payload);
				if (decoding.readVarUint(d) !== 0) return;
				const t = decoding.readVarUint(d);
				const data = decoding.readVarUint8Array(d);
				if (t === 1) {
					Y.applyUpdate(ydoc, data);
					done();
				}
			});
			s.emitBinary(`["msg",${JSON.stringify(doc)},`, encodeSync(SYNC_STEP1, Y.encodeStateVector(ydoc)));
			await got;
			s.close();
			return ydoc;
		},
		closeAll() {
			for (const s of sockets.splice(0)) s.close();
		},
		async dbPids() {
			if (!dbName) return [];
			const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
			await admin.connect();
			try {
				const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
				return rows.map((r) => r.pid);
			} finally {
				await admin.end();
			}
		},
		async stop() {
			for (const s of sockets.splice(0)) s.close();
			child.kill('SIGTERM');
			await new Promise((r) => child.once('exit', r));
			await scratch.remove();
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
			const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
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
			ws.on('message', (data: Buffer) =>
				onArrival(() => {
					const d = decoding.createDecoder(new Uint8Array(data));
					decoding.readVarString(d);
					const type = decoding.readVarUint(d);
					if (type === 2) return resolve(ws); // authenticated
					onMessage(type, d);
				})
			);
		});
	return {
		name: 'hocuspocus',
		pid: child.pid!,
		docs,
		async open(doc, onUpdate, onAck) {
			const ws = await connectDoc(doc, (type, d) => {
				if (type === 8) {
					// SyncStatus: Hocuspocus's ack of each update (applied in memory; no storage here).
					if (decoding.readVarUint(d) !== 1) throw new Error('update refused');
					return onAck();
				}
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
		/** Send times of this writer's updates not yet acknowledged (servers ack in order). */
		unacked: number[];
		send?: (u: Uint8Array) => void;
	}
	const writers: Writer[] = [];
	const byCid = new Map<number, Writer>();
	const latencies: number[] = [];
	const ackLatencies: number[] = [];
	let measuring = false;
	let deliveries = 0;
	let expected = 0;
	const perDoc = new Map<string, number>();
	for (let i = 0; i < n; i++) perDoc.set(transport.docs[i % m]!, (perDoc.get(transport.docs[i % m]!) ?? 0) + 1);

	for (let i = 0; i < n; i++) {
		const doc = transport.docs[i % m]!;
		const ydoc = new Y.Doc();
		const w: Writer = { cid: ydoc.clientID, doc, ydoc, sends: [], unacked: [] };
		writers.push(w);
		byCid.set(w.cid, w);
		const onAck = () => {
			const t = w.unacked.shift();
			if (measuring && t !== undefined) ackLatencies.push(arrivedAt - t);
		};
		w.send = await transport.open(doc, (update) => {
			if (!measuring) return;
			const now = arrivedAt;
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
		}, onAck);
		ydoc.on('update', (u: Uint8Array) => {
			const to = Y.parseUpdateMeta(u).to.get(w.cid)!;
			const t = performance.now();
			if (measuring) {
				w.sends.push({ clock: to, t });
				if (w.sends.length > 64) w.sends.shift(); // old sends are long delivered
				expected += perDoc.get(doc)! - 1;
			}
			w.unacked.push(t);
			w.send!(u);
		});
	}

	// The load runs for WARMUP before the measured DURATION, under the same Poisson process: a server
	// process is new for each row, and V8 is still compiling its hot paths for most of the first
	// half-minute at these rates (TurboFan's thread took ~10% of the core 12–22 s in, ~2% at 40–50 s),
	// which is not what a long-running hub shows. Nothing of the warm-up is recorded: sends before
	// the switch have no timestamps, and CPU, lag and the database's CPU count from the switch.
	// Node's histogram records the whole interval between two samples (resolution + delay; an idle loop
	// reads ~10.1 ms at resolution 10): the lag reported below is that minus the resolution.
	const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
	// PostgreSQL backends (readable only when the database runs on this machine): CPU at the start of
	// the measured window; a backend that appears later counts from zero.
	const dbCpu = async () => {
		const seen = new Map<number, number>();
		for (const pid of (await transport.dbPids?.()) ?? []) {
			try {
				seen.set(pid, procStat(pid));
			} catch {
				return null;
			}
		}
		return transport.dbPids ? seen : null;
	};
	let updates = 0;
	const startAt = performance.now();
	const stopAt = startAt + WARMUP + DURATION;
	const load = Promise.all(
		writers.map(async (w) => {
			const text = w.ydoc.getText('notes');
			for (;;) {
				const wait = (-Math.log(1 - Math.random()) / rate) * 1000;
				await new Promise((r) => setTimeout(r, wait));
				if (performance.now() > stopAt) return;
				text.insert(text.length, 'x');
				if (measuring) updates++;
			}
		})
	);
	await new Promise((r) => setTimeout(r, Math.max(0, startAt + WARMUP - performance.now())));
	const cpu0 = procStat(transport.pid);
	const db0 = await dbCpu();
	const gen0 = process.cpuUsage();
	measuring = true;
	lag.enable();
	await load;
	await new Promise((r) => setTimeout(r, 1000)); // let the last updates arrive
	measuring = false;
	lag.disable();
	const cpu = (procStat(transport.pid) - cpu0) / ((DURATION + 1000) / 1000);
	const db1 = await dbCpu();
	const dbCpuShare = db0 && db1 && db1.size ? [...db1].reduce((a, [pid, t]) => a + t - (db0.get(pid) ?? 0), 0) / ((DURATION + 1000) / 1000) : NaN;
	const rssMiB = peakRss(transport.pid);
	const gen = process.cpuUsage(gen0);
	const genCpu = (gen.user + gen.system) / 1e6 / ((DURATION + 1000) / 1000);
	const lagOf = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);

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
	const acks = ackLatencies.sort((a, b) => a - b);
	if (process.env.BENCH_DUMP) (await import('node:fs')).appendFileSync(process.env.BENCH_DUMP, JSON.stringify({ server: transport.name, config: `${n}/${m}/${rate}`, sorted }) + '\n');
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
		ackP50: pct(acks, 50),
		ackP95: pct(acks, 95),
		cpu,
		dbCpu: dbCpuShare,
		rssMiB,
		genCpu,
		lagP50: lagOf(lag.percentile(50)),
		lagP99: lagOf(lag.percentile(99)),
		lagMax: lagOf(lag.max),
		converged
	};
}

/**
 * A local PostgreSQL is moved to this generator's cores for the run (and put back after). On a
 * two-core machine the database shares a core with the server or with the generator, and the
 * kernel picks one at random per backend: on the server's core its wake-ups queue the server's
 * messages behind them (in alternate 20 s rows, p95 1.42 and 3.21 ms on core 0 against 1.01 and
 * 1.06 ms on core 1), which measures the placement, not the hub; Hocuspocus, in memory, has no
 * database to place. In a deployment the database has cores (or a machine) of its own. Its CPU
 * is still reported ("db cpu%"). --db-cpu any leaves it where it is.
 */
async function pinLocalDatabase(): Promise<{ where: string; restore(): void }> {
	const none = { where: 'left as it is', restore() {} };
	if (!process.env.BENCH_DATABASE_URL || DB_CPU === 'any') return none;
	const cpus = readFileSync('/proc/self/status', 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1];
	let postmaster = 0;
	const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
	try {
		await admin.connect();
		const { rows } = await admin.query<{ pid: number }>('select pg_backend_pid() as pid');
		// The backend's parent process is the postmaster.
		postmaster = Number(readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
	} catch {
		return { where: 'remote or not reachable through /proc: left as it is', restore() {} };
	} finally {
		await admin.end().catch(() => {});
	}
	const children = () => {
		try {
			return execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' });
		} catch {
			return ''; // pgrep exits 1 when there are none
		}
	};
	const pids = () => [postmaster, ...children().split('\n').filter(Boolean).map(Number)];
	const before = new Map(pids().map((pid) => [pid, execFileSync('taskset', ['-pc', String(pid)], { encoding: 'utf8' }).split(': ')[1]!.trim()]));
	const set = (pid: number, list: string) => {
		try {
			execFileSync('taskset', ['-apc', list, String(pid)], { stdio: 'ignore' });
		} catch {
			/* a backend that has just exited */
		}
	};
	// New backends are forked by the postmaster and inherit its affinity.
	for (const pid of pids()) set(pid, cpus!);
	return {
		where: `cpu ${cpus} (with the generator)`,
		restore() {
			for (const pid of pids()) set(pid, before.get(pid) ?? before.get(postmaster)!);
		}
	};
}

const results: (Result & { round: number })[] = [];
const maxDocs = Math.max(...CONFIGS.map((c) => c[1]));
const database = await pinLocalDatabase();
process.on('exit', () => database.restore());
process.on('SIGINT', () => process.exit(130));
for (const [n, m, r] of CONFIGS) {
	for (let round = 1; round <= ROUNDS; round++) {
		// Rounds alternate which server goes first, so that a drift of the machine's speed during the
		// run (other tenants, heat) weighs on both alike.
		const order = round % 2 === 1 ? ['intarsi', PEER] : [PEER, 'intarsi'];
		for (const which of order) {
			if (ONLY && ONLY !== which) continue;
			// A fresh server per row, so peak RSS belongs to that row.
			const transport =
				which === 'intarsi' ? await startIntarsi(maxDocs) : PEER_ENTRY ? await startIntarsi(maxDocs, PEER_ENTRY, PEER) : await startHocuspocus(maxDocs);
			try {
				const res = await run(transport, n, m, r);
				results.push({ ...res, round });
				console.error(`done ${which} ${n}/${m}/${r}${ROUNDS > 1 ? ` round ${round}` : ''}`);
			} finally {
				await transport.stop();
			}
		}
	}
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
console.log(`\ncollab propagation, ${DURATION / 1000}s measured per row after ${WARMUP / 1000}s of warm-up (N clients / M documents / R updates per client per s)`);
const cpus = readFileSync('/proc/self/status', 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1] ?? '?';
database.restore();
console.log(
	`intarsi db: ${process.env.BENCH_DATABASE_URL ? `postgresql, on ${database.where}` : 'pglite'}; generator on cpu ${cpus}, servers on cpu 0; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`
);
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
console.log(
	'server      N/M/R      updates  delivered/expected   p50ms  p95ms  p99ms  maxms  ack p50/p95 ms  cpu%  db cpu%  peakRSS MiB  gen cpu%  gen-lag p50/p99/max ms  converged'
);
for (const x of results)
	console.log(
		`${x.server.padEnd(11)} ${x.config.padEnd(10)} ${String(x.updates).padStart(7)}  ${`${x.deliveries}/${x.expected}`.padStart(17)}  ${f2(x.p50).padStart(6)} ${f2(x.p95).padStart(6)} ${f2(x.p99).padStart(6)} ${f(x.max).padStart(6)}  ${`${f2(x.ackP50)}/${f2(x.ackP95)}`.padStart(14)} ${(x.cpu * 100).toFixed(1).padStart(5)}  ${(Number.isFinite(x.dbCpu) ? (x.dbCpu * 100).toFixed(0) : '-').padStart(7)}  ${f(x.rssMiB).padStart(11)}  ${(x.genCpu * 100).toFixed(1).padStart(8)}  ${`${f2(x.lagP50)}/${f2(x.lagP99)}/${f(x.lagMax)}`.padStart(22)}  ${x.converged}`
	);
const median = (xs: number[]) => {
	const v = [...xs].sort((a, b) => a - b);
	return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
for (const [n, m, r] of CONFIGS) {
	const config = `${n}/${m}/${r}`;
	const a = results.filter((x) => x.server === 'intarsi' && x.config === config);
	const b = results.filter((x) => x.server === PEER && x.config === config);
	if (!a.length || !b.length) continue;
	const of = (rows: Result[], k: 'p50' | 'p95' | 'p99' | 'cpu') => median(rows.map((x) => x[k]));
	const rounds = a.length > 1 ? ` (medians of ${a.length} rounds; per round p95 ${a.map((x, i) => (x.p95 / b[i]!.p95).toFixed(2)).join(' ')})` : '';
	console.log(
		`ratio intarsi/${PEER} at ${config}: p50 ${(of(a, 'p50') / of(b, 'p50')).toFixed(2)}, p95 ${(of(a, 'p95') / of(b, 'p95')).toFixed(2)}, p99 ${(of(a, 'p99') / of(b, 'p99')).toFixed(2)}, cpu ${(of(a, 'cpu') / of(b, 'cpu')).toFixed(2)}${rounds}`
	);
}
