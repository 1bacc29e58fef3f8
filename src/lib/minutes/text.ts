/**
 * Readings of the minutes document (ProseMirror JSON) that need no editor: plain text (search,
 * versions, privacy check), Markdown (exports), sections per agenda item, and the decisions and
 * action items to project into tables. Pure: runs in Node and in the browser.
 */
import type { PMNode } from './schema';

/** Names for the ids an action item carries (people and organisations of the network). */
export interface NameResolver {
	person(id: string): string | null;
	organization(id: string): string | null;
}

/** Words the exports write around decisions and action items (Italian by default). */
export interface ExportLabels {
	/** "Decisione": Markdown `> **Decisione:** …`, plain text `DECISIONE: …`. */
	decision: string;
	/** "Azione": Markdown `- [ ] **Azione:** …`, plain text `AZIONE: …`. */
	action: string;
	/** "responsabile": the owner of an action. */
	owner: string;
	/** "scadenza": the due date in Markdown. */
	due: string;
	/** "entro il": the due date in plain text. */
	dueBy: string;
}

export const ITALIAN_LABELS: Readonly<ExportLabels> = Object.freeze({
	decision: 'Decisione',
	action: 'Azione',
	owner: 'responsabile',
	due: 'scadenza',
	dueBy: 'entro il'
});

export interface ExportOptions {
	labels?: Partial<ExportLabels>;
	/** Formats a valid YYYY-MM-DD due date; dd/mm/yyyy by default. */
	formatDate?: (isoDate: string) => string;
}

export interface MinutesSection {
	agendaItemId: string | null;
	title: string;
	/** The blocks after the section's heading (the heading itself is not included). */
	blocks: PMNode[];
}

export interface CollectedDecision {
	id: string;
	agendaItemId: string | null;
	text: string;
	position: number;
}

export interface CollectedAction {
	id: string;
	agendaItemId: string | null;
	description: string;
	ownerUserId: string | null;
	ownerOrganizationId: string | null;
	dueDate: string | null;
	position: number;
}

// ---------- shared helpers ----------

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Block ids, agenda item ids and owner ids: 1–64 characters of [A-Za-z0-9_-]. */
export function isValidBlockId(value: unknown): value is string {
	return typeof value === 'string' && ID_RE.test(value);
}

/** A real calendar date written YYYY-MM-DD. */
export function isValidIsoDate(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!m) return false;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (mo < 1 || mo > 12 || d < 1) return false;
	return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** YYYY-MM-DD → dd/mm/yyyy (the input must be valid). */
export function formatItalianDate(isoDate: string): string {
	const [y, m, d] = isoDate.split('-');
	return `${d}/${m}/${y}`;
}

// C0/C1 controls; tabs and newlines inside inline text become spaces, the rest is dropped.
const CONTROL_RE = /[\u0000-\u001F\u007F-\u009F]/g;
function cleanInline(text: string): string {
	return text.replace(CONTROL_RE, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''));
}
function cleanCode(text: string): string {
	return text.replace(/\r\n?/g, '\n').replace(CONTROL_RE, (c) => (c === '\t' || c === '\n' ? c : ''));
}

const children = (node: PMNode): PMNode[] => (Array.isArray(node.content) ? node.content : []);
const attr = (node: PMNode, name: string): unknown => (node.attrs ? node.attrs[name] : undefined);

function headingLevel(node: PMNode): number {
	const level = Number(attr(node, 'level'));
	return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 1;
}

function isSectionHeading(node: PMNode): boolean {
	return node.type === 'heading' && headingLevel(node) === 2;
}

function agendaItemIdOf(heading: PMNode): string | null {
	const id = attr(heading, 'agendaItemId');
	return isValidBlockId(id) ? id : null;
}

function isInline(node: PMNode): boolean {
	return node.type === 'text' || node.type === 'hardBreak';
}

/** Plain text of inline content; `hardBreak` is what a hard break becomes. */
function inlineText(node: PMNode, hardBreak: string): string {
	let out = '';
	for (const child of children(node)) {
		if (child.type === 'text') out += cleanInline(child.text ?? '');
		else if (child.type === 'hardBreak') out += hardBreak;
		else out += inlineText(child, hardBreak);
	}
	return out;
}

function codeText(node: PMNode): string {
	return children(node)
		.map((c) => (c.type === 'text' ? cleanCode(c.text ?? '') : c.type === 'hardBreak' ? '\n' : codeText(c)))
		.join('');
}

function resolveLabels(options?: ExportOptions): ExportLabels {
	return { ...ITALIAN_LABELS, ...options?.labels };
}

/** "Mario Rossi (Comune di Modena)", "Mario Rossi", "Comune di Modena" or null. */
function ownerName(node: PMNode, resolve: NameResolver): string | null {
	const userId = attr(node, 'ownerUserId');
	const orgId = attr(node, 'ownerOrganizationId');
	const person = isValidBlockId(userId) ? resolve.person(userId) : null;
	const org = isValidBlockId(orgId) ? resolve.organization(orgId) : null;
	const p = person ? cleanInline(person).trim() : '';
	const o = org ? cleanInline(org).trim() : '';
	if (p && o) return `${p} (${o})`;
	return p || o || null;
}

function dueDateOf(node: PMNode): string | null {
	const due = attr(node, 'dueDate');
	return isValidIsoDate(due) ? due : null;
}

function indentLines(text: string, first: string, rest: string): string {
	return text
		.split('\n')
		.map((line, i) => (line === '' ? (i === 0 ? first.trimEnd() : '') : (i === 0 ? first : rest) + line))
		.join('\n');
}

function orderedStart(node: PMNode): number {
	const start = Number(attr(node, 'start'));
	return Number.isInteger(start) && start >= 0 && start <= 999_999_999 ? start : 1;
}

// ---------- plain text ----------

/**
 * Readable plain text: blocks separated by a blank line, list items prefixed "- " / "1. ",
 * table rows as cells joined by " | ", hard breaks as newlines, decisions prefixed "DECISIONE: ",
 * action items "AZIONE: <description>". With a resolver, an action item also gets
 * " (responsabile: <name>, entro il <dd/mm/yyyy>)" (the parts that are known). Empty blocks are
 * left out. No trailing newline.
 */
export function docToPlainText(doc: PMNode, resolve?: NameResolver | null, options?: ExportOptions): string {
	const ctx: PlainCtx = { resolve: resolve ?? null, labels: resolveLabels(options), formatDate: options?.formatDate ?? formatItalianDate };
	return plainBlocks(children(doc), ctx, '\n\n');
}

interface PlainCtx {
	resolve: NameResolver | null;
	labels: ExportLabels;
	formatDate: (iso: string) => string;
}

function plainBlocks(nodes: PMNode[], ctx: PlainCtx, separator: string): string {
	return nodes
		.map((n) => plainBlock(n, ctx))
		.filter((s) => s.trim() !== '')
		.join(separator);
}

function plainBlock(node: PMNode, ctx: PlainCtx): string {
	switch (node.type) {
		case 'paragraph':
		case 'heading':
			return inlineText(node, '\n').trim();
		case 'decision': {
			const text = inlineText(node, '\n').trim();
			return `${ctx.labels.decision.toUpperCase()}: ${text}`;
		}
		case 'actionItem': {
			let text = `${ctx.labels.action.toUpperCase()}: ${inlineText(node, '\n').trim()}`;
			if (ctx.resolve) {
				const parts: string[] = [];
				const owner = ownerName(node, ctx.resolve);
				if (owner) parts.push(`${ctx.labels.owner}: ${owner}`);
				const due = dueDateOf(node);
				if (due) parts.push(`${ctx.labels.dueBy} ${ctx.formatDate(due)}`);
				if (parts.length) text += ` (${parts.join(', ')})`;
			}
			return text;
		}
		case 'codeBlock':
			return codeText(node).replace(/\n+$/, '');
		case 'horizontalRule':
			return '---';
		case 'blockquote':
			return indentLines(plainBlocks(children(node), ctx, '\n\n'), '> ', '> ').replace(/^$/gm, '>');
		case 'bulletList':
		case 'orderedList': {
			const start = orderedStart(node);
			return children(node)
				.map((item, i) => {
					const marker = node.type === 'orderedList' ? `${start + i}. ` : '- ';
					const body = plainBlocks(children(item), ctx, '\n');
					return indentLines(body, marker, ' '.repeat(marker.length));
				})
				.join('\n');
		}
		case 'table':
			return children(node)
				.map((row) => children(row).map((cell) => plainCell(cell, ctx)).join(' | '))
				.join('\n');
		default:
			if (children(node).some(isInline)) return inlineText(node, '\n').trim();
			return plainBlocks(children(node), ctx, '\n\n');
	}
}

function plainCell(cell: PMNode, ctx: PlainCtx): string {
	return plainBlocks(children(cell), ctx, ' ').replace(/\s*\n\s*/g, ' ').trim();
}

// ---------- Markdown ----------

/**
 * CommonMark + GFM (tables, strikethrough, task lists). Text is escaped so that it stays literal
 * ("*not bold*", "1. not a list", "# not a heading"); links are kept only for http(s) URLs (others
 * become their text); underline has no Markdown form and is dropped. Decisions become
 * `> **Decisione:** …`, action items `- [ ] **Azione:** … — responsabile: X (Ente), scadenza: dd/mm/yyyy`
 * (never `[x]`: the status is not in the document). The owner needs a resolver; the due date
 * does not. No trailing newline.
 */
export function docToMarkdown(doc: PMNode, resolve?: NameResolver | null, options?: ExportOptions): string {
	const ctx: MdCtx = { resolve: resolve ?? null, labels: resolveLabels(options), formatDate: options?.formatDate ?? formatItalianDate };
	return mdBlocks(children(doc), ctx);
}

type MdCtx = PlainCtx;

/** Renders sibling blocks; keeps adjacent lists apart and groups adjacent action items. */
function mdBlocks(nodes: PMNode[], ctx: MdCtx, tight = false): string {
	let out = '';
	let prevMarker: string | null = null;
	let prevType: string | null = null;
	for (let i = 0; i < nodes.length; i++) {
		const node = nodes[i]!;
		const next = nodes[i + 1];
		let marker: string | null = null;
		let text: string;
		if (node.type === 'bulletList') {
			// Two lists with the same bullet one after the other would merge into one list.
			marker = ['-', '*', '+'].find((m) => m !== prevMarker && !(m === '-' && next?.type === 'actionItem')) ?? '+';
			text = mdList(node, ctx, marker);
		} else if (node.type === 'orderedList') {
			marker = prevMarker === '.' ? ')' : '.';
			text = mdList(node, ctx, marker);
		} else if (node.type === 'actionItem') {
			marker = '-';
			text = mdAction(node, ctx);
		} else {
			text = mdBlock(node, ctx);
		}
		if (text.trim() === '') continue;
		if (out) {
			const sameActionList = node.type === 'actionItem' && prevType === 'actionItem';
			// Inside a list item a nested list may follow its paragraph directly (a tight list).
			const nestedList =
				tight && prevType === 'paragraph' && (node.type === 'bulletList' || node.type === 'actionItem' || (node.type === 'orderedList' && orderedStart(node) === 1));
			out += sameActionList || nestedList ? '\n' : '\n\n';
		}
		out += text;
		prevMarker = marker;
		prevType = node.type;
	}
	return out;
}

function mdBlock(node: PMNode, ctx: MdCtx): string {
	switch (node.type) {
		case 'paragraph':
			return mdInline(children(node), { lineStart: true });
		case 'heading': {
			const text = mdInline(children(node), { lineStart: false, hardBreak: ' ' });
			return text ? `${'#'.repeat(headingLevel(node))} ${text}` : '';
		}
		case 'decision': {
			const label = `**${escapeMd(ctx.labels.decision, false)}:**`;
			const text = mdInline(children(node), { lineStart: false });
			return indentLines(text ? `${label} ${text}` : label, '> ', '> ');
		}
		case 'codeBlock': {
			const code = codeText(node).replace(/\n+$/, '');
			const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((s) => s.length));
			const fence = '`'.repeat(longest + 1);
			const language = attr(node, 'language');
			const info = typeof language === 'string' && /^[A-Za-z0-9_+#.-]{1,32}$/.test(language) ? language : '';
			return `${fence}${info}\n${code}${code ? '\n' : ''}${fence}`;
		}
		case 'horizontalRule':
			return '---';
		case 'blockquote': {
			const inner = mdBlocks(children(node), ctx);
			return inner ? indentLines(inner, '> ', '> ').replace(/^$/gm, '>') : '';
		}
		case 'table':
			return mdTable(node, ctx);
		case 'bulletList':
			return mdList(node, ctx, '-');
		case 'orderedList':
			return mdList(node, ctx, '.');
		case 'actionItem':
			return mdAction(node, ctx);
		default:
			if (children(node).some(isInline)) return mdInline(children(node), { lineStart: true });
			return mdBlocks(children(node), ctx);
	}
}

function mdList(node: PMNode, ctx: MdCtx, marker: string): string {
	const ordered = node.type === 'orderedList';
	const start = orderedStart(node);
	return children(node)
		.map((item, i) => {
			const bullet = ordered ? `${start + i}${marker}` : marker;
			const body = mdBlocks(children(item), ctx, true);
			if (!body) return bullet;
			return indentLines(body, `${bullet} `, ' '.repeat(bullet.length + 1));
		})
		.join('\n');
}

function mdAction(node: PMNode, ctx: MdCtx): string {
	let text = `**${escapeMd(ctx.labels.action, false)}:**`;
	const description = mdInline(children(node), { lineStart: false });
	if (description) text += ` ${description}`;
	const parts: string[] = [];
	const owner = ctx.resolve ? ownerName(node, ctx.resolve) : null;
	if (owner) parts.push(`${escapeMd(ctx.labels.owner, false)}: ${escapeMd(owner, false)}`);
	const due = dueDateOf(node);
	if (due) parts.push(`${escapeMd(ctx.labels.due, false)}: ${escapeMd(ctx.formatDate(due), false)}`);
	if (parts.length) text += ` — ${parts.join(', ')}`;
	return indentLines(text, '- [ ] ', '  ');
}

function mdTable(node: PMNode, ctx: MdCtx): string {
	const rows = children(node).map((row) =>
		children(row).flatMap((cell) => {
			const span = Number(attr(cell, 'colspan'));
			const text = mdCell(cell, ctx);
			// GFM has no spans: the covered columns stay empty.
			return [text, ...Array.from({ length: Number.isInteger(span) && span > 1 ? Math.min(span, 64) - 1 : 0 }, () => '')];
		})
	);
	if (!rows.length) return '';
	const width = Math.max(1, ...rows.map((r) => r.length));
	const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? '').join(' | ')} |`;
	// GFM needs a header row: the first row is used as such even if it is made of plain cells.
	const [header, ...body] = rows;
	return [line(header!), `| ${Array.from({ length: width }, () => '---').join(' | ')} |`, ...body.map(line)].join('\n');
}

function mdCell(cell: PMNode, ctx: MdCtx): string {
	return children(cell)
		.map((block) =>
			block.type === 'paragraph' || block.type === 'heading'
				? mdInline(children(block), { lineStart: false, hardBreak: ' ', inTable: true })
				: escapeMd(plainBlock(block, ctx).replace(/\s*\n\s*/g, ' '), false)
		)
		.filter(Boolean)
		.join(' ')
		.trim();
}

interface MdMark {
	type: 'link' | 'bold' | 'italic' | 'strike';
	href?: string;
}

const MARK_ORDER: Record<MdMark['type'], number> = { link: 0, bold: 1, italic: 2, strike: 3 };
const OPEN: Record<Exclude<MdMark['type'], 'link'>, string> = { bold: '**', italic: '*', strike: '~~' };

/** http(s) URLs only, written so that they cannot break out of `(…)`. */
export function safeHref(href: unknown): string | null {
	if (typeof href !== 'string') return null;
	const trimmed = href.trim();
	if (!/^https?:\/\/[^\s]/i.test(trimmed)) return null;
	let url: URL;
	try {
		url = new URL(trimmed);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	return url.href.replace(/[()<>\s\\]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

function marksOf(node: PMNode): { marks: MdMark[]; code: boolean } {
	const marks: MdMark[] = [];
	let code = false;
	for (const m of node.marks ?? []) {
		if (m.type === 'code') code = true;
		else if (m.type === 'bold' || m.type === 'italic' || m.type === 'strike') marks.push({ type: m.type });
		else if (m.type === 'link') {
			const href = safeHref(m.attrs?.href);
			if (href) marks.push({ type: 'link', href });
		}
	}
	marks.sort((a, b) => MARK_ORDER[a.type] - MARK_ORDER[b.type]);
	return { marks, code };
}

const sameMark = (a: MdMark, b: MdMark) => a.type === b.type && a.href === b.href;
const openMark = (m: MdMark) => (m.type === 'link' ? '[' : OPEN[m.type]);
const closeMark = (m: MdMark) => (m.type === 'link' ? `](${m.href})` : OPEN[m.type]);

/**
 * Inline content with marks. Whitespace at the edges of a marked run is moved outside the
 * delimiters (`** a **` is not emphasis in CommonMark); code spans are innermost.
 */
function mdInline(nodes: PMNode[], opts: { lineStart: boolean; hardBreak?: string; inTable?: boolean }): string {
	let out = '';
	let active: MdMark[] = [];
	let pending = '';
	let lineStart = opts.lineStart;
	const closeTo = (keep: number) => {
		for (let i = active.length - 1; i >= keep; i--) out += closeMark(active[i]!);
		active = active.slice(0, keep);
	};
	for (const node of nodes) {
		if (node.type === 'hardBreak') {
			closeTo(0);
			pending = '';
			if (opts.hardBreak !== undefined) {
				pending = opts.hardBreak;
			} else if (out) {
				out += '\\\n';
				lineStart = true;
			}
			continue;
		}
		const raw = node.type === 'text' ? cleanInline(node.text ?? '') : cleanInline(inlineText(node, ' '));
		if (!raw) continue;
		const { marks, code } = marksOf(node);
		const core = raw.trim();
		if (!core) {
			pending += raw;
			continue;
		}
		const lead = raw.slice(0, raw.length - raw.trimStart().length);
		const trail = raw.slice(raw.trimEnd().length);
		let keep = 0;
		while (keep < active.length && keep < marks.length && sameMark(active[keep]!, marks[keep]!)) keep++;
		closeTo(keep);
		const space = pending + lead;
		pending = '';
		if (!lineStart) out += space.replace(/\s+/g, ' ');
		for (const m of marks.slice(keep)) out += openMark(m);
		active = marks;
		out += code ? codeSpan(core, opts.inTable) : escapeMd(core, lineStart && marks.length === 0);
		lineStart = false;
		pending = trail;
	}
	closeTo(0);
	// A hard break at the very end would leave a literal backslash.
	return out.replace(/(\\\n)+$/, '');
}

function codeSpan(text: string, inTable = false): string {
	const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((s) => s.length));
	const fence = '`'.repeat(longest + 1);
	const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
	// GFM splits table cells at pipes even inside code spans, unless they are escaped.
	const body = inTable ? text.replace(/\|/g, '\\|') : text;
	return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Escapes text so that Markdown reads it literally. Everywhere: \ ` * _ [ ] ~ | < and & before
 * an entity; at the start of a line also what opens a block (# > - + = and "1." / "1)").
 */
export function escapeMd(text: string, lineStart: boolean): string {
	let out = cleanInline(text)
		.replace(/[\\`*_[\]~|<]/g, '\\$&')
		.replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
	if (lineStart) {
		out = out.replace(/^\s+/, '');
		out = out.replace(/^([#>+=-])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
	}
	return out;
}

// ---------- structure ----------

/**
 * Splits the document at level-2 headings (one section per agenda item). Blocks before the first
 * level-2 heading form a section with title '' and agendaItemId null (only if there are any).
 */
export function sectionsOf(doc: PMNode): MinutesSection[] {
	const sections: MinutesSection[] = [];
	let current: MinutesSection | null = null;
	for (const block of children(doc)) {
		if (isSectionHeading(block)) {
			current = { agendaItemId: agendaItemIdOf(block), title: inlineText(block, ' ').replace(/\s+/g, ' ').trim(), blocks: [] };
			sections.push(current);
		} else {
			if (!current) {
				current = { agendaItemId: null, title: '', blocks: [] };
				sections.push(current);
			}
			current.blocks.push(block);
		}
	}
	return sections;
}

/** Visits nodes of the given types in document order, with the agenda item of their section. */
function visitInSections(doc: PMNode, types: Set<string>, visit: (node: PMNode, agendaItemId: string | null) => void) {
	let agendaItemId: string | null = null;
	const walk = (node: PMNode) => {
		if (types.has(node.type)) return visit(node, agendaItemId);
		for (const child of children(node)) walk(child);
	};
	for (const block of children(doc)) {
		if (isSectionHeading(block)) agendaItemId = agendaItemIdOf(block);
		walk(block);
	}
}

/** Text for the database: hard breaks become newlines, other control characters go. */
function blockText(node: PMNode): string {
	return inlineText(node, '\n')
		.split('\n')
		.map((line) => line.replace(/\s+/g, ' ').trim())
		.join('\n')
		.trim();
}

/**
 * Decision blocks in document order. Blocks without a valid id (1–64 of [A-Za-z0-9_-]) are
 * skipped, and so is a repeated id (copy and paste duplicates attributes): the first one wins.
 */
export function collectDecisions(doc: PMNode): CollectedDecision[] {
	const found: CollectedDecision[] = [];
	const seen = new Set<string>();
	visitInSections(doc, new Set(['decision']), (node, agendaItemId) => {
		const id = attr(node, 'id');
		if (!isValidBlockId(id) || seen.has(id)) return;
		seen.add(id);
		found.push({ id, agendaItemId, text: blockText(node), position: found.length });
	});
	return found;
}

/** Action item blocks in document order; same id rules as decisions. */
export function collectActions(doc: PMNode): CollectedAction[] {
	const found: CollectedAction[] = [];
	const seen = new Set<string>();
	visitInSections(doc, new Set(['actionItem']), (node, agendaItemId) => {
		const id = attr(node, 'id');
		if (!isValidBlockId(id) || seen.has(id)) return;
		seen.add(id);
		const user = attr(node, 'ownerUserId');
		const org = attr(node, 'ownerOrganizationId');
		found.push({
			id,
			agendaItemId,
			description: blockText(node),
			ownerUserId: isValidBlockId(user) ? user : null,
			ownerOrganizationId: isValidBlockId(org) ? org : null,
			dueDate: dueDateOf(node),
			position: found.length
		});
	});
	return found;
}
