/**
 * A readable diff between two plain texts of the minutes (versions, or a version and the draft).
 * Lines (blocks) are compared first; each run of changed lines is then compared word by word.
 * Both steps have a bounded edit length, so very different texts cost linear-ish time: when a
 * bound is exceeded the affected part stays at line level (or the whole text is replaced) and the
 * result says `coarse: true`. Pure: runs in Node and in the browser.
 */
import { diffLines, diffWordsWithSpace, type Change } from 'diff';

export type DiffPartType = 'same' | 'added' | 'removed';

export interface DiffPart {
	type: DiffPartType;
	text: string;
}

export interface VersionDiff {
	parts: DiffPart[];
	/** Some changes are shown as whole lines (or whole texts) instead of words. */
	coarse: boolean;
}

export interface DiffOptions {
	/** Most line edits to look for before giving up on a line diff (default 1000). */
	maxLineEdits?: number;
	/** Most word edits per changed run of lines before showing it as whole lines (default 1000). */
	maxWordEdits?: number;
}

const DEFAULT_MAX_LINE_EDITS = 1000;
const DEFAULT_MAX_WORD_EDITS = 1000;

/** Diff of `a` (old) → `b` (new). Joining the same+removed parts gives `a`, same+added gives `b`. */
export function diffVersions(a: string, b: string, options: DiffOptions = {}): VersionDiff {
	const maxLineEdits = options.maxLineEdits ?? DEFAULT_MAX_LINE_EDITS;
	const maxWordEdits = options.maxWordEdits ?? DEFAULT_MAX_WORD_EDITS;
	if (a === b) return { parts: a ? [{ type: 'same', text: a }] : [], coarse: false };

	const lines = diffLines(a, b, { maxEditLength: maxLineEdits });
	if (!lines) return { parts: merge(wholeLines(a, b)), coarse: true };

	const parts: DiffPart[] = [];
	let coarse = false;
	for (let i = 0; i < lines.length; i++) {
		const change = lines[i]!;
		if (!change.added && !change.removed) {
			parts.push(part('same', change.value));
			continue;
		}
		// A run of changed lines: removed and/or added, in either order.
		let removed = '';
		let added = '';
		for (; i < lines.length && (lines[i]!.added || lines[i]!.removed); i++) {
			if (lines[i]!.added) added += lines[i]!.value;
			else removed += lines[i]!.value;
		}
		i--;
		if (!removed || !added) {
			parts.push(part('removed', removed), part('added', added));
			continue;
		}
		const words = diffWordsWithSpace(removed, added, { maxEditLength: maxWordEdits });
		if (!words) {
			coarse = true;
			parts.push(part('removed', removed), part('added', added));
		} else {
			parts.push(...words.map(fromChange));
		}
	}
	return { parts: merge(parts), coarse };
}

/** Words added and removed (a word: a run of non-space characters, punctuation included). */
export function diffStats(parts: readonly DiffPart[]): { added: number; removed: number } {
	let added = 0;
	let removed = 0;
	for (const p of parts) {
		if (p.type === 'same') continue;
		const n = countWords(p.text);
		if (p.type === 'added') added += n;
		else removed += n;
	}
	return { added, removed };
}

/** The last resort: common leading and trailing lines kept, everything between replaced. */
function wholeLines(a: string, b: string): DiffPart[] {
	const la = a.split(/(?<=\n)/);
	const lb = b.split(/(?<=\n)/);
	let head = 0;
	while (head < la.length && head < lb.length && la[head] === lb[head]) head++;
	let tail = 0;
	while (tail < la.length - head && tail < lb.length - head && la[la.length - 1 - tail] === lb[lb.length - 1 - tail]) tail++;
	return [
		part('same', la.slice(0, head).join('')),
		part('removed', la.slice(head, la.length - tail).join('')),
		part('added', lb.slice(head, lb.length - tail).join('')),
		part('same', la.slice(la.length - tail).join(''))
	];
}

function countWords(text: string): number {
	return text.match(/\S+/g)?.length ?? 0;
}

function part(type: DiffPartType, text: string): DiffPart {
	return { type, text };
}

function fromChange(change: Change): DiffPart {
	return part(change.added ? 'added' : change.removed ? 'removed' : 'same', change.value);
}

/**
 * Drops empty parts, joins neighbours of the same type, and within each run of changes puts the
 * removed text before the added text (so the reader sees "old → new"). Bare spaces between two
 * changes join them ("b c" → "x y" rather than b→x, " ", c→y).
 */
function merge(input: DiffPart[]): DiffPart[] {
	const parts = input.filter((p) => p.text);
	const out: DiffPart[] = [];
	let removed = '';
	let added = '';
	const flush = () => {
		if (removed) out.push(part('removed', removed));
		if (added) out.push(part('added', added));
		removed = added = '';
	};
	for (let i = 0; i < parts.length; i++) {
		const p = parts[i]!;
		if (p.type === 'removed') removed += p.text;
		else if (p.type === 'added') added += p.text;
		else if ((removed || added) && /^ +$/.test(p.text) && parts[i + 1] && parts[i + 1]!.type !== 'same') {
			removed += p.text;
			added += p.text;
		} else {
			flush();
			const last = out[out.length - 1];
			if (last?.type === 'same') last.text += p.text;
			else out.push(part('same', p.text));
		}
	}
	flush();
	return out;
}
