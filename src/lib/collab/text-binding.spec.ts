import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffText, transformPosition } from './text-binding';

describe('diffText', () => {
	it.each([
		['', 'abc', { index: 0, remove: 0, insert: 'abc' }],
		['abc', 'abXc', { index: 2, remove: 0, insert: 'X' }],
		['abcdef', 'abef', { index: 2, remove: 2, insert: '' }],
		['aaa', 'aa', { index: 2, remove: 1, insert: '' }],
		['verbale', 'Verbale', { index: 0, remove: 1, insert: 'V' }]
	])('%j → %j', (a, b, expected) => {
		expect(diffText(a, b)).toEqual(expected);
		const applied = a.slice(0, expected.index) + expected.insert + a.slice(expected.index + expected.remove);
		expect(applied).toBe(b);
	});
});

describe('transformPosition', () => {
	it('moves a caret after remote inserts and deletes before it, not after it', () => {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		text.insert(0, 'ordine del giorno');
		let delta: Y.YTextEvent['delta'] = [];
		text.observe((e) => (delta = e.delta));
		text.insert(0, 'Nuovo ');
		expect(transformPosition(7, delta)).toBe(13);
		text.delete(0, 6);
		expect(transformPosition(13, delta)).toBe(7);
		text.insert(15, '!');
		expect(transformPosition(3, delta)).toBe(3);
	});
});
