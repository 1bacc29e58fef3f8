/**
 * An approved version of the minutes (il verbale) as a PDF (pdfkit, like the agenda: standard
 * fonts, text folded to WinAnsi) and as a Word document (docx, with real Word styles so the
 * secretary can keep editing it). Both render the same parts in the same order: header, meeting
 * data, attendance (unless the text has its own), the document as written, the summary of
 * decisions and actions, and the approval line.
 */
import PDFDocument from 'pdfkit';
import {
	AlignmentType,
	BorderStyle,
	Document,
	ExternalHyperlink,
	Footer,
	HeadingLevel,
	LevelFormat,
	Packer,
	PageNumber,
	Paragraph,
	ShadingType,
	Table,
	TableCell,
	TableRow,
	TextRun,
	WidthType,
	type ILevelsOptions,
	type NumberingDefinition,
	type ParagraphChild
} from 'docx';
import type { PMNode } from '$lib/minutes/schema';
import { formatRomeRange, romeDay } from '$lib/time/rome';
import { toWinAnsi } from '../meetings/pdf';
import { slugify } from '../meetings/print';

type Locale = 'it' | 'en';
export type ExportActionStatus = 'aperta' | 'in_corso' | 'fatta' | 'annullata';

export interface MinutesExportInput {
	networkName: string;
	tableName: string;
	meeting: { title: string; startsAt: Date | null; endsAt: Date | null; address: string | null; onlineUrl: string | null };
	chairName: string | null;
	secretaryName: string | null;
	attendance: { name: string; organization: string | null; attendance: 'present' | 'absent' | 'delegated' | null; delegate: string | null }[];
	/** The approved document (ProseMirror JSON). */
	content: PMNode;
	decisions: { text: string; section: string | null }[];
	/** `dueDate` is YYYY-MM-DD. */
	actions: { description: string; owner: string | null; dueDate: string | null; status: ExportActionStatus }[];
	version: { number: number; approvedAt: Date; approvedByName: string; approvalNote: string | null; changeNote: string | null };
	resolve: { person(id: string): string | null; organization(id: string): string | null };
	locale?: Locale;
}

// ---------- labels ----------

interface Labels {
	title: string;
	subject: string;
	when: string;
	where: string;
	online: string;
	dateTbd: string;
	chair: string;
	secretary: string;
	attendance: string;
	present: string;
	absent: string;
	delegated: string;
	delegatedTo(name: string): string;
	noAttendance: string;
	decision: string;
	action: string;
	owner: string;
	due: string;
	decisions: string;
	actions: string;
	noDecisions: string;
	noActions: string;
	/** Columns of the actions table. */
	columns: readonly [string, string, string, string];
	status: Record<ExportActionStatus, string>;
	approved(date: string, name: string, n: number): string;
	approvalNote: string;
	changeNote: string;
	/** "Pagina " X " di " Y. */
	page: readonly [string, string];
	version(n: number): string;
}

const LABELS: Record<Locale, Labels> = {
	it: {
		title: 'Verbale della riunione',
		subject: 'Verbale',
		when: 'Data',
		where: 'Luogo',
		online: 'Online',
		dateTbd: 'da definire',
		chair: 'Presiede',
		secretary: 'Verbalizza',
		attendance: 'Presenze',
		present: 'Presenti',
		absent: 'Assenti',
		delegated: 'Delegati',
		delegatedTo: (name: string) => `delega a ${name}`,
		noAttendance: 'Registro presenze non compilato.',
		decision: 'Decisione',
		action: 'Azione',
		owner: 'Responsabile',
		due: 'Scadenza',
		decisions: 'Decisioni',
		actions: 'Azioni',
		noDecisions: 'Nessuna decisione registrata.',
		noActions: 'Nessuna azione registrata.',
		columns: ['Descrizione', 'Responsabile', 'Scadenza', 'Stato'],
		status: { aperta: 'Aperta', in_corso: 'In corso', fatta: 'Fatta', annullata: 'Annullata' },
		approved: (date: string, name: string, n: number) => `Verbale approvato il ${date} da ${name} (versione ${n})`,
		approvalNote: 'Nota',
		changeNote: 'Modifiche rispetto alla versione precedente',
		page: ['Pagina ', ' di '],
		version: (n: number) => `versione ${n}`
	},
	en: {
		title: 'Meeting minutes',
		subject: 'Minutes',
		when: 'Date',
		where: 'Place',
		online: 'Online',
		dateTbd: 'to be decided',
		chair: 'Chair',
		secretary: 'Minutes taken by',
		attendance: 'Attendance',
		present: 'Present',
		absent: 'Absent',
		delegated: 'Delegated',
		delegatedTo: (name: string) => `delegated to ${name}`,
		noAttendance: 'Attendance register not filled in.',
		decision: 'Decision',
		action: 'Action',
		owner: 'Owner',
		due: 'Due',
		decisions: 'Decisions',
		actions: 'Actions',
		noDecisions: 'No decisions recorded.',
		noActions: 'No actions recorded.',
		columns: ['Description', 'Owner', 'Due date', 'Status'],
		status: { aperta: 'Open', in_corso: 'In progress', fatta: 'Done', annullata: 'Cancelled' },
		approved: (date: string, name: string, n: number) => `Minutes approved on ${date} by ${name} (version ${n})`,
		approvalNote: 'Note',
		changeNote: 'Changes from the previous version',
		page: ['Page ', ' of '],
		version: (n: number) => `version ${n}`
	}
};

/** The file's words, Italian unless asked for English. */
export function labels(locale: Locale | undefined): Labels {
	return locale === 'en' ? LABELS.en : LABELS.it;
}

// ---------- shared helpers ----------

/** "2026-11-26" → "26/11/2026"; anything else is shown as given. */
export function formatDueDate(day: string | null | undefined): string | null {
	if (!day) return null;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/** "Anna Rossi (Comune di Cesena)", "Comune di Cesena", "Anna Rossi", or null. */
export function ownerLabel(resolve: MinutesExportInput['resolve'], userId: unknown, organizationId: unknown): string | null {
	const person = typeof userId === 'string' && userId ? resolve.person(userId) : null;
	const org = typeof organizationId === 'string' && organizationId ? resolve.organization(organizationId) : null;
	if (person && org) return `${person} (${org})`;
	return person ?? org;
}

/** verbale-2026-11-26-tavolo-minori-v2.pdf: the meeting's day in Rome (the approval's when it has none). */
export function minutesFileName(input: MinutesExportInput, ext: 'pdf' | 'docx' | 'md'): string {
	const day = romeDay(input.meeting.startsAt ?? input.version.approvedAt);
	return `verbale-${day}-${slugify(input.meeting.title, 50)}-v${input.version.number}.${ext}`;
}

interface Span {
	text: string;
	bold: boolean;
	italic: boolean;
	underline: boolean;
	strike: boolean;
	code: boolean;
	href: string | null;
}

const safeHref = (href: unknown) => (typeof href === 'string' && /^https?:\/\/\S+$/i.test(href.trim()) ? href.trim() : null);

/** The inline content of a block as styled spans; a hard break is a "\n" span. */
function spans(nodes: PMNode[] | undefined): Span[] {
	const out: Span[] = [];
	for (const n of nodes ?? []) {
		if (n.type === 'hardBreak') {
			out.push({ text: '\n', bold: false, italic: false, underline: false, strike: false, code: false, href: null });
			continue;
		}
		if (n.type !== 'text' || !n.text) continue;
		const has = (t: string) => !!n.marks?.some((mk) => mk.type === t);
		const link = n.marks?.find((mk) => mk.type === 'link');
		out.push({
			text: n.text,
			bold: has('bold'),
			italic: has('italic'),
			underline: has('underline'),
			strike: has('strike'),
			code: has('code'),
			href: link ? safeHref(link.attrs?.href) : null
		});
	}
	return out;
}

/** Text of a node and its descendants; hard breaks and block ends become line breaks. */
function plainText(node: PMNode): string {
	if (node.type === 'text') return node.text ?? '';
	if (node.type === 'hardBreak') return '\n';
	const inner = (node.content ?? []).map(plainText);
	const isInline = (node.content ?? []).every((c) => c.type === 'text' || c.type === 'hardBreak');
	return isInline ? inner.join('') : inner.join('\n');
}

/** Text of a cell or block with its links spelled out: "sito (https://…)". */
function textWithUrls(node: PMNode): string {
	if (node.type === 'text') {
		const href = safeHref(node.marks?.find((mk) => mk.type === 'link')?.attrs?.href);
		const t = node.text ?? '';
		return href && href !== t ? `${t} (${href})` : t;
	}
	if (node.type === 'hardBreak') return '\n';
	const kids = node.content ?? [];
	const isInline = kids.every((c) => c.type === 'text' || c.type === 'hardBreak');
	return kids.map(textWithUrls).join(isInline ? '' : '\n');
}

const headingLevel = (n: PMNode) => Math.min(3, Math.max(1, Number(n.attrs?.level) || 1));

/** Whether the text already lists who was there (the draft's "Presenti" section). */
function hasOwnAttendance(content: PMNode): boolean {
	return (content.content ?? []).some((n) => n.type === 'heading' && headingLevel(n) === 2 && plainText(n).trim().toLowerCase() === 'presenti');
}

const text = (t: string, marks?: PMNode['marks']): PMNode => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const para = (...content: PMNode[]): PMNode => ({ type: 'paragraph', content: content.filter((c) => c.text) });
const bullets = (items: PMNode[][]): PMNode => ({ type: 'bulletList', content: items.map((c) => ({ type: 'listItem', content: [para(...c)] })) });

/** Our attendance section, as document nodes (both renderers draw it like the text). */
function attendanceNodes(input: MinutesExportInput, L: Labels): PMNode[] {
	const who = (p: MinutesExportInput['attendance'][number]) => `${p.name}${p.organization ? ` (${p.organization})` : ''}`;
	const present = input.attendance.filter((p) => p.attendance === 'present');
	const absent = input.attendance.filter((p) => p.attendance === 'absent');
	const delegated = input.attendance.filter((p) => p.attendance === 'delegated');
	const out: PMNode[] = [{ type: 'heading', attrs: { level: 2 }, content: [text(L.attendance)] }];
	if (!present.length && !absent.length && !delegated.length) {
		out.push(para(text(L.noAttendance, [{ type: 'italic' }])));
		return out;
	}
	const group = (label: string, items: PMNode[][]) => {
		if (!items.length) return;
		out.push(para(text(`${label} (${items.length})`, [{ type: 'bold' }])), bullets(items));
	};
	group(L.present, present.map((p) => [text(who(p))]));
	group(L.absent, absent.map((p) => [text(who(p))]));
	group(
		L.delegated,
		delegated.map((p) => [text(who(p)), text(` – ${L.delegatedTo(p.delegate?.trim() || '—')}`, [{ type: 'italic' }])])
	);
	return out;
}

/** The summary of decisions, as document nodes. */
function decisionNodes(input: MinutesExportInput, L: Labels): PMNode[] {
	const out: PMNode[] = [{ type: 'heading', attrs: { level: 2 }, content: [text(L.decisions)] }];
	if (!input.decisions.length) out.push(para(text(L.noDecisions, [{ type: 'italic' }])));
	else
		out.push({
			type: 'orderedList',
			attrs: { start: 1 },
			content: input.decisions.map((d) => ({
				type: 'listItem',
				content: [para(text(d.text.trim() || '—'), ...(d.section ? [text(` — ${d.section}`, [{ type: 'italic' }])] : []))]
			}))
		});
	return out;
}

/** Widths of the actions table's columns: Descrizione | Responsabile | Scadenza | Stato. */
const ACTION_COLUMNS = [0.43, 0.27, 0.15, 0.15];

function actionRows(input: MinutesExportInput, L: Labels): string[][] {
	return input.actions.map((a) => [a.description.trim() || '—', a.owner ?? '—', formatDueDate(a.dueDate) ?? '—', L.status[a.status] ?? a.status]);
}

/** "Data …", "Luogo …": the meeting's data as label/value pairs (links for the online room). */
function metaRows(input: MinutesExportInput, L: Labels, locale: Locale): { label: string; value: string; link?: string }[] {
	const { meeting } = input;
	const rows: { label: string; value: string; link?: string }[] = [
		{ label: L.when, value: meeting.startsAt ? formatRomeRange(meeting.startsAt, meeting.endsAt, locale) : L.dateTbd }
	];
	if (meeting.address) rows.push({ label: L.where, value: meeting.address });
	const online = safeHref(meeting.onlineUrl);
	if (meeting.onlineUrl) rows.push({ label: L.online, value: meeting.onlineUrl, link: online ?? undefined });
	rows.push({ label: L.chair, value: input.chairName || '—' }, { label: L.secretary, value: input.secretaryName || '—' });
	return rows;
}

function approvalLines(input: MinutesExportInput, L: Labels) {
	const v = input.version;
	return {
		line: L.approved(formatDueDate(romeDay(v.approvedAt))!, v.approvedByName, v.number),
		note: v.approvalNote?.trim() ? `${L.approvalNote}: ${v.approvalNote.trim()}` : null,
		change: v.number > 1 && v.changeNote?.trim() ? `${L.changeNote}: ${v.changeNote.trim()}` : null
	};
}

const docTitle = (input: MinutesExportInput, L: Labels) => `${L.title}: ${input.meeting.title}`;

// ---------- PDF ----------

const COLOR = {
	text: '#1a1a1a',
	muted: '#5c6f82',
	accent: '#0066cc',
	action: '#8a5300',
	rule: '#c5c7c9',
	headerFill: '#e8eef4',
	codeFill: '#6b7280'
};
const FONT = {
	regular: 'Helvetica',
	bold: 'Helvetica-Bold',
	italic: 'Helvetica-Oblique',
	boldItalic: 'Helvetica-BoldOblique',
	mono: 'Courier',
	monoBold: 'Courier-Bold',
	monoItalic: 'Courier-Oblique',
	monoBoldItalic: 'Courier-BoldOblique'
};
/** A4 in points; 2 cm margins, the bottom one leaving room for the footer. */
const MARGIN = { top: 57, bottom: 68, left: 57, right: 57 };
const BODY = 10.5;
const LINE_GAP = 1.5;
const LIST_INDENT = 18;
const HEADING_SIZE: Record<number, number> = { 1: 16, 2: 13.5, 3: 11.5 };
const BULLETS = ['•', '–', '·'];

interface Box {
	x: number;
	width: number;
}
interface PdfCtx extends Box {
	/** Nesting of lists (for the bullet shape). */
	depth: number;
	/** Inside a list item or a table: less space between blocks. */
	tight: boolean;
	italic: boolean;
	color: string;
}

/** The approved minutes as an A4 PDF. */
export async function minutesPdf(input: MinutesExportInput): Promise<Buffer> {
	const locale: Locale = input.locale === 'en' ? 'en' : 'it';
	const L = labels(locale);
	const w = toWinAnsi;

	const doc = new PDFDocument({
		size: 'A4',
		margins: MARGIN,
		bufferPages: true,
		lang: locale === 'en' ? 'en-GB' : 'it-IT',
		displayTitle: true,
		info: {
			Title: docTitle(input, L),
			Author: input.networkName,
			Subject: L.subject,
			Creator: 'Intarsi',
			Keywords: [input.tableName, L.subject, L.version(input.version.number)].join(', ')
		}
	});
	const chunks: Buffer[] = [];
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('data', (c: Buffer) => chunks.push(c));
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	// Pages are only ever added at the end: the current one is the last.
	let pageIndex = 0;
	doc.on('pageAdded', () => {
		pageIndex++;
	});

	const left = MARGIN.left;
	const width = doc.page.width - MARGIN.left - MARGIN.right;
	const bottom = () => doc.page.height - MARGIN.bottom;
	const usable = () => bottom() - MARGIN.top;
	const atTop = () => doc.y <= MARGIN.top + 1;
	const gap = (pt: number) => {
		if (!atTop()) doc.y += pt;
	};
	/** A new page unless `h` points still fit (or would not fit on any page). */
	const ensure = (h: number) => {
		if (doc.y + h > bottom() && h <= usable() && !atTop()) doc.addPage();
	};
	const write = (t: string, o: { font?: string; size?: number; color?: string; x?: number; width?: number; link?: string; underline?: boolean; align?: 'left' | 'right' } = {}) => {
		doc.font(o.font ?? FONT.regular)
			.fontSize(o.size ?? BODY)
			.fillColor(o.color ?? COLOR.text)
			.text(w(t), o.x ?? left, doc.y, { width: o.width ?? width, link: o.link ?? null, underline: !!o.underline, strike: false, lineGap: LINE_GAP, align: o.align ?? 'left' });
	};
	const heightOf = (t: string, font: string, size: number, boxWidth: number) =>
		doc.font(font).fontSize(size).heightOfString(w(t) || ' ', { width: boxWidth, lineGap: LINE_GAP });
	const rule = (x = left, wd = width, color = COLOR.rule) => {
		doc.moveTo(x, doc.y).lineTo(x + wd, doc.y).lineWidth(0.6).strokeColor(color).stroke();
	};

	/**
	 * Paints behind-the-fact decorations (a tinted background, a bar) over a block already written,
	 * on every page it spans. The tint is translucent, so the text under it stays as it is.
	 */
	const decorate = (from: { page: number; y: number }, paint: (top: number, bottomY: number) => void) => {
		const to = { page: pageIndex, y: doc.y };
		const savedY = doc.y;
		const multiPage = from.page !== to.page;
		for (let p = from.page; p <= to.page; p++) {
			if (multiPage) doc.switchToPage(p);
			const top = p === from.page ? from.y : MARGIN.top;
			const end = p === to.page ? to.y : bottom();
			if (end > top) paint(top, end);
		}
		if (multiPage) doc.switchToPage(to.page);
		doc.y = savedY;
	};
	const mark = () => ({ page: pageIndex, y: doc.y });

	const fontFor = (s: Pick<Span, 'bold' | 'italic' | 'code'>) => {
		if (s.code) return s.bold && s.italic ? FONT.monoBoldItalic : s.bold ? FONT.monoBold : s.italic ? FONT.monoItalic : FONT.mono;
		return s.bold && s.italic ? FONT.boldItalic : s.bold ? FONT.bold : s.italic ? FONT.italic : FONT.regular;
	};

	/** Inline content with its marks; a link is its text (clickable) followed by the address. */
	const rich = (ss: Span[], ctx: PdfCtx, size = BODY) => {
		const segs: (Span & { color: string })[] = [];
		for (const s of ss) {
			const italic = s.italic || ctx.italic;
			if (s.href) {
				segs.push({ ...s, italic, underline: true, color: COLOR.accent });
				if (s.text.trim() !== s.href) segs.push({ ...s, italic, text: ` (${s.href})`, underline: false, bold: false, code: false, color: COLOR.muted });
			} else segs.push({ ...s, italic, color: ctx.color });
		}
		// Hard breaks split the paragraph into lines written one after the other: pdfkit's chained
		// ("continued") text does not break at a "\n" of its own.
		const lines: (typeof segs)[] = [[]];
		for (const s of segs)
			s.text.split('\n').forEach((piece, i) => {
				if (i > 0) lines.push([]);
				if (piece) lines[lines.length - 1]!.push({ ...s, text: w(piece) });
			});
		while (lines.length && !lines[lines.length - 1]!.length) lines.pop();
		if (!lines.some((l) => l.length)) return false;
		const lineHeight = heightOf('X', FONT.regular, size, ctx.width);
		for (const parts of lines) {
			ensure(lineHeight);
			if (!parts.length) {
				doc.y += lineHeight;
				continue;
			}
			parts.forEach((s, i) => {
				doc.font(fontFor(s)).fontSize(size).fillColor(s.color);
				const opts = {
					width: ctx.width,
					lineGap: LINE_GAP,
					continued: i < parts.length - 1,
					underline: s.underline,
					strike: s.strike,
					link: s.href ?? null
				};
				if (i === 0) doc.text(s.text, ctx.x, doc.y, opts);
				else doc.text(s.text, opts);
			});
		}
		return true;
	};

	const blockGap = (ctx: PdfCtx) => (ctx.tight ? 3 : 7);

	const heading = (t: string, level: number, ctx: PdfCtx) => {
		const size = HEADING_SIZE[level] ?? BODY;
		gap(level === 3 ? 4 : 8);
		const h = heightOf(t, FONT.bold, size, ctx.width);
		// Keep a heading with at least three lines of what follows it.
		ensure(h + 6 + 3 * heightOf('X', FONT.regular, BODY, ctx.width));
		write(t || ' ', { font: FONT.bold, size, x: ctx.x, width: ctx.width, color: level === 1 ? COLOR.text : level === 2 ? COLOR.text : COLOR.muted });
		if (level <= 2) {
			doc.y += 2;
			rule(ctx.x, ctx.width, level === 1 ? COLOR.text : COLOR.rule);
		}
		doc.y += 5;
	};

	/** A simple grid: equal columns (or the given fractions), header rows shaded and repeated on new pages. */
	const grid = (rows: { header: boolean; cells: { text: string; span: number }[] }[], box: Box, fractions?: number[]) => {
		const cols = Math.max(1, fractions?.length ?? Math.max(...rows.map((r) => r.cells.reduce((s, c) => s + c.span, 0))));
		const fr = fractions ?? Array.from({ length: cols }, () => 1 / cols);
		const colW = fr.map((f) => f * box.width);
		const pad = 4;
		const size = 9.5;
		const layout = (r: (typeof rows)[number]) => {
			let col = 0;
			const cells = r.cells.map((c) => {
				const span = Math.max(1, Math.min(c.span, cols - col));
				const x = box.x + colW.slice(0, col).reduce((s, v) => s + v, 0);
				const cw = colW.slice(col, col + span).reduce((s, v) => s + v, 0);
				col += span;
				return { ...c, x, cw };
			});
			// Rows with fewer cells keep the grid: empty cells fill the rest.
			while (col < cols) {
				cells.push({ text: '', span: 1, x: box.x + colW.slice(0, col).reduce((s, v) => s + v, 0), cw: colW[col]! });
				col++;
			}
			const font = r.header ? FONT.bold : FONT.regular;
			const h = Math.max(...cells.map((c) => heightOf(c.text, font, size, c.cw - 2 * pad))) + 2 * pad;
			return { cells, h, font };
		};
		const draw = (r: (typeof rows)[number]) => {
			const { cells, h, font } = layout(r);
			const top = doc.y;
			for (const c of cells) {
				if (r.header) doc.rect(c.x, top, c.cw, h).fillColor(COLOR.headerFill).fill();
				doc.rect(c.x, top, c.cw, h).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
				doc.font(font).fontSize(size).fillColor(COLOR.text).text(w(c.text), c.x + pad, top + pad, { width: c.cw - 2 * pad, lineGap: LINE_GAP, underline: false, strike: false, link: null });
			}
			doc.y = top + h;
		};
		const leadingHeaders: typeof rows = [];
		for (const r of rows) {
			if (!r.header) break;
			leadingHeaders.push(r);
		}
		for (const r of rows) {
			const { h } = layout(r);
			if (doc.y + h > bottom() && h <= usable() && !atTop()) {
				doc.addPage();
				if (!r.header) for (const hr of leadingHeaders) draw(hr);
			}
			draw(r);
		}
	};

	const blocks = (nodes: PMNode[] | undefined, ctx: PdfCtx) => {
		for (const n of nodes ?? []) block(n, ctx);
	};

	const block = (n: PMNode, ctx: PdfCtx): void => {
		switch (n.type) {
			case 'heading':
				heading(plainText(n).trim(), headingLevel(n), ctx);
				return;
			case 'paragraph': {
				if (!rich(spans(n.content), ctx)) {
					// An empty paragraph is a blank line, not nothing.
					if (!ctx.tight) doc.y += heightOf('X', FONT.regular, BODY, ctx.width) * 0.6;
					return;
				}
				doc.y += blockGap(ctx);
				return;
			}
			case 'bulletList':
			case 'orderedList': {
				const ordered = n.type === 'orderedList';
				let number = Math.max(0, Math.floor(Number(n.attrs?.start ?? 1))) || 1;
				const inner: PdfCtx = { ...ctx, x: ctx.x + LIST_INDENT, width: ctx.width - LIST_INDENT, depth: ctx.depth + 1, tight: true };
				for (const item of n.content ?? []) {
					const marker = ordered ? `${number++}.` : BULLETS[ctx.depth % BULLETS.length]!;
					ensure(heightOf('X', FONT.regular, BODY, inner.width) + 2);
					const top = doc.y;
					doc.font(FONT.regular).fontSize(BODY).fillColor(ctx.color).text(w(marker), ctx.x, top, { width: LIST_INDENT - 4, align: ordered ? 'right' : 'left', lineBreak: false, underline: false, strike: false, link: null });
					doc.y = top;
					blocks(item.content, inner);
				}
				if (!ctx.tight) doc.y += 4;
				return;
			}
			case 'listItem':
				blocks(n.content, ctx);
				return;
			case 'blockquote': {
				const from = mark();
				blocks(n.content, { ...ctx, x: ctx.x + 14, width: ctx.width - 14, italic: true, color: COLOR.muted });
				decorate(from, (top, end) => {
					doc.rect(ctx.x + 2, top, 2.5, Math.max(0, end - top - blockGap(ctx))).fillColor(COLOR.rule).fill();
				});
				return;
			}
			case 'codeBlock': {
				const t = plainText(n).replace(/\s+$/, '');
				ensure(Math.min(heightOf(t, FONT.mono, 9.5, ctx.width - 16) + 12, 60));
				const from = mark();
				doc.y += 6;
				write(t || ' ', { font: FONT.mono, size: 9.5, x: ctx.x + 8, width: ctx.width - 16 });
				doc.y += 6;
				decorate(from, (top, end) => {
					doc.save().rect(ctx.x, top, ctx.width, end - top).fillOpacity(0.08).fillColor(COLOR.codeFill).fill().restore();
				});
				doc.y += blockGap(ctx);
				return;
			}
			case 'horizontalRule':
				doc.y += 4;
				ensure(8);
				rule(ctx.x, ctx.width);
				doc.y += 8;
				return;
			case 'table': {
				const rows = (n.content ?? [])
					.filter((r) => r.type === 'tableRow')
					.map((r) => {
						const cells = (r.content ?? []).map((c) => ({ text: textWithUrls(c).trim(), span: Math.max(1, Number(c.attrs?.colspan) || 1), header: c.type === 'tableHeader' }));
						return { header: cells.length > 0 && cells.every((c) => c.header), cells };
					});
				if (rows.length) grid(rows, ctx);
				doc.y += blockGap(ctx) + 3;
				return;
			}
			case 'decision':
			case 'actionItem': {
				const isDecision = n.type === 'decision';
				const color = isDecision ? COLOR.accent : COLOR.action;
				const inner: PdfCtx = { ...ctx, x: ctx.x + 12, width: ctx.width - 20, tight: true };
				const content = spans(n.content);
				const meta = isDecision
					? null
					: `${L.owner}: ${ownerLabel(input.resolve, n.attrs?.ownerUserId, n.attrs?.ownerOrganizationId) ?? '—'} · ${L.due}: ${formatDueDate(n.attrs?.dueDate as string | null) ?? '—'}`;
				const estimate =
					14 + heightOf(plainText(n) || '—', FONT.bold, BODY, inner.width) + (meta ? heightOf(meta, FONT.regular, 9.5, inner.width) + 3 : 0) + 14;
				ensure(estimate);
				const from = mark();
				doc.y += 6;
				write((isDecision ? L.decision : L.action).toUpperCase(), { font: FONT.bold, size: 8.5, color, x: inner.x, width: inner.width });
				doc.y += 2;
				if (!rich(content, inner)) write('—', { x: inner.x, width: inner.width });
				if (meta) {
					doc.y += 3;
					write(meta, { size: 9.5, color: COLOR.muted, x: inner.x, width: inner.width });
				}
				doc.y += 6;
				decorate(from, (top, end) => {
					doc.save().rect(ctx.x, top, ctx.width, end - top).fillOpacity(0.07).fillColor(color).fill().restore();
					doc.rect(ctx.x, top, 3, end - top).fillColor(color).fill();
				});
				doc.y += blockGap(ctx) + 2;
				return;
			}
			case 'text':
			case 'hardBreak':
				rich(spans([n]), ctx);
				doc.y += blockGap(ctx);
				return;
			default:
				// Unknown blocks (a newer editor): their text, so nothing written is lost.
				if (n.content?.some((c) => c.type === 'text')) {
					rich(spans(n.content), ctx);
					doc.y += blockGap(ctx);
				} else blocks(n.content, ctx);
		}
	};

	const body: PdfCtx = { x: left, width, depth: 0, tight: false, italic: false, color: COLOR.text };

	// ---- header: network, table, title ----
	write(input.networkName, { size: 9, color: COLOR.muted });
	write(input.tableName, { font: FONT.bold, size: 11.5 });
	doc.y += 6;
	rule();
	doc.y += 14;
	write(L.title, { font: FONT.bold, size: 10, color: COLOR.accent });
	doc.y += 2;
	write(input.meeting.title, { font: FONT.bold, size: 18 });
	doc.y += 10;

	// ---- when, where, who chairs ----
	const labelW = 78;
	for (const row of metaRows(input, L, locale)) {
		const top = doc.y;
		doc.font(FONT.bold).fontSize(BODY).fillColor(COLOR.muted).text(w(row.label), left, top, { width: labelW, lineGap: LINE_GAP, underline: false, strike: false, link: null });
		const labelBottom = doc.y;
		doc.y = top;
		write(row.value, { x: left + labelW + 4, width: width - labelW - 4, link: row.link, underline: !!row.link, color: row.link ? COLOR.accent : COLOR.text });
		doc.y = Math.max(doc.y, labelBottom) + 3;
	}
	doc.y += 10;

	// ---- attendance, the text, the summary ----
	if (!hasOwnAttendance(input.content)) blocks(attendanceNodes(input, L), body);
	blocks(input.content.content, body);
	blocks(decisionNodes(input, L), body);

	heading(L.actions, 2, body);
	if (!input.actions.length) rich(spans([text(L.noActions)]), { ...body, italic: true });
	else
		grid(
			[
				{ header: true, cells: L.columns.map((c) => ({ text: c, span: 1 })) },
				...actionRows(input, L).map((r) => ({ header: false, cells: r.map((c) => ({ text: c, span: 1 })) }))
			],
			body,
			ACTION_COLUMNS
		);
	doc.y += 16;

	// ---- approval ----
	const approval = approvalLines(input, L);
	const approvalH =
		10 +
		heightOf(approval.line, FONT.bold, BODY, width) +
		(approval.note ? heightOf(approval.note, FONT.regular, BODY, width) + 3 : 0) +
		(approval.change ? heightOf(approval.change, FONT.regular, BODY, width) + 3 : 0);
	ensure(approvalH);
	rule();
	doc.y += 8;
	write(approval.line, { font: FONT.bold });
	if (approval.note) {
		doc.y += 3;
		write(approval.note);
	}
	if (approval.change) {
		doc.y += 3;
		write(approval.change, { font: FONT.italic });
	}

	// ---- footer on every page: "Pagina X di Y" ----
	const range = doc.bufferedPageRange();
	const footerLeft = `${L.title} – ${input.meeting.title} (${L.version(input.version.number)})`;
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		// Writing inside the bottom margin would otherwise start a new page.
		const saved = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		const y = doc.page.height - 42;
		doc.moveTo(left, y - 8).lineTo(left + width, y - 8).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
		doc.font(FONT.regular).fontSize(8.5).fillColor(COLOR.muted);
		doc.text(w(footerLeft), left, y, { width: width * 0.7, lineBreak: false, ellipsis: true, underline: false, strike: false, link: null });
		doc.text(w(`${L.page[0]}${i - range.start + 1}${L.page[1]}${range.count}`), left + width * 0.7, y, { width: width * 0.3, align: 'right', lineBreak: false });
		doc.page.margins.bottom = saved;
	}
	doc.end();
	return done;
}

// ---------- DOCX ----------

const DOCX = {
	/** A4 in twips, 2 cm margins. */
	pageWidth: 11906,
	pageHeight: 16838,
	margin: 1134,
	get contentWidth() {
		return this.pageWidth - 2 * this.margin;
	},
	font: 'Calibri',
	mono: 'Courier New',
	text: '1A1A1A',
	muted: '5C6F82',
	accent: '0066CC',
	action: '8A5300',
	rule: 'C5C7C9',
	headerFill: 'E8EEF4',
	decisionFill: 'EAF2FB',
	actionFill: 'FBF3E6',
	codeFill: 'F2F3F5'
};

const BULLET_REF = 'intarsi-bullet';
const NUMBER_REF = 'intarsi-number';
const LIST_STEP = 425; // 0.75 cm per level
const LIST_HANGING = 283;

function listLevels(kind: 'bullet' | 'number', start = 1): ILevelsOptions[] {
	const bulletGlyphs = ['•', '–', '▪'];
	return Array.from({ length: 9 }, (_, level) => ({
		level,
		format: kind === 'bullet' ? LevelFormat.BULLET : LevelFormat.DECIMAL,
		text: kind === 'bullet' ? bulletGlyphs[level % bulletGlyphs.length]! : `%${level + 1}.`,
		alignment: AlignmentType.LEFT,
		start: level === 0 ? start : 1,
		style: { paragraph: { indent: { left: LIST_STEP * (level + 1), hanging: LIST_HANGING } } }
	}));
}

interface DocxCtx {
	/** Nesting of lists (the numbering level). */
	level: number;
	/** The list instance each kind of list of the current tree numbers in. */
	instances: Partial<Record<string, number>>;
	/** Paragraph style of plain paragraphs here (a quotation's). */
	style?: string;
	bold?: boolean;
	/** Left indent of continuation paragraphs inside a list item. */
	indent?: number;
	inCell?: boolean;
}

/** The approved minutes as a Word document. */
export async function minutesDocx(input: MinutesExportInput): Promise<Buffer> {
	const locale: Locale = input.locale === 'en' ? 'en' : 'it';
	const L = labels(locale);
	let nextInstance = 0;
	const extraNumbering = new Map<number, NumberingDefinition>();

	const runs = (ss: Span[], base: { bold?: boolean; italics?: boolean; color?: string; size?: number } = {}): ParagraphChild[] => {
		const out: ParagraphChild[] = [];
		for (const s of ss) {
			if (s.text === '\n') {
				out.push(new TextRun({ break: 1 }));
				continue;
			}
			const lines = s.text.split('\n');
			lines.forEach((line, i) => {
				const run = new TextRun({
					text: line,
					break: i > 0 ? 1 : undefined,
					bold: s.bold || base.bold || undefined,
					italics: s.italic || base.italics || undefined,
					underline: s.underline && !s.href ? {} : undefined,
					strike: s.strike || undefined,
					font: s.code ? DOCX.mono : undefined,
					shading: s.code ? { type: ShadingType.CLEAR, color: 'auto', fill: DOCX.codeFill } : undefined,
					color: s.href ? undefined : base.color,
					size: base.size,
					style: s.href ? 'Hyperlink' : undefined
				});
				out.push(s.href ? new ExternalHyperlink({ link: s.href, children: [run] }) : run);
			});
		}
		return out;
	};

	const heading = (t: string, level: number) =>
		new Paragraph({
			heading: level === 1 ? HeadingLevel.HEADING_1 : level === 2 ? HeadingLevel.HEADING_2 : HeadingLevel.HEADING_3,
			children: [new TextRun(t)]
		});

	const cellParagraphs = (content: (Paragraph | Table)[]) => (content.length ? content : [new Paragraph({})]);

	const table = (rows: { header: boolean; cells: { children: (Paragraph | Table)[]; span: number }[] }[], fractions?: number[], totalWidth = DOCX.contentWidth) => {
		const cols = Math.max(1, fractions?.length ?? Math.max(...rows.map((r) => r.cells.reduce((s, c) => s + c.span, 0))));
		const fr = fractions ?? Array.from({ length: cols }, () => 1 / cols);
		const widths = fr.map((f) => Math.floor(f * totalWidth));
		let leading = true;
		return new Table({
			width: { size: widths.reduce((s, v) => s + v, 0), type: WidthType.DXA },
			columnWidths: widths,
			rows: rows.map((r) => {
				leading = leading && r.header;
				let col = 0;
				const cells = r.cells.map((c) => {
					const span = Math.max(1, Math.min(c.span, cols - col));
					const cw = widths.slice(col, col + span).reduce((s, v) => s + v, 0);
					col += span;
					return new TableCell({
						children: cellParagraphs(c.children),
						columnSpan: span > 1 ? span : undefined,
						width: { size: cw, type: WidthType.DXA },
						margins: { top: 60, bottom: 60, left: 100, right: 100 },
						shading: r.header ? { type: ShadingType.CLEAR, color: 'auto', fill: DOCX.headerFill } : undefined
					});
				});
				while (col < cols) {
					cells.push(new TableCell({ children: [new Paragraph({})], width: { size: widths[col]!, type: WidthType.DXA }, margins: { top: 60, bottom: 60, left: 100, right: 100 } }));
					col++;
				}
				return new TableRow({ children: cells, tableHeader: leading && r.header ? true : undefined, cantSplit: true });
			})
		});
	};

	const listInstance = (ctx: DocxCtx, ref: string, start: number): { reference: string | NumberingDefinition; instance: number } => {
		if (ref === NUMBER_REF && start !== 1) {
			// A list that starts elsewhere than 1 needs its own definition.
			let def = extraNumbering.get(start);
			if (!def) {
				def = { reference: `${NUMBER_REF}-from-${start}`, levels: listLevels('number', start) };
				extraNumbering.set(start, def);
			}
			return { reference: def, instance: ++nextInstance };
		}
		const existing = ctx.instances[ref];
		if (existing !== undefined) return { reference: ref, instance: existing };
		return { reference: ref, instance: ++nextInstance };
	};

	const blocks = (nodes: PMNode[] | undefined, ctx: DocxCtx): (Paragraph | Table)[] => (nodes ?? []).flatMap((n) => block(n, ctx));

	const block = (n: PMNode, ctx: DocxCtx): (Paragraph | Table)[] => {
		switch (n.type) {
			case 'heading':
				if (ctx.inCell) return [new Paragraph({ children: runs(spans(n.content), { bold: true }) })];
				return [heading(plainText(n).trim(), headingLevel(n))];
			case 'paragraph':
				return [
					new Paragraph({
						style: ctx.style,
						indent: ctx.indent ? { left: ctx.indent } : undefined,
						children: runs(spans(n.content), { bold: ctx.bold })
					})
				];
			case 'bulletList':
			case 'orderedList': {
				const ordered = n.type === 'orderedList';
				const ref = ordered ? NUMBER_REF : BULLET_REF;
				const start = ordered ? Math.max(0, Math.floor(Number(n.attrs?.start ?? 1))) || 1 : 1;
				const { reference, instance } = listInstance(ctx, ref, start);
				const level = Math.min(8, ctx.level);
				const inner: DocxCtx = {
					...ctx,
					level: ctx.level + 1,
					instances: { ...ctx.instances, [ref]: typeof reference === 'string' ? instance : ctx.instances[ref] },
					indent: LIST_STEP * (level + 1)
				};
				const out: (Paragraph | Table)[] = [];
				for (const item of n.content ?? []) {
					let first = true;
					for (const child of item.content ?? []) {
						if (first && child.type === 'paragraph') {
							out.push(
								new Paragraph({
									style: ordered ? 'ListNumber' : 'ListBullet',
									numbering: { reference, level, instance },
									children: runs(spans(child.content), { bold: ctx.bold })
								})
							);
						} else out.push(...block(child, inner));
						first = false;
					}
				}
				return out;
			}
			case 'listItem':
				return blocks(n.content, ctx);
			case 'blockquote':
				return blocks(n.content, { ...ctx, style: 'Quote' });
			case 'codeBlock':
				return [new Paragraph({ style: 'Code', children: runs([{ text: plainText(n).replace(/\s+$/, ''), bold: false, italic: false, underline: false, strike: false, code: false, href: null }]) })];
			case 'horizontalRule':
				return [new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: DOCX.rule, space: 1 } }, children: [] })];
			case 'table': {
				const rows = (n.content ?? [])
					.filter((r) => r.type === 'tableRow')
					.map((r) => {
						const cells = (r.content ?? []).map((c) => ({
							header: c.type === 'tableHeader',
							span: Math.max(1, Number(c.attrs?.colspan) || 1),
							children: blocks(c.content, { level: 0, instances: {}, inCell: true, bold: c.type === 'tableHeader' })
						}));
						return { header: cells.length > 0 && cells.every((c) => c.header), cells };
					});
				if (!rows.length) return [];
				// A paragraph after the table keeps two tables in a row from merging in Word.
				return [table(rows), new Paragraph({})];
			}
			case 'decision':
				return [
					new Paragraph({
						style: 'Decision',
						children: [
							new TextRun({ text: L.decision, bold: true, color: DOCX.accent, allCaps: true, size: 17 }),
							new TextRun({ break: 1 }),
							...(spans(n.content).length ? runs(spans(n.content)) : [new TextRun('—')])
						]
					})
				];
			case 'actionItem': {
				const owner = ownerLabel(input.resolve, n.attrs?.ownerUserId, n.attrs?.ownerOrganizationId) ?? '—';
				const due = formatDueDate(n.attrs?.dueDate as string | null) ?? '—';
				return [
					new Paragraph({
						style: 'ActionItem',
						children: [
							new TextRun({ text: L.action, bold: true, color: DOCX.action, allCaps: true, size: 17 }),
							new TextRun({ break: 1 }),
							...(spans(n.content).length ? runs(spans(n.content)) : [new TextRun('—')]),
							new TextRun({ break: 1 }),
							new TextRun({ text: `${L.owner}: `, bold: true, color: DOCX.muted, size: 19 }),
							new TextRun({ text: owner, color: DOCX.muted, size: 19 }),
							new TextRun({ text: ` · ${L.due}: `, bold: true, color: DOCX.muted, size: 19 }),
							new TextRun({ text: due, color: DOCX.muted, size: 19 })
						]
					})
				];
			}
			case 'text':
			case 'hardBreak':
				return [new Paragraph({ children: runs(spans([n])) })];
			default:
				if (n.content?.some((c) => c.type === 'text')) return [new Paragraph({ style: ctx.style, children: runs(spans(n.content)) })];
				return blocks(n.content, ctx);
		}
	};

	const root: DocxCtx = { level: 0, instances: {} };
	const children: (Paragraph | Table)[] = [];

	// ---- header: network, table, title ----
	children.push(
		new Paragraph({ children: [new TextRun({ text: input.networkName, color: DOCX.muted, size: 18 })] }),
		new Paragraph({
			border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: DOCX.rule, space: 4 } },
			spacing: { after: 240 },
			children: [new TextRun({ text: input.tableName, bold: true, size: 23 })]
		}),
		new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: L.title, bold: true, color: DOCX.accent, size: 20 })] }),
		new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(input.meeting.title)] })
	);
	for (const row of metaRows(input, L, locale)) {
		const value = new TextRun({ text: row.value, style: row.link ? 'Hyperlink' : undefined });
		children.push(
			new Paragraph({
				spacing: { after: 40 },
				children: [new TextRun({ text: `${row.label}: `, bold: true, color: DOCX.muted }), row.link ? new ExternalHyperlink({ link: row.link, children: [value] }) : value]
			})
		);
	}
	children.push(new Paragraph({}));

	// ---- attendance, the text, the summary ----
	if (!hasOwnAttendance(input.content)) children.push(...blocks(attendanceNodes(input, L), root));
	children.push(...blocks(input.content.content, root));
	children.push(...blocks(decisionNodes(input, L), root));
	children.push(heading(L.actions, 2));
	if (!input.actions.length) children.push(new Paragraph({ children: [new TextRun({ text: L.noActions, italics: true })] }));
	else {
		const cell = (t: string, bold = false) => ({ span: 1, children: [new Paragraph({ spacing: { after: 0 }, children: [new TextRun({ text: t, bold: bold || undefined })] })] });
		children.push(
			table(
				[{ header: true, cells: L.columns.map((c) => cell(c, true)) }, ...actionRows(input, L).map((r) => ({ header: false, cells: r.map((c) => cell(c)) }))],
				ACTION_COLUMNS
			)
		);
	}

	// ---- approval ----
	const approval = approvalLines(input, L);
	children.push(
		new Paragraph({
			spacing: { before: 360 },
			keepNext: !!(approval.note || approval.change),
			border: { top: { style: BorderStyle.SINGLE, size: 6, color: DOCX.rule, space: 6 } },
			children: [new TextRun({ text: approval.line, bold: true })]
		})
	);
	if (approval.note) children.push(new Paragraph({ keepNext: !!approval.change, children: [new TextRun(approval.note)] }));
	if (approval.change) children.push(new Paragraph({ children: [new TextRun({ text: approval.change, italics: true })] }));

	const footer = new Footer({
		children: [
			new Paragraph({
				alignment: AlignmentType.RIGHT,
				children: [
					new TextRun({
						children: [`${L.title} – ${input.meeting.title} (${L.version(input.version.number)}) · ${L.page[0]}`, PageNumber.CURRENT, L.page[1], PageNumber.TOTAL_PAGES],
						size: 17,
						color: DOCX.muted
					})
				]
			})
		]
	});

	const heading1 = { run: { size: 30, bold: true, color: DOCX.text, font: DOCX.font }, paragraph: { keepNext: true, keepLines: true, spacing: { before: 360, after: 120 } } };
	const file = new Document({
		title: docTitle(input, L),
		subject: L.subject,
		creator: input.networkName,
		lastModifiedBy: input.version.approvedByName,
		description: approval.line,
		keywords: [input.tableName, L.subject, L.version(input.version.number)].join(', '),
		revision: input.version.number,
		styles: {
			default: {
				document: { run: { font: DOCX.font, size: 21, color: DOCX.text, language: { value: locale === 'en' ? 'en-GB' : 'it-IT' } }, paragraph: { spacing: { after: 120 } } },
				title: { run: { size: 36, bold: true, color: DOCX.text, font: DOCX.font }, paragraph: { spacing: { after: 200 } } },
				heading1,
				heading2: { ...heading1, run: { ...heading1.run, size: 26 }, paragraph: { ...heading1.paragraph, spacing: { before: 280, after: 100 } } },
				heading3: { ...heading1, run: { ...heading1.run, size: 22, color: DOCX.muted }, paragraph: { ...heading1.paragraph, spacing: { before: 200, after: 80 } } },
				hyperlink: { run: { color: DOCX.accent, underline: {} } }
			},
			paragraphStyles: [
				{ id: 'ListBullet', name: 'List Bullet', basedOn: 'Normal', quickFormat: true, paragraph: { contextualSpacing: true, spacing: { after: 60 } } },
				{ id: 'ListNumber', name: 'List Number', basedOn: 'Normal', quickFormat: true, paragraph: { contextualSpacing: true, spacing: { after: 60 } } },
				{
					id: 'Quote',
					name: 'Quote',
					basedOn: 'Normal',
					quickFormat: true,
					run: { italics: true, color: DOCX.muted },
					paragraph: { indent: { left: 400 }, border: { left: { style: BorderStyle.SINGLE, size: 18, color: DOCX.rule, space: 8 } } }
				},
				{
					id: 'Code',
					name: 'Code',
					basedOn: 'Normal',
					run: { font: DOCX.mono, size: 19 },
					paragraph: { shading: { type: ShadingType.CLEAR, color: 'auto', fill: DOCX.codeFill }, spacing: { after: 120 } }
				},
				{
					id: 'Decision',
					name: locale === 'en' ? 'Decision' : 'Decisione',
					basedOn: 'Normal',
					quickFormat: true,
					paragraph: {
						keepLines: true,
						shading: { type: ShadingType.CLEAR, color: 'auto', fill: DOCX.decisionFill },
						border: { left: { style: BorderStyle.SINGLE, size: 24, color: DOCX.accent, space: 8 } },
						indent: { left: 200, right: 120 },
						spacing: { before: 120, after: 160 }
					}
				},
				{
					id: 'ActionItem',
					name: locale === 'en' ? 'Action' : 'Azione',
					basedOn: 'Normal',
					quickFormat: true,
					paragraph: {
						keepLines: true,
						shading: { type: ShadingType.CLEAR, color: 'auto', fill: DOCX.actionFill },
						border: { left: { style: BorderStyle.SINGLE, size: 24, color: DOCX.action, space: 8 } },
						indent: { left: 200, right: 120 },
						spacing: { before: 120, after: 160 }
					}
				}
			]
		},
		numbering: {
			config: [
				{ reference: BULLET_REF, levels: listLevels('bullet') },
				{ reference: NUMBER_REF, levels: listLevels('number') }
			]
		},
		sections: [
			{
				properties: {
					page: {
						size: { width: DOCX.pageWidth, height: DOCX.pageHeight },
						margin: { top: DOCX.margin, bottom: DOCX.margin, left: DOCX.margin, right: DOCX.margin, header: 567, footer: 567 }
					}
				},
				footers: { default: footer },
				children
			}
		]
	});
	return Packer.toBuffer(file);
}
