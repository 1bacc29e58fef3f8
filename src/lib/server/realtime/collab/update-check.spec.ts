import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { inspectUpdate } from './update-check';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number) {
	return () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return seed / 0x7fffffff;
	};
}

/** Whether the update passes inspection for a document (neither malformed nor stale). */
function accepts(update: Uint8Array, doc = new Y.Doc()) {
	try {
		return !inspectUpdate(update, doc.store).stale;
	} catch {
		return false;
	}
}

function docAt(state: Uint8Array) {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	return doc;
}

/** Whether the update passes inspection and is `ready` (nothing would stay pending). */
function ready(update: Uint8Array, doc: Y.Doc) {
	try {
		const r = inspectUpdate(update, doc.store);
		return !r.stale && r.ready;
	} catch {
		return false;
	}
}

/** Whether Yjs applies `update` to a copy of `base` leaving nothing pending (no struct, no deletion). */
function nothingPending(base: Uint8Array, update: Uint8Array): boolean {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, base);
	try {
		Y.applyUpdate(doc, update);
		return doc.store.pendingStructs === null && doc.store.pendingDs === null;
	} finally {
		doc.destroy();
	}
}

/** Whether Yjs applies `update` to a copy of `base` without throwing. */
function yjsApplies(base: Uint8Array, update: Uint8Array): boolean {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, base);
	try {
		Y.applyUpdate(doc, update);
		return true;
	} catch {
		return false;
	} finally {
		doc.destroy();
	}
}

/** A document with every kind of content, written by clients 1 and 2, with deletions. */
function richDocument(gc = true) {
	const updates: Uint8Array[] = [];
	const a = new Y.Doc({ gc });
	a.clientID = 1;
	a.on('update', (u: Uint8Array) => updates.push(u));
	const text = a.getText('notes');
	text.insert(0, 'Ordine del giorno 😀 bilancio');
	text.format(0, 6, { bold: true });
	text.insertEmbed(3, { image: 'logo.png' });
	text.delete(8, 4);
	const map = a.getMap('items');
	map.set('title', 'Assemblea');
	map.set('n', 3);
	map.set('nested', new Y.Map([['ok', true]]));
	map.set('bytes', new Uint8Array([1, 2, 3]));
	map.set('title', 'Assemblea dei soci');
	map.delete('n');
	const list = a.getArray('links');
	list.push(['https://example.org', null, { a: [1, 2] }, 1.5, -7, new Uint8Array([9])]);
	list.delete(1, 1);
	const fragment = a.getXmlFragment('default');
	const p = new Y.XmlElement('paragraph');
	p.setAttribute('agendaItemId', 'x');
	p.insert(0, [new Y.XmlText('Verbale')]);
	fragment.insert(0, [p]);
	a.getMap('hooks').set('h', new Y.XmlHook('hook'));
	a.getMap('docs').set('sub', new Y.Doc({ guid: 'sub-1' }));
	const b = new Y.Doc({ gc });
	b.clientID = 2;
	b.on('update', (u: Uint8Array) => updates.push(u));
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
	b.getText('notes').insert(5, 'BBB');
	b.getText('notes').delete(0, 2);
	b.getMap('items').set('title', 'Altro');
	return { doc: b, updates };
}

describe('inspectUpdate', () => {
	it('accepts every update Yjs produces, whatever its content, and says which are empty', () => {
		for (const gc of [true, false]) {
			const { doc, updates } = richDocument(gc);
			for (const u of updates) expect(inspectUpdate(u)).toEqual({ empty: false, stale: false, ready: false });
			expect(inspectUpdate(Y.encodeStateAsUpdate(doc))).toEqual({ empty: false, stale: false, ready: false });
			// Differences from a state vector (the first struct written from an offset).
			const older = new Y.Doc();
			Y.applyUpdate(older, updates[0]!);
			expect(inspectUpdate(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(older))).empty).toBe(false);
			// Nothing new: no structs, but the delete set is always sent.
			const same = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc));
			expect(inspectUpdate(same).empty).toBe(false);
			expect(inspectUpdate(Y.encodeStateAsUpdate(new Y.Doc()))).toMatchObject({ empty: true, stale: false });
			// Merged updates, with gaps (skips) between what they hold.
			expect(accepts(Y.mergeUpdates([updates[0]!, updates[2]!, updates[5]!]))).toBe(true);
		}
	});

	it('says which updates the document can take whole, leaving nothing pending (ready)', () => {
		/** The update a change to `doc` produces. */
		const capture = (doc: Y.Doc, change: () => void) => {
			let update: Uint8Array | null = null;
			const listener = (u: Uint8Array) => (update = u);
			doc.on('update', listener);
			change();
			doc.off('update', listener);
			return update!;
		};
		const server = new Y.Doc();
		const a = new Y.Doc();
		const b = new Y.Doc();
		const first = capture(a, () => a.getText('notes').insert(0, 'Ordine del giorno'));
		Y.applyUpdate(server, first);
		Y.applyUpdate(b, first);
		// A keystroke after what the server has: ready.
		const x = capture(b, () => b.getText('notes').insert(5, 'X'));
		expect(inspectUpdate(x, server.store)).toEqual({ empty: false, stale: false, ready: true });
		// Without a store, nothing can be said.
		expect(inspectUpdate(x).ready).toBe(false);
		// The next keystroke, while the server lacks the first: a gap in b's clock.
		const y = capture(b, () => b.getText('notes').insert(6, 'Y'));
		expect(inspectUpdate(y, server.store).ready).toBe(false);
		// Typing right after someone else's text that has not reached the server: a reference it lacks.
		const fromA = capture(a, () => a.getText('notes').insert(0, 'A'));
		Y.applyUpdate(b, fromA);
		const z = capture(b, () => b.getText('notes').insert(1, 'Z'));
		Y.applyUpdate(server, x);
		Y.applyUpdate(server, y);
		expect(inspectUpdate(z, server.store).ready).toBe(false);
		// Deleting text the server has: ready; deleting text it has not (the "A"): not.
		const c = docAt(Y.encodeStateAsUpdate(server));
		const cut = capture(c, () => c.getText('notes').delete(0, 3));
		expect(inspectUpdate(cut, server.store).ready).toBe(true);
		const d = docAt(Y.encodeStateAsUpdate(b));
		const unknownCut = capture(d, () => d.getText('notes').delete(0, 1));
		expect(d.getText('notes').toString().startsWith('Z')).toBe(true);
		expect(inspectUpdate(unknownCut, server.store).ready).toBe(false);
		// Each ready one really leaves nothing pending; the others do.
		const state = Y.encodeStateAsUpdate(server);
		expect([cut, z, unknownCut].map((u) => nothingPending(state, u))).toEqual([true, false, false]);
	});

	it('accepts the JSON content of old clients', () => {
		const e = encoding.createEncoder();
		for (const n of [1, 1, 5, 0]) encoding.writeVarUint(e, n); // 1 client, 1 struct, client 5, clock 0
		encoding.writeUint8(e, 2); // JSON content, parent by name
		encoding.writeVarUint(e, 1);
		encoding.writeVarString(e, 'links');
		encoding.writeVarUint(e, 2);
		encoding.writeVarString(e, '{"a":1}');
		encoding.writeVarString(e, 'undefined');
		encoding.writeVarUint(e, 0);
		const update = encoding.toUint8Array(e);
		expect(inspectUpdate(update)).toMatchObject({ empty: false, stale: false });
		expect(yjsApplies(new Uint8Array([0, 0]), update)).toBe(true);
	});

	it('refuses an update Yjs would integrate in part before throwing', () => {
		const { doc } = richDocument();
		const base = Y.encodeStateAsUpdate(doc);
		const item = (e: encoding.Encoder, info: number, ids: number[][], parentKey: string | null, text: string) => {
			encoding.writeUint8(e, info);
			for (const [c, k] of ids) {
				encoding.writeVarUint(e, c!);
				encoding.writeVarUint(e, k!);
			}
			if (parentKey !== null) {
				encoding.writeVarUint(e, 1);
				encoding.writeVarString(e, parentKey);
			}
			encoding.writeVarString(e, text);
		};
		const forward = (second: (e: encoding.Encoder) => void) => {
			const e = encoding.createEncoder();
			for (const n of [1, 2, 7, 0]) encoding.writeVarUint(e, n);
			item(e, 4, [], 'notes', 'ok');
			second(e);
			encoding.writeVarUint(e, 0);
			return encoding.toUint8Array(e);
		};
		const cases = [
			forward((e) => item(e, 4 | 128, [[7, 2]], null, 'x')), // origin: itself
			forward((e) => item(e, 4 | 64, [[7, 9]], null, 'x')), // right origin: later
			forward((e) => {
				encoding.writeUint8(e, 4);
				encoding.writeVarUint(e, 0); // parent by id: later
				encoding.writeVarUint(e, 7);
				encoding.writeVarUint(e, 5);
				encoding.writeVarString(e, 'x');
			})
		];
		for (const update of cases) {
			expect(() => Y.decodeUpdate(update)).not.toThrow();
			expect(yjsApplies(base, update)).toBe(false);
			expect(accepts(update)).toBe(false);
		}
	});

	it('calls stale an item straddling what the document has of its client when that ends in a GC', () => {
		// The document has client 7's clocks 0–2 collected (e.g. text in a deleted agenda item).
		const base = Uint8Array.from([1, 1, 7, 0, 0, 3, 0]);
		const e = encoding.createEncoder();
		for (const n of [1, 1, 7, 1]) encoding.writeVarUint(e, n); // client 7, from clock 1
		encoding.writeUint8(e, 4);
		encoding.writeVarUint(e, 1);
		encoding.writeVarString(e, 'notes');
		encoding.writeVarString(e, 'abcd'); // clocks 1–4
		encoding.writeVarUint(e, 0);
		const update = encoding.toUint8Array(e);
		expect(yjsApplies(base, update)).toBe(false);
		const doc = new Y.Doc();
		Y.applyUpdate(doc, base);
		expect(inspectUpdate(update, doc.store)).toMatchObject({ empty: false, stale: true });
		// Starting where the document ends, or ending before it, it is fine.
		expect(inspectUpdate(update, new Y.Doc().store).stale).toBe(false);
		expect(inspectUpdate(Uint8Array.from([1, 1, 7, 3, 4, 1, 5, 110, 111, 116, 101, 115, 1, 120, 0]), doc.store).stale).toBe(false);
	});

	it('refuses bytes after the delete set, empty structs and a client written twice', () => {
		const valid = Y.encodeStateAsUpdate(richDocument().doc);
		expect(accepts(Uint8Array.from([...valid, 0]))).toBe(false);
		const twice = encoding.createEncoder();
		for (const n of [2, 1, 5, 0, 8, 1, 1, 5, 1, 8, 1, 0]) encoding.writeVarUint(twice, n); // client 5 twice (any content)
		expect(accepts(encoding.toUint8Array(twice))).toBe(false);
		for (const empty of [
			[1, 1, 5, 0, 4, 1, 5, ...'notes'.split('').map((c) => c.charCodeAt(0)), 0, 0], // empty string
			[1, 1, 5, 0, 0, 0, 0] // zero-length GC
		])
			expect(accepts(Uint8Array.from(empty))).toBe(false);
	});

	it('never lets through a mutated update that Yjs cannot apply whole (fuzz)', { timeout: 60_000 }, () => {
		const rand = rng(11);
		const { doc, updates } = richDocument();
		const base = Y.encodeStateAsUpdate(doc);
		const older = new Y.Doc();
		Y.applyUpdate(older, updates[3]!);
		const olderState = Y.encodeStateAsUpdate(older);
		const genuine = [...updates, base, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(older))];
		const targets = [olderState, base].map((state) => [state, docAt(state)] as const);
		let acceptedMutants = 0;
		let readyMutants = 0;
		for (let i = 0; i < 20_000; i++) {
			const source = genuine[Math.floor(rand() * genuine.length)]!;
			const bytes = [...source];
			const edits = 1 + Math.floor(rand() * 3);
			for (let k = 0; k < edits; k++) {
				const at = Math.floor(rand() * bytes.length);
				const r = rand();
				if (r < 0.4) bytes[at] = Math.floor(rand() * 256);
				else if (r < 0.6) bytes[at] = bytes[at]! ^ (1 << Math.floor(rand() * 8));
				else if (r < 0.75) bytes.splice(at, 1);
				else if (r < 0.9) bytes.splice(at, 0, Math.floor(rand() * 256));
				else bytes.length = at;
			}
			const mutant = Uint8Array.from(bytes);
			// Where it belongs, and where most of what it refers to is missing.
			for (const [state, target] of targets) {
				if (!accepts(mutant, target)) continue;
				acceptedMutants++;
				expect(yjsApplies(state, mutant), `mutant ${i}: ${Buffer.from(mutant).toString('hex')}`).toBe(true);
				// (The server never holds anything pending: it drops a document that would.)
				if (target.store.pendingStructs || target.store.pendingDs || !ready(mutant, target)) continue;
				readyMutants++;
				expect(nothingPending(state, mutant), `ready mutant ${i}: ${Buffer.from(mutant).toString('hex')}`).toBe(true);
			}
		}
		expect(acceptedMutants).toBeGreaterThan(1000);
		expect(readyMutants).toBeGreaterThan(200);
	});

	it('never lets through a well-formed update with references Yjs cannot resolve (fuzz)', { timeout: 60_000 }, () => {
		const rand = rng(5);
		const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
		const { doc } = richDocument();
		const base = Y.encodeStateAsUpdate(doc);
		const state = Y.decodeStateVector(Y.encodeStateVector(doc));
		const target = docAt(base);
		const clients = [1, 2, 3, 4];
		const someId = (): [number, number] => {
			const c = pick(clients);
			return [c, Math.floor(rand() * ((state.get(c) ?? 0) + 8))];
		};
		let accepted = 0;
		let refused = 0;
		let readyCount = 0;
		for (let i = 0; i < 20_000; i++) {
			const e = encoding.createEncoder();
			const sections = pick([1, 1, 2, 3]);
			const chosen = [...clients].sort(() => rand() - 0.5).slice(0, sections);
			encoding.writeVarUint(e, sections);
			for (const client of chosen) {
				const n = 1 + Math.floor(rand() * 4);
				encoding.writeVarUint(e, n);
				encoding.writeVarUint(e, client);
				encoding.writeVarUint(e, Math.max(0, (state.get(client) ?? 0) - 2 + Math.floor(rand() * 4)));
				for (let k = 0; k < n; k++) {
					const r = rand();
					if (r < 0.08) {
						encoding.writeUint8(e, pick([0, 10])); // GC or skip
						encoding.writeVarUint(e, Math.floor(rand() * 3));
						continue;
					}
					const content = pick([1, 4, 4, 4, 6, 7, 8]);
					const origin = rand() < 0.5;
					const right = rand() < 0.4;
					const sub = rand() < 0.2;
					encoding.writeUint8(e, content | (origin ? 128 : 0) | (right ? 64 : 0) | (sub ? 32 : 0));
					if (origin) someId().forEach((x) => encoding.writeVarUint(e, x));
					if (right) someId().forEach((x) => encoding.writeVarUint(e, x));
					if (!origin && !right) {
						if (rand() < 0.5) {
							encoding.writeVarUint(e, 1);
							encoding.writeVarString(e, pick(['notes', 'items', 'links', 'default', 'nuovo']));
						} else {
							encoding.writeVarUint(e, 0);
							someId().forEach((x) => encoding.writeVarUint(e, x));
						}
						if (sub) encoding.writeVarString(e, pick(['title', 'k']));
					}
					if (content === 1) encoding.writeVarUint(e, Math.floor(rand() * 3));
					else if (content === 4) encoding.writeVarString(e, 'abc'.slice(0, Math.floor(rand() * 4)));
					else if (content === 6) {
						encoding.writeVarString(e, 'bold');
						encoding.writeVarString(e, 'true');
					} else if (content === 7) encoding.writeVarUint(e, pick([0, 1, 2, 4, 6]));
					else {
						const m = Math.floor(rand() * 3);
						encoding.writeVarUint(e, m);
						for (let j = 0; j < m; j++) encoding.writeAny(e, j);
					}
				}
			}
			const deletes = Math.floor(rand() * 3);
			encoding.writeVarUint(e, deletes ? 1 : 0);
			if (deletes) {
				encoding.writeVarUint(e, pick(clients));
				encoding.writeVarUint(e, deletes);
				for (let j = 0; j < deletes; j++) someId().slice(1).concat(Math.floor(rand() * 4)).forEach((x) => encoding.writeVarUint(e, x));
			}
			const update = encoding.toUint8Array(e);
			if (!accepts(update, target)) {
				refused++;
				continue;
			}
			accepted++;
			expect(yjsApplies(base, update), `update ${i}: ${Buffer.from(update).toString('hex')}`).toBe(true);
			if (!ready(update, target)) continue;
			readyCount++;
			expect(nothingPending(base, update), `ready update ${i}: ${Buffer.from(update).toString('hex')}`).toBe(true);
		}
		expect(accepted).toBeGreaterThan(2000);
		expect(refused).toBeGreaterThan(2000);
		expect(readyCount).toBeGreaterThan(200);
	});
});
