/**
 * Search snippets come from the server escaped, with <mark> around the matches. They are split here
 * into text parts, rendered as text (never as HTML), so nothing in the indexed text can become markup.
 */
export interface MarkPart {
	text: string;
	marked: boolean;
}

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#0?39;/g, "'").replace(/&amp;/g, '&');

export function markParts(snippet: string): MarkPart[] {
	const parts: MarkPart[] = [];
	let marked = false;
	for (const token of snippet.split(/(<mark>|<\/mark>)/)) {
		if (token === '<mark>') marked = true;
		else if (token === '</mark>') marked = false;
		else if (token) parts.push({ text: decode(token), marked });
	}
	return parts;
}
