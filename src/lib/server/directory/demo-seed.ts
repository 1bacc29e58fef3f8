/**
 * The demo directory: about 150 services of the five districts of the demo network (Cesena Valle
 * Savio, Modena, Rimini, Ravenna, Reggio Emilia) — social desks, legal aid, mediation, housing,
 * employment centres, health, schools' intercultural services, adult education, associations —
 * with real comuni and their ISTAT codes, plausible addresses and coordinates, opening hours,
 * languages, categories and targets. Providers are the demo partners (linked to the network's
 * organisations by name) and a few non-partners (CPIA, Caritas, patronati, AUSL, Agenzia lavoro).
 * Phone numbers are fictitious, in the "000" block of each area code (e.g. 0547 000 012); e-mail
 * addresses are on the non-existent domain intarsi.demo. Some services are deliberately not
 * verified for more than six months. There is no data about beneficiaries anywhere in here.
 */
import { count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dirServices, organizations, users } from '../db/schema';
import { addDays, romeDay } from '$lib/time/rome';
import { DEMO_ACCOUNTS } from '../network/demo-seed';
import { parsePhones, parseSchedules, type ScheduleValue } from './format';
import { ensureTaxonomy, termIdsByCode } from './taxonomy';
import { writeLocation, writeOrganization, writeService, type WriteContext } from './services';

// ---------------------------------------------------------------------------------------------
// Comuni (ISTAT codes and CAP checked against the ISTAT list of comuni)

interface Comune {
	name: string;
	istat: string;
	cap: string;
	province: string;
	lat: number;
	lon: number;
}

const COMUNI = {
	cesena: { name: 'Cesena', istat: '040007', cap: '47521', province: 'FC', lat: 44.1391, lon: 12.2431 },
	bagno: { name: 'Bagno di Romagna', istat: '040001', cap: '47021', province: 'FC', lat: 43.8597, lon: 11.9743 },
	mercato: { name: 'Mercato Saraceno', istat: '040020', cap: '47025', province: 'FC', lat: 43.963, lon: 12.197 },
	montiano: { name: 'Montiano', istat: '040028', cap: '47020', province: 'FC', lat: 44.0826, lon: 12.3046 },
	sarsina: { name: 'Sarsina', istat: '040044', cap: '47027', province: 'FC', lat: 43.9188, lon: 12.1425 },
	verghereto: { name: 'Verghereto', istat: '040050', cap: '47028', province: 'FC', lat: 43.7946, lon: 12.0065 },
	modena: { name: 'Modena', istat: '036023', cap: '41121', province: 'MO', lat: 44.6471, lon: 10.9252 },
	rimini: { name: 'Rimini', istat: '099014', cap: '47921', province: 'RN', lat: 44.0594, lon: 12.5683 },
	santarcangelo: { name: 'Santarcangelo di Romagna', istat: '099018', cap: '47822', province: 'RN', lat: 44.063, lon: 12.446 },
	bellaria: { name: 'Bellaria-Igea Marina', istat: '099001', cap: '47814', province: 'RN', lat: 44.1428, lon: 12.472 },
	verucchio: { name: 'Verucchio', istat: '099020', cap: '47826', province: 'RN', lat: 43.983, lon: 12.422 },
	novafeltria: { name: 'Novafeltria', istat: '099023', cap: '47863', province: 'RN', lat: 43.895, lon: 12.289 },
	ravenna: { name: 'Ravenna', istat: '039014', cap: '48121', province: 'RA', lat: 44.4184, lon: 12.2035 },
	cervia: { name: 'Cervia', istat: '039007', cap: '48015', province: 'RA', lat: 44.2608, lon: 12.356 },
	russi: { name: 'Russi', istat: '039016', cap: '48026', province: 'RA', lat: 44.376, lon: 12.033 },
	reggio: { name: "Reggio nell'Emilia", istat: '035033', cap: '42121', province: 'RE', lat: 44.6983, lon: 10.6312 },
	albinea: { name: 'Albinea', istat: '035001', cap: '42020', province: 'RE', lat: 44.619, lon: 10.604 },
	bagnolo: { name: 'Bagnolo in Piano', istat: '035002', cap: '42011', province: 'RE', lat: 44.764, lon: 10.673 },
	cadelbosco: { name: 'Cadelbosco di Sopra', istat: '035008', cap: '42023', province: 'RE', lat: 44.76, lon: 10.596 },
	castelnovo: { name: 'Castelnovo di Sotto', istat: '035015', cap: '42024', province: 'RE', lat: 44.812, lon: 10.564 },
	quattro: { name: 'Quattro Castella', istat: '035030', cap: '42020', province: 'RE', lat: 44.635, lon: 10.473 },
	vezzano: { name: 'Vezzano sul Crostolo', istat: '035043', cap: '42030', province: 'RE', lat: 44.6, lon: 10.545 }
} as const satisfies Record<string, Comune>;
type ComuneKey = keyof typeof COMUNI;

// ---------------------------------------------------------------------------------------------
// Providers

interface SeedOrg {
	key: string;
	name: string;
	description: string;
	website?: string;
	/** A partner of the demo network, linked by this (exact) name. */
	partner?: boolean;
}

const ORGS: readonly SeedOrg[] = [
	{ key: 'unione', partner: true, name: 'Unione dei Comuni Valle del Savio', website: 'https://www.unionevallesavio.it', description: 'Gestisce in forma associata i servizi sociali dei sei comuni della Valle del Savio: sportelli sociali, servizio immigrazione, centro per le famiglie.' },
	{ key: 'asp', partner: true, name: 'ASP Distretto Cesena Valle Savio', description: 'Azienda pubblica di servizi alla persona del distretto cesenate: accoglienza, accompagnamento ai servizi, progetti di accoglienza integrata.' },
	{ key: 'anci', partner: true, name: 'ANCI Emilia-Romagna', website: 'https://www.anci.emilia-romagna.it', description: 'Associazione dei Comuni dell’Emilia-Romagna: formazione e supporto agli enti locali.' },
	{ key: 'modena', partner: true, name: 'Comune di Modena', website: 'https://www.comune.modena.it', description: 'Servizi sociali territoriali, servizio accoglienza e integrazione, centro per le famiglie della città di Modena.' },
	{ key: 'rimini', partner: true, name: 'Comune di Rimini', website: 'https://www.comune.rimini.it', description: 'Servizi sociali, sportello immigrazione e rete cittadina dell’accoglienza di Rimini.' },
	{ key: 'ravenna', partner: true, name: 'Comune di Ravenna', website: 'https://www.comune.ra.it', description: 'Servizio politiche per l’immigrazione, Casa delle culture, servizi sociali e per le famiglie di Ravenna.' },
	{ key: 'reggio', partner: true, name: 'Comune di Reggio Emilia', website: 'https://www.comune.re.it', description: 'Poli sociali territoriali, servizio integrazione e centro per le famiglie di Reggio Emilia.' },
	{ key: 'cidas', partner: true, name: 'C.I.D.A.S. Coop. Inserimento Disabili Assistenza Solidarietà', website: 'https://www.cidas.coop', description: 'Cooperativa sociale: servizi socio-educativi, doposcuola, accoglienza e inclusione lavorativa.' },
	{ key: 'ippogrifo', partner: true, name: "L'Ippogrifo Società Cooperativa Sociale", description: 'Mediazione linguistico-culturale, interpretariato in presenza e al telefono, formazione dei mediatori.' },
	{ key: 'fantasia', partner: true, name: 'Consorzio Fantasia Onlus', description: 'Consorzio di cooperative sociali del cesenate: abitare, inserimento lavorativo, percorsi per le famiglie.' },
	{ key: 'ciac', partner: true, name: 'CIAC Onlus', website: 'https://www.ciaconlus.org', description: 'Centro Immigrazione Asilo e Cooperazione internazionale: tutela legale di richiedenti asilo e rifugiati.' },
	{ key: 'arl', name: 'Agenzia regionale per il lavoro Emilia-Romagna', website: 'https://www.agenzialavoro.emr.it', description: 'Gestisce i Centri per l’impiego della regione: iscrizione, orientamento, offerte di lavoro e tirocini.' },
	{ key: 'ausl-romagna', name: 'AUSL della Romagna', website: 'https://www.auslromagna.it', description: 'Azienda sanitaria della Romagna: consultori, ambulatori, ospedali dei distretti di Cesena, Rimini e Ravenna.' },
	{ key: 'ausl-modena', name: 'Azienda USL di Modena', website: 'https://www.ausl.mo.it', description: 'Azienda sanitaria della provincia di Modena.' },
	{ key: 'ausl-reggio', name: 'Azienda USL-IRCCS di Reggio Emilia', website: 'https://www.ausl.re.it', description: 'Azienda sanitaria della provincia di Reggio Emilia.' },
	{ key: 'cpia-fc', name: 'CPIA Forlì-Cesena', description: 'Centro provinciale per l’istruzione degli adulti: italiano per stranieri, licenza media, percorsi di base.' },
	{ key: 'cpia-mo', name: 'CPIA Modena', description: 'Centro provinciale per l’istruzione degli adulti di Modena.' },
	{ key: 'cpia-rn', name: 'CPIA Rimini', description: 'Centro provinciale per l’istruzione degli adulti di Rimini.' },
	{ key: 'cpia-ra', name: 'CPIA Ravenna', description: 'Centro provinciale per l’istruzione degli adulti di Ravenna.' },
	{ key: 'cpia-re', name: 'CPIA Reggio Emilia', description: 'Centro provinciale per l’istruzione degli adulti di Reggio Emilia.' },
	{ key: 'caritas-ce', name: 'Caritas diocesana Cesena-Sarsina', description: 'Centro di ascolto, emporio solidale, scuola di italiano con volontari.' },
	{ key: 'caritas-mo', name: 'Caritas diocesana Modena-Nonantola', description: 'Centro di ascolto, emporio solidale, scuola di italiano con volontari.' },
	{ key: 'caritas-rn', name: 'Caritas diocesana di Rimini', description: 'Centro di ascolto, emporio solidale, scuola di italiano con volontari.' },
	{ key: 'caritas-ra', name: 'Caritas diocesana Ravenna-Cervia', description: 'Centro di ascolto, emporio solidale, scuola di italiano con volontari.' },
	{ key: 'caritas-re', name: 'Caritas diocesana Reggio Emilia-Guastalla', description: 'Centro di ascolto, emporio solidale, scuola di italiano con volontari.' },
	{ key: 'inca', name: 'Patronato INCA CGIL', website: 'https://www.inca.it', description: 'Patronato: pratiche previdenziali, permessi di soggiorno, ricongiungimenti, cittadinanza.' },
	{ key: 'acli', name: 'Patronato ACLI', website: 'https://www.patronato.acli.it', description: 'Patronato: pratiche per cittadini stranieri, previdenza, lavoro domestico.' },
	{ key: 'santarcangelo', name: 'Comune di Santarcangelo di Romagna', description: 'Sportello sociale comunale.' },
	{ key: 'bellaria', name: 'Comune di Bellaria-Igea Marina', description: 'Sportello sociale comunale.' },
	{ key: 'verucchio', name: 'Comune di Verucchio', description: 'Sportello sociale comunale.' },
	{ key: 'novafeltria', name: 'Comune di Novafeltria', description: 'Sportello sociale comunale.' },
	{ key: 'cervia', name: 'Comune di Cervia', description: 'Servizi sociali comunali.' },
	{ key: 'russi', name: 'Comune di Russi', description: 'Servizi sociali comunali.' },
	{ key: 'terra-di-mezzo', name: 'Unione Terra di Mezzo', description: 'Servizi sociali associati di Bagnolo in Piano, Cadelbosco di Sopra e Castelnovo di Sotto.' },
	{ key: 'colline', name: 'Unione Colline Matildiche', description: 'Servizi sociali associati di Albinea, Quattro Castella e Vezzano sul Crostolo.' }
];

// ---------------------------------------------------------------------------------------------
// Districts and their places

type Place = { org: string; name: string; comune: ComuneKey; address: string; lat: number; lon: number };

interface District {
	key: string;
	name: string;
	main: ComuneKey;
	/** Area code of the fictitious phone numbers. */
	prefix: string;
	/** Languages most asked for in the district, besides Italian. */
	languages: string[];
	partner: string;
	health: string;
	cpia: string;
	caritas: string;
	/** Organisation of the employment guidance and of the family empowerment courses. */
	work: string;
	education: string;
	/** Sportelli sociali: one per comune (or per area of the city). */
	desks: { name: string; place: string }[];
	places: Record<string, Place>;
}

const DISTRICTS: District[] = [
	{
		key: 'ce',
		name: 'Cesena Valle Savio',
		main: 'cesena',
		prefix: '0547',
		languages: ['ar', 'fr', 'ro', 'sq', 'uk', 'zh'],
		partner: 'unione',
		health: 'ausl-romagna',
		cpia: 'cpia-fc',
		caritas: 'caritas-ce',
		work: 'fantasia',
		education: 'asp',
		desks: [
			{ name: 'Sportello sociale di Cesena', place: 'comune' },
			{ name: 'Sportello sociale di Bagno di Romagna', place: 'bagno' },
			{ name: 'Sportello sociale di Mercato Saraceno', place: 'mercato' },
			{ name: 'Sportello sociale di Montiano', place: 'montiano' },
			{ name: 'Sportello sociale di Sarsina', place: 'sarsina' },
			{ name: 'Sportello sociale di Verghereto', place: 'verghereto' }
		],
		places: {
			comune: { org: 'unione', name: 'Servizi sociali dell’Unione', comune: 'cesena', address: 'Piazza del Popolo 10', lat: 44.1368, lon: 12.2428 },
			immigrazione: { org: 'unione', name: 'Sportello immigrazione', comune: 'cesena', address: 'Via Dandini 24', lat: 44.1402, lon: 12.2449 },
			famiglie: { org: 'unione', name: 'Centro per le famiglie', comune: 'cesena', address: 'Via Aldini 26', lat: 44.1417, lon: 12.2399 },
			sai: { org: 'asp', name: 'ASP – sede di Cesena', comune: 'cesena', address: 'Corso Sozzi 39', lat: 44.1378, lon: 12.2471 },
			cpi: { org: 'arl', name: 'Centro per l’impiego di Cesena', comune: 'cesena', address: 'Via Cesare Battisti 60', lat: 44.1446, lon: 12.2489 },
			cpia: { org: 'cpia-fc', name: 'CPIA – sede di Cesena', comune: 'cesena', address: 'Via Don Minzoni 36', lat: 44.1359, lon: 12.2512 },
			cpia2: { org: 'cpia-fc', name: 'CPIA – punto di erogazione di Mercato Saraceno', comune: 'mercato', address: 'Via Roma 5', lat: 43.9621, lon: 12.1963 },
			caritas: { org: 'caritas-ce', name: 'Caritas – Centro di ascolto', comune: 'cesena', address: 'Via Strinati 37', lat: 44.1399, lon: 12.2395 },
			consultorio: { org: 'ausl-romagna', name: 'Consultorio familiare di Cesena', comune: 'cesena', address: 'Corso Cavour 180', lat: 44.1429, lon: 12.2512 },
			ospedale: { org: 'ausl-romagna', name: 'Ospedale Bufalini', comune: 'cesena', address: 'Viale Ghirotti 286', lat: 44.1296, lon: 12.2622 },
			inca: { org: 'inca', name: 'INCA CGIL Cesena', comune: 'cesena', address: 'Via Plauto 90', lat: 44.1463, lon: 12.2556 },
			acli: { org: 'acli', name: 'ACLI Cesena', comune: 'cesena', address: 'Via Fantaguzzi 41', lat: 44.1386, lon: 12.2404 },
			coop: { org: 'fantasia', name: 'Consorzio Fantasia', comune: 'cesena', address: 'Via Mura Valzania 48', lat: 44.1351, lon: 12.2387 },
			scuole: { org: 'asp', name: 'Centro interculturale per le scuole', comune: 'cesena', address: 'Via Aldini 28', lat: 44.142, lon: 12.2403 },
			mediazione: { org: 'asp', name: 'Servizio di mediazione dell’ASP', comune: 'cesena', address: 'Corso Sozzi 39', lat: 44.1378, lon: 12.2471 },
			legale: { org: 'unione', name: 'Sportello immigrazione', comune: 'cesena', address: 'Via Dandini 24', lat: 44.1402, lon: 12.2449 },
			bagno: { org: 'unione', name: 'Municipio di Bagno di Romagna (San Piero in Bagno)', comune: 'bagno', address: 'Piazza Martiri 25 Luglio 1944 1', lat: 43.8597, lon: 11.9743 },
			mercato: { org: 'unione', name: 'Municipio di Mercato Saraceno', comune: 'mercato', address: 'Piazza Mazzini 50', lat: 43.963, lon: 12.197 },
			montiano: { org: 'unione', name: 'Municipio di Montiano', comune: 'montiano', address: 'Piazza Maggiore 3', lat: 44.0826, lon: 12.3046 },
			sarsina: { org: 'unione', name: 'Municipio di Sarsina', comune: 'sarsina', address: 'Largo De Gasperi 9', lat: 43.9188, lon: 12.1425 },
			verghereto: { org: 'unione', name: 'Municipio di Verghereto', comune: 'verghereto', address: 'Via Caduti d’Ungheria 11', lat: 43.7946, lon: 12.0065 }
		}
	},
	{
		key: 'mo',
		name: 'Modena',
		main: 'modena',
		prefix: '059',
		languages: ['ar', 'ti', 'so', 'ur', 'uk', 'en'],
		partner: 'modena',
		health: 'ausl-modena',
		cpia: 'cpia-mo',
		caritas: 'caritas-mo',
		work: 'cidas',
		education: 'modena',
		desks: [
			{ name: 'Polo sociale territoriale 1 – Centro storico', place: 'polo1' },
			{ name: 'Polo sociale territoriale 2 – Crocetta e Modena Est', place: 'polo2' },
			{ name: 'Polo sociale territoriale 3 – Buon Pastore e Sant’Agnese', place: 'polo3' },
			{ name: 'Polo sociale territoriale 4 – San Faustino e Madonnina', place: 'polo4' }
		],
		places: {
			comune: { org: 'modena', name: 'Settore servizi sociali', comune: 'modena', address: 'Via Galaverna 8', lat: 44.6432, lon: 10.9301 },
			immigrazione: { org: 'modena', name: 'Servizio accoglienza e integrazione', comune: 'modena', address: 'Via Galaverna 8', lat: 44.6432, lon: 10.9301 },
			famiglie: { org: 'modena', name: 'Centro per le famiglie', comune: 'modena', address: 'Via del Gambero 77', lat: 44.6528, lon: 10.9312 },
			sai: { org: 'modena', name: 'Progetto SAI – ufficio di coordinamento', comune: 'modena', address: 'Via Emilia Est 50', lat: 44.6442, lon: 10.9401 },
			cpi: { org: 'arl', name: 'Centro per l’impiego di Modena', comune: 'modena', address: 'Strada Morane 20', lat: 44.6312, lon: 10.9285 },
			cpia: { org: 'cpia-mo', name: 'CPIA – sede di Modena', comune: 'modena', address: 'Via Rainusso 72', lat: 44.6375, lon: 10.9033 },
			caritas: { org: 'caritas-mo', name: 'Caritas – Centro di ascolto', comune: 'modena', address: 'Via dei Servi 17', lat: 44.6462, lon: 10.9296 },
			consultorio: { org: 'ausl-modena', name: 'Consultorio familiare di Modena', comune: 'modena', address: 'Via Don Minzoni 121', lat: 44.6519, lon: 10.9186 },
			ospedale: { org: 'ausl-modena', name: 'Policlinico di Modena', comune: 'modena', address: 'Via del Pozzo 71', lat: 44.637, lon: 10.9456 },
			inca: { org: 'inca', name: 'INCA CGIL Modena', comune: 'modena', address: 'Piazza Cittadella 36', lat: 44.6503, lon: 10.9208 },
			acli: { org: 'acli', name: 'ACLI Modena', comune: 'modena', address: 'Viale Trento Trieste 15', lat: 44.6418, lon: 10.9338 },
			coop: { org: 'cidas', name: 'CIDAS – sede di Modena', comune: 'modena', address: 'Via Emilia Est 112', lat: 44.6439, lon: 10.9465 },
			scuole: { org: 'modena', name: 'Ufficio iscrizioni scolastiche e intercultura', comune: 'modena', address: 'Via Galaverna 8', lat: 44.6432, lon: 10.9301 },
			mediazione: { org: 'ippogrifo', name: 'L’Ippogrifo – sportello di Modena', comune: 'modena', address: 'Via Corassori 54', lat: 44.6341, lon: 10.9317 },
			legale: { org: 'modena', name: 'Servizio accoglienza e integrazione', comune: 'modena', address: 'Via Galaverna 8', lat: 44.6432, lon: 10.9301 },
			polo1: { org: 'modena', name: 'Polo sociale 1', comune: 'modena', address: 'Via Gottardi 100', lat: 44.652, lon: 10.935 },
			polo2: { org: 'modena', name: 'Polo sociale 2', comune: 'modena', address: 'Via Nonantolana 685', lat: 44.665, lon: 10.955 },
			polo3: { org: 'modena', name: 'Polo sociale 3', comune: 'modena', address: 'Viale Buon Pastore 43', lat: 44.635, lon: 10.915 },
			polo4: { org: 'modena', name: 'Polo sociale 4', comune: 'modena', address: 'Via Canaletto Sud 82', lat: 44.66, lon: 10.915 }
		}
	},
	{
		key: 'rn',
		name: 'Rimini',
		main: 'rimini',
		prefix: '0541',
		languages: ['uk', 'ro', 'sq', 'ar', 'fr', 'wo'],
		partner: 'rimini',
		health: 'ausl-romagna',
		cpia: 'cpia-rn',
		caritas: 'caritas-rn',
		work: 'rimini',
		education: 'rimini',
		desks: [
			{ name: 'Sportello sociale di Rimini', place: 'comune' },
			{ name: 'Sportello sociale di Santarcangelo di Romagna', place: 'santarcangelo' },
			{ name: 'Sportello sociale di Bellaria-Igea Marina', place: 'bellaria' },
			{ name: 'Sportello sociale di Verucchio', place: 'verucchio' },
			{ name: 'Sportello sociale di Novafeltria', place: 'novafeltria' }
		],
		places: {
			comune: { org: 'rimini', name: 'Servizi sociali del Comune', comune: 'rimini', address: 'Via Ducale 7', lat: 44.061, lon: 12.57 },
			immigrazione: { org: 'rimini', name: 'Sportello immigrazione', comune: 'rimini', address: 'Via Giovanni XXIII 130', lat: 44.0526, lon: 12.5795 },
			famiglie: { org: 'rimini', name: 'Centro per le famiglie', comune: 'rimini', address: 'Via Bertola 8', lat: 44.0628, lon: 12.5652 },
			sai: { org: 'rimini', name: 'Progetto SAI – ufficio di coordinamento', comune: 'rimini', address: 'Via Ducale 7', lat: 44.061, lon: 12.57 },
			cpi: { org: 'arl', name: 'Centro per l’impiego di Rimini', comune: 'rimini', address: 'Via Dario Campana 71', lat: 44.0468, lon: 12.5783 },
			cpia: { org: 'cpia-rn', name: 'CPIA – sede di Rimini', comune: 'rimini', address: 'Via Bramante 33', lat: 44.0541, lon: 12.5628 },
			cpia2: { org: 'cpia-rn', name: 'CPIA – punto di erogazione di Santarcangelo', comune: 'santarcangelo', address: 'Via della Resistenza 8', lat: 44.0612, lon: 12.4441 },
			caritas: { org: 'caritas-rn', name: 'Caritas – Centro di ascolto', comune: 'rimini', address: 'Via Madonna della Scala 7', lat: 44.0587, lon: 12.5668 },
			consultorio: { org: 'ausl-romagna', name: 'Consultorio familiare di Rimini', comune: 'rimini', address: 'Via Coriano 38', lat: 44.0438, lon: 12.5672 },
			ospedale: { org: 'ausl-romagna', name: 'Ospedale Infermi', comune: 'rimini', address: 'Viale Settembrini 2', lat: 44.0508, lon: 12.5868 },
			inca: { org: 'inca', name: 'INCA CGIL Rimini', comune: 'rimini', address: 'Via Caduti di Marzabotto 30', lat: 44.0559, lon: 12.5744 },
			acli: { org: 'acli', name: 'ACLI Rimini', comune: 'rimini', address: 'Via Angherà 22', lat: 44.0602, lon: 12.5689 },
			coop: { org: 'rimini', name: 'Ufficio inclusione sociale e lavoro', comune: 'rimini', address: 'Via Ducale 7', lat: 44.061, lon: 12.57 },
			scuole: { org: 'rimini', name: 'Ufficio scuola e intercultura', comune: 'rimini', address: 'Via Ducale 7', lat: 44.061, lon: 12.57 },
			mediazione: { org: 'ippogrifo', name: 'L’Ippogrifo – sportello di Rimini', comune: 'rimini', address: 'Via Flaminia 185', lat: 44.0474, lon: 12.5853 },
			legale: { org: 'rimini', name: 'Sportello immigrazione', comune: 'rimini', address: 'Via Giovanni XXIII 130', lat: 44.0526, lon: 12.5795 },
			santarcangelo: { org: 'santarcangelo', name: 'Municipio di Santarcangelo', comune: 'santarcangelo', address: 'Piazza Ganganelli 1', lat: 44.063, lon: 12.446 },
			bellaria: { org: 'bellaria', name: 'Municipio di Bellaria-Igea Marina', comune: 'bellaria', address: 'Piazza del Popolo 1', lat: 44.1428, lon: 12.472 },
			verucchio: { org: 'verucchio', name: 'Municipio di Verucchio', comune: 'verucchio', address: 'Piazza Malatesta 28', lat: 43.983, lon: 12.422 },
			novafeltria: { org: 'novafeltria', name: 'Municipio di Novafeltria', comune: 'novafeltria', address: 'Piazza Vittorio Emanuele 2', lat: 43.895, lon: 12.289 }
		}
	},
	{
		key: 'ra',
		name: 'Ravenna',
		main: 'ravenna',
		prefix: '0544',
		languages: ['ro', 'sq', 'ar', 'ur', 'uk', 'bn'],
		partner: 'ravenna',
		health: 'ausl-romagna',
		cpia: 'cpia-ra',
		caritas: 'caritas-ra',
		work: 'cidas',
		education: 'ravenna',
		desks: [
			{ name: 'Sportello sociale di Ravenna', place: 'comune' },
			{ name: 'Sportello sociale di Cervia', place: 'cervia' },
			{ name: 'Sportello sociale di Russi', place: 'russi' }
		],
		places: {
			comune: { org: 'ravenna', name: 'Servizi sociali del Comune', comune: 'ravenna', address: 'Via Mazzini 32', lat: 44.4172, lon: 12.2006 },
			immigrazione: { org: 'ravenna', name: 'Casa delle culture', comune: 'ravenna', address: 'Piazza Medaglie d’Oro 4', lat: 44.4145, lon: 12.2071 },
			famiglie: { org: 'ravenna', name: 'Centro per le famiglie', comune: 'ravenna', address: 'Via Oriani 44', lat: 44.4161, lon: 12.1989 },
			sai: { org: 'ravenna', name: 'Progetto SAI – ufficio di coordinamento', comune: 'ravenna', address: 'Piazza Medaglie d’Oro 4', lat: 44.4145, lon: 12.2071 },
			cpi: { org: 'arl', name: 'Centro per l’impiego di Ravenna', comune: 'ravenna', address: 'Via Guaccimanni 10', lat: 44.4188, lon: 12.2061 },
			cpia: { org: 'cpia-ra', name: 'CPIA – sede di Ravenna', comune: 'ravenna', address: 'Via Umago 18', lat: 44.4236, lon: 12.1862 },
			cpia2: { org: 'cpia-ra', name: 'CPIA – punto di erogazione di Cervia', comune: 'cervia', address: 'Via Circonvallazione Sacchetti 111', lat: 44.2585, lon: 12.3526 },
			caritas: { org: 'caritas-ra', name: 'Caritas – Centro di ascolto', comune: 'ravenna', address: 'Piazza Duomo 13', lat: 44.4156, lon: 12.1967 },
			consultorio: { org: 'ausl-romagna', name: 'Consultorio familiare di Ravenna', comune: 'ravenna', address: 'Via Fiume Abbandonato 134', lat: 44.4253, lon: 12.1911 },
			ospedale: { org: 'ausl-romagna', name: 'Ospedale Santa Maria delle Croci', comune: 'ravenna', address: 'Viale Vincenzo Randi 5', lat: 44.403, lon: 12.193 },
			inca: { org: 'inca', name: 'INCA CGIL Ravenna', comune: 'ravenna', address: 'Via Matteucci 15', lat: 44.4211, lon: 12.2032 },
			acli: { org: 'acli', name: 'ACLI Ravenna', comune: 'ravenna', address: 'Via Alberoni 10', lat: 44.4143, lon: 12.1995 },
			coop: { org: 'cidas', name: 'CIDAS – sede di Ravenna', comune: 'ravenna', address: 'Via Romea Nord 180', lat: 44.4362, lon: 12.2201 },
			scuole: { org: 'ravenna', name: 'Centro interculturale per le scuole', comune: 'ravenna', address: 'Via Oriani 44', lat: 44.4161, lon: 12.1989 },
			mediazione: { org: 'ippogrifo', name: 'L’Ippogrifo – sportello di Ravenna', comune: 'ravenna', address: 'Via Cavour 58', lat: 44.4176, lon: 12.1978 },
			legale: { org: 'ravenna', name: 'Casa delle culture', comune: 'ravenna', address: 'Piazza Medaglie d’Oro 4', lat: 44.4145, lon: 12.2071 },
			cervia: { org: 'cervia', name: 'Municipio di Cervia', comune: 'cervia', address: 'Piazza Garibaldi 1', lat: 44.2608, lon: 12.356 },
			russi: { org: 'russi', name: 'Municipio di Russi', comune: 'russi', address: 'Piazza Farini 1', lat: 44.376, lon: 12.033 }
		}
	},
	{
		key: 're',
		name: 'Reggio Emilia',
		main: 'reggio',
		prefix: '0522',
		languages: ['ar', 'ur', 'pa', 'zh', 'uk', 'so'],
		partner: 'reggio',
		health: 'ausl-reggio',
		cpia: 'cpia-re',
		caritas: 'caritas-re',
		work: 'reggio',
		education: 'cidas',
		desks: [
			{ name: 'Polo sociale territoriale di Reggio Emilia', place: 'comune' },
			{ name: 'Sportello sociale di Albinea', place: 'albinea' },
			{ name: 'Sportello sociale di Bagnolo in Piano', place: 'bagnolo' },
			{ name: 'Sportello sociale di Cadelbosco di Sopra', place: 'cadelbosco' },
			{ name: 'Sportello sociale di Castelnovo di Sotto', place: 'castelnovo' },
			{ name: 'Sportello sociale di Quattro Castella', place: 'quattro' },
			{ name: 'Sportello sociale di Vezzano sul Crostolo', place: 'vezzano' }
		],
		places: {
			comune: { org: 'reggio', name: 'Servizi sociali del Comune', comune: 'reggio', address: 'Via San Rocco 5', lat: 44.6975, lon: 10.6288 },
			immigrazione: { org: 'reggio', name: 'Servizio integrazione', comune: 'reggio', address: 'Via Roma 28', lat: 44.7006, lon: 10.6336 },
			famiglie: { org: 'reggio', name: 'Centro per le famiglie', comune: 'reggio', address: 'Via Ferrari Bonini 9', lat: 44.6949, lon: 10.6352 },
			sai: { org: 'reggio', name: 'Progetto SAI – ufficio di coordinamento', comune: 'reggio', address: 'Via Roma 28', lat: 44.7006, lon: 10.6336 },
			cpi: { org: 'arl', name: 'Centro per l’impiego di Reggio Emilia', comune: 'reggio', address: 'Via Premuda 40', lat: 44.7051, lon: 10.6412 },
			cpia: { org: 'cpia-re', name: 'CPIA – sede di Reggio Emilia', comune: 'reggio', address: 'Via Fratelli Rosselli 3', lat: 44.6912, lon: 10.6218 },
			caritas: { org: 'caritas-re', name: 'Caritas – Centro di ascolto', comune: 'reggio', address: 'Via Adua 79', lat: 44.7038, lon: 10.6441 },
			consultorio: { org: 'ausl-reggio', name: 'Consultorio familiare di Reggio Emilia', comune: 'reggio', address: 'Via Monte San Michele 8', lat: 44.6922, lon: 10.6395 },
			ospedale: { org: 'ausl-reggio', name: 'Arcispedale Santa Maria Nuova', comune: 'reggio', address: 'Viale Risorgimento 80', lat: 44.693, lon: 10.65 },
			inca: { org: 'inca', name: 'INCA CGIL Reggio Emilia', comune: 'reggio', address: 'Via Roma 53', lat: 44.7012, lon: 10.6349 },
			acli: { org: 'acli', name: 'ACLI Reggio Emilia', comune: 'reggio', address: 'Via Ferrari Bonini 2', lat: 44.6955, lon: 10.6347 },
			coop: { org: 'reggio', name: 'Ufficio inclusione e lavoro', comune: 'reggio', address: 'Via San Rocco 5', lat: 44.6975, lon: 10.6288 },
			scuole: { org: 'cidas', name: 'CIDAS – servizi educativi di Reggio Emilia', comune: 'reggio', address: 'Via Gorizia 49', lat: 44.6891, lon: 10.6259 },
			mediazione: { org: 'ippogrifo', name: 'L’Ippogrifo – sportello di Reggio Emilia', comune: 'reggio', address: 'Via Emilia San Pietro 21', lat: 44.6978, lon: 10.6378 },
			legale: { org: 'ciac', name: 'CIAC – sportello legale di Reggio Emilia', comune: 'reggio', address: 'Via Toschi 18', lat: 44.6996, lon: 10.6303 },
			albinea: { org: 'colline', name: 'Municipio di Albinea', comune: 'albinea', address: 'Piazza Cavicchioni 8', lat: 44.619, lon: 10.604 },
			bagnolo: { org: 'terra-di-mezzo', name: 'Municipio di Bagnolo in Piano', comune: 'bagnolo', address: 'Piazza Garibaldi 5', lat: 44.764, lon: 10.673 },
			cadelbosco: { org: 'terra-di-mezzo', name: 'Municipio di Cadelbosco di Sopra', comune: 'cadelbosco', address: 'Piazza della Libertà 1', lat: 44.76, lon: 10.596 },
			castelnovo: { org: 'terra-di-mezzo', name: 'Municipio di Castelnovo di Sotto', comune: 'castelnovo', address: 'Piazza Prampolini 1', lat: 44.812, lon: 10.564 },
			quattro: { org: 'colline', name: 'Municipio di Quattro Castella', comune: 'quattro', address: 'Piazza Dante 1', lat: 44.635, lon: 10.473 },
			vezzano: { org: 'colline', name: 'Municipio di Vezzano sul Crostolo', comune: 'vezzano', address: 'Piazza della Libertà 1', lat: 44.6, lon: 10.545 }
		}
	}
];

// ---------------------------------------------------------------------------------------------
// Services: templates instantiated in every district

const H = {
	office: 'lun 09:00-12:30; mer 09:00-12:30; ven 09:00-12:30; gio 14:30-17:00',
	mornings: 'lun 08:30-13:00; mar 08:30-13:00; mer 08:30-13:00; gio 08:30-13:00; ven 08:30-13:00',
	appointments: 'mar 09:00-13:00 (su appuntamento); gio 14:00-18:00 (su appuntamento)',
	cpi: 'lun 08:30-12:30; mar 08:30-12:30; gio 08:30-12:30; mer 14:30-16:30 (su appuntamento)',
	cpia: 'lun 18:00-20:30; mer 18:00-20:30; ven 09:00-12:00',
	caritas: 'mar 09:00-11:30; gio 09:00-11:30; sab 09:30-11:30',
	emporio: 'mer 15:00-18:00; sab 09:00-12:00',
	smallTown: 'mar 09:00-12:00; gio 09:00-12:00',
	health: 'lun 08:00-13:00; mar 08:00-13:00; mer 08:00-13:00; gio 08:00-13:00; ven 08:00-13:00; mar 14:00-17:00',
	afternoons: 'lun 15:00-18:00; mer 15:00-18:00; gio 15:00-18:00',
	patronato: 'lun 09:00-12:00; mer 09:00-12:00; ven 14:30-17:30',
	families: 'mar 09:00-13:00; gio 14:30-18:30; sab 09:00-12:00'
} as const;

interface Template {
	name: (d: District) => string;
	org: (d: District) => string;
	/** The place (of the district) where it is offered; a place of its own organisation. */
	at: string | ((d: District) => string);
	description: (d: District, city: string) => string;
	categories: string[];
	targets: string[];
	/** Besides Italian: how many of the district's languages, or a fixed list. */
	languages: number | string[];
	hours: string;
	applicationProcess?: string;
	feesDescription?: string;
	eligibilityDescription?: string;
	interpretation?: boolean;
	minimumAge?: number;
	maximumAge?: number;
	isPublic?: boolean;
	status?: 'active' | 'inactive' | 'temporarily closed';
	/** Also offered at a second place of the district (hours there). */
	also?: { at: string; hours: string };
}

const FREE = 'Gratuito.';
const TEMPLATES: Template[] = [
	{
		name: () => 'Sportello immigrazione',
		org: (d) => d.partner,
		at: 'immigrazione',
		description: (_d, city) =>
			`Informazioni e orientamento per cittadini stranieri residenti a ${city} e nel distretto: permesso di soggiorno, ricongiungimento familiare, cittadinanza, accesso ai servizi del territorio. Aiuto nella compilazione dei kit postali.`,
		categories: ['tutela-legale', 'accesso-servizi'],
		targets: ['cittadini-stranieri', 'famiglie-con-minori'],
		languages: 3,
		hours: H.office,
		applicationProcess: 'Accesso libero negli orari di apertura; per le pratiche complesse si fissa un appuntamento.',
		feesDescription: FREE,
		interpretation: true
	},
	{
		name: () => 'Mediazione linguistico-culturale per i servizi',
		org: (d) => (d.key === 'ce' ? 'asp' : 'ippogrifo'),
		at: 'mediazione',
		description: (d) =>
			`Mediatrici e mediatori linguistico-culturali a disposizione dei servizi sociali, sanitari ed educativi del distretto ${d.name} per colloqui con famiglie che non parlano ancora l’italiano. Il servizio è richiesto dall’operatore.`,
		categories: ['mediazione'],
		targets: ['operatori', 'famiglie-con-minori'],
		languages: 6,
		hours: H.mornings,
		applicationProcess: 'Richiesta dell’operatore con almeno tre giorni lavorativi di anticipo, con il modulo del servizio.',
		feesDescription: 'A carico del servizio richiedente.',
		isPublic: false
	},
	{
		name: (d) => (d.key === 're' ? 'Sportello legale per richiedenti asilo e rifugiati' : 'Consulenza legale su immigrazione e asilo'),
		org: (d) => (d.key === 're' ? 'ciac' : d.partner),
		at: 'legale',
		description: () =>
			'Consulenza legale gratuita su protezione internazionale, ricorsi, rinnovo e conversione dei permessi di soggiorno, ricongiungimento familiare. Gli operatori legali lavorano in rete con i servizi sociali e i progetti di accoglienza.',
		categories: ['tutela-legale'],
		targets: ['richiedenti-asilo', 'protezione-internazionale', 'protezione-temporanea'],
		languages: ['en', 'fr', 'ar'],
		hours: H.appointments,
		applicationProcess: 'Su appuntamento telefonico; portare i documenti in proprio possesso.',
		feesDescription: FREE,
		interpretation: true
	},
	{
		name: () => 'Progetto SAI – accoglienza e integrazione',
		org: (d) => (d.key === 'ce' ? 'asp' : d.partner),
		at: 'sai',
		description: (d) =>
			`Il Sistema di accoglienza e integrazione del distretto ${d.name} accoglie in appartamenti richiedenti asilo e titolari di protezione, anche nuclei con bambini, con percorsi di italiano, orientamento al lavoro e all’abitare. L’inserimento avviene tramite il Servizio centrale.`,
		categories: ['abitare', 'inclusione-sociale'],
		targets: ['richiedenti-asilo', 'protezione-internazionale', 'famiglie-con-minori', 'nuclei-monoparentali'],
		languages: ['en', 'fr', 'ar', 'ti'],
		hours: H.mornings,
		applicationProcess: 'Segnalazione da parte dei servizi o della Prefettura al Servizio centrale SAI.',
		eligibilityDescription: 'Richiedenti asilo e titolari di protezione internazionale o speciale.',
		feesDescription: FREE
	},
	{
		name: () => 'Sportello casa e sostegno all’affitto',
		org: (d) => (d.key === 'ce' ? 'fantasia' : d.partner),
		at: (d) => (d.key === 'ce' ? 'coop' : 'comune'),
		description: (_d, city) =>
			`Informazioni su bandi per l’edilizia residenziale pubblica, contributi per l’affitto, agenzia per la locazione a canone calmierato e accompagnamento nella ricerca della casa a ${city}.`,
		categories: ['abitare'],
		targets: ['famiglie-con-minori', 'nuclei-monoparentali', 'cittadini-stranieri'],
		languages: 2,
		hours: H.office,
		applicationProcess: 'Accesso libero; per i contributi serve l’attestazione ISEE in corso di validità.',
		eligibilityDescription: 'Residenti nel distretto; i requisiti economici dipendono dal bando.',
		feesDescription: FREE
	},
	{
		name: (d) => `Centro per l’impiego di ${COMUNI[d.main].name === "Reggio nell'Emilia" ? 'Reggio Emilia' : COMUNI[d.main].name}`,
		org: () => 'arl',
		at: 'cpi',
		description: () =>
			'Iscrizione come disoccupati, dichiarazione di immediata disponibilità, patto di servizio, orientamento, offerte di lavoro e tirocini, collocamento mirato.',
		categories: ['lavoro'],
		targets: ['cittadini-stranieri', 'giovani', 'donne'],
		languages: ['en', 'fr'],
		hours: H.cpi,
		applicationProcess: 'Prenotazione dell’appuntamento sul portale Lavoro per te o per telefono.',
		eligibilityDescription: 'Persone in età lavorativa con permesso di soggiorno che consente il lavoro.',
		feesDescription: FREE,
		minimumAge: 16
	},
	{
		name: () => 'Orientamento al lavoro e tirocini',
		org: (d) => d.work,
		at: 'coop',
		description: () =>
			'Colloqui di orientamento, bilancio delle competenze, curriculum, ricerca attiva e tirocini formativi in azienda, con attenzione alle persone accolte e alle madri sole.',
		categories: ['lavoro', 'formazione', 'empowerment-familiare'],
		targets: ['protezione-internazionale', 'donne', 'nuclei-monoparentali'],
		languages: 2,
		hours: H.appointments,
		applicationProcess: 'Invio da parte dei servizi sociali o del progetto di accoglienza.',
		feesDescription: FREE,
		minimumAge: 18
	},
	{
		name: () => 'Corsi di italiano per stranieri (CPIA)',
		org: (d) => d.cpia,
		at: 'cpia',
		description: () =>
			'Corsi gratuiti di lingua italiana dal livello pre-A1 al B1, test di lingua per il permesso di soggiorno di lungo periodo, percorsi per la licenza media. Corsi al mattino e alla sera.',
		categories: ['formazione', 'scuola'],
		targets: ['cittadini-stranieri', 'richiedenti-asilo', 'donne', 'giovani'],
		languages: ['en', 'fr'],
		hours: H.cpia,
		applicationProcess: 'Iscrizione in segreteria con documento d’identità; test d’ingresso per il livello.',
		eligibilityDescription: 'Dai 16 anni compiuti.',
		feesDescription: 'Gratuito; contributo volontario per i materiali.',
		minimumAge: 16
	},
	{
		name: () => 'Scuola di italiano con volontari',
		org: (d) => d.caritas,
		at: 'caritas',
		description: () =>
			'Corsi di italiano tenuti da volontari in piccoli gruppi, con uno spazio per i bambini durante le lezioni delle mamme.',
		categories: ['formazione'],
		targets: ['donne', 'famiglie-con-minori', 'cittadini-stranieri'],
		languages: 2,
		hours: 'mar 15:00-17:00; gio 15:00-17:00',
		applicationProcess: 'Iscrizione in presenza il primo martedì del mese.',
		feesDescription: FREE
	},
	{
		name: () => 'Centro per le famiglie',
		org: (d) => d.partner,
		at: 'famiglie',
		description: () =>
			'Informazioni per le famiglie, consulenza educativa e familiare, mediazione familiare, gruppi di genitori, spazi per bambini 0–6 anni con i loro adulti, sostegno ai nuclei monoparentali.',
		categories: ['genitorialita', 'empowerment-familiare'],
		targets: ['famiglie-con-minori', 'nuclei-monoparentali'],
		languages: 2,
		hours: H.families,
		applicationProcess: 'Accesso libero allo sportello informativo; consulenze su appuntamento.',
		feesDescription: FREE
	},
	{
		name: () => 'Spazio donne immigrate e loro bambini',
		org: (d) => d.health,
		at: 'consultorio',
		description: () =>
			'Nel consultorio familiare: gravidanza, contraccezione, percorso nascita, vaccinazioni e pediatria di comunità, con mediatrici culturali presenti negli orari dedicati.',
		categories: ['salute', 'genitorialita'],
		targets: ['donne', 'famiglie-con-minori'],
		languages: 4,
		hours: 'mer 09:00-13:00 (con mediatrice); ven 09:00-13:00',
		applicationProcess: 'Accesso diretto senza impegnativa.',
		eligibilityDescription: 'Donne straniere, anche senza iscrizione al Servizio sanitario.',
		feesDescription: FREE,
		interpretation: true
	},
	{
		name: () => 'Ambulatorio per stranieri temporaneamente presenti (STP/ENI)',
		org: (d) => d.health,
		at: 'ospedale',
		description: () =>
			'Cure urgenti ed essenziali per chi non è iscritto al Servizio sanitario nazionale: rilascio del codice STP o ENI, visite di medicina generale, invio agli specialisti.',
		categories: ['salute', 'accesso-servizi'],
		targets: ['cittadini-stranieri'],
		languages: ['en', 'fr', 'ar'],
		hours: 'lun 14:00-17:00; gio 14:00-17:00',
		applicationProcess: 'Accesso diretto; portare un documento se disponibile.',
		feesDescription: FREE
	},
	{
		name: () => 'Iscrizione al Servizio sanitario e scelta del medico',
		org: (d) => d.health,
		at: 'ospedale',
		description: () =>
			'Sportello unico dell’azienda sanitaria: iscrizione al Servizio sanitario nazionale, scelta del medico di famiglia e del pediatra, tessera sanitaria, esenzioni.',
		categories: ['salute', 'accesso-servizi'],
		targets: ['cittadini-stranieri', 'famiglie-con-minori', 'protezione-temporanea'],
		languages: 1,
		hours: H.health,
		applicationProcess: 'Prenotazione online o accesso con numero.',
		feesDescription: FREE
	},
	{
		name: () => 'Iscrizioni scolastiche e inserimento degli alunni stranieri',
		org: (d) => d.education,
		at: 'scuole',
		description: () =>
			'Accompagnamento delle famiglie nell’iscrizione a nidi, scuole dell’infanzia e scuole dell’obbligo anche in corso d’anno, colloqui di accoglienza con mediazione, laboratori di italiano L2 nelle scuole.',
		categories: ['scuola', 'mediazione'],
		targets: ['famiglie-con-minori', 'nuclei-monoparentali'],
		languages: 4,
		hours: H.office,
		applicationProcess: 'Su appuntamento; la scuola o il servizio sociale possono segnalare la famiglia.',
		feesDescription: FREE,
		interpretation: true
	},
	{
		name: () => 'Doposcuola interculturale',
		org: (d) => (d.key === 're' || d.key === 'ra' || d.key === 'mo' ? 'cidas' : d.caritas),
		at: (d) => (d.key === 're' ? 'scuole' : d.key === 'ra' || d.key === 'mo' ? 'coop' : 'caritas'),
		description: () =>
			'Aiuto nei compiti per bambine e bambini della scuola primaria e secondaria di primo grado, laboratori di italiano e di gioco, incontri con i genitori.',
		categories: ['scuola', 'inclusione-sociale'],
		targets: ['famiglie-con-minori', 'giovani'],
		languages: 1,
		hours: H.afternoons,
		applicationProcess: 'Iscrizione dei genitori all’inizio dell’anno scolastico, posti limitati.',
		feesDescription: FREE,
		minimumAge: 6,
		maximumAge: 14
	},
	{
		name: () => 'Centro di ascolto',
		org: (d) => d.caritas,
		at: 'caritas',
		description: () =>
			'Ascolto e orientamento per persone e famiglie in difficoltà, aiuti alimentari e per le utenze in raccordo con i servizi sociali, guardaroba.',
		categories: ['inclusione-sociale', 'accesso-servizi'],
		targets: ['famiglie-con-minori', 'cittadini-stranieri', 'nuclei-monoparentali'],
		languages: 2,
		hours: H.caritas,
		applicationProcess: 'Accesso libero negli orari di apertura.',
		feesDescription: FREE
	},
	{
		name: () => 'Emporio solidale',
		org: (d) => d.caritas,
		at: 'caritas',
		description: () =>
			'Un piccolo supermercato dove le famiglie segnalate dai servizi fanno la spesa con una tessera a punti, per un periodo concordato.',
		categories: ['inclusione-sociale'],
		targets: ['famiglie-con-minori', 'nuclei-monoparentali'],
		languages: 1,
		hours: H.emporio,
		applicationProcess: 'Tessera rilasciata su segnalazione dei servizi sociali o del centro di ascolto.',
		eligibilityDescription: 'Famiglie con ISEE sotto la soglia stabilita dal regolamento.',
		feesDescription: FREE
	},
	{
		name: () => 'Pratiche per cittadini stranieri',
		org: () => 'inca',
		at: 'inca',
		description: () =>
			'Rinnovo e aggiornamento del permesso di soggiorno, carta di soggiorno, ricongiungimento familiare, domanda di cittadinanza, assegno unico e altre prestazioni.',
		categories: ['tutela-legale', 'accesso-servizi'],
		targets: ['cittadini-stranieri', 'famiglie-con-minori'],
		languages: ['en', 'fr', 'ar'],
		hours: H.patronato,
		applicationProcess: 'Su appuntamento telefonico.',
		feesDescription: 'Gratuito per le pratiche di patronato; alcune pratiche prevedono un contributo.'
	},
	{
		name: () => 'Sportello immigrati e lavoro domestico',
		org: () => 'acli',
		at: 'acli',
		description: () =>
			'Pratiche di soggiorno, contratti e buste paga del lavoro domestico e di cura, assegno unico, dichiarazione ISEE.',
		categories: ['tutela-legale', 'lavoro'],
		targets: ['cittadini-stranieri', 'donne'],
		languages: 2,
		hours: 'mar 09:00-12:30; gio 15:00-18:00',
		applicationProcess: 'Su appuntamento.',
		feesDescription: 'Pratiche di patronato gratuite; servizi fiscali a tariffa.'
	},
	{
		name: () => 'Percorsi di empowerment per madri e famiglie',
		org: (d) => (d.key === 'ce' ? 'fantasia' : d.key === 'mo' || d.key === 'ra' ? 'cidas' : d.partner),
		at: (d) => (d.key === 'ce' || d.key === 'mo' || d.key === 'ra' ? 'coop' : 'famiglie'),
		description: () =>
			'Gruppi di mamme e papà su educazione, scuola, salute e diritti; laboratori di cittadinanza attiva e di autonomia economica per le donne, con baby sitting durante gli incontri.',
		categories: ['empowerment-familiare', 'genitorialita'],
		targets: ['donne', 'nuclei-monoparentali', 'famiglie-con-minori'],
		languages: 3,
		hours: 'ven 09:30-11:30',
		applicationProcess: 'Iscrizione al Centro per le famiglie o tramite i servizi.',
		feesDescription: FREE
	},
	{
		name: () => 'Centro antiviolenza',
		org: (d) => d.partner,
		at: 'comune',
		description: () =>
			'Ascolto, accoglienza e accompagnamento per donne che subiscono violenza, anche con figli: consulenza legale e psicologica, ospitalità protetta. Il numero nazionale 1522 risponde sempre.',
		categories: ['tutela-legale', 'empowerment-familiare'],
		targets: ['donne', 'nuclei-monoparentali'],
		languages: 3,
		hours: 'lun 09:00-13:00; mer 14:00-18:00; ven 09:00-13:00',
		applicationProcess: 'Telefonando o presentandosi negli orari di apertura; colloqui riservati.',
		feesDescription: FREE,
		minimumAge: 18,
		interpretation: true
	},
	{
		name: () => 'Sportello per la protezione temporanea',
		org: (d) => d.partner,
		at: 'immigrazione',
		description: () =>
			'Informazioni per le persone arrivate con la protezione temporanea: permesso di soggiorno, iscrizione sanitaria e scolastica, corsi di italiano, lavoro.',
		categories: ['accesso-servizi', 'tutela-legale'],
		targets: ['protezione-temporanea', 'famiglie-con-minori'],
		languages: ['uk', 'ru', 'en'],
		hours: 'mar 14:30-17:30',
		applicationProcess: 'Accesso libero.',
		feesDescription: FREE
	},
	{
		name: () => 'Servizi per la prima infanzia: iscrizioni',
		org: (d) => d.partner,
		at: 'famiglie',
		description: () =>
			'Iscrizione a nidi d’infanzia, spazi bambini e scuole dell’infanzia comunali, agevolazioni sulle rette, accompagnamento delle famiglie appena arrivate.',
		categories: ['scuola', 'genitorialita'],
		targets: ['famiglie-con-minori'],
		languages: 2,
		hours: H.office,
		applicationProcess: 'Domanda online nei periodi di apertura del bando; aiuto alla compilazione allo sportello.',
		feesDescription: 'Retta in base all’ISEE.'
	},
	{
		name: () => 'Mediazione in ospedale e nei servizi sanitari',
		org: (d) => d.health,
		at: 'ospedale',
		description: () =>
			'Mediatori presenti in ospedale e nei consultori per visite, ricoveri e pronto soccorso; interpretariato telefonico nelle altre fasce orarie.',
		categories: ['mediazione', 'salute'],
		targets: ['cittadini-stranieri', 'operatori'],
		languages: 5,
		hours: H.mornings,
		applicationProcess: 'Richiesta da parte del personale sanitario.',
		feesDescription: FREE,
		isPublic: false
	},
	{
		name: () => 'Italiano per bambini e ragazzi neo-arrivati',
		org: (d) => d.education,
		at: 'scuole',
		description: () =>
			'Laboratori intensivi di italiano L2 per alunni arrivati da poco, in orario scolastico ed estivo, in accordo con gli istituti comprensivi.',
		categories: ['scuola', 'formazione'],
		targets: ['famiglie-con-minori', 'msna', 'giovani'],
		languages: 2,
		hours: 'lun 09:00-12:00; mer 09:00-12:00',
		applicationProcess: 'Segnalazione della scuola.',
		feesDescription: FREE,
		minimumAge: 6,
		maximumAge: 16
	}
];

/** Services with one instance only (network-wide or virtual). */
const SINGLES: (Omit<Template, 'at' | 'name' | 'org' | 'description'> & { name: string; org: string; description: string; district: string; at?: string; virtual?: { url: string } })[] = [
	{
		name: 'Interpretariato telefonico',
		org: 'ippogrifo',
		district: 'Reggio Emilia',
		description: 'Interpreti al telefono in oltre venti lingue per i servizi della rete, in collegamento a tre con l’operatore, su prenotazione o in urgenza.',
		categories: ['mediazione'],
		targets: ['operatori'],
		languages: ['ar', 'ti', 'so', 'ur', 'pa', 'bn', 'fa', 'prs', 'ps', 'uk', 'ru', 'zh', 'wo', 'ff', 'en', 'fr'],
		hours: 'lun 08:00-18:00; mar 08:00-18:00; mer 08:00-18:00; gio 08:00-18:00; ven 08:00-18:00',
		applicationProcess: 'Prenotazione online dell’operatore; in urgenza al numero dedicato.',
		feesDescription: 'A carico del servizio richiedente.',
		isPublic: false,
		virtual: { url: 'https://interpretariato.intarsi.demo' }
	},
	{
		name: 'Formazione per operatori dell’accoglienza',
		org: 'anci',
		district: 'Cesena Valle Savio',
		description: 'Percorsi di formazione on line per operatori dei servizi sociali, sanitari ed educativi: diritto dell’immigrazione, lavoro con i mediatori, servizi per le famiglie accolte.',
		categories: ['formazione'],
		targets: ['operatori'],
		languages: [],
		hours: 'gio 14:30-17:30 (calendario dei moduli)',
		applicationProcess: 'Iscrizione online ai singoli moduli.',
		feesDescription: 'Gratuito per gli enti della rete.',
		isPublic: false,
		virtual: { url: 'https://formazione.intarsi.demo' }
	}
];

// ---------------------------------------------------------------------------------------------

/** Deterministic "random" in [0, 1) from a number (the same seed gives the same directory). */
const pick = (i: number) => ((Math.sin(i * 9301 + 49297) * 233280) % 1 + 1) % 1;

export const DEMO_DIRECTORY_SIZE = DISTRICTS.reduce((n, d) => n + d.desks.length, 0) + DISTRICTS.length * TEMPLATES.length + SINGLES.length;

/** Seeds the demo directory once (nothing happens when services already exist). */
export async function seedDemoDirectory(db: Db, now = new Date()): Promise<void> {
	await ensureTaxonomy(db);
	const [existing] = await db.select({ n: count() }).from(dirServices);
	if (Number(existing?.n ?? 0) > 0) return;
	const [admin] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, DEMO_ACCOUNTS[0]!.email));
	if (!admin) return;
	const today = romeDay(now);

	await db.transaction(async (tx) => {
		const ctx: WriteContext = { actorId: admin.id, action: 'create' };
		const partners = await tx
			.select({ id: organizations.id, name: organizations.name })
			.from(organizations)
			.where(inArray(organizations.name, ORGS.filter((o) => o.partner).map((o) => o.name)));
		const partnerId = new Map(partners.map((p) => [p.name, p.id]));
		// Who verifies a partner's services: one of its people (the first by name); else the admin.
		const staff = partners.length
			? await tx.select({ id: users.id, email: users.email, organizationId: users.organizationId, name: users.name }).from(users).where(inArray(users.organizationId, partners.map((p) => p.id)))
			: [];

		const orgIds = new Map<string, string>();
		const verifierOf = new Map<string, { id: string; email: string }>();
		for (const o of ORGS) {
			const networkId = o.partner ? (partnerId.get(o.name) ?? null) : null;
			const { id } = await writeOrganization(tx, ctx, null, {
				name: o.name,
				alternateName: null,
				description: o.description,
				email: null,
				website: o.website ?? null,
				taxId: null,
				vatNumber: null,
				networkOrganizationId: networkId
			});
			orgIds.set(o.key, id);
			const person = staff.filter((s) => s.organizationId === networkId).sort((a, b) => a.name.localeCompare(b.name))[0];
			verifierOf.set(o.key, person ? { id: person.id, email: person.email } : admin);
		}

		const categories = await termIdsByCode(tx, 'categoria', [...new Set([...TEMPLATES, ...SINGLES].flatMap((t) => t.categories))]);
		const targets = await termIdsByCode(tx, 'destinatari', [...new Set([...TEMPLATES, ...SINGLES].flatMap((t) => t.targets))]);
		const termIds = (t: { categories: string[]; targets: string[] }) => [...t.categories.map((c) => categories.get(c)!), ...t.targets.map((c) => targets.get(c)!)];

		let serial = 0;
		const phoneSerial = new Map<string, number>();
		const phone = (d: District) => {
			const n = (phoneSerial.get(d.key) ?? 0) + 1;
			phoneSerial.set(d.key, n);
			return `${d.prefix} 000 ${String(n).padStart(3, '0')}`;
		};
		const hours = (text: string): ScheduleValue[] => {
			const { values, bad } = parseSchedules(text);
			if (bad.length) throw new Error(`demo directory: bad hours ${bad.join(', ')}`);
			return values;
		};
		const locationIds = new Map<string, string>();
		const placeId = async (d: District, key: string) => {
			const full = `${d.key}:${key}`;
			const known = locationIds.get(full);
			if (known) return known;
			const p = d.places[key];
			if (!p) throw new Error(`demo directory: no place ${full}`);
			const c = COMUNI[p.comune];
			const { id } = await writeLocation(tx, ctx, null, {
				organizationId: orgIds.get(p.org)!,
				locationType: 'physical',
				name: p.name,
				description: null,
				url: null,
				address1: p.address,
				address2: null,
				city: c.name,
				istatCode: c.istat,
				postalCode: c.cap,
				stateProvince: c.province,
				region: 'Emilia-Romagna',
				country: 'IT',
				district: d.name,
				latitude: p.lat,
				longitude: p.lon,
				phones: parsePhones(phone(d)).values
			});
			locationIds.set(full, id);
			return id;
		};
		/** Most services verified in the last five months; every ninth long ago, a few never. */
		const verified = (i: number, org: string) => {
			if (i % 23 === 7) return { assuredDate: null, assurerId: null, assurerEmail: null };
			const days = i % 9 === 4 ? 200 + Math.floor(pick(i) * 200) : Math.floor(pick(i) * 150);
			const who = verifierOf.get(org)!;
			return { assuredDate: addDays(today, -days), assurerId: who.id, assurerEmail: who.email };
		};
		const languages = (d: District, spec: number | string[], i: number) => {
			const extra = Array.isArray(spec) ? spec : [...d.languages.slice(i % d.languages.length), ...d.languages].slice(0, spec);
			return [...new Set(['it', ...extra])].map((code) => ({ code, name: null, note: null }));
		};
		const base = {
			alternateName: null,
			url: null,
			interpretationServices: null,
			applicationProcess: null,
			feesDescription: null,
			eligibilityDescription: null,
			minimumAge: null,
			maximumAge: null,
			isPublic: true,
			contacts: [],
			status: 'active' as const
		};

		for (const d of DISTRICTS) {
			const city = COMUNI[d.main].name;
			for (const desk of d.desks) {
				const i = serial++;
				const place = d.places[desk.place]!;
				const org = place.org;
				const small = desk.place !== 'comune' && !desk.place.startsWith('polo');
				const town = COMUNI[place.comune].name;
				await writeService(tx, ctx, null, {
					...base,
					organizationId: orgIds.get(org)!,
					name: desk.name,
					description: `Primo accesso ai servizi sociali per chi vive a ${town}: informazioni, orientamento e presa in carico da parte dell’assistente sociale per famiglie con minori, adulti in difficoltà, anziani e persone con disabilità.`,
					applicationProcess: small ? 'Accesso libero negli orari di apertura o su appuntamento telefonico.' : 'Accesso libero; colloquio con l’assistente sociale su appuntamento.',
					feesDescription: FREE,
					eligibilityDescription: `Residenti e domiciliati nel comune di ${town}.`,
					email: `sportello.sociale.${d.key}${i}@intarsi.demo`,
					languages: languages(d, small ? 1 : 2, i),
					termIds: termIds({ categories: ['accesso-servizi', 'inclusione-sociale'], targets: ['famiglie-con-minori', 'cittadini-stranieri'] }),
					phones: [],
					schedules: [],
					serviceAtLocations: [{ locationId: await placeId(d, desk.place), description: null, schedules: hours(small ? H.smallTown : H.office) }],
					...verified(i, org)
				});
			}
			for (const t of TEMPLATES) {
				const i = serial++;
				const org = t.org(d);
				const at = typeof t.at === 'function' ? t.at(d) : t.at;
				if (d.places[at]?.org !== org) throw new Error(`demo directory: ${t.name(d)} (${org}) at a place of ${d.places[at]?.org}`);
				const sals: { locationId: string; description: string | null; schedules: ScheduleValue[] }[] = [{ locationId: await placeId(d, at), description: null, schedules: [] }];
				const cpiaSecond = at === 'cpia' && d.places.cpia2;
				if (cpiaSecond) {
					sals[0]!.schedules = hours(t.hours);
					sals.push({ locationId: await placeId(d, 'cpia2'), description: 'Corsi serali di italiano A1 e A2.', schedules: hours('mar 18:00-20:30; gio 18:00-20:30') });
				}
				const status = t.name(d) === 'Sportello per la protezione temporanea' && (d.key === 'ra' || d.key === 'ce') ? ('temporarily closed' as const) : (t.status ?? 'active');
				// "Centro per le famiglie – Rimini": the same kind of service exists in every district.
				const label = city === "Reggio nell'Emilia" ? 'Reggio Emilia' : city;
				const name = t.name(d).includes(label) ? t.name(d) : `${t.name(d)} – ${label}`;
				const langs = languages(d, t.languages, i);
				await writeService(tx, ctx, null, {
					...base,
					organizationId: orgIds.get(org)!,
					name,
					description: t.description(d, label),
					status,
					applicationProcess: t.applicationProcess ?? null,
					feesDescription: t.feesDescription ?? null,
					eligibilityDescription: t.eligibilityDescription ?? null,
					interpretationServices: t.interpretation ? `Mediazione linguistico-culturale su richiesta: ${langs.filter((l) => l.code !== 'it').map((l) => l.code).join(', ')}.` : null,
					minimumAge: t.minimumAge ?? null,
					maximumAge: t.maximumAge ?? null,
					isPublic: t.isPublic ?? true,
					url: ORGS.find((o) => o.key === org)?.website ?? null,
					email: `${at}.${d.key}${i}@intarsi.demo`,
					languages: langs,
					termIds: termIds(t),
					phones: parsePhones(`${phone(d)}${i % 4 === 0 ? ` [${langs[1]?.code ?? 'en'}] «Linea con mediatore»` : ''}`).values,
					contacts: i % 3 === 0 ? [{ name: 'Segreteria', title: null, department: null, email: `segreteria.${d.key}${i}@intarsi.demo` }] : [],
					schedules: cpiaSecond ? [] : hours(t.hours),
					serviceAtLocations: sals,
					...verified(i, org)
				});
			}
		}
		for (const s of SINGLES) {
			const i = serial++;
			const d = DISTRICTS.find((x) => x.name === s.district)!;
			const { id: locationId } = await writeLocation(tx, ctx, null, {
				organizationId: orgIds.get(s.org)!,
				locationType: 'virtual',
				name: `${s.name} (a distanza)`,
				description: 'Servizio a distanza, per tutta la rete.',
				url: s.virtual!.url,
				address1: null,
				address2: null,
				city: null,
				istatCode: null,
				postalCode: null,
				stateProvince: null,
				region: null,
				country: 'IT',
				district: null,
				latitude: null,
				longitude: null,
				phones: []
			});
			await writeService(tx, ctx, null, {
				...base,
				organizationId: orgIds.get(s.org)!,
				name: s.name,
				description: s.description,
				applicationProcess: s.applicationProcess ?? null,
				feesDescription: s.feesDescription ?? null,
				isPublic: s.isPublic ?? true,
				url: s.virtual!.url,
				email: `${s.org}.${i}@intarsi.demo`,
				languages: languages(d, s.languages, i),
				termIds: termIds(s),
				phones: parsePhones(phone(d)).values,
				schedules: hours(s.hours),
				serviceAtLocations: [{ locationId, description: null, schedules: [] }],
				...verified(i, s.org)
			});
		}
	});
}
