/**
 * Snippets: both engines mark matches with two control characters (which documents never contain,
 * see documents.ts), and this module turns such marked text into the one HTML the API returns:
 * escaped text with <mark>…</mark> around matches, and nothing else.
 */
export const HL_START = '\u0001';
export const HL_END = '\u0002';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Control characters other than tab and newlines: removed from indexed text (they include the markers). */
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * The marks of `marked` (a highlighter's output over the unaccented text) placed on `original`.
 * unaccent keeps the length of Italian text (à → a); when the lengths differ (ligatures such as
 * œ → oe), the original comes back without marks rather than with misplaced ones.
 */
export function transferMarks(marked: string, original: string): string {
	const plain = marked.replace(/[\u0001\u0002]/g, '');
	if (plain.length !== original.length) return original;
	let out = '';
	let i = 0;
	for (const ch of marked) {
		if (ch === HL_START || ch === HL_END) out += ch;
		else {
			out += original.slice(i, i + ch.length);
			i += ch.length;
		}
	}
	return out;
}

/**
 * Cuts marked text to about `maxChars` around its first match, on word boundaries, with "…" where
 * text was left out; never inside a marked word.
 */
export function cropMarked(marked: string, maxChars = 220): string {
	if (marked.length <= maxChars) return marked;
	const first = marked.indexOf(HL_START);
	let start = first < 0 ? 0 : Math.max(0, first - Math.floor(maxChars / 3));
	if (start > 0) {
		const space = marked.indexOf(' ', start);
		start = space >= 0 && space < (first < 0 ? marked.length : first) ? space + 1 : first < 0 ? start : first;
	}
	let end = Math.min(marked.length, start + maxChars);
	if (end < marked.length) {
		const space = marked.lastIndexOf(' ', end);
		if (space > start) end = space;
		// Never end inside a mark.
		const open = marked.lastIndexOf(HL_START, end);
		const close = marked.lastIndexOf(HL_END, end);
		if (open > close) {
			const closeAfter = marked.indexOf(HL_END, end);
			end = closeAfter >= 0 ? closeAfter + 1 : marked.length;
		}
	}
	return (start > 0 ? '… ' : '') + marked.slice(start, end).trim() + (end < marked.length ? ' …' : '');
}

/** Marked text → escaped HTML with balanced <mark> elements. */
export function renderSnippet(marked: string): string {
	let html = '';
	let open = false;
	let buf = '';
	const flush = () => {
		html += escapeHtml(buf.replace(CONTROL_CHARS, ''));
		buf = '';
	};
	for (const ch of marked) {
		if (ch === HL_START) {
			flush();
			if (!open) html += '<mark>';
			open = true;
		} else if (ch === HL_END) {
			flush();
			if (open) html += '</mark>';
			open = false;
		} else buf += ch;
	}
	flush();
	if (open) html += '</mark>';
	return html.replace(/<mark><\/mark>/g, '');
}
