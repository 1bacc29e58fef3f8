import { describe, expect, it } from 'vitest';
import { Parser } from 'htmlparser2';
import { excerpt, renderPost } from './markdown';
import { XSS_VECTORS } from './xss-vectors';

const USER = '3f1a2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const ORG = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';

describe('post Markdown', () => {
	it('renders the usual formatting', async () => {
		const { html, text } = await renderPost('# Titolo\n\n**grassetto**, _corsivo_, ~~barrato~~ e `codice`\n\n- uno\n- due\n\n1. primo\n\n> citazione\n\n[sito](https://www.regione.emilia-romagna.it)');
		expect(html).toContain('<h3>Titolo</h3>');
		expect(html).toContain('<strong>grassetto</strong>');
		expect(html).toContain('<em>corsivo</em>');
		expect(html).toContain('<del>barrato</del>');
		expect(html).toContain('<code>codice</code>');
		expect(html).toMatch(/<ul>\s*<li>uno<\/li>/);
		expect(html).toContain('<blockquote>');
		expect(html).toContain('<a href="https://www.regione.emilia-romagna.it" rel="nofollow noopener noreferrer" target="_blank">sito</a>');
		expect(text).toBe('Titolo grassetto, corsivo, barrato e codice uno due primo citazione sito');
	});

	it('turns mentions into links and lists them', async () => {
		const { html, mentions, text } = await renderPost(`Ciao @[Silvia Malagoli](user:${USER}) e @[CIAC Parma](org:${ORG}), ci vediamo martedì.`);
		expect(html).toContain(`<a href="/people/${USER}" class="mention" data-mention="user:${USER}">@Silvia Malagoli</a>`);
		expect(html).toContain(`<a href="/partners/${ORG}" class="mention" data-mention="org:${ORG}">@CIAC Parma</a>`);
		expect(mentions).toEqual({ users: [USER], organizations: [ORG] });
		expect(text).toBe('Ciao @Silvia Malagoli e @CIAC Parma, ci vediamo martedì.');
	});

	it('does not take an e-mail address or a malformed mention for a mention', async () => {
		const { mentions, html } = await renderPost('scrivi a rete@example.org oppure @[Nome](user:123) o `@[X](user:' + USER + ')`');
		expect(mentions).toEqual({ users: [], organizations: [] });
		expect(html).not.toContain('class="mention"');
	});

	it('shows raw HTML as text', async () => {
		const { html, text } = await renderPost('Uso <b>grassetto</b> e <marquee>testo</marquee>');
		expect(html).not.toMatch(/<b>|<marquee>/);
		expect(text).toBe('Uso <b>grassetto</b> e <marquee>testo</marquee>');
	});

	/** Every element and attribute a browser would build from the HTML (text stays text). */
	function elements(html: string) {
		const found: { name: string; attribs: Record<string, string> }[] = [];
		const parser = new Parser({ onopentag: (name, attribs) => found.push({ name, attribs }) }, { decodeEntities: true });
		parser.write(html);
		parser.end();
		return found;
	}
	const ALLOWED = new Set(['p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

	it.each(XSS_VECTORS.map((v) => [v]))('neutralises %j', async (vector) => {
		const { html } = await renderPost(vector);
		for (const el of elements(html)) {
			// Only harmless elements, no event handler or inline style, links to the web, mail or phone only.
			expect(ALLOWED.has(el.name), el.name).toBe(true);
			for (const [attr, value] of Object.entries(el.attribs)) {
				expect(attr).not.toMatch(/^on|^style$|^src$|^action$|^formaction$|xlink/i);
				if (attr === 'href') expect(value.trim()).toMatch(/^(https?:|mailto:|tel:|\/[^/])/i);
			}
		}
	});

	it('keeps excerpts short', () => {
		expect(excerpt('a'.repeat(10), 20)).toBe('a'.repeat(10));
		expect(excerpt('parola '.repeat(40), 30)).toHaveLength(30);
		expect(excerpt('parola '.repeat(40), 30).endsWith('…')).toBe(true);
	});
});
