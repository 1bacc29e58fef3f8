/**
 * Posts are written in Markdown and shown as HTML rendered here, on the server, when a post is
 * saved: `marked` parses (raw HTML in the text is shown as text, never passed through), and
 * `sanitize-html` keeps an allowlist of tags, attributes and URL schemes, whatever the parser
 * produced. Mentions are written `@[Name](user:<id>)` or `@[Ente](org:<id>)` (the editor's
 * autocomplete inserts them) and become links.
 *
 * The renderer (`marked`, `sanitize-html` with PostCSS and htmlparser2: about 15 MiB of resident
 * memory) is loaded by the first post rendered, not at start-up.
 */

export interface Mentions {
	users: string[];
	organizations: string[];
}
export interface RenderedPost {
	html: string;
	text: string;
	mentions: Mentions;
}

let renderer: Promise<typeof import('./markdown-render')> | undefined;

/** Renders and sanitises a post, and lists whom it mentions. */
export async function renderPost(markdown: string): Promise<RenderedPost> {
	if (!renderer) {
		renderer = import('./markdown-render');
		renderer.catch(() => (renderer = undefined)); // tried again next time
	}
	return (await renderer).renderPost(markdown);
}

/** A short excerpt of a post's text, for notifications. */
export function excerpt(text: string, max = 140): string {
	return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
