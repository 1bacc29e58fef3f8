import { describe, expect, it } from 'vitest';
import type { PMNode } from './schema';
import {
	collectActions,
	collectDecisions,
	docToMarkdown,
	docToPlainText,
	escapeMd,
	formatItalianDate,
	isValidBlockId,
	isValidIsoDate,
	safeHref,
	sectionsOf,
	type NameResolver
} from './text';

type Mark = NonNullable<PMNode['marks']>[number];
const t = (text: string, ...marks: (string | Mark)[]): PMNode => ({
	type: 'text',
	text,
	...(marks.length ? { marks: marks.map((m) => (typeof m === 'string' ? { type: m } : m)) } : {})
});
const link = (href: string): Mark => ({ type: 'link', attrs: { href } });
const br: PMNode = { type: 'hardBreak' };
const p = (...content: PMNode[]): PMNode => ({ type: 'paragraph', content });
const h = (level: number, text: string, agendaItemId: string | null = null): PMNode => ({ type: 'heading', attrs: { level, agendaItemId }, content: [t(text)] });
const doc = (...content: PMNode[]): PMNode => ({ type: 'doc', content });
const li = (...content: PMNode[]): PMNode => ({ type: 'listItem', content });
const ul = (...items: PMNode[]): PMNode => ({ type: 'bulletList', content: items });
const ol = (start: number, ...items: PMNode[]): PMNode => ({ type: 'orderedList', attrs: { start }, content: items });
const decision = (id: unknown, ...content: PMNode[]): PMNode => ({ type: 'decision', attrs: { id }, content });
const action = (attrs: Record<string, unknown>, ...content: PMNode[]): PMNode => ({
	type: 'actionItem',
	attrs: { id: null, ownerUserId: null, ownerOrganizationId: null, dueDate: null, ...attrs },
	content
});
const cell = (type: 'tableCell' | 'tableHeader', ...content: PMNode[]): PMNode => ({ type, content: content.length ? content : [p()] });
const row = (...cells: PMNode[]): PMNode => ({ type: 'tableRow', content: cells });
const table = (...rows: PMNode[]): PMNode => ({ type: 'table', content: rows });

const resolver: NameResolver = {
	person: (id) => ({ u1: 'Mario Rossi', u2: 'Anna *Star*' })[id] ?? null,
	organization: (id) => ({ o1: 'Comune di Modena' })[id] ?? null
};

describe('docToPlainText', () => {
	it('separates blocks with blank lines and leaves empty ones out', () => {
		expect(docToPlainText(doc(h(1, 'Verbale'), p(t('Uno')), p(), p(t('Due'))))).toBe('Verbale\n\nUno\n\nDue');
	});

	it('returns an empty string for an empty document', () => {
		expect(docToPlainText(doc())).toBe('');
		expect(docToPlainText({ type: 'doc' })).toBe('');
	});

	it('drops marks, keeps link text, turns hard breaks into newlines', () => {
		const d = doc(p(t('Vedi '), t('il sito', link('https://example.org')), t(' e '), t('questo', 'bold', 'italic'), br, t('a capo')));
		expect(docToPlainText(d)).toBe('Vedi il sito e questo\na capo');
	});

	it('prefixes list items and numbers ordered lists from their start, nesting with indentation', () => {
		const d = doc(ul(li(p(t('primo')), ol(3, li(p(t('tre'))), li(p(t('quattro'))))), li(p(t('secondo')))));
		expect(docToPlainText(d)).toBe('- primo\n  3. tre\n  4. quattro\n- secondo');
	});

	it('writes table rows as cells joined by " | "', () => {
		const d = doc(table(row(cell('tableHeader', p(t('Ente'))), cell('tableHeader', p(t('Famiglie')))), row(cell('tableCell', p(t('Comune'))), cell('tableCell', p(t('12'))))));
		expect(docToPlainText(d)).toBe('Ente | Famiglie\nComune | 12');
	});

	it('prefixes decisions and action items', () => {
		const d = doc(decision('d1', t('Si apre lo sportello')), action({ id: 'a1', ownerUserId: 'u1', dueDate: '2026-12-31' }, t('Preparare il calendario')));
		expect(docToPlainText(d)).toBe('DECISIONE: Si apre lo sportello\n\nAZIONE: Preparare il calendario');
	});

	it('adds owner and due date to action items when a resolver is given', () => {
		const d = doc(
			action({ id: 'a1', ownerUserId: 'u1', ownerOrganizationId: 'o1', dueDate: '2026-12-31' }, t('Uno')),
			action({ id: 'a2', ownerOrganizationId: 'o1' }, t('Due')),
			action({ id: 'a3', dueDate: '2026-01-05' }, t('Tre')),
			action({ id: 'a4', ownerUserId: 'unknown', dueDate: '2026-02-30' }, t('Quattro'))
		);
		expect(docToPlainText(d, resolver).split('\n\n')).toEqual([
			'AZIONE: Uno (responsabile: Mario Rossi (Comune di Modena), entro il 31/12/2026)',
			'AZIONE: Due (responsabile: Comune di Modena)',
			'AZIONE: Tre (entro il 05/01/2026)',
			'AZIONE: Quattro'
		]);
	});

	it('uses the labels and date format it is given', () => {
		const d = doc(decision('d1', t('Open the desk')), action({ id: 'a1', ownerUserId: 'u1', dueDate: '2026-12-31' }, t('Prepare')));
		const text = docToPlainText(d, resolver, { labels: { decision: 'Decision', action: 'Action', owner: 'owner', dueBy: 'by' }, formatDate: (iso) => iso });
		expect(text).toBe('DECISION: Open the desk\n\nACTION: Prepare (owner: Mario Rossi, by 2026-12-31)');
	});

	it('keeps code blocks verbatim and quotes blockquotes', () => {
		const d = doc({ type: 'codeBlock', content: [t('a  b\n\tc\n')] }, { type: 'blockquote', content: [p(t('citato')), p(t('ancora'))] }, { type: 'horizontalRule' });
		expect(docToPlainText(d)).toBe('a  b\n\tc\n\n> citato\n>\n> ancora\n\n---');
	});

	it('removes control characters from text', () => {
		expect(docToPlainText(doc(p(t('a\u0000b\u0007c\td\u009Fe'))))).toBe('abc de');
	});
});

describe('docToMarkdown', () => {
	const md = (...blocks: PMNode[]) => docToMarkdown(doc(...blocks));

	it('writes headings and paragraphs', () => {
		expect(md(h(1, 'Verbale'), h(2, 'Punto 1'), h(3, 'Dettagli'), p(t('Testo')))).toBe('# Verbale\n\n## Punto 1\n\n### Dettagli\n\nTesto');
	});

	it('writes emphasis, strike and code, moving spaces outside the delimiters', () => {
		expect(md(p(t('un '), t('grassetto ', 'bold'), t('corsivo', 'italic'), t(' '), t('barrato', 'strike'), t(' e '), t('x = 1', 'code')))).toBe(
			'un **grassetto** *corsivo* ~~barrato~~ e `x = 1`'
		);
	});

	it('nests marks that continue over several text nodes', () => {
		expect(md(p(t('a', 'bold'), t('b', 'bold', 'italic'), t('c', 'bold')))).toBe('**a*b*c**');
	});

	it('drops underline (no Markdown form) but keeps the text', () => {
		expect(md(p(t('sotto', 'underline')))).toBe('sotto');
	});

	it('fences code spans that contain backticks', () => {
		expect(md(p(t('a`b', 'code')))).toBe('``a`b``');
		expect(md(p(t('`x`', 'code')))).toBe('`` `x` ``');
	});

	it('keeps http(s) links and turns other links into plain text', () => {
		expect(md(p(t('sito', link('https://example.org/a_b?q=1'))))).toBe('[sito](https://example.org/a_b?q=1)');
		expect(md(p(t('strano', link('javascript:alert(1)'))))).toBe('strano');
		expect(md(p(t('posta', link('mailto:a@b.it'))))).toBe('posta');
		expect(md(p(t('parentesi', link('https://example.org/a (b)'))))).toBe('[parentesi](https://example.org/a%20%28b%29)');
		expect(md(p(t('grassetto', 'bold', link('https://example.org'))))).toBe('[**grassetto**](https://example.org/)');
	});

	it('escapes Markdown syntax in text so that it stays literal', () => {
		expect(md(p(t('*not bold* and _not italic_ [not](link) `not code` ~~no~~ a|b <b>')))).toBe(
			'\\*not bold\\* and \\_not italic\\_ \\[not\\](link) \\`not code\\` \\~\\~no\\~\\~ a\\|b \\<b>'
		);
		expect(md(p(t('1. not a list')))).toBe('1\\. not a list');
		expect(md(p(t('2) not a list')))).toBe('2\\) not a list');
		expect(md(p(t('- not a list')))).toBe('\\- not a list');
		expect(md(p(t('+ not a list')))).toBe('\\+ not a list');
		expect(md(p(t('# not a heading')))).toBe('\\# not a heading');
		expect(md(p(t('> not a quote')))).toBe('\\> not a quote');
		expect(md(p(t('===')))).toBe('\\===');
		expect(md(p(t('    not code')))).toBe('not code');
		expect(md(p(t('AT&amp;T & co')))).toBe('AT\\&amp;T & co');
		expect(md(p(t('C:\\temp')))).toBe('C:\\\\temp');
	});

	it('does not escape block syntax in the middle of a line', () => {
		expect(md(p(t('punto 1. e # e - e >')))).toBe('punto 1. e # e - e >');
	});

	it('writes hard breaks as backslash newlines and escapes the start of the new line', () => {
		expect(md(p(t('uno'), br, t('2. due')))).toBe('uno\\\n2\\. due');
		expect(md(p(t('fine'), br))).toBe('fine');
	});

	it('writes lists, nested lists and ordered lists with their start', () => {
		expect(md(ul(li(p(t('a')), ul(li(p(t('b'))))), li(p(t('c')))))).toBe('- a\n  - b\n- c');
		expect(md(ol(1, li(p(t('uno'))), li(p(t('due')))))).toBe('1. uno\n2. due');
		expect(md(ol(9, li(p(t('nove'))), li(p(t('dieci'), br, t('a capo')))))).toBe('9. nove\n10. dieci\\\n    a capo');
		expect(md(ul(li(p(t('a')), p(t('b')))))).toBe('- a\n\n  b');
	});

	it('keeps adjacent lists apart by changing their markers', () => {
		expect(md(ul(li(p(t('a')))), ul(li(p(t('b')))))).toBe('- a\n\n* b');
		expect(md(ol(1, li(p(t('a')))), ol(1, li(p(t('b')))))).toBe('1. a\n\n1) b');
	});

	it('writes blockquotes', () => {
		expect(md({ type: 'blockquote', content: [p(t('uno')), p(t('due'))] })).toBe('> uno\n>\n> due');
	});

	it('fences code blocks longer than any backtick run inside, with a safe language', () => {
		expect(md({ type: 'codeBlock', attrs: { language: 'ts' }, content: [t('const a = `x`;\n```\n')] })).toBe('````ts\nconst a = `x`;\n```\n````');
		expect(md({ type: 'codeBlock', attrs: { language: 'x y' }, content: [t('*a*')] })).toBe('```\n*a*\n```');
		expect(md({ type: 'codeBlock', content: [] })).toBe('```\n```');
	});

	it('writes GFM tables with escaped pipes, padding short rows', () => {
		const d = table(
			row(cell('tableHeader', p(t('Ente'))), cell('tableHeader', p(t('Nota')))),
			row(cell('tableCell', p(t('A|B'))), cell('tableCell', p(t('x|y', 'code')))),
			row(cell('tableCell', p(t('solo'), br, t('una'))))
		);
		expect(md(d)).toBe('| Ente | Nota |\n| --- | --- |\n| A\\|B | `x\\|y` |\n| solo una |  |');
	});

	it('uses the first row as header when the table has none', () => {
		expect(md(table(row(cell('tableCell', p(t('a'))), cell('tableCell', p(t('b'))))))).toBe('| a | b |\n| --- | --- |');
	});

	it('writes decisions as quoted, labelled blocks', () => {
		expect(md(decision('d1', t('Si approva il '), t('calendario', 'bold')))).toBe('> **Decisione:** Si approva il **calendario**');
		expect(md(decision('d1', t('uno'), br, t('- due')))).toBe('> **Decisione:** uno\\\n> \\- due');
	});

	it('writes action items as an unchecked task list with owner and due date', () => {
		const out = docToMarkdown(
			doc(
				action({ id: 'a1', ownerUserId: 'u1', ownerOrganizationId: 'o1', dueDate: '2026-12-31' }, t('Preparare il calendario')),
				action({ id: 'a2', ownerUserId: 'u2' }, t('Chiamare'))
			),
			resolver
		);
		expect(out).toBe(
			'- [ ] **Azione:** Preparare il calendario — responsabile: Mario Rossi (Comune di Modena), scadenza: 31/12/2026\n' +
				'- [ ] **Azione:** Chiamare — responsabile: Anna \\*Star\\*'
		);
		expect(out).not.toContain('[x]');
	});

	it('shows the due date of an action item even without a resolver, but no owner', () => {
		expect(md(action({ id: 'a1', ownerUserId: 'u1', dueDate: '2026-12-31' }, t('Fare')))).toBe('- [ ] **Azione:** Fare — scadenza: 31/12/2026');
	});

	it('keeps a bullet list before action items from merging with them', () => {
		expect(md(ul(li(p(t('a')))), action({ id: 'a1' }, t('Fare')))).toBe('* a\n\n- [ ] **Azione:** Fare');
	});

	it('takes labels as options (English export)', () => {
		const out = docToMarkdown(doc(decision('d1', t('Approved')), action({ id: 'a1', ownerUserId: 'u1', dueDate: '2026-12-31' }, t('Do it'))), resolver, {
			labels: { decision: 'Decision', action: 'Action', owner: 'owner', due: 'due' },
			formatDate: (iso) => iso
		});
		expect(out).toBe('> **Decision:** Approved\n\n- [ ] **Action:** Do it — owner: Mario Rossi, due: 2026-12-31');
	});

	it('renders a whole document', () => {
		const d = doc(
			h(1, 'Verbale del Tavolo'),
			p(t('Presenti: 8 enti.')),
			h(2, '1. Sportelli', 'ag1'),
			p(t('Si discute degli orari.')),
			decision('d1', t('Lo sportello apre il martedì.')),
			action({ id: 'a1', ownerOrganizationId: 'o1', dueDate: '2026-03-01' }, t('Comunicare gli orari'))
		);
		expect(docToMarkdown(d, resolver)).toBe(
			[
				'# Verbale del Tavolo',
				'Presenti: 8 enti.',
				'## 1. Sportelli',
				'Si discute degli orari.',
				'> **Decisione:** Lo sportello apre il martedì.',
				'- [ ] **Azione:** Comunicare gli orari — responsabile: Comune di Modena, scadenza: 01/03/2026'
			].join('\n\n')
		);
	});
});

describe('escapeMd and safeHref', () => {
	it('escapes only at line start what opens a block', () => {
		expect(escapeMd('# a', true)).toBe('\\# a');
		expect(escapeMd('# a', false)).toBe('# a');
		expect(escapeMd('10. a', true)).toBe('10\\. a');
	});

	it('accepts only http and https', () => {
		expect(safeHref('https://a.it/x')).toBe('https://a.it/x');
		expect(safeHref('HTTP://A.IT')).toBe('http://a.it/');
		expect(safeHref('javascript:alert(1)')).toBeNull();
		expect(safeHref('data:text/html,x')).toBeNull();
		expect(safeHref('//a.it')).toBeNull();
		expect(safeHref(42)).toBeNull();
	});
});

describe('sectionsOf', () => {
	it('splits at level-2 headings, with a leading untitled section', () => {
		const intro = p(t('Presenti'));
		const a = p(t('A'));
		const b1 = p(t('B1'));
		const sub = h(3, 'Sotto');
		const sections = sectionsOf(doc(h(1, 'Verbale'), intro, h(2, 'Punto uno', 'ag1'), a, h(2, 'Punto due', 'ag2'), sub, b1));
		expect(sections).toEqual([
			{ agendaItemId: null, title: '', blocks: [h(1, 'Verbale'), intro] },
			{ agendaItemId: 'ag1', title: 'Punto uno', blocks: [a] },
			{ agendaItemId: 'ag2', title: 'Punto due', blocks: [sub, b1] }
		]);
	});

	it('has no leading section when the document starts with a level-2 heading', () => {
		const sections = sectionsOf(doc(h(2, 'Solo', 'ag1')));
		expect(sections).toEqual([{ agendaItemId: 'ag1', title: 'Solo', blocks: [] }]);
	});

	it('gives null for headings without a valid agenda item id', () => {
		const sections = sectionsOf(doc(h(2, 'Varie'), h(2, 'Strano', 'a b')));
		expect(sections.map((s) => s.agendaItemId)).toEqual([null, null]);
	});

	it('returns nothing for an empty document', () => {
		expect(sectionsOf(doc())).toEqual([]);
	});
});

describe('collectDecisions and collectActions', () => {
	const d = doc(
		decision('d0', t('Prima di tutto')),
		h(2, 'Uno', 'ag1'),
		decision('d1', t('Decisione\u0007 uno'), br, t('seconda riga')),
		ul(li(p(t('x')), decision('d2', t('Dentro una lista')))),
		action({ id: 'a1', ownerUserId: 'u-1', ownerOrganizationId: 'o_1', dueDate: '2026-12-31' }, t('  Fare  qualcosa ')),
		h(2, 'Due', 'ag2'),
		decision(null, t('Senza id')),
		decision('', t('Id vuoto')),
		decision('x'.repeat(65), t('Id troppo lungo')),
		decision('a b', t('Id con spazio')),
		decision(42, t('Id numerico')),
		decision('d1', t('Id ripetuto')),
		action({ id: 'a2', ownerUserId: 'bad id', dueDate: '2026-02-29' }, t('Data impossibile')),
		action({ id: 'a3', dueDate: '31/12/2026' }, t('Data in altro formato')),
		action({ id: 'a4', dueDate: '2028-02-29' }, t('Anno bisestile')),
		action({ id: null }, t('Senza id')),
		h(3, 'Sotto-sezione'),
		decision('d3', t('Ancora nel punto due'))
	);

	it('collects decisions with their section, in order, skipping invalid and repeated ids', () => {
		expect(collectDecisions(d)).toEqual([
			{ id: 'd0', agendaItemId: null, text: 'Prima di tutto', position: 0 },
			{ id: 'd1', agendaItemId: 'ag1', text: 'Decisione uno\nseconda riga', position: 1 },
			{ id: 'd2', agendaItemId: 'ag1', text: 'Dentro una lista', position: 2 },
			{ id: 'd3', agendaItemId: 'ag2', text: 'Ancora nel punto due', position: 3 }
		]);
	});

	it('collects action items with owners and valid due dates only', () => {
		expect(collectActions(d)).toEqual([
			{ id: 'a1', agendaItemId: 'ag1', description: 'Fare qualcosa', ownerUserId: 'u-1', ownerOrganizationId: 'o_1', dueDate: '2026-12-31', position: 0 },
			{ id: 'a2', agendaItemId: 'ag2', description: 'Data impossibile', ownerUserId: null, ownerOrganizationId: null, dueDate: null, position: 1 },
			{ id: 'a3', agendaItemId: 'ag2', description: 'Data in altro formato', ownerUserId: null, ownerOrganizationId: null, dueDate: null, position: 2 },
			{ id: 'a4', agendaItemId: 'ag2', description: 'Anno bisestile', ownerUserId: null, ownerOrganizationId: null, dueDate: '2028-02-29', position: 3 }
		]);
	});

	it('accepts 64-character ids and UUIDs', () => {
		const id = 'a'.repeat(64);
		const uuid = '0b7c2f0e-8a53-4a4f-9a77-1f0d2f5e9c11';
		expect(collectDecisions(doc(decision(id, t('x')), decision(uuid, t('y')))).map((x) => x.id)).toEqual([id, uuid]);
	});
});

describe('helpers', () => {
	it('validates ids and ISO dates', () => {
		expect(isValidBlockId('abc_DEF-123')).toBe(true);
		expect(isValidBlockId('')).toBe(false);
		expect(isValidBlockId('a/b')).toBe(false);
		expect(isValidIsoDate('2024-02-29')).toBe(true);
		expect(isValidIsoDate('2023-02-29')).toBe(false);
		expect(isValidIsoDate('1900-02-29')).toBe(false);
		expect(isValidIsoDate('2000-02-29')).toBe(true);
		expect(isValidIsoDate('2026-04-31')).toBe(false);
		expect(isValidIsoDate('2026-13-01')).toBe(false);
		expect(isValidIsoDate('2026-1-01')).toBe(false);
		expect(isValidIsoDate(20260101)).toBe(false);
	});

	it('formats dates the Italian way', () => {
		expect(formatItalianDate('2026-03-09')).toBe('09/03/2026');
	});
});
