/**
 * The agenda as an A4 PDF, with the content and order of the printable page. pdfkit's standard
 * fonts (Helvetica) need no font files and cover Italian: they are WinAnsi-encoded, so text is
 * first folded into that character set (accents, €, typographic quotes and dashes stay; anything
 * else becomes its closest ASCII form or "?", never a broken glyph).
 */
import PDFDocument from 'pdfkit';
import { m } from '$lib/paraglide/messages';
import { formatRomeRange, formatRomeShort } from '$lib/time/rome';
import { presenterLabel, type AgendaPrint, type PrintItem } from './print';

type Locale = 'it' | 'en';

/** Characters of Windows-1252 above Latin-1's printable range (pdfkit maps them to WinAnsi). */
const WIN_ANSI_EXTRA = new Set([
	0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018, 0x2019, 0x201c, 0x201d,
	0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178
]);

const FALLBACKS: Record<string, string> = {
	'\u2010': '-',
	'\u2011': '-',
	'\u2012': '-',
	'\u2015': '—',
	'\u2212': '-',
	'\u2032': "'",
	'\u2033': '"',
	'\u2190': '<-',
	'\u2192': '->',
	'\u2194': '<->',
	'\u21d2': '=>',
	'\u2264': '<=',
	'\u2265': '>=',
	'\u2260': '!=',
	'\u2248': '~',
	'\u2713': 'v',
	'\u2714': 'v',
	'\u25cf': '•',
	'\u25aa': '•',
	'\u2023': '•',
	'\u2043': '-'
};

/** Text the standard fonts can show; line breaks are kept, other control characters dropped. */
export function toWinAnsi(text: string): string {
	let out = '';
	for (const ch of text) {
		const c = ch.codePointAt(0)!;
		if (ch === '\n') out += ch;
		else if (ch === '\t') out += ' ';
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) continue;
		else if (c < 0x100 || WIN_ANSI_EXTRA.has(c)) out += ch;
		else if (c >= 0x2000 && c <= 0x200a) out += ' ';
		else if (c === 0x200b || c === 0x200c || c === 0x200d || c === 0xfeff || (c >= 0xfe00 && c <= 0xfe0f)) continue;
		else if (FALLBACKS[ch]) out += FALLBACKS[ch];
		else {
			// "ő" → "o", "ﬁ" → "fi": a decomposition into Latin-1 is better than a question mark.
			const folded = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
			out += folded && [...folded].every((f) => f.codePointAt(0)! < 0x100) ? folded : '?';
		}
	}
	return out.replace(/\r\n?/g, '\n');
}

/** "15 min", "1 h", "1 h 30 min". */
export function formatDuration(minutes: number, locale: Locale = 'it'): string {
	const h = Math.floor(minutes / 60);
	const min = minutes % 60;
	if (h === 0) return m.print_minutes({ minutes: min }, { locale });
	if (min === 0) return m.print_hours({ hours: h }, { locale });
	return m.print_hours_minutes({ hours: h, minutes: min }, { locale });
}

const kindLabel = (kind: PrintItem['kind'], locale: Locale) =>
	kind === 'decisione' ? m.print_kind_decisione({}, { locale }) : kind === 'discussione' ? m.print_kind_discussione({}, { locale }) : m.print_kind_informativa({}, { locale });

const COLOR = { text: '#1a1a1a', muted: '#5c6f82', accent: '#0066cc', danger: '#a61d35', warning: '#8a5300', rule: '#c5c7c9' };
const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique' };
/** A4 in points, 20 mm side margins; the bottom margin leaves room for the footer. */
const MARGIN = { top: 56, bottom: 70, left: 57, right: 57 };
const TIME_COL = 52;

export interface AgendaPdfOptions {
	locale?: Locale;
	/** Stamped in the footer ("Generato da Intarsi il …"). */
	now?: Date;
}

/** Builds the PDF of a meeting's agenda (the data of `agendaForPrint`). */
export async function agendaPdf(data: AgendaPrint, opts: AgendaPdfOptions = {}): Promise<Buffer> {
	const locale: Locale = opts.locale === 'en' ? 'en' : 'it';
	const L = { locale };
	const now = opts.now ?? new Date();
	const w = toWinAnsi;
	const { meeting, table } = data;

	const doc = new PDFDocument({
		size: 'A4',
		margins: MARGIN,
		bufferPages: true,
		lang: locale === 'en' ? 'en-GB' : 'it-IT',
		displayTitle: true,
		info: {
			Title: `${m.print_title({}, L)}: ${meeting.title}`,
			Author: `${table.name} – ${m.network_name({}, L)}`,
			Subject: m.print_title({}, L),
			Creator: m.app_name({}, L),
			Keywords: [table.name, m.print_title({}, L)].join(', ')
		}
	});
	const chunks: Buffer[] = [];
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('data', (c: Buffer) => chunks.push(c));
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});

	const left = MARGIN.left;
	const width = doc.page.width - MARGIN.left - MARGIN.right;
	const bottom = () => doc.page.height - MARGIN.bottom;
	const gap = (pt: number) => {
		doc.y += pt;
	};
	const write = (text: string, o: { font?: string; size?: number; color?: string; x?: number; width?: number; link?: string; underline?: boolean; gap?: number } = {}) => {
		doc.font(o.font ?? FONT.regular)
			.fontSize(o.size ?? 10.5)
			.fillColor(o.color ?? COLOR.text)
			.text(w(text), o.x ?? left, doc.y, { width: o.width ?? width, link: o.link, underline: o.underline, lineGap: o.gap ?? 1.5 });
	};
	const rule = (color = COLOR.rule) => {
		doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.6).strokeColor(color).stroke();
	};

	// ---- header: network, table, title ----
	write(m.network_name({}, L), { size: 9, color: COLOR.muted });
	write(table.name, { font: FONT.bold, size: 11.5 });
	gap(6);
	rule();
	gap(14);
	write(m.print_title({}, L).toUpperCase(), { font: FONT.bold, size: 9.5, color: COLOR.accent });
	gap(2);
	write(meeting.title, { font: FONT.bold, size: 18, gap: 2 });
	gap(8);

	if (meeting.status === 'annullata') {
		const label = m.print_cancelled({}, L).toUpperCase();
		const reason = meeting.cancelReason ? m.print_cancelled_reason({ reason: meeting.cancelReason }, L) : '';
		const inner = width - 20;
		doc.font(FONT.bold).fontSize(13);
		let h = doc.heightOfString(w(label), { width: inner });
		if (reason) h += 4 + doc.font(FONT.regular).fontSize(10.5).heightOfString(w(reason), { width: inner });
		const top = doc.y;
		doc.rect(left, top, width, h + 16).lineWidth(1.5).strokeColor(COLOR.danger).stroke();
		doc.y = top + 8;
		write(label, { font: FONT.bold, size: 13, color: COLOR.danger, x: left + 10, width: inner });
		if (reason) {
			gap(4);
			write(reason, { color: COLOR.danger, x: left + 10, width: inner });
		}
		doc.y = top + h + 16;
		gap(10);
	} else if (meeting.status === 'bozza') {
		write(m.print_draft({}, L), { font: FONT.italic, size: 10, color: COLOR.muted });
		gap(6);
	}

	// ---- when, where ----
	const metaRow = (label: string, value: string, link?: string) => {
		const top = doc.y;
		doc.font(FONT.bold).fontSize(10.5).fillColor(COLOR.muted).text(w(label), left, top, { width: 70 });
		const labelBottom = doc.y;
		doc.y = top;
		write(value, { x: left + 74, width: width - 74, link, underline: !!link, color: link ? COLOR.accent : COLOR.text });
		doc.y = Math.max(doc.y, labelBottom) + 3;
	};
	metaRow(m.print_when({}, L), meeting.startsAt ? formatRomeRange(meeting.startsAt, meeting.endsAt, locale) : m.print_date_tbd({}, L));
	if (meeting.address) metaRow(m.print_where({}, L), meeting.address);
	if (meeting.onlineUrl) metaRow(m.print_online({}, L), meeting.onlineUrl, meeting.onlineUrl);
	if (meeting.description) {
		gap(6);
		write(meeting.description, { size: 10.5 });
	}
	gap(14);

	// ---- items ----
	write(m.print_items_heading({}, L), { font: FONT.bold, size: 13.5 });
	gap(4);
	rule();
	gap(8);
	if (!data.items.length) write(m.print_no_items({}, L), { font: FONT.italic, color: COLOR.muted });

	const bodyX = left + TIME_COL;
	const bodyW = width - TIME_COL;
	const parts = (it: PrintItem) => {
		const presenter = presenterLabel(it.presenter);
		const meta = [kindLabel(it.kind, locale), formatDuration(it.durationMinutes, locale), presenter ? m.print_presenter({ name: presenter }, L) : null];
		return {
			title: `${it.number}. ${it.title}`,
			meta: meta.filter(Boolean).join(' · '),
			notes: it.notes.trim() ? it.notes.replace(/\s+$/, '') : null
		};
	};
	const heightOf = (it: PrintItem) => {
		const p = parts(it);
		let h = doc.font(FONT.bold).fontSize(11.5).heightOfString(w(p.title), { width: bodyW, lineGap: 1.5 }) + 2;
		h += doc.font(FONT.regular).fontSize(9.5).heightOfString(w(p.meta), { width: bodyW, lineGap: 1.5 });
		if (p.notes) h += 4 + doc.fontSize(10.5).heightOfString(w(p.notes), { width: bodyW, lineGap: 1.5 });
		if (it.links.length) h += 4 + it.links.reduce((s, l) => s + doc.fontSize(9.5).heightOfString(w(l), { width: bodyW, lineGap: 1.5 }), 0);
		return h + 12;
	};

	for (const it of data.items) {
		const h = heightOf(it);
		// An item is not split across pages unless it is longer than a page.
		if (doc.y + h > bottom() && h <= bottom() - MARGIN.top) doc.addPage();
		const p = parts(it);
		const top = doc.y;
		if (it.startTime) doc.font(FONT.bold).fontSize(11.5).fillColor(COLOR.accent).text(it.startTime, left, top, { width: TIME_COL - 6 });
		doc.y = top;
		write(p.title, { font: FONT.bold, size: 11.5, x: bodyX, width: bodyW });
		gap(2);
		write(p.meta, { size: 9.5, color: COLOR.muted, x: bodyX, width: bodyW });
		if (p.notes) {
			gap(4);
			write(p.notes, { x: bodyX, width: bodyW });
		}
		if (it.links.length) {
			gap(4);
			for (const link of it.links) write(link, { size: 9.5, color: COLOR.accent, x: bodyX, width: bodyW, link, underline: true });
		}
		gap(12);
	}

	// ---- totals ----
	const totals = [m.print_total({ total: formatDuration(data.totalMinutes, locale) }, L)];
	if (data.plannedMinutes !== null) totals.push(m.print_planned({ planned: formatDuration(data.plannedMinutes, locale) }, L));
	const warning = data.overMinutes > 0 ? m.print_over({ over: formatDuration(data.overMinutes, locale) }, L) : null;
	const totalsHeight =
		8 +
		totals.reduce((s, t) => s + doc.font(FONT.bold).fontSize(10.5).heightOfString(w(t), { width, lineGap: 1.5 }), 0) +
		(warning ? 30 + doc.heightOfString(w(warning), { width: width - 20 }) : 0);
	if (doc.y + totalsHeight > bottom()) doc.addPage();
	rule();
	gap(8);
	for (const t of totals) write(t, { font: FONT.bold });
	if (warning) {
		gap(8);
		const inner = width - 20;
		const hw = doc.font(FONT.bold).fontSize(10.5).heightOfString(w(warning), { width: inner, lineGap: 1.5 });
		const top = doc.y;
		doc.rect(left, top, width, hw + 14).lineWidth(1.2).strokeColor(COLOR.warning).stroke();
		doc.y = top + 7;
		write(warning, { font: FONT.bold, color: COLOR.warning, x: left + 10, width: inner });
		doc.y = top + hw + 14;
	}

	// ---- footer on every page: "Pagina X di Y" ----
	const range = doc.bufferedPageRange();
	const generated = m.pdf_generated({ date: formatRomeShort(now, locale) }, L);
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		// Writing inside the bottom margin would otherwise start a new page.
		const saved = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		const y = doc.page.height - 44;
		doc.moveTo(left, y - 8).lineTo(left + width, y - 8).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
		doc.font(FONT.regular).fontSize(8.5).fillColor(COLOR.muted);
		doc.text(w(generated), left, y, { width: width / 2, lineBreak: false });
		doc.text(w(m.pdf_page({ page: i - range.start + 1, pages: range.count }, L)), left + width / 2, y, { width: width / 2, align: 'right', lineBreak: false });
		doc.page.margins.bottom = saved;
	}
	doc.end();
	return done;
}
