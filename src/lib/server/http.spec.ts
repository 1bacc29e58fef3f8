import { describe, expect, it } from 'vitest';
import { safeRedirectTarget } from './http';

describe('safeRedirectTarget', () => {
	it.each([
		['/tables?kind=tematico', '/tables?kind=tematico'],
		['/people/1#x', '/people/1#x'],
		[null, '/'],
		['', '/'],
		['https://evil.example/', '/'],
		['//evil.example', '/'],
		['/\\evil.example', '/'],
		['/\t/evil.example', '/'],
		['/\n/evil.example', '/'],
		['\\\\evil.example', '/'],
		['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
		['javascript:alert(1)', '/']
	])('%j → %j', (input, expected) => expect(safeRedirectTarget(input)).toBe(expected));
});
