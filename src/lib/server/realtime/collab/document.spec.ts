import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { pino } from 'pino';
import { CollabDocument, type Connection } from './document';
import type { CollabPersistence } from './persistence';

// The document logs the failure below as an error: keep the test output quiet.
(globalThis as Record<symbol, unknown>)[Symbol.for('intarsi.logger')] ??= pino({ level: 'silent' });

function documentWithSpies() {
	const appended: Uint8Array[] = [];
	const sent: Uint8Array[] = [];
	const published: Uint8Array[] = [];
	const persistence = { append: async (_d: string, u: Uint8Array) => void appended.push(u) } as unknown as CollabPersistence;
	const doc = new CollabDocument('table-notes:00000000-0000-4000-8000-000000000000', persistence, { publish: (_d, _t, p) => void published.push(p) }, (_d, p) => void sent.push(p));
	const changes: unknown[] = [];
	doc.onChange = (_doc, userId) => void changes.push(userId);
	let failures = 0;
	doc.onFailure = () => void failures++;
	const conn: Connection = { id: 'a', userId: 'u', send: () => {}, sendPrepared: () => {}, awarenessIds: new Set() };
	const other: Connection = { id: 'b', userId: 'v', send: () => {}, sendPrepared: () => {}, awarenessIds: new Set() };
	doc.connections.add(conn);
	doc.connections.add(other);
	return { doc, conn, appended, sent, published, changes, failures: () => failures };
}

describe('CollabDocument.applyClientUpdate', () => {
	it('applies, logs and sends a good update', async () => {
		const { doc, conn, appended, sent, changes, failures } = documentWithSpies();
		const client = new Y.Doc();
		client.getText('notes').insert(0, 'Ordine del giorno');
		expect(doc.applyClientUpdate(Y.encodeStateAsUpdate(client), conn)).toBe(true);
		await doc.lastWrite;
		expect(doc.ydoc.getText('notes').toString()).toBe('Ordine del giorno');
		expect([appended.length, sent.length, changes]).toEqual([1, 1, ['u']]);
		expect(failures()).toBe(0);
	});

	it('when Yjs throws half-way, logs, sends and projects nothing, and drops the document', () => {
		const { doc, conn, appended, sent, published, changes, failures } = documentWithSpies();
		// A good item, then one whose origin lies ahead of it (inspectUpdate refuses this; here it
		// stands for whatever Yjs might throw on all the same).
		const e = encoding.createEncoder();
		for (const n of [1, 2, 7, 0]) encoding.writeVarUint(e, n);
		encoding.writeUint8(e, 4);
		encoding.writeVarUint(e, 1);
		encoding.writeVarString(e, 'notes');
		encoding.writeVarString(e, 'PARZIALE');
		encoding.writeUint8(e, 4 | 128);
		encoding.writeVarUint(e, 7);
		encoding.writeVarUint(e, 100);
		encoding.writeVarString(e, 'x');
		encoding.writeVarUint(e, 0);
		expect(doc.applyClientUpdate(encoding.toUint8Array(e), conn)).toBe(false);
		expect([appended, sent, published, changes]).toEqual([[], [], [], []]);
		expect(doc.failed).toBe(true);
		expect(failures()).toBe(1);
	});
});
