import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AgendaFullError, MAX_ITEMS, addItem, appendItems, itemText, itemsOf, moveItem, readItems, removeItem, runningTimes, setItemField, setLinks } from './model';

const sync = (a: Y.Doc, b: Y.Doc) => {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};
const titles = (d: Y.Doc) => readItems(d).map((i) => i.title);

describe('agenda document model', () => {
	it('adds, inserts, moves and removes items in order', () => {
		const d = new Y.Doc();
		const [a, b, c] = appendItems(d, [{ title: 'A' }, { title: 'B' }, { title: 'C' }]);
		addItem(d, { title: 'X' }, 1);
		expect(titles(d)).toEqual(['A', 'X', 'B', 'C']);
		moveItem(d, c!, 0);
		expect(titles(d)).toEqual(['C', 'A', 'X', 'B']);
		moveItem(d, c!, 3);
		expect(titles(d)).toEqual(['A', 'X', 'B', 'C']);
		removeItem(d, b!);
		expect(titles(d)).toEqual(['A', 'X', 'C']);
		expect(a).toBeTruthy();
	});

	it('keeps a concurrent text edit of an item that another person moves', () => {
		const d1 = new Y.Doc();
		const d2 = new Y.Doc();
		const [a, , c] = appendItems(d1, [{ title: 'A' }, { title: 'B' }, { title: 'C' }]);
		sync(d1, d2);
		moveItem(d1, c!, 0);
		itemText(d2, c!, 'title')!.insert(1, ' (rivisto)');
		itemText(d2, a!, 'notes')!.insert(0, 'nota');
		sync(d1, d2);
		expect(titles(d1)).toEqual(['C (rivisto)', 'A', 'B']);
		expect(titles(d2)).toEqual(titles(d1));
		expect(readItems(d1)[1]!.notes).toBe('nota');
	});

	it('converges when two people insert at the same place, and can still insert between ties', () => {
		const d1 = new Y.Doc();
		const d2 = new Y.Doc();
		appendItems(d1, [{ title: 'A' }, { title: 'B' }]);
		sync(d1, d2);
		addItem(d1, { title: 'X1' }, 1);
		addItem(d2, { title: 'X2' }, 1);
		sync(d1, d2);
		expect(titles(d1)).toEqual(titles(d2));
		expect(titles(d1).slice(0, 1)).toEqual(['A']);
		expect(titles(d1).at(-1)).toBe('B');
		// Insert between the two tied keys: renumbering keeps the order and places the new item.
		addItem(d1, { title: 'Y' }, 2);
		expect(titles(d1)[2]).toBe('Y');
		expect(titles(d1).length).toBe(5);
	});

	it('normalises malformed content written by a faulty client', () => {
		const d = new Y.Doc();
		const m = new Y.Map<unknown>();
		itemsOf(d).set('bad', m);
		m.set('title', 42);
		m.set('kind', 'boh');
		m.set('duration', -5);
		const links = new Y.Array<string>();
		links.push(['javascript:alert(1)', 'https://example.org/doc']);
		m.set('links', links);
		const [item] = readItems(d);
		expect(item).toMatchObject({ title: '', kind: 'informativa', durationMinutes: 0, links: ['https://example.org/doc'] });
		setItemField(d, 'bad', 'kind', 'decisione');
		setItemField(d, 'bad', 'duration', 9999);
		expect(readItems(d)[0]).toMatchObject({ kind: 'decisione', durationMinutes: 600 });
	});

	it('computes running times from the meeting start', () => {
		const d = new Y.Doc();
		appendItems(d, [
			{ title: 'A', durationMinutes: 15 },
			{ title: 'B', durationMinutes: 30 },
			{ title: 'C', durationMinutes: 20 }
		]);
		const { items, totalMinutes } = runningTimes(readItems(d), new Date('2026-11-26T09:00:00Z'));
		expect(totalMinutes).toBe(65);
		expect(items.map((i) => i.startOffsetMinutes)).toEqual([0, 15, 45]);
		expect(items[2]!.startsAt!.toISOString()).toBe('2026-11-26T09:45:00.000Z');
	});

	it('keeps a faulty writer from breaking readers: control characters, duplicate links, odd ids, too many items', () => {
		const d = new Y.Doc();
		const [id] = appendItems(d, [{ title: 'Punto\u0000 uno', notes: 'a\u0007b\nc' }]);
		setLinks(d, id!, ['https://a.it', 'https://a.it/', 'https://b.it']);
		expect(readItems(d)[0]).toMatchObject({ title: 'Punto uno', notes: 'ab\nc', links: ['https://a.it/', 'https://b.it/'] });
		const odd = new Y.Map<unknown>();
		odd.set('title', 'x');
		itemsOf(d).set('x'.repeat(65), odd);
		itemsOf(d).set('with space', odd.clone());
		expect(readItems(d)).toHaveLength(1);
		const many = new Y.Doc();
		many.transact(() => {
			for (let i = 0; i < MAX_ITEMS + 5; i++) {
				const m = new Y.Map<unknown>();
				m.set('order', `a${String(i).padStart(4, '0')}`);
				itemsOf(many).set(`i${i}`, m);
			}
		});
		expect(readItems(many)).toHaveLength(MAX_ITEMS);
		// Adding to a full agenda changes nothing and says why.
		const before = Y.encodeStateVector(many);
		expect(() => appendItems(many, [{ title: 'troppo' }])).toThrow(AgendaFullError);
		expect(Y.encodeStateVector(many)).toEqual(before);
	});

	it('moves an item to the right place even when the keys around it tie', () => {
		const d = new Y.Doc();
		const ids = appendItems(d, [{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'D' }]);
		// Simulate concurrent inserts that produced equal keys.
		for (const id of ids) (itemsOf(d).get(id) as Y.Map<unknown>).set('order', 'a0');
		const order = titles(d);
		moveItem(d, ids[0]!, 2);
		const expected = order.filter((t) => t !== 'A');
		expected.splice(2, 0, 'A');
		expect(titles(d)).toEqual(expected);
	});
});
