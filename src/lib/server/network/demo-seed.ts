/**
 * The demo network: the eleven INTARSI partners, their people and the project's tables, so that a
 * fresh installation can be tried at once. People are fictitious; there is no data about families
 * or beneficiaries anywhere in here. Runs only into an empty database (see boot.ts).
 */
import type { Db } from '../db/client';
import { users } from '../db/schema';
import type { OrganizationKind, TableKind, TableVisibility } from '../db/schema';
import type { Actor } from '../authz';
import { hashPassword } from '../auth/password';
import { createOrganization } from './organizations';
import { createPerson } from './people';
import { addTableMember, createTable } from './tables';

/** Shared by every seeded person; shown on the sign-in page in demo mode. */
export const DEMO_PASSWORD = 'intarsi-demo-2026';

export interface DemoAccount {
	email: string;
	role: 'admin' | 'coordinator' | 'member';
	name: string;
	organization: string;
	/** Italian, one line: what to try with this account. */
	description: string;
}

/** The first one is the administrator (boot.ts looks it up to recognise a demo database). */
export const DEMO_ACCOUNTS: DemoAccount[] = [
	{
		email: 'admin@intarsi.demo',
		role: 'admin',
		name: 'Chiara Benedetti',
		organization: 'Unione dei Comuni Valle del Savio',
		description:
			'Amministratrice della rete: gestisci enti e persone, invita nuovi operatori, crea tavoli e apri anche quelli riservati ai membri.'
	},
	{
		email: 'coordinatrice@intarsi.demo',
		role: 'coordinator',
		name: 'Silvia Malagoli',
		organization: 'Comune di Modena',
		description:
			'Coordina il Tavolo territoriale Modena: aggiungi o rimuovi membri, modifica il tavolo, invita un collega; in Cabina di regia partecipa come membro.'
	},
	{
		email: 'operatore@intarsi.demo',
		role: 'member',
		name: 'Luca Pieri',
		organization: 'ASP Distretto Cesena Valle Savio',
		description:
			'Operatore ASP nei tavoli Cesena Valle Savio e Mediazione linguistico-culturale: nota che i tavoli riservati, come «Tutela legale», non gli sono visibili.'
	}
];

// ---------------------------------------------------------------------------------------------
// Organisations

interface SeedOrganization {
	key: string;
	name: string;
	shortName?: string;
	kind: OrganizationKind;
	district: string;
	territory?: string;
	website?: string;
	description: string;
	isLead?: boolean;
	/** Mail domain of the fictitious people working there. */
	domain: string;
}

const ORGANIZATIONS = [
	{
		key: 'unione',
		name: 'Unione dei Comuni Valle del Savio',
		shortName: 'Unione Valle del Savio',
		kind: 'unione_comuni',
		district: 'Cesena Valle Savio',
		territory: 'Bagno di Romagna, Cesena, Mercato Saraceno, Montiano, Sarsina, Verghereto',
		website: 'https://www.unionevallesavio.it',
		description:
			'Ente capofila di INTARSI: coordina la rete dei partner, la cabina di regia e il monitoraggio del progetto. Gestisce in forma associata i servizi sociali dei sei comuni della Valle del Savio.',
		isLead: true,
		domain: 'unionevallesavio.it'
	},
	{
		key: 'asp',
		name: 'ASP Distretto Cesena Valle Savio',
		shortName: 'ASP Cesena Valle Savio',
		kind: 'asp',
		district: 'Cesena Valle Savio',
		territory: 'Distretto socio-sanitario Cesena Valle Savio',
		description:
			"Azienda pubblica di servizi alla persona del distretto cesenate: cura l'accoglienza e l'accompagnamento ai servizi del territorio e affianca il capofila nelle azioni locali del progetto.",
		domain: 'aspcesenavallesavio.it'
	},
	{
		key: 'anci',
		name: 'ANCI Emilia-Romagna',
		shortName: 'ANCI ER',
		kind: 'associazione_enti_locali',
		district: 'Regionale',
		territory: 'Emilia-Romagna',
		website: 'https://www.anci.emilia-romagna.it',
		description:
			'Associazione dei Comuni della regione: raccorda il progetto con gli enti locali emiliano-romagnoli, cura la formazione degli operatori e la diffusione dei risultati.',
		domain: 'anci.emilia-romagna.it'
	},
	{
		key: 'modena',
		name: 'Comune di Modena',
		kind: 'comune',
		district: 'Modena',
		territory: 'Città di Modena',
		website: 'https://www.comune.modena.it',
		description:
			'Partner territoriale: i servizi sociali e il servizio accoglienza e integrazione del Comune coordinano le azioni di INTARSI nel territorio modenese.',
		domain: 'comune.modena.it'
	},
	{
		key: 'rimini',
		name: 'Comune di Rimini',
		kind: 'comune',
		district: 'Rimini',
		territory: 'Città di Rimini',
		website: 'https://www.comune.rimini.it',
		description:
			"Partner territoriale: coordina le azioni del progetto nel riminese attraverso i servizi sociali e la rete cittadina dell'accoglienza.",
		domain: 'comune.rimini.it'
	},
	{
		key: 'ravenna',
		name: 'Comune di Ravenna',
		kind: 'comune',
		district: 'Ravenna',
		territory: 'Città di Ravenna',
		website: 'https://www.comune.ra.it',
		description:
			"Partner territoriale: porta nella rete l'esperienza del servizio politiche per l'immigrazione e coordina il tavolo ravennate.",
		domain: 'comune.ra.it'
	},
	{
		key: 'reggio',
		name: 'Comune di Reggio Emilia',
		kind: 'comune',
		district: 'Reggio Emilia',
		territory: 'Città di Reggio Emilia',
		website: 'https://www.comune.re.it',
		description:
			'Partner territoriale: i servizi sociali e il servizio integrazione del Comune coordinano il tavolo reggiano e le azioni rivolte alle famiglie con bambini.',
		domain: 'comune.re.it'
	},
	{
		key: 'cidas',
		name: 'C.I.D.A.S. Coop. Inserimento Disabili Assistenza Solidarietà',
		shortName: 'CIDAS',
		kind: 'cooperativa_sociale',
		district: 'Ferrara',
		territory: 'Sede a Ferrara; servizi in Emilia-Romagna, Lombardia, Veneto e Friuli Venezia Giulia',
		website: 'https://www.cidas.coop',
		description:
			"Cooperativa sociale ferrarese attiva nei servizi socio-educativi e nell'accoglienza e integrazione delle persone migranti: nel progetto segue le azioni educative per bambini e genitori.",
		domain: 'cidas.coop'
	},
	{
		key: 'ippogrifo',
		name: "L'Ippogrifo Società Cooperativa Sociale",
		shortName: "L'Ippogrifo",
		kind: 'cooperativa_sociale',
		district: 'Piacenza',
		territory: 'Piacenza e provincia',
		description:
			'Cooperativa sociale specializzata in mediazione linguistico-culturale, interpretariato e formazione: coordina il lavoro della rete sulla mediazione.',
		domain: 'lippogrifo.com'
	},
	{
		key: 'fantasia',
		name: 'Consorzio Fantasia Onlus',
		shortName: 'Consorzio Fantasia',
		kind: 'consorzio',
		district: 'Cesena Valle Savio',
		territory: 'Cesena e Valle del Savio',
		description:
			"Consorzio di cooperative sociali del territorio cesenate: nel progetto cura le azioni sull'abitare e sui percorsi di inserimento lavorativo.",
		domain: 'consorziofantasia.it'
	},
	{
		key: 'ciac',
		name: 'CIAC Onlus',
		shortName: 'CIAC',
		kind: 'ets',
		district: 'Parma',
		territory: 'Parma e provincia',
		website: 'https://www.ciaconlus.org',
		description:
			'Centro Immigrazione Asilo e Cooperazione internazionale di Parma: porta nella rete la competenza sulla tutela legale di richiedenti asilo e rifugiati e coordina il tavolo tematico dedicato.',
		domain: 'ciaconlus.org'
	}
] as const satisfies readonly SeedOrganization[];

type OrgKey = (typeof ORGANIZATIONS)[number]['key'];

// ---------------------------------------------------------------------------------------------
// People (fictitious). Emails are nome.cognome@<domain of the organisation> unless given.

interface SeedPerson {
	key: string;
	org: OrgKey;
	name: string;
	jobTitle: string;
	role: 'admin' | 'coordinator' | 'member';
	email?: string;
}

const demo = (i: number) => DEMO_ACCOUNTS[i]!;

const PEOPLE = [
	// Unione dei Comuni Valle del Savio
	{ key: 'benedetti', org: 'unione', name: demo(0).name, jobTitle: 'Coordinatrice di progetto INTARSI', role: 'admin', email: demo(0).email },
	{ key: 'zanotti', org: 'unione', name: 'Marco Zanotti', jobTitle: 'Responsabile servizi sociali', role: 'coordinator' },
	{ key: 'montalti', org: 'unione', name: 'Elisa Montalti', jobTitle: 'Funzionaria amministrativa, rendicontazione', role: 'member' },
	{ key: 'amadori', org: 'unione', name: 'Giulia Amadori', jobTitle: 'Assistente sociale', role: 'member' },
	// ASP Distretto Cesena Valle Savio
	{ key: 'casadei', org: 'asp', name: 'Francesca Casadei', jobTitle: 'Responsabile area inclusione e accoglienza', role: 'coordinator' },
	{ key: 'pieri', org: 'asp', name: demo(2).name, jobTitle: 'Operatore sociale, accoglienza e integrazione', role: 'member', email: demo(2).email },
	{ key: 'elidrissi', org: 'asp', name: 'Samira El Idrissi', jobTitle: 'Mediatrice linguistico-culturale (arabo, francese)', role: 'member' },
	{ key: 'fabbri', org: 'asp', name: 'Roberta Fabbri', jobTitle: 'Educatrice', role: 'member' },
	// ANCI Emilia-Romagna
	{ key: 'ghirardini', org: 'anci', name: 'Paolo Ghirardini', jobTitle: 'Referente area welfare e immigrazione', role: 'coordinator' },
	{ key: 'lodi', org: 'anci', name: 'Valentina Lodi', jobTitle: 'Referente formazione degli operatori', role: 'member' },
	{ key: 'sferrari', org: 'anci', name: 'Stefano Ferrari', jobTitle: 'Comunicazione istituzionale', role: 'member' },
	// Comune di Modena
	{ key: 'malagoli', org: 'modena', name: demo(1).name, jobTitle: 'Responsabile servizio accoglienza e integrazione', role: 'coordinator', email: demo(1).email },
	{ key: 'barbieri', org: 'modena', name: 'Andrea Barbieri', jobTitle: 'Assistente sociale', role: 'member' },
	{ key: 'ghebremedhin', org: 'modena', name: 'Tesfay Ghebremedhin', jobTitle: 'Mediatore linguistico-culturale (tigrino, amarico)', role: 'member' },
	{ key: 'bonacini', org: 'modena', name: 'Federica Bonacini', jobTitle: 'Referente SAI', role: 'member' },
	// Comune di Rimini
	{ key: 'semprini', org: 'rimini', name: 'Alessandro Semprini', jobTitle: 'Responsabile U.O. inclusione sociale', role: 'coordinator' },
	{ key: 'gasperoni', org: 'rimini', name: 'Martina Gasperoni', jobTitle: 'Assistente sociale', role: 'member' },
	{ key: 'diallo', org: 'rimini', name: 'Omar Diallo', jobTitle: 'Mediatore linguistico-culturale (francese, wolof, fula)', role: 'member' },
	// Comune di Ravenna
	{ key: 'missiroli', org: 'ravenna', name: 'Elena Missiroli', jobTitle: "Responsabile servizio politiche per l'immigrazione", role: 'coordinator' },
	{ key: 'baldini', org: 'ravenna', name: 'Davide Baldini', jobTitle: 'Assistente sociale area minori e famiglie', role: 'member' },
	{ key: 'randi', org: 'ravenna', name: 'Nadia Randi', jobTitle: 'Referente SAI', role: 'member' },
	{ key: 'akhtar', org: 'ravenna', name: 'Hina Akhtar', jobTitle: 'Mediatrice linguistico-culturale (urdu, punjabi, inglese)', role: 'member' },
	// Comune di Reggio Emilia
	{ key: 'bertolini', org: 'reggio', name: 'Monica Bertolini', jobTitle: 'Responsabile servizi sociali territoriali', role: 'coordinator' },
	{ key: 'ferretti', org: 'reggio', name: 'Matteo Ferretti', jobTitle: 'Assistente sociale', role: 'member' },
	{ key: 'incerti', org: 'reggio', name: 'Giorgia Incerti', jobTitle: 'Funzionaria amministrativa', role: 'member' },
	{ key: 'kovalenko', org: 'reggio', name: 'Olena Kovalenko', jobTitle: 'Mediatrice linguistico-culturale (ucraino, russo)', role: 'member' },
	// C.I.D.A.S.
	{ key: 'zappaterra', org: 'cidas', name: 'Irene Zappaterra', jobTitle: 'Coordinatrice area educativa infanzia e famiglie', role: 'member' },
	{ key: 'govoni', org: 'cidas', name: 'Nicola Govoni', jobTitle: 'Coordinatore accoglienza e integrazione', role: 'member' },
	{ key: 'sow', org: 'cidas', name: 'Ibrahima Sow', jobTitle: "Operatore per l'inclusione lavorativa", role: 'member' },
	// L'Ippogrifo
	{ key: 'bersani', org: 'ippogrifo', name: 'Cristina Bersani', jobTitle: 'Coordinatrice del servizio di mediazione culturale', role: 'member' },
	{ key: 'yusuf', org: 'ippogrifo', name: 'Amina Yusuf', jobTitle: 'Mediatrice linguistico-culturale (somalo, arabo, inglese)', role: 'member' },
	{ key: 'ahmadi', org: 'ippogrifo', name: 'Reza Ahmadi', jobTitle: 'Mediatore linguistico-culturale (farsi, dari, pashto)', role: 'member' },
	// Consorzio Fantasia
	{ key: 'zoffoli', org: 'fantasia', name: 'Lorenzo Zoffoli', jobTitle: 'Responsabile area inserimento lavorativo', role: 'member' },
	{ key: 'giunchi', org: 'fantasia', name: 'Beatrice Giunchi', jobTitle: 'Coordinatrice progetti di accoglienza in appartamento', role: 'member' },
	{ key: 'battistini', org: 'fantasia', name: 'Michele Battistini', jobTitle: 'Educatore', role: 'member' },
	// CIAC Onlus
	{ key: 'dallasta', org: 'ciac', name: "Anna Dall'Asta", jobTitle: 'Avvocata, responsabile area tutela legale', role: 'member' },
	{ key: 'bocchi', org: 'ciac', name: 'Paolo Bocchi', jobTitle: 'Operatore legale', role: 'member' },
	{ key: 'okafor', org: 'ciac', name: 'Joy Okafor', jobTitle: 'Operatrice legale', role: 'member' },
	{ key: 'pezzani', org: 'ciac', name: 'Federico Pezzani', jobTitle: 'Referente SAI', role: 'member' }
] as const satisfies readonly SeedPerson[];

type PersonKey = (typeof PEOPLE)[number]['key'];

// ---------------------------------------------------------------------------------------------
// Tables. The first coordinator is named at creation, the others are added afterwards.

interface SeedTable {
	name: string;
	kind: TableKind;
	visibility: TableVisibility;
	district?: string;
	description: string;
	coordinators: readonly [PersonKey, ...PersonKey[]];
	members: readonly PersonKey[];
}

const TABLES: readonly SeedTable[] = [
	{
		name: 'Cabina di regia',
		kind: 'regia',
		visibility: 'network',
		description:
			'Il luogo in cui i referenti dei partner condividono la programmazione, verificano lo stato delle azioni e prendono le decisioni comuni del progetto.',
		coordinators: ['benedetti'],
		members: ['zanotti', 'casadei', 'ghirardini', 'malagoli', 'semprini', 'missiroli', 'bertolini']
	},
	{
		name: 'Tavolo territoriale Cesena Valle Savio',
		kind: 'territoriale',
		visibility: 'network',
		district: 'Cesena Valle Savio',
		description:
			"Servizi sociali dell'Unione, ASP e cooperative del territorio si coordinano sulle prese in carico condivise e sulle risorse locali per le famiglie accolte.",
		coordinators: ['zanotti', 'casadei'],
		members: ['amadori', 'montalti', 'pieri', 'elidrissi', 'fabbri', 'zoffoli', 'giunchi', 'battistini']
	},
	{
		name: 'Tavolo territoriale Modena',
		kind: 'territoriale',
		visibility: 'network',
		district: 'Modena',
		description:
			'Raccordo tra servizi sociali, progetto SAI e cooperative per costruire percorsi condivisi di accoglienza e integrazione nel territorio modenese.',
		coordinators: ['malagoli'],
		members: ['barbieri', 'ghebremedhin', 'bonacini', 'govoni']
	},
	{
		name: 'Tavolo territoriale Rimini',
		kind: 'territoriale',
		visibility: 'network',
		district: 'Rimini',
		description:
			'Il tavolo riminese mette in rete servizi sociali, mediatori e realtà del privato sociale per accompagnare le famiglie nei servizi della città.',
		coordinators: ['semprini'],
		members: ['gasperoni', 'diallo', 'ahmadi']
	},
	{
		name: 'Tavolo territoriale Ravenna',
		kind: 'territoriale',
		visibility: 'network',
		district: 'Ravenna',
		description:
			"Servizio politiche per l'immigrazione, servizi per minori e famiglie e progetto SAI lavorano insieme su accoglienza, scuola e orientamento ai servizi.",
		coordinators: ['missiroli'],
		members: ['baldini', 'randi', 'akhtar', 'sow']
	},
	{
		name: 'Tavolo territoriale Reggio Emilia',
		kind: 'territoriale',
		visibility: 'network',
		district: 'Reggio Emilia',
		description:
			'Il tavolo reggiano coordina servizi sociali territoriali, mediazione e partner del terzo settore nelle azioni rivolte alle famiglie con bambini.',
		coordinators: ['bertolini'],
		members: ['ferretti', 'incerti', 'kovalenko', 'yusuf', 'pezzani']
	},
	{
		name: 'Tutela legale',
		kind: 'tematico',
		visibility: 'members',
		description:
			'Spazio riservato per il confronto tra operatori legali e assistenti sociali su procedure di protezione internazionale, documenti e diritti; visibile solo ai membri.',
		coordinators: ['dallasta'],
		members: ['bocchi', 'okafor', 'pezzani', 'amadori', 'barbieri', 'baldini']
	},
	{
		name: 'Mediazione linguistico-culturale',
		kind: 'tematico',
		visibility: 'network',
		description:
			'Mediatori e operatori condividono pratiche, glossari e disponibilità linguistiche per rendere la mediazione accessibile in tutti i territori della rete.',
		coordinators: ['bersani'],
		members: ['yusuf', 'ahmadi', 'elidrissi', 'pieri', 'ghebremedhin', 'diallo', 'akhtar', 'kovalenko']
	},
	{
		name: 'Abitare e lavoro',
		kind: 'tematico',
		visibility: 'network',
		description:
			"Opportunità abitative, tirocini e inserimento lavorativo: il tavolo raccoglie risorse e buone pratiche per accompagnare le famiglie verso l'autonomia.",
		coordinators: ['zoffoli'],
		members: ['giunchi', 'sow', 'govoni', 'gasperoni', 'randi', 'bonacini', 'incerti', 'ghirardini']
	},
	{
		name: 'Salute, scuola e genitorialità',
		kind: 'tematico',
		visibility: 'members',
		description:
			"Tavolo riservato su accesso ai servizi sanitari, inserimento scolastico dei bambini e sostegno alla genitorialità; visibile solo ai membri.",
		coordinators: ['zappaterra'],
		members: ['fabbri', 'battistini', 'ferretti', 'barbieri', 'akhtar', 'lodi']
	}
];

// ---------------------------------------------------------------------------------------------

/** nome.cognome@domain, without accents, apostrophes or spaces inside the surname. */
function emailFor(name: string, domain: string): string {
	const [first = '', ...rest] = name
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/['’]/g, '')
		.split(/\s+/);
	return `${first}.${rest.join('')}@${domain}`;
}

/** True when no account exists at all (not even a deleted one). */
export async function isDatabaseEmpty(db: Db): Promise<boolean> {
	const rows = await db.select({ id: users.id }).from(users).limit(1);
	return rows.length === 0;
}

/** Seeds the demo network in one transaction; does nothing if any account already exists. */
export async function seedDemoNetwork(db: Db): Promise<void> {
	if (!(await isDatabaseEmpty(db))) return;
	// One hash for everybody: argon2id costs ~100 ms a time.
	const passwordHash = await hashPassword(DEMO_PASSWORD);

	await db.transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		if (!(await isDatabaseEmpty(tx))) return;

		const orgIds = new Map<OrgKey, string>();
		for (const org of ORGANIZATIONS as readonly SeedOrganization[]) {
			const row = await createOrganization(tx, null, {
				name: org.name,
				shortName: org.shortName,
				kind: org.kind,
				district: org.district,
				territory: org.territory,
				website: org.website,
				description: org.description,
				taxCode: undefined,
				vatNumber: undefined,
				isLead: org.isLead ?? false
			});
			orgIds.set(org.key as OrgKey, row.id);
		}
		const domainOf = new Map<OrgKey, string>(ORGANIZATIONS.map((o) => [o.key, o.domain]));

		const personIds = new Map<PersonKey, string>();
		let adminId: string | null = null;
		// The administrator first (created by nobody), then everybody else on their behalf.
		const ordered = [...(PEOPLE as readonly SeedPerson[])].sort(
			(a, b) => Number(b.role === 'admin') - Number(a.role === 'admin')
		);
		for (const p of ordered) {
			const row = await createPerson(tx, adminId, {
				name: p.name,
				email: (p.email ?? emailFor(p.name, domainOf.get(p.org)!)).toLowerCase(),
				organizationId: orgIds.get(p.org)!,
				role: p.role,
				jobTitle: p.jobTitle,
				phone: undefined,
				passwordHash
			});
			personIds.set(p.key as PersonKey, row.id);
			if (p.role === 'admin' && !adminId) adminId = row.id;
		}
		if (!adminId) throw new Error('demo seed: no administrator');

		const actor: Actor = { id: adminId, role: 'admin', tableRoles: {} };
		const idOf = (key: PersonKey) => {
			const id = personIds.get(key);
			if (!id) throw new Error(`demo seed: unknown person ${key}`);
			return id;
		};
		for (const t of TABLES) {
			const [firstCoordinator, ...otherCoordinators] = t.coordinators;
			const table = await createTable(tx, actor, {
				name: t.name,
				kind: t.kind,
				district: t.district,
				description: t.description,
				visibility: t.visibility,
				coordinatorId: idOf(firstCoordinator)
			});
			for (const key of otherCoordinators) await addTableMember(tx, adminId, table.id, idOf(key), 'coordinator');
			for (const key of t.members) await addTableMember(tx, adminId, table.id, idOf(key), 'member');
		}
	});
}
