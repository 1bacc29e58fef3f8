import { describe, expect, it } from 'vitest';
import { markParts } from './marks';

describe('markParts', () => {
	it('splits a snippet into marked and plain text, decoding entities once', () => {
		expect(markParts('La <mark>mediazione</mark> &amp; &lt;b&gt;')).toEqual([
			{ text: 'La ', marked: false },
			{ text: 'mediazione', marked: true },
			{ text: ' & <b>', marked: false }
		]);
		expect(markParts('&amp;lt;mark&amp;gt;')).toEqual([{ text: '&lt;mark&gt;', marked: false }]);
	});
});
