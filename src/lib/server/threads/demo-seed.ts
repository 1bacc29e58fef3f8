/**
 * Demo discussions for the demo network: a Piazza announcement, a question in the Cesena table
 * with replies and a mention, and a thread about a directory service. Professionals coordinating;
 * nothing about beneficiaries.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dirServices, tables, users } from '../db/schema';
import { getActor } from '../network/people';
import type { Actor } from '../authz';
import { createPost, createThread } from './threads';

export async function seedDemoThreads(db: Db): Promise<void> {
	const person = async (name: string): Promise<Actor & { name: string }> => {
		const [u] = await db.select({ id: users.id }).from(users).where(eq(users.name, name));
		if (!u) throw new Error(`demo seed: no person ${name}`);
		return { ...(await getActor(db, u.id))!, name };
	};
	const tableId = async (name: string) => {
		const [t] = await db.select({ id: tables.id }).from(tables).where(eq(tables.name, name));
		if (!t) throw new Error(`demo seed: no table ${name}`);
		return t.id;
	};
	const mention = (p: { id: string; name: string }) => `@[${p.name}](user:${p.id})`;
	const benedetti = await person('Chiara Benedetti');
	const malagoli = await person('Silvia Malagoli');
	const pieri = await person('Luca Pieri');
	const amadori = await person('Giulia Amadori');
	const elidrissi = await person('Samira El Idrissi');
	const bocchi = await person('Paolo Bocchi');

	const piazza = await createThread(db, benedetti, {
		tableId: null,
		title: 'Formazione comune sulla tutela legale: date di febbraio',
		body: 'Buongiorno a tutti,\n\nCIAC Parma propone **due mezze giornate** di formazione per gli sportelli sociali sulla protezione internazionale e i ricongiungimenti familiari.\n\n- 10 febbraio, 9:30–13:00, online\n- 24 febbraio, 9:30–13:00, a Cesena\n\nScrivete qui quanti operatori pensate di iscrivere per ciascun territorio.'
	});
	await createPost(db, bocchi, piazza.id, { body: 'Portiamo anche una scheda riassuntiva sui documenti da chiedere per il ricongiungimento, da usare agli sportelli.' });
	await createPost(db, malagoli, piazza.id, { body: 'Da Modena saremo in quattro il 10 febbraio, due a Cesena.' });

	const cesena = await tableId('Tavolo territoriale Cesena Valle Savio');
	const desk = await createThread(db, amadori, {
		tableId: cesena,
		title: 'Orari dello sportello di mediazione a gennaio',
		body: `A gennaio lo sportello di mediazione del martedì si sposta al giovedì mattina. ${mention(elidrissi)}, confermi che per l’arabo ci sei tu?`
	});
	await createPost(db, elidrissi, desk.id, { body: 'Confermo: giovedì 9–13. Per il tigrino chiediamo a Modena.' });
	await createPost(db, pieri, desk.id, { body: 'Aggiorno io la scheda nella rubrica dei servizi appena escono gli orari definitivi.' });
	// Luca has read up to his own reply; the last one is new for him.
	await createPost(db, amadori, desk.id, { body: `Grazie ${mention(pieri)}! Appena li ho te li giro.` });

	const [service] = await db
		.select({ id: dirServices.id, name: dirServices.name })
		.from(dirServices)
		.where(eq(dirServices.name, 'Consulenza legale su immigrazione e asilo – Rimini'))
		.limit(1);
	if (service) {
		await createThread(db, malagoli, {
			tableId: null,
			title: `Esperienze con «${service.name}»`,
			body: 'Qualcuno ha già inviato persone a questo sportello? Ci servirebbe sapere i tempi di attesa per il primo appuntamento.',
			link: { kind: 'service', id: service.id }
		});
	}
}
