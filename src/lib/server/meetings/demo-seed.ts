/**
 * Demo meetings for the demo network, relative to the day it is seeded: a past meeting with its
 * register, a convened one with a shared agenda and answers, one with a proposal waiting, and a
 * draft whose date is being chosen. Nothing here is about beneficiaries.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tables, users } from '../db/schema';
import { getActor } from '../network/people';
import type { Actor } from '../authz';
import { addDays, romeDay } from '$lib/time/rome';
import { conveneMeeting, createMeeting, markHeld, respond, setAttendance } from './meetings';
import { addSlot, answerSlots } from './polls';
import { agendaDoc, createTemplate, proposeItem, startAgenda } from './agenda';
import { editDocument } from '../realtime/collab/edit';
import { addItem, appendItems } from '$lib/agenda/model';
import { parseRomeLocal } from '$lib/time/rome';

const at = (day: string, time: string) => {
	const r = parseRomeLocal(`${day}T${time}`);
	if (!r.ok) throw new Error(`demo seed: bad time ${day} ${time}`);
	return r.date;
};

/** The next given weekday (1 = Monday … 5 = Friday) at least `minDays` after today. */
function nextWeekday(today: string, weekday: number, minDays: number): string {
	let d = addDays(today, minDays);
	while (((new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7) + 1 !== weekday) d = addDays(d, 1);
	return d;
}

export async function seedDemoMeetings(db: Db, now = new Date()): Promise<void> {
	const person = async (name: string): Promise<Actor> => {
		const [u] = await db.select({ id: users.id }).from(users).where(eq(users.name, name));
		if (!u) throw new Error(`demo seed: no person ${name}`);
		return (await getActor(db, u.id))!;
	};
	const table = async (name: string) => {
		const [t] = await db.select({ id: tables.id }).from(tables).where(eq(tables.name, name));
		if (!t) throw new Error(`demo seed: no table ${name}`);
		return t.id;
	};
	const base = {
		participantIds: [] as string[],
		includeMembers: true,
		templateId: undefined,
		copyPrevious: false,
		description: undefined,
		onlineUrl: undefined,
		chairId: undefined,
		secretaryId: undefined
	};
	const today = romeDay(now);

	// Modena: a template, last month's meeting (held, with its register), next week's (convened).
	const malagoli = await person('Silvia Malagoli');
	const modena = await table('Tavolo territoriale Modena');
	const template = await createTemplate(db, malagoli, modena, {
		name: 'Riunione ordinaria del tavolo',
		items: [
			{ title: 'Approvazione del verbale della riunione precedente', kind: 'decisione', durationMinutes: 10, notes: undefined },
			{ title: 'Verifica delle azioni concordate', kind: 'discussione', durationMinutes: 20, notes: undefined },
			{ title: 'Varie ed eventuali', kind: 'informativa', durationMinutes: 10, notes: undefined }
		]
	});
	const pastDay = nextWeekday(addDays(today, -35), 4, 0);
	const past = await createMeeting(db, malagoli, modena, {
		...base,
		title: 'Tavolo territoriale Modena – avvio delle attività',
		start: at(pastDay, '10:00'),
		end: at(pastDay, '12:00'),
		address: 'Servizi sociali, via Galilei 2, Modena',
		chairId: malagoli.id
	});
	await startAgenda(db, malagoli, past.id, { templateId: template.id });
	await editDocument(
		() => db,
		agendaDoc(past.id),
		// Before "Varie ed eventuali", which stays last.
		(doc) =>
			[
				{ title: 'Mappatura dei servizi del territorio per le famiglie accolte', kind: 'discussione' as const, durationMinutes: 40 },
				{ title: 'Calendario degli sportelli sociali condivisi', kind: 'decisione' as const, durationMinutes: 20 }
			].forEach((item, i) => addItem(doc, item, 2 + i))
	);
	await conveneMeeting(db, malagoli, past.id);
	const pastStart = at(pastDay, '10:00');
	await markHeld(db, malagoli, past.id, new Date(pastStart.getTime() + 60_000));
	const barbieri = await person('Andrea Barbieri');
	const bonacini = await person('Federica Bonacini');
	const ghebremedhin = await person('Tesfay Ghebremedhin');
	await setAttendance(
		db,
		malagoli,
		past.id,
		[
			{ userId: malagoli.id, attendance: 'present' },
			{ userId: barbieri.id, attendance: 'present' },
			{ userId: bonacini.id, attendance: 'delegated', delegateName: 'Laura Pellacani (Comune di Modena)' },
			{ userId: ghebremedhin.id, attendance: 'absent' }
		],
		new Date(pastStart.getTime() + 60_000)
	);

	const nextDay = nextWeekday(today, 4, 5);
	const next = await createMeeting(db, malagoli, modena, {
		...base,
		title: 'Tavolo territoriale Modena – riunione di verifica',
		start: at(nextDay, '10:00'),
		end: at(nextDay, '12:00'),
		address: 'Servizi sociali, via Galilei 2, Modena',
		onlineUrl: 'https://meet.example.org/intarsi-modena',
		chairId: malagoli.id,
		secretaryId: barbieri.id
	});
	await startAgenda(db, malagoli, next.id, { templateId: template.id });
	await editDocument(
		() => db,
		agendaDoc(next.id),
		(doc) =>
			[
				{ title: 'Sportello sociale: tempi di primo accesso', kind: 'informativa' as const, durationMinutes: 20, presenterUserId: barbieri.id },
				{ title: 'Percorsi abitativi condivisi con il progetto SAI', kind: 'discussione' as const, durationMinutes: 30 },
				{ title: 'Formazione congiunta sulla mediazione linguistico-culturale', kind: 'decisione' as const, durationMinutes: 20 }
			].forEach((item, i) => addItem(doc, item, 2 + i))
	);
	await conveneMeeting(db, malagoli, next.id);
	await respond(db, barbieri, next.id, 'yes');
	await respond(db, bonacini, next.id, 'maybe');

	// Mediazione: convened in two weeks; a member's proposal waits for the coordinator.
	const bersani = await person('Cristina Bersani');
	const mediazione = await table('Mediazione linguistico-culturale');
	const medDay = nextWeekday(today, 2, 12);
	const med = await createMeeting(db, bersani, mediazione, {
		...base,
		title: 'Mediazione: glossari e disponibilità linguistiche',
		start: at(medDay, '14:30'),
		end: at(medDay, '16:30'),
		onlineUrl: 'https://meet.example.org/intarsi-mediazione'
	});
	await editDocument(
		() => db,
		agendaDoc(med.id),
		(doc) =>
			void appendItems(doc, [
				{ title: 'Glossario condiviso dei servizi (arabo, tigrino, urdu, ucraino)', kind: 'discussione', durationMinutes: 40 },
				{ title: 'Disponibilità dei mediatori nei territori', kind: 'informativa', durationMinutes: 30 }
			])
	);
	await conveneMeeting(db, bersani, med.id);
	await proposeItem(db, await person('Amina Yusuf'), med.id, {
		title: 'Mediazione a distanza: esperienze e limiti',
		kind: 'discussione',
		durationMinutes: 20,
		notes: 'Breve confronto sulle mediazioni telefoniche e in video negli sportelli.'
	});

	// Cesena Valle Savio: next meeting's date is being chosen.
	const zanotti = await person('Marco Zanotti');
	const cesena = await table('Tavolo territoriale Cesena Valle Savio');
	const draft = await createMeeting(db, zanotti, cesena, {
		...base,
		title: 'Tavolo Cesena Valle Savio – programmazione del nuovo anno',
		start: undefined,
		end: undefined,
		address: 'Sede dell’Unione dei Comuni Valle del Savio, Cesena'
	});
	const slotDays = [nextWeekday(today, 1, 14), nextWeekday(today, 3, 14), nextWeekday(today, 5, 14)];
	const slots = [];
	for (const d of slotDays) slots.push(await addSlot(db, zanotti, draft.id, { start: at(d, '09:30'), end: at(d, '11:30') }));
	await answerSlots(db, await person('Francesca Casadei'), draft.id, { [slots[0]!.id]: 'yes', [slots[1]!.id]: 'ifneeded', [slots[2]!.id]: 'no' });
	await answerSlots(db, await person('Elisa Montalti'), draft.id, { [slots[0]!.id]: 'yes', [slots[1]!.id]: 'yes', [slots[2]!.id]: 'no' });
}
