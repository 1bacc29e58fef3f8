import type * as Y from 'yjs';

/** The smallest edit turning `before` into `after`: common prefix and suffix kept. */
export function diffText(before: string, after: string): { index: number; remove: number; insert: string } {
	let start = 0;
	const max = Math.min(before.length, after.length);
	while (start < max && before[start] === after[start]) start++;
	let endBefore = before.length;
	let endAfter = after.length;
	while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
		endBefore--;
		endAfter--;
	}
	return { index: start, remove: endBefore - start, insert: after.slice(start, endAfter) };
}

/** Where a caret at `pos` ends up after a remote change described by a Y.Text delta. */
export function transformPosition(pos: number, delta: Y.YTextEvent['delta']): number {
	let index = 0;
	let result = pos;
	for (const op of delta) {
		if (op.retain !== undefined) index += op.retain;
		else if (typeof op.insert === 'string') {
			if (index <= pos) result += op.insert.length;
			index += op.insert.length;
		} else if (op.delete !== undefined) {
			if (index < pos) result -= Math.min(op.delete, pos - index);
		}
	}
	return Math.max(0, result);
}
