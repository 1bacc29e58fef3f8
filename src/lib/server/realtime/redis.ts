import { randomBytes } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Server } from 'socket.io';
import { getLogger } from '../logger';
import type { Broadcaster } from './collab/document';

const BASE_CHANNEL = 'intarsi:collab';
const TYPE_UPDATE = 0;
const TYPE_AWARENESS = 1;
const TYPE_EVENT = 2;

/** A domain event another instance published (see `publishEvent`). */
export interface RemoteEvent {
	name: string;
	payload: unknown;
}

export interface ScaleOut {
	broadcaster: Broadcaster;
	/** Called for every update/awareness message another instance published. */
	onRemote(handler: (doc: string, type: 'update' | 'awareness', payload: Uint8Array) => void): void;
	/** Called when the subscription came back after an interruption: messages may have been missed. */
	onResubscribed(handler: () => void): void;
	/**
	 * Domain events that change rights (table.changed, meeting.updated) reach the other instances,
	 * whose open document joins must be re-checked too. Room broadcasts need not: the adapter carries them.
	 */
	publishEvent(name: string, payload: unknown): void;
	onRemoteEvent(handler: (event: RemoteEvent) => void): void;
	close(): Promise<void>;
}

/**
 * With REDIS_URL: the Socket.IO Redis adapter carries room broadcasts between instances, and a
 * pub/sub channel carries document updates (published once durable) and awareness, so that every
 * instance's in-memory documents receive the others' edits. The database log stays the truth.
 */
export async function createRedisScaleOut(url: string, io: Server, opts: { key?: string } = {}): Promise<ScaleOut> {
	const log = getLogger().child({ mod: 'redis' });
	// Instances that share a key see each other (the default: every instance of a deployment);
	// tests running side by side on one Redis use their own.
	const CHANNEL = opts.key ? `${BASE_CHANNEL}#${opts.key}` : BASE_CHANNEL;
	const instance = randomBytes(16);
	// Loaded only with REDIS_URL: ioredis and the adapter add ~25 MiB to a process that never uses them.
	const [{ Redis }, { createAdapter }] = await Promise.all([import('ioredis'), import('@socket.io/redis-adapter')]);
	const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
	const sub = pub.duplicate();
	const adapterPub = pub.duplicate();
	const adapterSub = pub.duplicate();
	await Promise.all([pub.connect(), sub.connect(), adapterPub.connect(), adapterSub.connect()]);
	io.adapter(createAdapter(adapterPub, adapterSub, opts.key ? { key: `socket.io#${opts.key}` } : {}));
	const handlers: ((doc: string, type: 'update' | 'awareness', payload: Uint8Array) => void)[] = [];
	const eventHandlers: ((event: RemoteEvent) => void)[] = [];
	const resubscribed: (() => void)[] = [];
	await sub.subscribe(CHANNEL);
	// ioredis resubscribes by itself after a reconnect; whatever was published meanwhile is lost to
	// us, so the documents catch up from the database log.
	let firstReady = true;
	sub.on('ready', () => {
		if (firstReady) return void (firstReady = false);
		for (const h of resubscribed) h();
	});
	sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
		try {
			if (message.subarray(0, 16).equals(instance)) return;
			const d = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset + 16, message.byteLength - 16));
			const kind = decoding.readUint8(d);
			if (kind === TYPE_EVENT) {
				const event = JSON.parse(decoding.readVarString(d)) as RemoteEvent;
				if (typeof event?.name === 'string') for (const h of eventHandlers) h(event);
				return;
			}
			const type = kind === TYPE_UPDATE ? 'update' : 'awareness';
			const doc = decoding.readVarString(d);
			const payload = decoding.readVarUint8Array(d);
			for (const h of handlers) h(doc, type, payload);
		} catch (err) {
			log.warn({ err }, 'bad message on the collab channel');
		}
	});
	for (const c of [pub, sub, adapterPub, adapterSub]) c.on('error', (err) => log.error({ err }, 'redis error'));
	return {
		broadcaster: {
			publish(doc, type, payload) {
				const e = encoding.createEncoder();
				encoding.writeUint8Array(e, instance);
				encoding.writeUint8(e, type === 'update' ? TYPE_UPDATE : TYPE_AWARENESS);
				encoding.writeVarString(e, doc);
				encoding.writeVarUint8Array(e, payload);
				pub.publish(CHANNEL, Buffer.from(encoding.toUint8Array(e))).catch((err) => log.error({ err }, 'publish failed'));
			}
		},
		onRemote: (h) => void handlers.push(h),
		onResubscribed: (h) => void resubscribed.push(h),
		publishEvent(name, payload) {
			const e = encoding.createEncoder();
			encoding.writeUint8Array(e, instance);
			encoding.writeUint8(e, TYPE_EVENT);
			encoding.writeVarString(e, JSON.stringify({ name, payload }));
			pub.publish(CHANNEL, Buffer.from(encoding.toUint8Array(e))).catch((err) => log.error({ err }, 'publish failed'));
		},
		onRemoteEvent: (h) => void eventHandlers.push(h),
		async close() {
			await Promise.all([pub, sub, adapterPub, adapterSub].map((c) => c.quit().catch(() => c.disconnect())));
		}
	};
}

export const localOnly: ScaleOut = {
	broadcaster: { publish() {} },
	onRemote() {},
	onResubscribed() {},
	publishEvent() {},
	onRemoteEvent() {},
	async close() {}
};
