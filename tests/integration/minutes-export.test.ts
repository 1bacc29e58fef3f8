import { describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { extractPdfText, pdfInfo, pdfPageCount } from './helpers/pdf-text';
import { docxPart, docxTables, docxText, paragraphStyles, unzip } from './helpers/docx-text';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { minutesDocx, minutesFileName, minutesPdf, type MinutesExportInput } from '../../src/lib/server/minutes/export';
import { exportInput, exportInputFor } from '../../src/lib/server/minutes/export-input';
import { createMeeting } from '../../src/lib/server/meetings/meetings';
import { actionItems, meetingParticipants, meetings, minutes, minutesVersions } from '../../src/lib/server/db/schema';
import { DomainError } from '../../src/lib/server/errors';
import type { Db } from '../../src/lib/server/db/client';
import type { Actor } from '../../src/lib/server/authz';
import { GET as getPdf } from '../../src/routes/(app)/meetings/[id=uuid]/minutes/v/[n=integer]/verbale.pdf/+server';
import { GET as getDocx } from '../../src/routes/(app)/meetings/[id=uuid]/minutes/v/[n=integer]/verbale.docx/+server';
import { GET as getMd } from '../../src/routes/(app)/meetings/[id=uuid]/minutes/v/[n=integer]/verbale.md/+server';
import { match as matchInteger } from '../../src/params/integer';

// The download routes take the database from boot; here, the suite's own.
const boot = vi.hoisted(() => ({ db: null as unknown }));
vi.mock('../../src/lib/server/boot', () => ({
	getDatabase: () => {
		if (!boot.db) throw new Error('no test database');
		return boot.db;
	}
}));
import type { PMNode } from '../../src/lib/minutes/schema';
import { parseRomeLocal } from '../../src/lib/time/rome';

const rome = (local: string) => {
	const r = parseRomeLocal(local);
	if (!r.ok) throw new Error(`bad time ${local}`);
	return r.date;
};

const t = (text: string, ...marks: (string | { type: string; attrs?: Record<string, unknown> })[]): PMNode => ({
	type: 'text',
	text,
	...(marks.length ? { marks: marks.map((mk) => (typeof mk === 'string' ? { type: mk } : mk)) } : {})
});
const p = (...content: PMNode[]): PMNode => ({ type: 'paragraph', content });
const h = (level: number, text: string, agendaItemId?: string): PMNode => ({ type: 'heading', attrs: { level, agendaItemId: agendaItemId ?? null }, content: [t(text)] });
const li = (...content: PMNode[]): PMNode => ({ type: 'listItem', content });
const cell = (type: 'tableCell' | 'tableHeader', text: string): PMNode => ({ type, content: [p(t(text))] });

const PEOPLE: Record<string, string> = { 'u-anna': 'Anna Rossi', 'u-luca': 'Luca Bianchi' };
const ORGS: Record<string, string> = { 'o-cesena': 'Comune di Cesena', 'o-mandorlo': 'Cooperativa Il Mandorlo' };

function content(opts: { ownAttendance?: boolean } = {}): PMNode {
	return {
		type: 'doc',
		content: [
			h(1, 'Verbale – Tavolo minori di novembre'),
			p(t('Tavolo: Tavolo minori e famiglie')),
			...(opts.ownAttendance ? [h(2, 'Presenti'), { type: 'bulletList', content: [li(p(t('Anna Rossi (Comune di Cesena)')))] }] : []),
			h(2, '1. Attività già svolte', 'item-1'),
			p(
				t('Il tavolo ha verificato le attività: '),
				t('priorità alta', 'bold'),
				t(', '),
				t('nota a margine', 'italic'),
				t(', '),
				t('da riscrivere', 'underline'),
				t(', '),
				t('testo superato', 'strike'),
				t(', codice '),
				t('ATS-42', 'code'),
				{ type: 'hardBreak' },
				t('Documentazione sul '),
				t('sito della rete', { type: 'link', attrs: { href: 'https://intarsi.example.it/documenti' } }),
				t('.')
			),
			{
				type: 'bulletList',
				content: [
					li(p(t('Scuole coinvolte: 4')), {
						type: 'orderedList',
						attrs: { start: 1 },
						content: [li(p(t('Istituto comprensivo Cesena Nord'))), li(p(t('Liceo Righi')))]
					}),
					li(p(t('Famiglie seguite: 27')))
				]
			},
			{ type: 'orderedList', attrs: { start: 3 }, content: [li(p(t('Punto ripreso dal verbale precedente')))] },
			{ type: 'blockquote', content: [p(t('«Serve più continuità», ha osservato la referente.'))] },
			{
				type: 'table',
				content: [
					{ type: 'tableRow', content: [cell('tableHeader', 'Servizio'), cell('tableHeader', 'Ore'), cell('tableHeader', 'Città')] },
					{ type: 'tableRow', content: [cell('tableCell', 'Doposcuola'), cell('tableCell', '120'), cell('tableCell', 'Forlì')] },
					{ type: 'tableRow', content: [cell('tableCell', 'Mediazione linguistica'), cell('tableCell', '45'), cell('tableCell', 'Cesena')] }
				]
			},
			h(2, '2. Proposte per il 2027', 'item-2'),
			{ type: 'decision', attrs: { id: 'dec-1' }, content: [t('Si approva la proroga del progetto «Città educante» fino a giugno 2027.')] },
			{
				type: 'actionItem',
				attrs: { id: 'act-1', ownerUserId: 'u-anna', ownerOrganizationId: 'o-cesena', dueDate: '2026-12-15' },
				content: [t('Inviare la relazione finale alla Regione')]
			},
			{
				type: 'actionItem',
				attrs: { id: 'act-2', ownerUserId: null, ownerOrganizationId: 'o-mandorlo', dueDate: '2027-01-31' },
				content: [t('Preparare il calendario dei laboratori')]
			},
			{ type: 'horizontalRule' },
			{ type: 'codeBlock', content: [t('rif. protocollo 2026/118')] },
			p()
		]
	};
}

function input(overrides: Partial<MinutesExportInput> = {}, opts: { ownAttendance?: boolean } = {}): MinutesExportInput {
	return {
		networkName: 'Rete INTARSI — Azioni in rete per una comunità accogliente',
		tableName: 'Tavolo minori e famiglie',
		meeting: {
			title: 'Tavolo minori di novembre',
			startsAt: rome('2026-11-26T10:30'),
			endsAt: rome('2026-11-26T12:00'),
			address: 'Sala Giunta, Piazza del Popolo 10, Cesena',
			onlineUrl: 'https://meet.example.it/tavolo-minori'
		},
		chairName: 'Anna Rossi',
		secretaryName: 'Luca Bianchi',
		attendance: [
			{ name: 'Anna Rossi', organization: 'Comune di Cesena', attendance: 'present', delegate: null },
			{ name: 'Giulia Neri', organization: 'ASL Romagna', attendance: 'absent', delegate: null },
			{ name: 'Marco Verdi', organization: 'Comune di Forlì', attendance: 'delegated', delegate: 'Chiara Gialli' },
			{ name: 'Paolo Blu', organization: null, attendance: null, delegate: null }
		],
		content: content(opts),
		decisions: [{ text: 'Si approva la proroga del progetto «Città educante» fino a giugno 2027.', section: '2. Proposte per il 2027' }],
		actions: [
			{ description: 'Inviare la relazione finale alla Regione', owner: 'Anna Rossi (Comune di Cesena)', dueDate: '2026-12-15', status: 'in_corso' },
			{ description: 'Preparare il calendario dei laboratori', owner: 'Cooperativa Il Mandorlo', dueDate: '2027-01-31', status: 'aperta' }
		],
		version: { number: 2, approvedAt: rome('2026-12-03T18:00'), approvedByName: 'Anna Rossi', approvalNote: 'approvato nella riunione del 3 dicembre', changeNote: 'Corretto il numero delle famiglie seguite.' },
		resolve: { person: (id) => PEOPLE[id] ?? null, organization: (id) => ORGS[id] ?? null },
		...overrides
	};
}

/** Collapses whitespace, so assertions do not depend on where a line wraps. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('minutes PDF', () => {
	it('renders the header, attendance, the text with its marks, decisions, actions, approval and page numbers', async () => {
		const pdf = await minutesPdf(input());
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		const text = extractPdfText(pdf);
		const all = flat(text);

		expect(text).toContain('Rete INTARSI — Azioni in rete per una comunità accogliente');
		expect(text).toContain('Verbale della riunione');
		expect(text).toContain('Tavolo minori di novembre');
		expect(all).toContain('giovedì 26 novembre 2026, 10:30–12:00');
		expect(all).toContain('Sala Giunta, Piazza del Popolo 10, Cesena');
		expect(text).toContain('Presiede');
		expect(text).toContain('Verbalizza');
		expect(text).toContain('Luca Bianchi');

		// Our attendance section (the text has no "Presenti" of its own).
		expect(text).toContain('Presenze');
		expect(text).toContain('Presenti (1)');
		expect(text).toContain('Assenti (1)');
		expect(text).toContain('Delegati (1)');
		expect(all).toContain('Marco Verdi (Comune di Forlì)');
		expect(all).toContain('delega a Chiara Gialli');

		// The document as written: headings, marks, link text with its address, lists, quote, table.
		expect(text).toContain('1. Attività già svolte');
		expect(all).toContain('priorità alta');
		expect(all).toContain('ATS-42');
		expect(all).toContain('sito della rete');
		expect(all).toContain('(https://intarsi.example.it/documenti)');
		expect(all).toContain('Istituto comprensivo Cesena Nord');
		expect(all).toContain('«Serve più continuità», ha osservato la referente.');
		expect(text).toMatch(/^•$/m);
		expect(text).toMatch(/^2\.$/m);
		// An ordered list that starts at 3 counts from there.
		expect(text).toMatch(/^3\.\nPunto ripreso dal verbale precedente$/m);
		for (const c of ['Servizio', 'Ore', 'Città', 'Doposcuola', '120', 'Forlì', 'Mediazione linguistica']) expect(text.split('\n')).toContain(c);
		expect(all).toContain('rif. protocollo 2026/118');

		// Decision and action blocks.
		expect(text).toContain('DECISIONE');
		expect(all).toContain('Si approva la proroga del progetto «Città educante» fino a giugno 2027.');
		expect(text).toContain('AZIONE');
		expect(all).toContain('Responsabile: Anna Rossi (Comune di Cesena) · Scadenza: 15/12/2026');
		expect(all).toContain('Responsabile: Cooperativa Il Mandorlo · Scadenza: 31/01/2027');

		// Summary: decisions with their section, the actions table.
		expect(text).toContain('Decisioni');
		expect(all).toContain('— 2. Proposte per il 2027');
		expect(text).toContain('Azioni');
		const lines = text.split('\n');
		for (const c of ['Descrizione', 'Responsabile', 'Scadenza', 'Stato', 'Inviare la relazione finale alla Regione', '15/12/2026', 'In corso', 'Aperta', '31/01/2027'])
			expect(lines).toContain(c);

		// Approval and, for a second version, what changed.
		expect(all).toContain('Verbale approvato il 03/12/2026 da Anna Rossi (versione 2)');
		expect(all).toContain('Nota: approvato nella riunione del 3 dicembre');
		expect(all).toContain('Modifiche rispetto alla versione precedente: Corretto il numero delle famiglie seguite.');

		const pages = pdfPageCount(pdf);
		expect(pages).toBeGreaterThanOrEqual(1);
		expect(text).toContain(`Pagina 1 di ${pages}`);
		expect(text).toContain(`Pagina ${pages} di ${pages}`);

		const info = pdfInfo(pdf);
		expect(info.Title).toBe('Verbale della riunione: Tavolo minori di novembre');
		expect(info.Author).toBe('Rete INTARSI — Azioni in rete per una comunità accogliente');
		expect(info.Subject).toBe('Verbale');
		expect(pdf.toString('latin1')).toMatch(/\/Lang \(it-IT\)/);
	});

	it('does not repeat the attendance when the text has its own "Presenti" section; version 1 has no change note', async () => {
		const pdf = await minutesPdf(
			input({ version: { number: 1, approvedAt: rome('2026-12-03T18:00'), approvedByName: 'Anna Rossi', approvalNote: null, changeNote: 'ignorata' } }, { ownAttendance: true })
		);
		const text = extractPdfText(pdf);
		expect(text).not.toContain('Presenze');
		expect(text).not.toContain('Delegati (1)');
		expect(text).toContain('Presenti');
		expect(flat(text)).toContain('Verbale approvato il 03/12/2026 da Anna Rossi (versione 1)');
		expect(text).not.toContain('Modifiche rispetto');
		expect(text).not.toContain('ignorata');
	});

	it('flows a long text over several pages, numbering them all, with English labels when asked', async () => {
		const long: PMNode = {
			type: 'doc',
			content: Array.from({ length: 40 }, (_, i) => [
				h(2, `Punto ${i + 1}`),
				p(t('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '.repeat(3)))
			]).flat()
		};
		// A decision and a quotation longer than a page are split, not lost.
		long.content!.push(
			{ type: 'decision', attrs: { id: 'dec-long' }, content: [t('Decisione molto lunga. '.repeat(400)), t('Fine della decisione.')] },
			{ type: 'blockquote', content: Array.from({ length: 60 }, (_, i) => p(t(`Citazione, riga ${i + 1}.`))) }
		);
		const pdf = await minutesPdf(input({ content: long, decisions: [], actions: [], locale: 'en' }));
		const pages = pdfPageCount(pdf);
		expect(pages).toBeGreaterThan(4);
		const text = extractPdfText(pdf);
		expect(flat(text)).toContain('Fine della decisione.');
		expect(text).toContain('Citazione, riga 60.');
		for (let i = 1; i <= pages; i++) expect(text).toContain(`Page ${i} of ${pages}`);
		expect(text).toContain('Meeting minutes');
		expect(text).toContain('No decisions recorded.');
		expect(text).toContain('No actions recorded.');
		expect(flat(text)).toContain('Minutes approved on 03/12/2026 by Anna Rossi (version 2)');
		expect(pdfInfo(pdf).Subject).toBe('Minutes');
	});

	it('keeps characters outside WinAnsi readable', async () => {
		const pdf = await minutesPdf(input({ content: { type: 'doc', content: [p(t('Riunione → sintesi ≥ 3 punti, Erdős'))] } }));
		expect(flat(extractPdfText(pdf))).toContain('Riunione -> sintesi >= 3 punti, Erdos');
	});
});

describe('minutes DOCX', () => {
	it('writes the same content with Word styles, numbering, hyperlinks, tables and properties', async () => {
		const docx = await minutesDocx(input());
		const parts = unzip(docx);
		expect([...parts.keys()]).toEqual(expect.arrayContaining(['word/document.xml', 'word/styles.xml', 'word/numbering.xml', 'docProps/core.xml', '[Content_Types].xml']));
		const xml = docxPart(docx, 'word/document.xml');
		const text = docxText(docx);

		for (const s of [
			'Rete INTARSI — Azioni in rete per una comunità accogliente',
			'Tavolo minori e famiglie',
			'Verbale della riunione',
			'Tavolo minori di novembre',
			'giovedì 26 novembre 2026, 10:30–12:00',
			'Presiede: ',
			'Verbalizza: Luca Bianchi',
			'Presenti (1)',
			'Assenti (1)',
			'Marco Verdi (Comune di Forlì) – delega a Chiara Gialli',
			'priorità alta',
			'sito della rete',
			'Istituto comprensivo Cesena Nord',
			'«Serve più continuità», ha osservato la referente.',
			'Decisione',
			'Si approva la proroga del progetto «Città educante» fino a giugno 2027.',
			'Azione',
			'Responsabile: Anna Rossi (Comune di Cesena) · Scadenza: 15/12/2026',
			'Si approva la proroga del progetto «Città educante» fino a giugno 2027. — 2. Proposte per il 2027',
			'Verbale approvato il 03/12/2026 da Anna Rossi (versione 2)',
			'Nota: approvato nella riunione del 3 dicembre',
			'Modifiche rispetto alla versione precedente: Corretto il numero delle famiglie seguite.'
		])
			expect(text).toContain(s);

		// Headings of the text and of our sections use Word's heading styles.
		expect(paragraphStyles(xml, 'Verbale – Tavolo minori di novembre')).toEqual(['Heading1']);
		expect(paragraphStyles(xml, '1. Attività già svolte')).toEqual(['Heading2']);
		expect(paragraphStyles(xml, 'Decisioni')).toContain('Heading2');
		expect(paragraphStyles(xml, 'Azioni')).toContain('Heading2');
		expect(paragraphStyles(xml, 'Tavolo minori di novembre')).toContain('Title');
		// Decision and action blocks have their own styles; the quote too.
		expect(paragraphStyles(xml, 'Si approva la proroga')[0]).toBe('Decision');
		expect(paragraphStyles(xml, 'Inviare la relazione finale alla Regione')[0]).toBe('ActionItem');
		expect(paragraphStyles(xml, 'Serve più continuità')).toEqual(['Quote']);

		// Lists through numbering: bullets at level 0, the nested numbered list at level 1.
		expect(paragraphStyles(xml, 'Scuole coinvolte: 4')).toEqual(['ListBullet']);
		expect(paragraphStyles(xml, 'Liceo Righi')).toEqual(['ListNumber']);
		const righi = (xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []).find((x) => x.includes('Liceo Righi'))!;
		expect(righi).toMatch(/<w:ilvl w:val="1"\/>/);
		const numbering = docxPart(docx, 'word/numbering.xml');
		expect(numbering).toContain('w:val="bullet"');
		expect(numbering).toContain('w:val="decimal"');
		expect(paragraphStyles(xml, 'Punto ripreso dal verbale precedente')).toEqual(['ListNumber']);
		expect(numbering).toMatch(/<w:start w:val="3"\/>/);

		// Marks and a real hyperlink.
		expect(xml).toMatch(/<w:b\/>[\s\S]{0,200}priorità alta/);
		expect(xml).toMatch(/<w:i\/>[\s\S]{0,200}nota a margine/);
		expect(xml).toMatch(/<w:u w:val="single"\/>[\s\S]{0,200}da riscrivere/);
		expect(xml).toMatch(/<w:strike\/>[\s\S]{0,200}testo superato/);
		expect(xml).toMatch(/<w:hyperlink [^>]*r:id="([^"]+)"[\s\S]*?sito della rete/);
		const rels = docxPart(docx, 'word/_rels/document.xml.rels');
		expect(rels).toContain('Target="https://intarsi.example.it/documenti"');
		expect(rels).toContain('TargetMode="External"');

		// Tables: the text's table, and the actions table with 4 columns and a header row.
		const tables = docxTables(xml);
		expect(tables).toHaveLength(2);
		expect(tables[0]).toEqual([
			['Servizio', 'Ore', 'Città'],
			['Doposcuola', '120', 'Forlì'],
			['Mediazione linguistica', '45', 'Cesena']
		]);
		const actions = tables[1]!;
		expect(actions[0]).toEqual(['Descrizione', 'Responsabile', 'Scadenza', 'Stato']);
		expect(actions.slice(1)).toEqual([
			['Inviare la relazione finale alla Regione', 'Anna Rossi (Comune di Cesena)', '15/12/2026', 'In corso'],
			['Preparare il calendario dei laboratori', 'Cooperativa Il Mandorlo', '31/01/2027', 'Aperta']
		]);
		expect(actions.every((r) => r.length === 4)).toBe(true);
		const actionsTable = xml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g)![1]!;
		expect(actionsTable.match(/<w:gridCol /g)).toHaveLength(4);
		expect(actionsTable).toContain('<w:tblHeader/>');

		// Page numbers in the footer, properties, language, A4.
		const footer = [...parts.entries()].find(([k]) => /^word\/footer\d*\.xml$/.test(k))![1].toString('utf8');
		expect(footer).toContain('Pagina ');
		expect(footer).toMatch(/PAGE/);
		expect(footer).toMatch(/NUMPAGES/);
		const core = docxPart(docx, 'docProps/core.xml');
		expect(core).toContain('<dc:title>Verbale della riunione: Tavolo minori di novembre</dc:title>');
		expect(core).toContain('<dc:creator>Rete INTARSI — Azioni in rete per una comunità accogliente</dc:creator>');
		expect(core).toContain('<dc:subject>Verbale</dc:subject>');
		expect(docxPart(docx, 'word/styles.xml')).toContain('w:val="it-IT"');
		expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
	});

	it('uses English labels and skips its attendance when the text has one', async () => {
		const docx = await minutesDocx(input({ locale: 'en' }, { ownAttendance: true }));
		const text = docxText(docx);
		expect(text).toContain('Meeting minutes');
		expect(text).not.toContain('Attendance');
		expect(text).not.toContain('Delegated (1)');
		expect(text).toContain('Minutes approved on 03/12/2026 by Anna Rossi (version 2)');
		expect(docxTables(docxPart(docx, 'word/document.xml'))[1]![0]).toEqual(['Description', 'Owner', 'Due date', 'Status']);
	});
});

describe('minutes file names', () => {
	it('names the file after the meeting day in Rome, the title and the version', () => {
		expect(minutesFileName(input(), 'pdf')).toBe('verbale-2026-11-26-tavolo-minori-di-novembre-v2.pdf');
		expect(minutesFileName(input(), 'docx')).toBe('verbale-2026-11-26-tavolo-minori-di-novembre-v2.docx');
		// Without a time, the approval's day (late evening UTC is already the next day in Rome).
		const undated = input({ meeting: { ...input().meeting, startsAt: null, endsAt: null, title: 'Città & Comunità!' } });
		undated.version.approvedAt = new Date('2026-12-31T23:30:00Z');
		expect(minutesFileName(undated, 'md')).toBe('verbale-2027-01-01-citta-comunita-v2.md');
	});

	it('matches version numbers in URLs', () => {
		for (const ok of ['1', '2', '999999']) expect(matchInteger(ok)).toBe(true);
		for (const bad of ['0', '01', '-1', '1.5', '1000000', 'abc', '']) expect(matchInteger(bad)).toBe(false);
	});
});

describeEachDb('minutes export input', (get) => {
	it('reads the frozen version, the meeting, attendance, names, sections and current action statuses', async () => {
		const { db } = get();
		const cesena = await makeOrganization(db, 'Comune di Cesena');
		const forli = await makeOrganization(db, 'Comune di Forlì');
		const chair = await makePerson(db, { organizationId: cesena.id });
		const secretary = await makePerson(db, { organizationId: forli.id });
		const absent = await makePerson(db);
		const outsider = await makePerson(db);
		const { table, admin } = await makeTable(db, { visibility: 'members', members: [{ id: chair.id, role: 'coordinator' }, { id: secretary.id }, { id: absent.id }] });
		const adminActor = await actorFor(db, admin);
		const meeting = await createMeeting(db, adminActor, table.id, {
			title: 'Tavolo di novembre',
			start: rome('2026-11-26T10:30'),
			end: rome('2026-11-26T12:00'),
			address: 'Piazza del Popolo 10, Cesena',
			participantIds: [],
			includeMembers: true,
			copyPrevious: false
		} as Parameters<typeof createMeeting>[3]);
		await db.update(meetings).set({ chairId: chair.id, secretaryId: secretary.id }).where(eq(meetings.id, meeting.id));
		const mark = (userId: string, values: Partial<typeof meetingParticipants.$inferInsert>) =>
			db.update(meetingParticipants).set(values).where(and(eq(meetingParticipants.meetingId, meeting.id), eq(meetingParticipants.userId, userId)));
		await mark(chair.id, { attendance: 'present' });
		await mark(secretary.id, { attendance: 'delegated', delegateName: 'Chiara Gialli' });
		await mark(absent.id, { attendance: 'absent' });

		const actionId = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
		const doc: PMNode = {
			type: 'doc',
			content: [
				h(1, 'Verbale – Tavolo di novembre'),
				h(2, '1. Bilancio', 'item-1'),
				{ type: 'decision', attrs: { id: 'dec-1' }, content: [t('Si approva il bilancio.')] },
				{ type: 'actionItem', attrs: { id: actionId, ownerUserId: chair.id, ownerOrganizationId: cesena.id, dueDate: '2026-12-15' }, content: [t('Inviare il bilancio')] },
				{ type: 'actionItem', attrs: { id: 'act-new', ownerUserId: null, ownerOrganizationId: forli.id, dueDate: null }, content: [t('Fissare la prossima data')] }
			]
		};
		await db.insert(minutes).values({ meetingId: meeting.id, status: 'approvata', currentVersion: 1 });
		await db.insert(minutesVersions).values({
			meetingId: meeting.id,
			number: 1,
			content: doc as unknown as Record<string, unknown>,
			text: 'testo',
			markdown: '# Verbale – Tavolo di novembre',
			approvedBy: chair.id,
			approvedAt: rome('2026-12-03T18:00'),
			approvalNote: 'approvato dal coordinatore'
		});
		await db.insert(actionItems).values({ id: actionId, meetingId: meeting.id, description: 'Inviare il bilancio', status: 'fatta' });

		const got = await exportInput(db, adminActor, meeting.id, 1, 'it');
		expect(got.networkName).toBe('Rete INTARSI — Azioni in rete per una comunità accogliente');
		expect(got.tableName).toBe(table.name);
		expect(got.meeting).toEqual({ title: 'Tavolo di novembre', startsAt: rome('2026-11-26T10:30'), endsAt: rome('2026-11-26T12:00'), address: 'Piazza del Popolo 10, Cesena', onlineUrl: null });
		expect(got.chairName).toBe(chair.name);
		expect(got.secretaryName).toBe(secretary.name);
		expect(got.attendance).toEqual(
			expect.arrayContaining([
				{ name: chair.name, organization: 'Comune di Cesena', attendance: 'present', delegate: null },
				{ name: secretary.name, organization: 'Comune di Forlì', attendance: 'delegated', delegate: 'Chiara Gialli' },
				{ name: absent.name, organization: null, attendance: 'absent', delegate: null }
			])
		);
		expect(got.content).toEqual(doc);
		expect(got.decisions).toEqual([{ text: 'Si approva il bilancio.', section: '1. Bilancio' }]);
		expect(got.actions).toEqual([
			{ description: 'Inviare il bilancio', owner: `${chair.name} (Comune di Cesena)`, dueDate: '2026-12-15', status: 'fatta' },
			{ description: 'Fissare la prossima data', owner: 'Comune di Forlì', dueDate: null, status: 'aperta' }
		]);
		expect(got.version).toEqual({ number: 1, approvedAt: rome('2026-12-03T18:00'), approvedByName: chair.name, approvalNote: 'approvato dal coordinatore', changeNote: null });
		expect(got.resolve.person(chair.id)).toBe(chair.name);
		expect(got.markdown).toBe('# Verbale – Tavolo di novembre');
		expect(minutesFileName(got, 'pdf')).toBe('verbale-2026-11-26-tavolo-di-novembre-v1.pdf');
		expect(flat(extractPdfText(await minutesPdf(got)))).toContain(`Verbale approvato il 03/12/2026 da ${chair.name} (versione 1)`);
		expect((await exportInput(db, adminActor, meeting.id, 1, 'en')).networkName).toBe('INTARSI network — Networked action for a welcoming community');

		// A version that does not exist, a meeting the actor may not see: 404 either way.
		await expect(exportInput(db, adminActor, meeting.id, 2)).rejects.toMatchObject({ status: 404 });
		const outsiderActor = await actorFor(db, outsider);
		await expect(exportInput(db, outsiderActor, meeting.id, 1)).rejects.toBeInstanceOf(DomainError);
		await expect(exportInputFor(db, outsiderActor, meeting.id, 1)).rejects.toMatchObject({ status: 404 });
		await expect(exportInputFor(db, null, meeting.id, 1)).rejects.toMatchObject({ status: 404 });
		// A member of the table sees it.
		expect((await exportInputFor(db, await actorFor(db, absent), meeting.id, 1)).version.number).toBe(1);

		// The download routes.
		boot.db = db as Db;
		const event = (actor: Actor | null, n = '1') => ({ locals: { actor }, params: { id: meeting.id, n } }) as unknown as Parameters<typeof getPdf>[0];
		const pdfRes = await getPdf(event(adminActor));
		expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
		expect(pdfRes.headers.get('content-disposition')).toBe('attachment; filename="verbale-2026-11-26-tavolo-di-novembre-v1.pdf"');
		const pdfBody = Buffer.from(await pdfRes.arrayBuffer());
		expect(pdfRes.headers.get('content-length')).toBe(String(pdfBody.length));
		expect(flat(extractPdfText(pdfBody))).toContain('Si approva il bilancio.');
		const docxRes = await getDocx(event(adminActor) as unknown as Parameters<typeof getDocx>[0]);
		expect(docxRes.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
		expect(docxRes.headers.get('content-disposition')).toBe('attachment; filename="verbale-2026-11-26-tavolo-di-novembre-v1.docx"');
		const docxBody = Buffer.from(await docxRes.arrayBuffer());
		expect(docxText(docxBody)).toContain('Inviare il bilancio');
		expect(docxTables(docxPart(docxBody, 'word/document.xml')).at(-1)![1]).toEqual(['Inviare il bilancio', `${chair.name} (Comune di Cesena)`, '15/12/2026', 'Fatta']);
		const mdRes = await getMd(event(adminActor) as unknown as Parameters<typeof getMd>[0]);
		expect(mdRes.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
		expect(mdRes.headers.get('content-disposition')).toBe('attachment; filename="verbale-2026-11-26-tavolo-di-novembre-v1.md"');
		expect(await mdRes.text()).toBe('# Verbale – Tavolo di novembre\n');
		await expect(getPdf(event(outsiderActor))).rejects.toMatchObject({ status: 404 });
		await expect(getMd(event(adminActor, '7') as unknown as Parameters<typeof getMd>[0])).rejects.toMatchObject({ status: 404 });
	});
});
