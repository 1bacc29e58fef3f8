/** The post renderer behind `renderPost` in ./markdown (loaded on first use; see there). */
import { Marked, type TokenizerAndRendererExtension, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import type { RenderedPost } from './markdown';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MENTION = new RegExp(`^@\\[([^\\[\\]\\n]{1,120})\\]\\((user|org):(${UUID})\\)`);


const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

interface MentionToken extends Tokens.Generic {
	type: 'mention';
	label: string;
	kind: 'user' | 'org';
	id: string;
}

const mention: TokenizerAndRendererExtension = {
	name: 'mention',
	level: 'inline',
	start: (src: string) => {
		const i = src.indexOf('@[');
		return i < 0 ? undefined : i;
	},
	tokenizer(src: string) {
		const m = MENTION.exec(src);
		if (!m) return undefined;
		return { type: 'mention', raw: m[0], label: m[1]!.trim(), kind: m[2] as 'user' | 'org', id: m[3]! } satisfies MentionToken;
	},
	renderer(token) {
		const t = token as MentionToken;
		const href = t.kind === 'user' ? `/people/${t.id}` : `/partners/${t.id}`;
		return `<a href="${href}" class="mention" data-mention="${t.kind}:${t.id}">@${escapeHtml(t.label)}</a>`;
	}
};

const parser = new Marked({
	gfm: true,
	breaks: true,
	async: false,
	extensions: [mention],
	renderer: {
		// Raw HTML typed in a post is text, not markup.
		html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
		// Images from elsewhere would tell their host who reads the thread: a link instead.
		image: ({ href, text }: Tokens.Image) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`
	}
});

const SANITIZE: sanitizeHtml.IOptions = {
	allowedTags: ['p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
	allowedAttributes: {
		a: ['href', 'class', 'data-mention', 'rel', 'target', 'title'],
		ol: ['start'],
		th: ['align'],
		td: ['align']
	},
	allowedClasses: { a: ['mention'] },
	allowedSchemes: ['http', 'https', 'mailto', 'tel'],
	allowedSchemesAppliedToAttributes: ['href'],
	allowProtocolRelative: false,
	disallowedTagsMode: 'escape',
	// A post's headings sit below the page's own (h1 page, h2 thread).
	transformTags: {
		h1: 'h3',
		h2: 'h4',
		a: (tagName, attribs) => {
			const href = attribs.href ?? '';
			const internal = href.startsWith('/') && !href.startsWith('//');
			return {
				tagName,
				attribs: internal ? { ...attribs } : { ...attribs, rel: 'nofollow noopener noreferrer', target: '_blank' }
			};
		}
	}
};

/** Renders and sanitises a post, and lists whom it mentions. */
export function renderPost(markdown: string): RenderedPost {
	const users = new Set<string>();
	const organizations = new Set<string>();
	const tokens = parser.lexer(markdown);
	parser.walkTokens(tokens, (token) => {
		if (token.type !== 'mention') return;
		const t = token as MentionToken;
		(t.kind === 'user' ? users : organizations).add(t.id);
	});
	const raw = parser.parser(tokens);
	const html = sanitizeHtml(raw, SANITIZE).trim();
	return { html, text: plainText(html), mentions: { users: [...users], organizations: [...organizations] } };
}

/** The text of rendered HTML (for search, notifications and e-mails). */
export function plainText(html: string): string {
	const spaced = html.replace(/<\/(p|li|h[3-6]|blockquote|pre|tr)>|<br\s*\/?>/gi, '$& ');
	return sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
		.replace(/&amp;/g, '&')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/\s+/g, ' ')
		.trim();
}
