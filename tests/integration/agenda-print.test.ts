import { expect, it } from 'vitest';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { extractPdfText, pdfInfo, pdfPageCount, pdfPageTexts } from './helpers/pdf-text';
import type { Db } from '../../src/lib/server/db/client';
import type { Actor } from '../../src/lib/server/authz';
import { cancelMeeting, createMeeting } from '../../src/lib/server/meetings/meetings';
import { agendaDoc, createTemplate, deleteTemplate, getTemplate, listTemplates, templateInput, updateTemplate } from '../../src/lib/server/meetings/agenda';
import { agendaFileName, agendaForPrint, slugify } from '../../src/lib/server/meetings/print';
import { agendaPdf, toWinAnsi } from '../../src/lib/server/meetings/pdf';
import { editDocument } from '../../src/lib/server/realtime/collab/edit';
import { appendItems, type AgendaItemInit } from '../../src/lib/agenda/model';
import { parseRomeLocal } from '../../src/lib/time/rome';
import { parseForm } from '../../src/lib/server/validation';

const rome = (local: string) => {
	const r = parseRomeLocal(local);
	if (!r.ok) throw new Error(`bad time ${local}`);
	return r.date;
};

async function makeMeeting(db: Db, actor: Actor, tableId: string, opts: { title?: string; start?: string; end?: string; address?: string; onlineUrl?: string } = {}) {
	return createMeeting(db, actor, tableId, {
		title: opts.title ?? 'Riunione di ottobre',
		start: opts.start ? rome(opts.start) : undefined,
		end: opts.end ? rome(opts.end) : undefined,
		address: opts.address,
		onlineUrl: opts.onlineUrl,
		participantIds: [],
		includeMembers: true,
		copyPrevious: false
	} as Parameters<typeof createMeeting>[3]);
}

const fill = (db: Db, meetingId: string, items: AgendaItemInit[]) => editDocument(() => db, agendaDoc(meetingId), (doc) => void appendItems(doc, items));

describeEachDb('printable agenda', (get) => {
	it('reads the live agenda: start times in Rome on the day summer time ends, presenters, notes, totals', async () => {
		const { db } = get();
		const org = await makeOrganization(db, 'Comune di Cesenatico');
		const guestOrg = await makeOrganization(db, 'Cooperativa Sociale Il Mandorlo');
		const presenter = await makePerson(db, { organizationId: org.id });
		const member = await makePerson(db);
		const { table, admin } = await makeTable(db, { members: [{ id: presenter.id }, { id: member.id }] });
		const meeting = await makeMeeting(db, await actorFor(db, admin), table.id, {
			title: 'Tavolo minori – ottobre',
			// 25 October 2026: clocks go back at 03:00; 10:00 is already winter time (UTC+1).
			start: '2026-10-25T10:00',
			end: '2026-10-25T11:00',
			address: 'Via Roma 1, Cesena',
			onlineUrl: 'https://meet.example.it/tavolo-minori'
		});
		await fill(db, meeting.id, [
			{ title: 'Approvazione del verbale precedente', kind: 'decisione', durationMinutes: 10 },
			{
				title: 'Verifica attività già svolte',
				kind: 'discussione',
				durationMinutes: 25,
				presenterUserId: presenter.id,
				notes: 'Prima riga\nSeconda riga',
				links: ['https://example.it/relazione.pdf', 'javascript:alert(1)']
			},
			{ title: 'Intervento ospite', kind: 'informativa', durationMinutes: 40, presenterName: 'Dott.ssa Bianchi', presenterOrganizationId: guestOrg.id },
			{ title: 'Varie', kind: 'informativa', durationMinutes: 0, presenterOrganizationId: org.id }
		]);

		const data = await agendaForPrint(db, await actorFor(db, member), meeting.id);
		expect(data.table).toEqual({ id: table.id, name: table.name });
		expect(data.meeting).toMatchObject({ title: 'Tavolo minori – ottobre', status: 'bozza', address: 'Via Roma 1, Cesena', onlineUrl: 'https://meet.example.it/tavolo-minori' });
		expect(data.items.map((i) => [i.number, i.title, i.kind, i.durationMinutes])).toEqual([
			[1, 'Approvazione del verbale precedente', 'decisione', 10],
			[2, 'Verifica attività già svolte', 'discussione', 25],
			[3, 'Intervento ospite', 'informativa', 40],
			[4, 'Varie', 'informativa', 0]
		]);
		expect(data.items.map((i) => i.startTime)).toEqual(['10:00', '10:10', '10:35', '11:15']);
		expect(data.items.map((i) => i.startsAt?.toISOString())).toEqual([
			'2026-10-25T09:00:00.000Z',
			'2026-10-25T09:10:00.000Z',
			'2026-10-25T09:35:00.000Z',
			'2026-10-25T10:15:00.000Z'
		]);
		expect(data.items.map((i) => i.presenter)).toEqual([
			null,
			{ name: presenter.name, organization: 'Comune di Cesenatico' },
			{ name: 'Dott.ssa Bianchi', organization: 'Cooperativa Sociale Il Mandorlo' },
			{ name: null, organization: 'Comune di Cesenatico' }
		]);
		expect(data.items[1]!.notes).toBe('Prima riga\nSeconda riga');
		// Only http(s) links survive.
		expect(data.items[1]!.links).toEqual(['https://example.it/relazione.pdf']);
		expect(data.totalMinutes).toBe(75);
		expect(data.plannedMinutes).toBe(60);
		expect(data.overMinutes).toBe(15);
		expect(agendaFileName(data)).toBe('odg-2026-10-25-tavolo-minori-ottobre.pdf');
	});

	it('counts by the clock through the change itself: 02:00–02:59 comes twice', async () => {
		const { db } = get();
		const { table, admin } = await makeTable(db);
		const adminActor = await actorFor(db, admin);
		// 01:30 summer time; at 03:00 CEST clocks go back to 02:00 CET.
		const meeting = await makeMeeting(db, adminActor, table.id, { title: 'Riunione notturna', start: '2026-10-25T01:30', end: '2026-10-25T04:00' });
		await fill(
			db,
			meeting.id,
			['A', 'B', 'C', 'D', 'E'].map((title) => ({ title, durationMinutes: 30 }))
		);
		const data = await agendaForPrint(db, adminActor, meeting.id);
		expect(data.items.map((i) => i.startTime)).toEqual(['01:30', '02:00', '02:30', '02:00', '02:30']);
		expect(data.items.map((i) => i.startOffsetMinutes)).toEqual([0, 30, 60, 90, 120]);
		// 01:30 CEST to 04:00 CET is three and a half hours, not two and a half.
		expect(data.plannedMinutes).toBe(210);
		expect(data.overMinutes).toBe(0);
	});

	it('a meeting without a time has no start times; an empty agenda prints as such', async () => {
		const { db } = get();
		const { table, admin } = await makeTable(db);
		const adminActor = await actorFor(db, admin);
		const undated = await makeMeeting(db, adminActor, table.id, { title: 'Da fissare' });
		await fill(db, undated.id, [{ title: 'Primo punto', durationMinutes: 20 }]);
		const data = await agendaForPrint(db, adminActor, undated.id);
		expect(data.items[0]).toMatchObject({ startTime: null, startsAt: null, startOffsetMinutes: 0 });
		expect(data.plannedMinutes).toBeNull();
		expect(data.overMinutes).toBe(0);

		const empty = await makeMeeting(db, adminActor, table.id, { title: 'Vuota', start: '2026-03-10T15:00', end: '2026-03-10T16:00' });
		const emptyData = await agendaForPrint(db, adminActor, empty.id);
		expect(emptyData.items).toEqual([]);
		expect(emptyData.totalMinutes).toBe(0);
		expect(extractPdfText(await agendaPdf(emptyData))).toContain('Nessun punto all’ordine del giorno.');
	});

	it('a members-only table’s meeting does not exist for a non-member', async () => {
		const { db } = get();
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const member = await makePerson(db);
		const outsider = await makePerson(db);
		const { table } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const meeting = await makeMeeting(db, await actorFor(db, coordinator), table.id, { title: 'Riservata', start: '2026-11-03T09:30', end: '2026-11-03T11:00' });

		await expect(agendaForPrint(db, await actorFor(db, outsider), meeting.id)).rejects.toMatchObject({ name: 'DomainError', code: 'error_not_found', status: 404 });
		await expect(agendaForPrint(db, null, meeting.id)).rejects.toMatchObject({ code: 'error_not_found', status: 404 });
		await expect(agendaForPrint(db, await actorFor(db, outsider), crypto.randomUUID())).rejects.toMatchObject({ code: 'error_not_found', status: 404 });
		expect((await agendaForPrint(db, await actorFor(db, member), meeting.id)).meeting.title).toBe('Riservata');
	});

	it('the PDF carries the same content, page numbers, metadata and WinAnsi typography', async () => {
		const { db } = get();
		const org = await makeOrganization(db, 'Unione dei Comuni Valle del Savio');
		const presenter = await makePerson(db, { organizationId: org.id });
		const { table, admin } = await makeTable(db, { members: [{ id: presenter.id }] });
		const adminActor = await actorFor(db, admin);
		const meeting = await makeMeeting(db, adminActor, table.id, {
			title: 'Tavolo inclusione – novembre',
			start: '2026-10-25T10:00',
			end: '2026-10-25T10:30',
			address: 'Sala consiliare, Piazza del Popolo 10',
			onlineUrl: 'https://meet.example.it/inclusione'
		});
		await fill(db, meeting.id, [
			{ title: 'Verifica attività già svolte', kind: 'discussione', durationMinutes: 20, presenterUserId: presenter.id, notes: 'Costo stimato: 1.200 € – “da confermare” con l’ente\nSeconda riga → fine' },
			{ title: 'Perché è così?', kind: 'decisione', durationMinutes: 15, links: ['https://example.it/allegato'] }
		]);
		const data = await agendaForPrint(db, adminActor, meeting.id);
		const pdf = await agendaPdf(data, { now: new Date('2026-10-20T08:00:00Z') });
		expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		const text = extractPdfText(pdf);
		expect(text).toContain('Rete INTARSI — Azioni in rete per una comunità accogliente');
		expect(text).toContain(table.name);
		expect(text).toContain('ORDINE DEL GIORNO');
		expect(text).toContain('Tavolo inclusione – novembre');
		expect(text).toContain('domenica 25 ottobre 2026, 10:00–10:30');
		expect(text).toContain('Sala consiliare, Piazza del Popolo 10');
		expect(text).toContain('https://meet.example.it/inclusione');
		expect(text).toContain('10:00');
		expect(text).toContain('10:20');
		expect(text).toContain('1. Verifica attività già svolte');
		expect(text).toContain('2. Perché è così?');
		expect(text).toContain(`Discussione · 20 min · Presenta: ${presenter.name} (Unione dei Comuni Valle del Savio)`);
		expect(text).toContain('Decisione · 15 min');
		// Notes keep their lines; €, typographic quotes and apostrophes survive, an arrow is folded.
		expect(text).toContain('Costo stimato: 1.200 € – “da confermare” con l’ente');
		expect(text).toContain('Seconda riga -> fine');
		expect(text).toContain('https://example.it/allegato');
		expect(text).toContain('Durata complessiva dei punti: 35 min');
		expect(text).toContain('Durata prevista della riunione: 30 min');
		expect(text).toContain('Attenzione: i punti superano di 5 min la durata prevista della riunione.');
		expect(text).toContain('Pagina 1 di 1');
		expect(text).toContain('Generato da Intarsi il');

		const info = pdfInfo(pdf);
		expect(info.Title).toBe('Ordine del giorno: Tavolo inclusione – novembre');
		expect(info.Author).toBe(`${table.name} – Rete INTARSI — Azioni in rete per una comunità accogliente`);

		// English, on request.
		const en = extractPdfText(await agendaPdf(data, { locale: 'en' }));
		expect(en).toContain('AGENDA');
		expect(en).toContain('Sunday, 25 October 2026, 10:00–10:30');
		expect(en).toContain('For discussion · 20 min');
		expect(en).toContain('Page 1 of 1');
	});

	it('a long agenda runs over several numbered pages and a cancelled meeting says so', async () => {
		const { db } = get();
		const { table, admin } = await makeTable(db);
		const adminActor = await actorFor(db, admin);
		const meeting = await makeMeeting(db, adminActor, table.id, { title: 'Assemblea lunga', start: '2026-04-14T09:00', end: '2026-04-14T13:00' });
		await fill(
			db,
			meeting.id,
			Array.from({ length: 30 }, (_, i) => ({ title: `Punto numero ${i + 1}`, kind: 'discussione' as const, durationMinutes: 10, notes: 'Una nota\nsu due righe' }))
		);
		await cancelMeeting(db, adminActor, meeting.id, 'Sala non disponibile');
		const pdf = await agendaPdf(await agendaForPrint(db, adminActor, meeting.id));
		const pages = pdfPageTexts(pdf);
		const count = pdfPageCount(pdf);
		expect(count).toBeGreaterThan(1);
		expect(pages).toHaveLength(count);
		pages.forEach((p, i) => expect(p).toContain(`Pagina ${i + 1} di ${count}`));
		expect(pages[0]).toContain('RIUNIONE ANNULLATA');
		expect(pages[0]).toContain('Motivo: Sala non disponibile');
		// Items are not split across pages: a title and its notes sit on the same page.
		for (let n = 1; n <= 30; n++) {
			const page = pages.find((p) => p.includes(`${n}. Punto numero ${n}\n`));
			expect(page, `item ${n}`).toBeDefined();
			expect(page!.slice(page!.indexOf(`${n}. Punto numero ${n}\n`))).toMatch(/^[^\n]+\nDiscussione · 10 min\nUna nota\nsu due righe/);
		}
		expect(pages.at(-1)).toContain('Durata complessiva dei punti: 5 h');
		expect(pages.at(-1)).toContain('Durata prevista della riunione: 4 h');
	});

	it('folds text into WinAnsi and names files in ASCII', () => {
		expect(toWinAnsi('àèéìòù ÀÈ € ’ “ ” – — …')).toBe('àèéìòù ÀÈ € ’ “ ” – — …');
		expect(toWinAnsi('a\tb\u0007c → ≥ ő 😀 x\u200by')).toBe('a bc -> >= o ? xy');
		expect(slugify('Tavolo “Minori” – ottobre: verità & più')).toBe('tavolo-minori-ottobre-verita-piu');
		expect(slugify('€€€')).toBe('riunione');
	});
});

describeEachDb('agenda templates', (get) => {
	const form = (fields: Record<string, string>) => {
		const f = new FormData();
		for (const [k, v] of Object.entries(fields)) f.set(k, v);
		return f;
	};
	const items = [
		{ title: 'Approvazione del verbale precedente', kind: 'decisione', durationMinutes: 10 },
		{ title: 'Verifica delle azioni', kind: 'discussione', durationMinutes: 15, notes: 'Chi, cosa, entro quando' },
		{ title: 'Varie ed eventuali', kind: 'informativa', durationMinutes: 10, notes: '   ' }
	];

	it('a coordinator creates, updates and deletes the templates of their table', async () => {
		const { db } = get();
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const { table } = await makeTable(db, { coordinatorId: coordinator.id });
		const actor = await actorFor(db, coordinator);

		const parsed = parseForm(templateInput, form({ name: '  Riunione ordinaria ', items: JSON.stringify(items) }));
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		const created = await createTemplate(db, actor, table.id, parsed.data);
		expect(created.name).toBe('Riunione ordinaria');
		expect(created.items).toEqual([
			{ title: 'Approvazione del verbale precedente', kind: 'decisione', durationMinutes: 10 },
			{ title: 'Verifica delle azioni', kind: 'discussione', durationMinutes: 15, notes: 'Chi, cosa, entro quando' },
			{ title: 'Varie ed eventuali', kind: 'informativa', durationMinutes: 10 }
		]);

		const changed = parseForm(templateInput, form({ name: 'Riunione breve', items: JSON.stringify([items[2], items[0]]) }));
		if (!changed.ok) throw new Error('expected valid input');
		await updateTemplate(db, actor, created.id, changed.data);
		const [listed] = await listTemplates(db, table.id);
		expect(listed!.name).toBe('Riunione breve');
		expect(listed!.items.map((i) => i.title)).toEqual(['Varie ed eventuali', 'Approvazione del verbale precedente']);

		await deleteTemplate(db, actor, created.id);
		expect(await listTemplates(db, table.id)).toEqual([]);
		expect(await getTemplate(db, created.id)).toBeNull();
	});

	it('a plain member may not manage templates', async () => {
		const { db } = get();
		const coordinator = await makePerson(db, { role: 'coordinator' });
		const member = await makePerson(db);
		const { table } = await makeTable(db, { coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const input = { name: 'Di prova', items: [{ title: 'Punto', kind: 'informativa' as const, durationMinutes: 5 }] };
		const memberActor = await actorFor(db, member);
		await expect(createTemplate(db, memberActor, table.id, input)).rejects.toMatchObject({ name: 'DomainError', code: 'error_forbidden', status: 403 });
		const t = await createTemplate(db, await actorFor(db, coordinator), table.id, input);
		await expect(updateTemplate(db, memberActor, t.id, { ...input, name: 'Altro' })).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		await expect(deleteTemplate(db, memberActor, t.id)).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		expect((await getTemplate(db, t.id))!.name).toBe('Di prova');
	});

	it('refuses items that are not valid JSON, empty, or malformed', () => {
		const bad = parseForm(templateInput, form({ name: 'X', items: '[{"title": "Punto",' }));
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.errors.items).toBe('error_invalid');

		const empty = parseForm(templateInput, form({ name: 'X', items: '[]' }));
		expect(empty.ok).toBe(false);
		if (!empty.ok) expect(empty.errors.items).toBe('error_template_empty');

		const missing = parseForm(templateInput, form({ name: '', items: JSON.stringify([{ title: ' ', kind: 'altro', durationMinutes: -1 }]) }));
		expect(missing.ok).toBe(false);
		if (!missing.ok)
			expect(missing.errors).toMatchObject({ name: 'error_required', 'items.0.title': 'error_required', 'items.0.kind': 'error_required', 'items.0.durationMinutes': 'error_invalid' });
	});
});
