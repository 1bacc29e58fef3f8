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
	const persistence = {
		enqueue: (_d: string, u: Uint8Array, _user: string | null, done: (err?: unknown) => void) => {
			appended.push(u);
			queueMicrotask(() => done());
		}
	} as unknown as CollabPersistence;
	/** The document's text when each message went to the other connections. */
	const textsWhenSent: string[] = [];
	const doc: CollabDocument = new CollabDocument('table-notes:00000000-0000-4000-8000-000000000000', persistence, { publish: (_d, _t, p) => void published.push(p) }, (_d, p) => {
		sent.push(p);
		textsWhenSent.push(doc.ydoc.getText('notes').toString());
	});
	const changes: unknown[] = [];
	doc.onChange = (_doc, userId) => void changes.push(userId);
	let failures = 0;
	doc.onFailure = () => void failures++;
	const conn: Connection = { id: 'a', userId: 'u', send: () => {}, sendPrepared: () => {}, awarenessIds: new Set() };
	const other: Connection = { id: 'b', userId: 'v', send: () => {}, sendPrepared: () => {}, awarenessIds: new Set() };
	doc.connections.add(conn);
	doc.connections.add(other);
	return { doc, conn, appended, sent, textsWhenSent, published, changes, failures: () => failures };
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

	it('a forwarded update goes to the others as it came, once, before it is integrated; the log gets it all the same', () => {
		const { doc, conn, appended, sent, textsWhenSent, changes } = documentWithSpies();
		const client = new Y.Doc();
		client.getText('notes').insert(0, 'Verbale');
		const update = Y.encodeStateAsUpdate(client);
		const message = Uint8Array.from([0, 2, update.byteLength, ...update]);
		expect(doc.applyClientUpdate(update, conn, message)).toBe(true);
		expect(sent).toEqual([message]);
		expect(textsWhenSent).toEqual(['']);
		expect(doc.ydoc.getText('notes').toString()).toBe('Verbale');
		expect([appended.length, changes]).toEqual([1, ['u']]);
		// The next update, not forwarded, is broadcast after integration as before.
		const before = Y.encodeStateVector(client);
		client.getText('notes').insert(7, ' approvato');
		expect(doc.applyClientUpdate(Y.encodeStateAsUpdate(client, before), conn)).toBe(true);
		expect(sent).toHaveLength(2);
		expect(textsWhenSent).toEqual(['', 'Verbale approvato']);
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

describe('CollabDocument.afterWrites', () => {
	/** A document whose log answers only when the test says so, in order. */
	function documentWithManualLog() {
		const answers: ((err?: unknown) => void)[] = [];
		const published: string[] = [];
		const persistence = {
			enqueue: (_d: string, _u: Uint8Array, _user: string | null, done: (err?: unknown) => void) => void answers.push(done)
		} as unknown as CollabPersistence;
		const doc = new CollabDocument('table-notes:00000000-0000-4000-8000-000000000001', persistence, { publish: (_d, t) => void published.push(t) }, () => {});
		let failures = 0;
		doc.onFailure = () => void failures++;
		const conn: Connection = { id: 'a', userId: 'u', send: () => {}, sendPrepared: () => {}, awarenessIds: new Set() };
		doc.connections.add(conn);
		const client = new Y.Doc();
		const edit = (s: string) => {
			const before = Y.encodeStateVector(client);
			client.getText('notes').insert(0, s);
			expect(doc.applyClientUpdate(Y.encodeStateAsUpdate(client, before), conn)).toBe(true);
		};
		return { doc, edit, answers, published, failures: () => failures };
	}

	it('answers at once when nothing is waiting for the log, else once everything accepted before is in it', () => {
		const { doc, edit, answers, published } = documentWithManualLog();
		const heard: string[] = [];
		doc.afterWrites((err) => heard.push(`idle:${String(err)}`));
		expect(heard).toEqual(['idle:undefined']);
		edit('a');
		doc.afterWrites((err) => heard.push(`after a:${String(err)}`));
		edit('b');
		doc.afterWrites((err) => heard.push(`after b:${String(err)}`));
		doc.afterWrites((err) => heard.push(`after b again:${String(err)}`));
		expect(answers).toHaveLength(2);
		answers[0]!();
		expect(heard).toEqual(['idle:undefined', 'after a:undefined']);
		expect(published).toEqual(['update']);
		answers[1]!();
		expect(heard).toEqual(['idle:undefined', 'after a:undefined', 'after b:undefined', 'after b again:undefined']);
		expect(published).toEqual(['update', 'update']);
		doc.afterWrites((err) => heard.push(`idle again:${String(err)}`));
		expect(heard.at(-1)).toBe('idle again:undefined');
	});

	it('a failed write fails its waiters and every later one, and drops the document once', async () => {
		const { doc, edit, answers, published, failures } = documentWithManualLog();
		const heard: string[] = [];
		edit('a');
		doc.afterWrites((err) => heard.push(`a:${err instanceof Error ? err.message : 'ok'}`));
		edit('b');
		doc.afterWrites((err) => heard.push(`b:${err instanceof Error ? err.message : 'ok'}`));
		const waiting = doc.lastWrite;
		answers[0]!(new Error('database unavailable'));
		expect(heard).toEqual(['a:database unavailable', 'b:database unavailable']);
		await expect(waiting).rejects.toThrow('database unavailable');
		// The second row made it after all: still nothing is acknowledged after the failure.
		answers[1]!();
		doc.afterWrites((err) => heard.push(`later:${err instanceof Error ? err.message : 'ok'}`));
		expect(heard.at(-1)).toBe('later:database unavailable');
		expect([doc.failed, failures(), published]).toEqual([true, 1, ['update']]);
	});

	it('a waiter that throws does not keep the next ones from hearing', () => {
		const { doc, edit, answers } = documentWithManualLog();
		const heard: string[] = [];
		edit('a');
		doc.afterWrites(() => {
			throw new Error('boom');
		});
		doc.afterWrites(() => heard.push('second'));
		answers[0]!();
		expect(heard).toEqual(['second']);
	});
});
