/**
 * npm run directory:generate -- 50000 [--seed 1] [--data-dir ./data] [--database-url postgres://…] [--no-index]
 *
 * Writes N synthetic but realistic services (Italian names and descriptions from word lists, the five
 * districts with their comuni, categories, target groups, languages, opening hours, coordinates)
 * straight into the directory tables, then builds the search index (Meilisearch when MEILI_URL is
 * set). The database is DATABASE_URL (or --database-url), else the PGlite data dir of DATA_DIR (or
 * --data-dir). With PGlite, stop the hub first: one process at a time can open it.
 * For load tests and benchmarks only: never on a production directory.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { inArray } from 'drizzle-orm';
import { openDatabase, type Db } from '../lib/server/db/client';
import {
	dirLanguages,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServiceAtLocations,
	dirServiceTerms,
	dirServices,
	dirTaxonomyTerms,
	type ServiceStatus
} from '../lib/server/db/schema';

/** Deterministic PRNG (mulberry32): the same seed gives the same directory. */
export function prng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
	const some = <T>(xs: readonly T[], min: number, max: number): T[] => {
		const n = Math.min(xs.length, min + int(max - min + 1));
		const copy = [...xs];
		const out: T[] = [];
		while (out.length < n) out.push(copy.splice(int(copy.length), 1)[0]!);
		return out;
	};
	return { next, int, pick, some };
}

export interface Comune {
	name: string;
	istat: string;
	province: string;
	lat: number;
	lon: number;
}

/** The five districts (distretti socio-sanitari) and some of their comuni (ISTAT codes, centres). */
export const DISTRICTS: Record<string, Comune[]> = {
	'Cesena Valle Savio': [
		{ name: 'Cesena', istat: '040007', province: 'FC', lat: 44.1391, lon: 12.2431 },
		{ name: 'Mercato Saraceno', istat: '040020', province: 'FC', lat: 43.9626, lon: 12.1964 },
		{ name: 'Sarsina', istat: '040044', province: 'FC', lat: 43.9188, lon: 12.1428 },
		{ name: 'Bagno di Romagna', istat: '040001', province: 'FC', lat: 43.8339, lon: 11.9588 },
		{ name: 'Verghereto', istat: '040050', province: 'FC', lat: 43.7946, lon: 12.0056 },
		{ name: 'Montiano', istat: '040028', province: 'FC', lat: 44.0833, lon: 12.3047 }
	],
	Modena: [
		{ name: 'Modena', istat: '036023', province: 'MO', lat: 44.6471, lon: 10.9252 },
		{ name: 'Castelfranco Emilia', istat: '036006', province: 'MO', lat: 44.5966, lon: 11.0526 },
		{ name: 'Nonantola', istat: '036027', province: 'MO', lat: 44.6776, lon: 11.0403 },
		{ name: 'Bastiglia', istat: '036001', province: 'MO', lat: 44.7254, lon: 10.9983 },
		{ name: 'Bomporto', istat: '036002', province: 'MO', lat: 44.7306, lon: 11.0378 },
		{ name: 'Ravarino', istat: '036035', province: 'MO', lat: 44.7244, lon: 11.0979 },
		{ name: 'San Cesario sul Panaro', istat: '036037', province: 'MO', lat: 44.5624, lon: 11.0344 }
	],
	Rimini: [
		{ name: 'Rimini', istat: '099014', province: 'RN', lat: 44.0594, lon: 12.5683 },
		{ name: 'Riccione', istat: '099013', province: 'RN', lat: 43.9997, lon: 12.6561 },
		{ name: 'Santarcangelo di Romagna', istat: '099018', province: 'RN', lat: 44.0632, lon: 12.4461 },
		{ name: 'Bellaria-Igea Marina', istat: '099001', province: 'RN', lat: 44.1436, lon: 12.4706 },
		{ name: 'Cattolica', istat: '099002', province: 'RN', lat: 43.9627, lon: 12.7385 },
		{ name: 'Misano Adriatico', istat: '099005', province: 'RN', lat: 43.9776, lon: 12.6982 },
		{ name: 'Coriano', istat: '099003', province: 'RN', lat: 43.9672, lon: 12.5981 }
	],
	Ravenna: [
		{ name: 'Ravenna', istat: '039014', province: 'RA', lat: 44.4184, lon: 12.2035 },
		{ name: 'Cervia', istat: '039007', province: 'RA', lat: 44.2617, lon: 12.3556 },
		{ name: 'Russi', istat: '039016', province: 'RA', lat: 44.3756, lon: 12.0331 }
	],
	'Reggio Emilia': [
		{ name: 'Reggio nell’Emilia', istat: '035033', province: 'RE', lat: 44.6983, lon: 10.6312 },
		{ name: 'Albinea', istat: '035001', province: 'RE', lat: 44.6234, lon: 10.6015 },
		{ name: 'Bagnolo in Piano', istat: '035002', province: 'RE', lat: 44.7672, lon: 10.6742 },
		{ name: 'Cadelbosco di Sopra', istat: '035009', province: 'RE', lat: 44.7622, lon: 10.5974 },
		{ name: 'Castelnovo di Sotto', istat: '035014', province: 'RE', lat: 44.8129, lon: 10.5627 },
		{ name: 'Quattro Castella', istat: '035034', province: 'RE', lat: 44.6361, lon: 10.4729 },
		{ name: 'Vezzano sul Crostolo', istat: '035045', province: 'RE', lat: 44.6021, lon: 10.5446 }
	]
};

/** Categories (codes as the directory's default taxonomy), with words for names and descriptions. */
export const CATEGORIES: { code: string; name: string; services: string[]; phrases: string[] }[] = [
	{
		code: 'mediazione',
		name: 'Mediazione linguistico-culturale',
		services: ['Sportello di mediazione linguistico-culturale', 'Servizio di mediazione interculturale', 'Mediatori culturali nei servizi', 'Interpretariato telefonico', 'Mediazione nelle scuole', 'Mediazione sanitaria in ospedale', 'Pronto intervento linguistico', 'Traduzioni e asseverazioni'],
		phrases: ['mediatrici e mediatori culturali che affiancano le famiglie nei colloqui con i servizi', 'interpretariato in presenza e al telefono', 'traduzione di documenti e moduli', 'mediazione linguistica negli ambulatori e nelle scuole', 'interpreti per i colloqui in questura e in tribunale', 'accompagnamento alle visite mediche']
	},
	{
		code: 'tutela-legale',
		name: 'Tutela legale',
		services: ['Consulenza legale per stranieri', 'Sportello tutela legale', 'Assistenza legale gratuita', 'Sportello permessi di soggiorno', 'Orientamento giuridico per richiedenti asilo', 'Sportello cittadinanza', 'Clinica legale universitaria', 'Sportello anti-discriminazioni'],
		phrases: ['consulenza legale gratuita su permesso di soggiorno e cittadinanza', 'assistenza per la domanda di protezione internazionale', 'avvocati volontari che ricevono su appuntamento', 'ricongiungimento familiare e rinnovo dei documenti', 'ricorsi contro il diniego della commissione territoriale', 'segnalazione di discriminazioni sul lavoro e nella casa']
	},
	{
		code: 'abitare',
		name: 'Abitare',
		services: ['Sportello casa', 'Agenzia sociale per l’affitto', 'Accoglienza abitativa temporanea', 'Housing sociale', 'Emergenza abitativa', 'Dormitorio comunale', 'Appartamenti di transizione', 'Fondo affitti'],
		phrases: ['ricerca di un alloggio in affitto', 'sostegno al pagamento del canone', 'accoglienza temporanea per nuclei in emergenza abitativa', 'mediazione con i proprietari di casa', 'posti letto per persone senza dimora', 'garanzie per il deposito cauzionale']
	},
	{
		code: 'lavoro',
		name: 'Lavoro',
		services: ['Centro per l’impiego', 'Orientamento al lavoro', 'Tirocini formativi', 'Sportello lavoro per stranieri', 'Bilancio di competenze', 'Laboratorio di sartoria sociale', 'Corsi per operatore socio-sanitario', 'Agenzia per il lavoro'],
		phrases: ['orientamento al lavoro e stesura del curriculum', 'tirocini e inserimento lavorativo', 'incontro tra domanda e offerta di impiego', 'riconoscimento dei titoli di studio esteri', 'corsi di sicurezza sul lavoro e patentino del muletto', 'borse lavoro per giovani e donne']
	},
	{
		code: 'formazione',
		name: 'Formazione',
		services: ['Corso di italiano per stranieri', 'CPIA - Centro provinciale istruzione adulti', 'Scuola di italiano L2', 'Formazione professionale', 'Corsi serali di lingua italiana', 'Scuola di italiano per donne', 'Alfabetizzazione digitale', 'Preparazione alla patente di guida'],
		phrases: ['corsi di lingua italiana dal livello A1 al B1', 'preparazione al test di italiano per il permesso di lungo periodo', 'licenza media per adulti', 'corsi gratuiti con servizio di babysitting', 'certificazione CELI e CILS', 'uso del computer, dello SPID e dei servizi online']
	},
	{
		code: 'salute',
		name: 'Salute',
		services: ['Ambulatorio per stranieri temporaneamente presenti', 'Consultorio familiare', 'Spazio salute immigrati', 'Iscrizione al Servizio sanitario', 'Centro di salute mentale', 'Ambulatorio odontoiatrico solidale', 'Etnopsichiatria', 'Servizio dipendenze'],
		phrases: ['assistenza sanitaria di base anche senza permesso di soggiorno', 'iscrizione al medico di medicina generale', 'visite e vaccinazioni', 'consultorio per la salute della donna e del bambino', 'cure odontoiatriche a basso costo', 'supporto psicologico per persone traumatizzate']
	},
	{
		code: 'scuola',
		name: 'Scuola',
		services: ['Iscrizione scolastica per alunni stranieri', 'Centro interculturale', 'Doposcuola', 'Sostegno allo studio', 'Accoglienza alunni neoarrivati', 'Biblioteca multiculturale', 'Ludoteca', 'Centro estivo'],
		phrases: ['iscrizione scolastica in corso d’anno', 'laboratori di italiano per alunni neoarrivati', 'doposcuola e aiuto compiti', 'incontri con le famiglie e gli insegnanti', 'libri in lingua madre e letture animate', 'attività estive per bambini e ragazzi']
	},
	{
		code: 'genitorialita',
		name: 'Genitorialità',
		services: ['Centro per le famiglie', 'Spazio mamme e bambini', 'Sostegno alla genitorialità', 'Nido d’infanzia', 'Gruppi di neogenitori', 'Mediazione familiare', 'Affido e accoglienza familiare', 'Consulenza educativa'],
		phrases: ['sostegno ai genitori nei primi mille giorni', 'spazio gioco per bambini da zero a tre anni', 'consulenza educativa per le famiglie', 'gruppi di mamme e papà', 'percorsi di affido familiare', 'mediazione dei conflitti tra genitori separati']
	},
	{
		code: 'inclusione-sociale',
		name: 'Inclusione sociale',
		services: ['Centro di ascolto', 'Emporio solidale', 'Mensa sociale', 'Distribuzione pacchi alimentari', 'Sostegno economico', 'Guardaroba solidale', 'Docce e servizi igienici', 'Unità di strada'],
		phrases: ['distribuzione di beni alimentari e vestiti', 'contributi economici per le famiglie in difficoltà', 'ascolto e accompagnamento ai servizi', 'attività di comunità e volontariato', 'pasti caldi e docce per persone senza dimora', 'microcredito e educazione finanziaria']
	},
	{
		code: 'accesso-servizi',
		name: 'Accesso ai servizi socio-sanitari',
		services: ['Segretariato sociale', 'Sportello sociale', 'Punto informativo stranieri', 'Sportello unico', 'Servizio sociale territoriale', 'Ufficio anagrafe', 'Sportello SPID e servizi digitali', 'Patronato'],
		phrases: ['informazioni e orientamento ai servizi del territorio', 'prima accoglienza e presa in carico', 'accompagnamento nelle pratiche amministrative', 'residenza e iscrizione anagrafica', 'pratiche per pensioni, assegno unico e bonus', 'attivazione dello SPID e della posta elettronica']
	},
	{
		code: 'empowerment-familiare',
		name: 'Empowerment familiare',
		services: ['Percorsi di autonomia per donne', 'Centro antiviolenza', 'Casa rifugio', 'Gruppi di empowerment', 'Sportello donna', 'Casa delle donne', 'Contrasto alla tratta', 'Laboratori di autonomia'],
		phrases: ['percorsi di autonomia e uscita dalla violenza', 'ascolto e accoglienza di donne e figli', 'sostegno psicologico e legale', 'laboratori di cittadinanza attiva', 'protezione delle vittime di tratta e sfruttamento', 'gruppi di auto-aiuto']
	}
];

export const TARGETS: { code: string; name: string }[] = [
	{ code: 'famiglie-con-minori', name: 'Famiglie con minori' },
	{ code: 'nuclei-monoparentali', name: 'Nuclei monoparentali' },
	{ code: 'richiedenti-asilo', name: 'Richiedenti asilo' },
	{ code: 'protezione-internazionale', name: 'Titolari di protezione internazionale' },
	{ code: 'protezione-temporanea', name: 'Titolari di protezione temporanea' },
	{ code: 'msna', name: 'Minori stranieri non accompagnati' },
	{ code: 'donne', name: 'Donne' },
	{ code: 'giovani', name: 'Giovani' },
	{ code: 'cittadini-stranieri', name: 'Cittadini stranieri' },
	{ code: 'operatori', name: 'Operatori dei servizi' }
];

/** Languages with weights (Italian is always offered). */
const LANGUAGES: [string, string, number][] = [
	['en', 'Inglese', 30],
	['fr', 'Francese', 20],
	['ar', 'Arabo', 25],
	['sq', 'Albanese', 10],
	['ro', 'Rumeno', 10],
	['zh', 'Cinese', 8],
	['uk', 'Ucraino', 12],
	['ur', 'Urdu', 6],
	['bn', 'Bengalese', 5],
	['pa', 'Punjabi', 5],
	['es', 'Spagnolo', 8],
	['ti', 'Tigrino', 3],
	['wo', 'Wolof', 3],
	['ru', 'Russo', 6],
	['tl', 'Tagalog', 2]
];

const ORG_KINDS = ['Cooperativa Sociale', 'Associazione', 'Associazione di Promozione Sociale', 'Fondazione', 'Consorzio', 'Organizzazione di volontariato'];
const ORG_NAMES = ['Il Ponte', 'Arcobaleno', 'Terra Mia', 'Mondo Aperto', 'Il Faro', 'La Rete', 'Nuovi Orizzonti', 'Casa delle Culture', 'Il Germoglio', 'Porta Aperta', 'Insieme', 'La Bussola', 'Il Mosaico', 'Girasole', 'L’Approdo', 'Sentieri', 'Radici e Ali', 'Crocevia', 'Il Melograno', 'Lo Scrigno', 'Ippogrifo', 'Dialogos', 'Babele', 'Millepiedi', 'Il Villaggio'];
const PUBLIC_ORGS = ['Comune di', 'Unione dei Comuni di', 'AUSL di', 'ASP di', 'Caritas diocesana di', 'Centro per l’impiego di'];
const STREETS = ['Via Roma', 'Via Garibaldi', 'Corso Mazzini', 'Via Cavour', 'Via XX Settembre', 'Piazza del Popolo', 'Via Matteotti', 'Via Gramsci', 'Viale della Repubblica', 'Via Dante', 'Via Verdi', 'Via dei Mille', 'Via Marconi', 'Via Emilia'];
const OPENERS = ['Il servizio offre', 'Lo sportello propone', 'Offriamo', 'Il progetto garantisce', 'Sono disponibili'];
const CLOSERS = [
	'Si riceve su appuntamento.',
	'L’accesso è libero negli orari di apertura.',
	'Il servizio è gratuito.',
	'È possibile prenotare per telefono o per e-mail.',
	'Gli operatori parlano più lingue.',
	'Il servizio collabora con i servizi sociali del Comune e con le scuole della città.'
];
const SCHEDULES: [number, string, string][][] = [
	[1, 2, 3, 4, 5].map((d) => [d, '09:00', '13:00']),
	[
		[1, '09:00', '12:30'],
		[3, '09:00', '12:30'],
		[5, '09:00', '12:30'],
		[2, '14:30', '17:30'],
		[4, '14:30', '17:30']
	],
	[1, 2, 3, 4, 5, 6].map((d) => [d, '08:00', '20:00']),
	[1, 2, 3, 4, 5, 6, 7].map((d) => [d, '00:00', '24:00']),
	[
		[2, '15:00', '18:00'],
		[4, '15:00', '18:00']
	],
	[1, 2, 3, 4, 5].flatMap((d): [number, string, string][] => [
		[d, '08:30', '12:30'],
		[d, '14:00', '16:00']
	]),
	[
		[6, '09:00', '12:00'],
		[7, '10:00', '12:00']
	],
	[1, 2, 3, 4, 5, 6, 7].map((d) => [d, '20:00', '08:00'])
];

const chunked = async <T>(rows: T[], size: number, insert: (batch: T[]) => Promise<unknown>) => {
	for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
};

/** Ensures the taxonomy terms exist (by code) and returns their ids. */
async function ensureTerms(db: Db): Promise<{ categories: Map<string, string>; targets: Map<string, string> }> {
	const rows = [
		...CATEGORIES.map((c) => ({ taxonomy: 'categoria' as const, code: c.code, name: c.name })),
		...TARGETS.map((t) => ({ taxonomy: 'destinatari' as const, code: t.code, name: t.name }))
	];
	await db.insert(dirTaxonomyTerms).values(rows).onConflictDoNothing();
	const found = await db
		.select({ id: dirTaxonomyTerms.id, taxonomy: dirTaxonomyTerms.taxonomy, code: dirTaxonomyTerms.code })
		.from(dirTaxonomyTerms)
		.where(inArray(dirTaxonomyTerms.code, rows.map((r) => r.code)));
	const pick = (t: 'categoria' | 'destinatari') => new Map(found.filter((f) => f.taxonomy === t).map((f) => [f.code, f.id]));
	return { categories: pick('categoria'), targets: pick('destinatari') };
}

/**
 * Inserts `count` services (with ~count/8 organisations, 1–2 locations each, phones, languages,
 * terms and schedules) and returns their ids. Nothing is indexed here.
 */
export async function generateDirectory(db: Db, count: number, opts: { seed?: number; batch?: number; onProgress?: (done: number) => void } = {}): Promise<string[]> {
	const r = prng(opts.seed ?? 1);
	const batch = opts.batch ?? 2000;
	const terms = await ensureTerms(db);
	const districtNames = Object.keys(DISTRICTS);
	const languageBag = LANGUAGES.flatMap((l) => Array.from({ length: l[2] }, () => l));
	const ids: string[] = [];

	// Organisations: each belongs to one district, with a home comune.
	const orgCount = Math.max(1, Math.ceil(count / 8));
	const orgs = Array.from({ length: orgCount }, (_, i) => {
		const district = districtNames[i % districtNames.length]!;
		const comune = r.pick(DISTRICTS[district]!);
		const publicBody = r.next() < 0.3;
		const name = publicBody ? `${r.pick(PUBLIC_ORGS)} ${comune.name}` : `${r.pick(ORG_KINDS)} ${r.pick(ORG_NAMES)}`;
		return { id: randomUUID(), name: `${name}${publicBody ? '' : ` ${comune.name}`} ${i + 1}`, district, comune };
	});
	await chunked(orgs, batch, (b) => db.insert(dirOrganizations).values(b.map((o) => ({ id: o.id, name: o.name }))));

	for (let start = 0; start < count; start += batch) {
		const n = Math.min(batch, count - start);
		const services: (typeof dirServices.$inferInsert)[] = [];
		const locations: (typeof dirLocations.$inferInsert)[] = [];
		const sals: (typeof dirServiceAtLocations.$inferInsert)[] = [];
		const phones: (typeof dirPhones.$inferInsert)[] = [];
		const languages: (typeof dirLanguages.$inferInsert)[] = [];
		const serviceTerms: (typeof dirServiceTerms.$inferInsert)[] = [];
		const schedules: (typeof dirSchedules.$inferInsert)[] = [];
		for (let k = 0; k < n; k++) {
			const org = orgs[r.int(orgs.length)]!;
			const cats = r.some(CATEGORIES, 1, 2);
			const main = cats[0]!;
			const comune = r.next() < 0.6 ? org.comune : r.pick(DISTRICTS[org.district]!);
			const id = randomUUID();
			ids.push(id);
			const targets = r.some(TARGETS, 1, 3);
			const langs = [['it', 'Italiano'] as const, ...r.some(languageBag, 0, 3).map((l) => [l[0], l[1]] as const)];
			const uniqueLangs = [...new Map(langs.map((l) => [l[0], l[1]])).entries()];
			const langNames = uniqueLangs.filter(([c]) => c !== 'it').map(([, name]) => name.toLowerCase());
			const description = [
				`${r.pick(OPENERS)} ${r.pick(main.phrases)}${cats[1] ? ` e ${r.pick(cats[1].phrases)}` : ''}.`,
				`Si rivolge a ${targets.map((t) => t.name.toLowerCase()).join(', ')} del distretto di ${org.district}.`,
				langNames.length ? `Colloqui anche in ${langNames.join(', ')}.` : '',
				r.pick(CLOSERS)
			]
				.filter(Boolean)
				.join(' ');
			const roll = r.next();
			const status: ServiceStatus = roll < 0.92 ? 'active' : roll < 0.96 ? 'temporarily closed' : roll < 0.99 ? 'inactive' : 'defunct';
			services.push({
				id,
				organizationId: org.id,
				name: `${r.pick(main.services)} – ${comune.name}`,
				alternateName: r.next() < 0.2 ? `Progetto ${r.pick(ORG_NAMES)}` : null,
				description,
				eligibilityDescription: `Persone residenti o domiciliate nel distretto di ${org.district}.`,
				status,
				isPublic: r.next() < 0.9,
				assuredDate: new Date(Date.UTC(2024, 0, 1) + r.int(700) * 86400_000).toISOString().slice(0, 10)
			});
			const locCount = r.next() < 0.25 ? 2 : 1;
			const salIds: string[] = [];
			for (let l = 0; l < locCount; l++) {
				const c = l === 0 ? comune : r.pick(DISTRICTS[org.district]!);
				const locationId = randomUUID();
				locations.push({
					id: locationId,
					organizationId: org.id,
					name: l === 0 ? `Sede di ${c.name}` : `Sportello decentrato di ${c.name}`,
					address1: `${r.pick(STREETS)} ${1 + r.int(120)}`,
					city: c.name,
					istatCode: c.istat,
					postalCode: null,
					stateProvince: c.province,
					region: 'Emilia-Romagna',
					district: org.district,
					latitude: c.lat + (r.next() - 0.5) * 0.02,
					longitude: c.lon + (r.next() - 0.5) * 0.02
				});
				const salId = randomUUID();
				salIds.push(salId);
				sals.push({ id: salId, serviceId: id, locationId });
			}
			phones.push({
				serviceId: id,
				number: `+39 0${500 + r.int(400)} ${100000 + r.int(899999)}`,
				type: 'voice',
				languages: uniqueLangs.slice(0, 2).map(([c]) => c)
			});
			for (const [code, name] of uniqueLangs) languages.push({ serviceId: id, code, name });
			for (const c of cats) serviceTerms.push({ serviceId: id, termId: terms.categories.get(c.code)! });
			for (const t of targets) serviceTerms.push({ serviceId: id, termId: terms.targets.get(t.code)! });
			if (r.next() < 0.9) {
				const pattern = r.pick(SCHEDULES);
				// Most schedules belong to the service; some to its first location.
				const atLocation = r.next() < 0.3;
				for (const [weekday, opensAt, closesAt] of pattern)
					schedules.push(atLocation ? { serviceAtLocationId: salIds[0]!, weekday, opensAt, closesAt } : { serviceId: id, weekday, opensAt, closesAt });
			}
		}
		await db.insert(dirServices).values(services);
		await chunked(locations, 1000, (b) => db.insert(dirLocations).values(b));
		await chunked(sals, 2000, (b) => db.insert(dirServiceAtLocations).values(b));
		await chunked(phones, 2000, (b) => db.insert(dirPhones).values(b));
		await chunked(languages, 4000, (b) => db.insert(dirLanguages).values(b));
		await chunked(serviceTerms, 4000, (b) => db.insert(dirServiceTerms).values(b));
		await chunked(schedules, 4000, (b) => db.insert(dirSchedules).values(b));
		opts.onProgress?.(start + n);
	}
	return ids;
}

async function main() {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: {
			seed: { type: 'string', default: '1' },
			'data-dir': { type: 'string' },
			'database-url': { type: 'string' },
			'no-index': { type: 'boolean', default: false }
		}
	});
	const count = Number(positionals[0] ?? '1000');
	if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
		console.error('Usage: npm run directory:generate -- <count 1…1000000> [--seed N] [--data-dir DIR | --database-url URL] [--no-index]');
		process.exitCode = 2;
		return;
	}
	const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
	const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? './data';
	const handle = await openDatabase({ databaseUrl, dataDir: path.join(dataDir, 'pglite') });
	try {
		await handle.migrate(path.resolve(process.env.MIGRATIONS_DIR ?? './drizzle'));
		let t = performance.now();
		await generateDirectory(handle.db, count, {
			seed: Number(values.seed),
			onProgress: (done) => process.stdout.write(`\r${done}/${count} services written`)
		});
		console.log(`\n${count} services written to ${handle.kind} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
		if (!values['no-index']) {
			const { createSearchEngine } = await import('../lib/server/search/engine');
			const { reindexAll } = await import('../lib/server/search/worker');
			const engine = createSearchEngine(() => handle.db);
			t = performance.now();
			await reindexAll(handle.db, engine);
			console.log(`search index (${engine.kind}) rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
		}
	} finally {
		await handle.close();
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((err) => {
		console.error(err);
		process.exit(1);
	});
}
