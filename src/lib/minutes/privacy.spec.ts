import { describe, expect, it } from 'vitest';
import type { PMNode } from './schema';
import {
	checkPrivacy,
	checkPrivacyDoc,
	codiceFiscaleCheckChar,
	fingerprintOf,
	fnv1a64,
	isConsumerEmailDomain,
	isInstitutionalEmailDomain,
	isPrivateEmail,
	isValidPersonalCodiceFiscale,
	looksLikePersonalLocalPart,
	maskText,
	type PrivacyKind,
	type PrivacyOptions
} from './privacy';

/** A codice fiscale with its check character computed from the first 15 characters. */
const cf = (first15: string) => first15 + codiceFiscaleCheckChar(first15);
/** The same code with a wrong check character. */
const wrongCheck = (code: string) => code.slice(0, 15) + (code[15] === 'A' ? 'B' : 'A');

// Omocodia: digits replaced from the right by L M N P Q R S T U V (0…9).
const OMOCODIA_1 = cf('RSSMRA85T10A56N'); // 2 → N
const OMOCODIA_3 = cf('RSSMRA85T10ARSN'); // 5 6 2 → R S N
const OMOCODIA_ALL = cf('RSSMRAURTMLARSN'); // every digit position
const WOMAN = cf('BNCLRA92E45H501'); // born on the 5th: 5 + 40

describe('codice fiscale algorithm', () => {
	it('accepts the classic example and computes its check character', () => {
		expect(codiceFiscaleCheckChar('RSSMRA85T10A562')).toBe('S');
		expect(isValidPersonalCodiceFiscale('RSSMRA85T10A562S')).toBe(true);
		expect(isValidPersonalCodiceFiscale('rssmra85t10a562s')).toBe(true);
	});

	it('accepts omocodia variants with their own check character', () => {
		for (const code of [OMOCODIA_1, OMOCODIA_3, OMOCODIA_ALL, WOMAN]) expect(isValidPersonalCodiceFiscale(code)).toBe(true);
		expect(OMOCODIA_1).not.toBe('RSSMRA85T10A56NS');
	});

	it('rejects wrong check characters and wrong shapes', () => {
		expect(isValidPersonalCodiceFiscale('RSSMRA85T10A562T')).toBe(false);
		expect(isValidPersonalCodiceFiscale(wrongCheck(OMOCODIA_3))).toBe(false);
		expect(isValidPersonalCodiceFiscale('RSSMRA85Z10A562S')).toBe(false); // Z is not a month
		expect(isValidPersonalCodiceFiscale('RSSMRA85T10A562')).toBe(false);
		expect(isValidPersonalCodiceFiscale('RSSMRA85T10A5W2S')).toBe(false); // W is not an omocodia letter
		expect(isValidPersonalCodiceFiscale('12345678901')).toBe(false);
	});
});

type Positive = [text: string, kind: PrivacyKind, match: string];

const POSITIVES: Positive[] = [
	// codice fiscale
	['Il codice fiscale è RSSMRA85T10A562S.', 'codice_fiscale', 'RSSMRA85T10A562S'],
	['cf rssmra85t10a562s (minuscolo)', 'codice_fiscale', 'rssmra85t10a562s'],
	[`Omocodia: ${OMOCODIA_1}`, 'codice_fiscale', OMOCODIA_1],
	[`(CF: ${OMOCODIA_3})`, 'codice_fiscale', OMOCODIA_3],
	[`codice ${OMOCODIA_ALL}, rilasciato`, 'codice_fiscale', OMOCODIA_ALL],
	[`La madre, C.F. ${WOMAN}`, 'codice_fiscale', WOMAN],
	// phone
	['Recapito: tel. 333 123 4567.', 'phone', '333 123 4567'],
	['cell 3331234567', 'phone', '3331234567'],
	['WhatsApp +39 333 1234567', 'phone', '+39 333 1234567'],
	['numero 0039 347.123.4567 della madre', 'phone', '0039 347.123.4567'],
	['chiamare il 340-123-4567 dopo le 18', 'phone', '340-123-4567'],
	['tel. 059 203 1234', 'phone', '059 203 1234'],
	['telefono (059) 2031234', 'phone', '(059) 2031234'],
	['fisso 0541/123456', 'phone', '0541/123456'],
	['Roma +39 06 1234 5678', 'phone', '+39 06 1234 5678'],
	['il cugino a Londra, +44 20 7946 0958', 'phone', '+44 20 7946 0958'],
	['in Tunisia al +216 98 123 456', 'phone', '+216 98 123 456'],
	['tel. n. 333 1234567', 'phone', '333 1234567'],
	['il padre ha il 320 12 34 567', 'phone', '320 12 34 567'],
	['cell. 333/1234567', 'phone', '333/1234567'],
	// e-mail
	['scrivere a fatima.zahra@gmail.com per i documenti', 'email', 'fatima.zahra@gmail.com'],
	['abdi85@hotmail.it', 'email', 'abdi85@hotmail.it'],
	['info: famiglia.rossi@yahoo.com.', 'email', 'famiglia.rossi@yahoo.com'],
	['MARIO.ROSSI@OUTLOOK.COM', 'email', 'MARIO.ROSSI@OUTLOOK.COM'],
	['mario_rossi@example.org', 'email', 'mario_rossi@example.org'],
	['l.bianchi@ippogrifo.org (non è tra i domini noti)', 'email', 'l.bianchi@ippogrifo.org'],
	['anche segreteria@libero.it è un indirizzo privato', 'email', 'segreteria@libero.it'],
	// birth date
	['Il bambino, nato il 03/05/2015, frequenta la scuola.', 'birth_date', '03/05/2015'],
	['nata a Kabul il 3.5.2015', 'birth_date', '3.5.2015'],
	['data di nascita: 12-11-09', 'birth_date', '12-11-09'],
	['d.n. 2015-05-03', 'birth_date', '2015-05-03'],
	['nato il 3 maggio 2015 a Lagos', 'birth_date', '3 maggio 2015'],
	['classe 2015, frequenta la seconda', 'birth_date', '2015'],
	['anno di nascita: 2012', 'birth_date', '2012'],
	['DOB 05/2015', 'birth_date', '05/2015'],
	['età: 7 anni (marzo 2018)', 'birth_date', 'marzo 2018'],
	['nati il 1° gen. 2020', 'birth_date', '1° gen. 2020'],
	// beneficiary name
	['La famiglia Mario Rossi ha chiesto un incontro.', 'beneficiary_name', 'Mario Rossi'],
	['Fatima Zahra El Amrani, madre di due minori, è arrivata.', 'beneficiary_name', 'Fatima Zahra El Amrani'],
	['Abdi Rahman (richiedente asilo) chiede il permesso.', 'beneficiary_name', 'Abdi Rahman'],
	["il minore Giulia D'Angelo ha iniziato la scuola", 'beneficiary_name', "Giulia D'Angelo"],
	['nucleo familiare Ahmed Ben Salah', 'beneficiary_name', 'Ahmed Ben Salah'],
	['il papà, Marco De Luca, lavora', 'beneficiary_name', 'Marco De Luca'],
	['beneficiaria: Olena KOVALENKO', 'beneficiary_name', 'Olena KOVALENKO'],
	["l'ospite Jean-Pierre Mbeki", 'beneficiary_name', 'Jean-Pierre Mbeki'],
	['Famiglia Abdi bin Rahman', 'beneficiary_name', 'Abdi bin Rahman'],
	['La famiglia Amina Diallo della Casa di Accoglienza', 'beneficiary_name', 'Amina Diallo'],
	['Sig.ra Amina Diallo, mamma di Omar', 'beneficiary_name', 'Amina Diallo'],
	['La madre, Svetlana Ivanova, chiede supporto.', 'beneficiary_name', 'Svetlana Ivanova']
];

type Negative = [text: string, options?: PrivacyOptions];

const NEGATIVES: Negative[] = [
	// dates, times, numbers
	['Riunione del 12/03/2026 alle 10:30.'],
	['Il tavolo si riunisce il 01.03.2026 dalle 08.30-10.30.'],
	['Prossimo incontro: 3 marzo 2026, le famiglie sono invitate.'],
	['Scadenza entro il 31/12/2026.'],
	['prot. n. 12345 del 2026'],
	['prot. n. 0341234567'],
	['Determina n. 345678901'],
	['Protocollo 3456789/2026'],
	['Importo: € 1.250,00 per 12 famiglie'],
	['€ 350.000.000 di fondi FAMI'],
	['350.000.000 euro'],
	['art. 12 comma 3, D.Lgs. 142/2015'],
	['CAP 41121 Modena'],
	['numero verde 800 123 456'],
	['P.IVA 01234567890'],
	['IBAN IT60 X054 2811 1010 0000 0123 456'],
	['1.250 persone e 2.000 pasti'],
	['anni 2025-2026'],
	['bilancio 05/2026 e 06.2026'],
	['Il tavolo è nato nel 2019.'],
	['Anno di nascita non indicato.'],
	['la classe terza'],
	// codice fiscale with a wrong check character, or a non-personal shape
	['RSSMRA85T10A562T'],
	[wrongCheck(OMOCODIA_3)],
	['codice RSSMRA85T10A562SX'],
	['P.IVA 02345670966'],
	// institutional and known e-mail addresses
	['mario.rossi@comune.modena.it'],
	['info@ippogrifo.org'],
	['a.verdi@ausl.re.it'],
	['g.gialli@asp.ra.it'],
	['protocollo@pec.comune.bologna.it'],
	['m.blu@cooperativafantasia.coop'],
	['marco.rossi@istruzione.it'],
	['referente@consorziofantasia.it'],
	['sara.neri@unionerubicone.it'],
	['l.bianchi@ippogrifo.org', { knownDomains: ['ippogrifo.org'] }],
	['l.bianchi@ippogrifo.org', { knownDomains: ['@Ippogrifo.org'] }],
	['assoc.accoglienza@gmail.com', { knownEmails: ['Assoc.Accoglienza@gmail.com'] }],
	// organisations, roles, places, months next to beneficiary words
	['Il Comune di Modena segue 12 famiglie.'],
	['Il Consorzio Fantasia accoglie le famiglie.'],
	["L'Unione dei Comuni sostiene i minori."],
	['ASP Cesena per i minori stranieri'],
	['I Servizi Sociali incontrano le famiglie.'],
	['Il Tavolo Territoriale sulle famiglie'],
	['La Cabina di Regia e le famiglie'],
	['Progetto SAI: 20 famiglie ospiti'],
	['A Marzo Aprile le famiglie partono.'],
	['In Emilia Romagna le famiglie accolte'],
	['Friuli Venezia Giulia: ospiti 40'],
	['La Croce Rossa Italiana aiuta le famiglie'],
	['Nuovo Ingresso Famiglia Ahmed'],
	['Le Famiglie Accoglienti di Modena'],
	['Il Sindaco Gian Carlo Muzzarelli saluta le famiglie.'],
	['La Dott.ssa Anna Bianchi dei Servizi Sociali segue il nucleo.'],
	["Ringraziamo don Luigi Ciotti per l'ospitalità offerta alle famiglie."],
	['La mediatrice culturale Amina Diallo accompagna la famiglia.'],
	['La referente Giulia Bianchi del Consorzio Fantasia incontra le famiglie.'],
	['Interviene l’assistente sociale Paola Ferri sui minori.'],
	// names without a beneficiary word, known names, surnames alone
	['Mario Rossi presenta il bilancio del progetto.'],
	['Mario Rossi incontra le famiglie.', { knownNames: ['Mario Rossi'] }],
	['Rossi Mario incontra le famiglie.', { knownNames: ['Mario Rossi'] }],
	['La dott.ssa Anna Maria Verdi segue i minori.', { knownNames: ['Anna Maria Verdi'] }],
	['La famiglia Rossi ha chiesto un incontro.'],
	['Mario Rossi ha aperto la riunione. Poi si è parlato delle famiglie.']
];

describe('checkPrivacy: positive examples', () => {
	it('has at least 25 positive examples covering every kind', () => {
		expect(POSITIVES.length).toBeGreaterThanOrEqual(25);
		expect(new Set(POSITIVES.map(([, kind]) => kind)).size).toBe(5);
	});

	it.each(POSITIVES)('flags %j as %s', (text, kind, match) => {
		const findings = checkPrivacy(text);
		expect(findings.map((f) => [f.kind, f.match])).toContainEqual([kind, match]);
		const f = findings.find((x) => x.match === match)!;
		expect(text.slice(f.index, f.index + f.length)).toBe(match);
	});
});

describe('checkPrivacy: negative examples', () => {
	it('has at least 25 negative examples', () => {
		expect(NEGATIVES.length).toBeGreaterThanOrEqual(25);
	});

	it.each(NEGATIVES)('does not flag %j', (text, options) => {
		expect(checkPrivacy(text, options).map((f) => [f.kind, f.match])).toEqual([]);
	});
});

describe('checkPrivacy: findings', () => {
	const text = 'Riunione del 12/03/2026. La famiglia Mario Rossi (tel. 333 123 4567, mario.rossi@gmail.com) ha un figlio nato il 03/05/2015, CF RSSMRA85T10A562S.';
	const findings = checkPrivacy(text);

	it('finds each datum once, sorted by position, without overlaps', () => {
		expect(findings.map((f) => [f.kind, f.match])).toEqual([
			['beneficiary_name', 'Mario Rossi'],
			['phone', '333 123 4567'],
			['email', 'mario.rossi@gmail.com'],
			['birth_date', '03/05/2015'],
			['codice_fiscale', 'RSSMRA85T10A562S']
		]);
		for (let i = 1; i < findings.length; i++) expect(findings[i]!.index).toBeGreaterThanOrEqual(findings[i - 1]!.index + findings[i - 1]!.length);
	});

	it('masks every finding in the excerpts', () => {
		const name = findings[0]!;
		expect(name.excerpt).toBe('…del 12/03/2026. La famiglia M•••o R•••i (tel. 3•3 1•3 4••7,…');
		const mail = findings[2]!;
		expect(mail.excerpt).toContain('m•••o.r•••i@gmail.com');
		for (const f of findings) {
			for (const raw of ['Mario', 'Rossi', '333 123 4567', '03/05/2015', 'RSSMRA85T10A562S']) expect(f.excerpt).not.toContain(raw);
		}
	});

	it('keeps excerpts short, without cut words, on one line', () => {
		const long = `${'parola '.repeat(20)}\nla famiglia Mario Rossi ha chiesto\n${'altro '.repeat(20)}`;
		const [f] = checkPrivacy(long);
		expect(f!.excerpt).toBe('…parola parola la famiglia M•••o R•••i ha chiesto altro altro altro…');
		expect(f!.excerpt.length).toBeLessThan(f!.length + 2 * 30 + 4);
	});

	it('gives the same fingerprint to the same datum written differently', () => {
		const fp = (t: string) => checkPrivacy(t).map((f) => f.fingerprint);
		expect(fp('tel. +39 333 123 4567')).toEqual(fp('tel. 3331234567'));
		expect(fp('tel. 0039 333.123.4567')).toEqual(fp('tel. 333-123-4567'));
		expect(fp('RSSMRA85T10A562S')).toEqual(fp('rssmra85t10a562s'));
		expect(fp('Mario.Rossi@Gmail.com')).toEqual(fp('mario.rossi@gmail.com'));
		expect(fp('nato il 3/5/2015')).toEqual(fp('nato il 03.05.2015'));
		expect(fp('nato il 3 maggio 2015')).toEqual(fp('nato il 2015-05-03'));
		expect(fp('la famiglia Mario Rossi')).toEqual(fp('la famiglia Rossi Mario'));
		expect(fp('la famiglia Mario Rossi')).not.toEqual(fp('la famiglia Maria Rossi'));
	});

	it('builds fingerprints from kind and datum without keeping the datum', () => {
		const [f] = checkPrivacy('tel. 333 123 4567');
		expect(f!.fingerprint).toBe(fingerprintOf('phone', '3331234567'));
		expect(f!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
		expect(f!.fingerprint).not.toContain('3331234567');
		expect(fingerprintOf('phone', '3331234567')).not.toBe(fingerprintOf('birth_date', '3331234567'));
	});

	it('finds several kinds in one record', () => {
		const record = 'Scheda utente: Amadou Diop, nato a Dakar il 04.07.1990, tel. +221 77 123 45 67.';
		expect(checkPrivacy(record).map((f) => [f.kind, f.match])).toEqual([
			['beneficiary_name', 'Amadou Diop'],
			['birth_date', '04.07.1990'],
			['phone', '+221 77 123 45 67']
		]);
	});

	it('returns nothing for empty text', () => {
		expect(checkPrivacy('')).toEqual([]);
	});

	it('lets an e-mail win over the phone number inside it', () => {
		expect(checkPrivacy('3331234567@gmail.com').map((f) => f.kind)).toEqual(['email']);
	});

	it('checks a long text quickly enough to run on every approval', () => {
		const chunk = 'Il Comune di Modena segue 12 famiglie; riunione del 12/03/2026 alle 10:30, prot. n. 12345. ';
		const text = chunk.repeat(2000) + 'La famiglia Mario Rossi, tel. 333 123 4567.';
		expect(checkPrivacy(text).map((f) => f.kind)).toEqual(['beneficiary_name', 'phone']);
	});
});

describe('checkPrivacyDoc', () => {
	it('checks the plain text of the document, tables and lists included', () => {
		const t = (text: string): PMNode => ({ type: 'text', text });
		const doc: PMNode = {
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 2, agendaItemId: 'a1' }, content: [t('Accoglienza')] },
				{ type: 'paragraph', content: [t('Il Comune di Modena segue 12 famiglie.')] },
				{
					type: 'table',
					content: [
						{ type: 'tableRow', content: [{ type: 'tableCell', content: [{ type: 'paragraph', content: [t('famiglia')] }] }, { type: 'tableCell', content: [{ type: 'paragraph', content: [t('Abdi Rahman')] }] }] }
					]
				},
				{ type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [t('cell. 347 123 4567')] }] }] }
			]
		};
		const findings = checkPrivacyDoc(doc);
		expect(findings.map((f) => [f.kind, f.match])).toEqual([
			['beneficiary_name', 'Abdi Rahman'],
			['phone', '347 123 4567']
		]);
	});

	it('passes the options on', () => {
		const doc: PMNode = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Mario Rossi incontra le famiglie.' }] }] };
		expect(checkPrivacyDoc(doc)).toHaveLength(1);
		expect(checkPrivacyDoc(doc, { knownNames: ['Mario Rossi'] })).toEqual([]);
	});
});

describe('e-mail rule', () => {
	it('knows consumer domains, including country variants', () => {
		for (const d of ['gmail.com', 'libero.it', 'yahoo.it', 'yahoo.co.uk', 'hotmail.com', 'outlook.it', 'live.it', 'gmx.de', 'yandex.ru', 'mail.ru', 'proton.me', 'icloud.com'])
			expect(isConsumerEmailDomain(d)).toBe(true);
		expect(isConsumerEmailDomain('comune.modena.it')).toBe(false);
	});

	it('knows institutional domains', () => {
		for (const d of ['comune.modena.it', 'pec.comune.bologna.it', 'regione.emilia-romagna.it', 'ausl.re.it', 'auslromagna.it', 'asp.ra.it', 'istruzione.it', 'posta.istruzione.it', 'lavoro.gov.it', 'legalmail.it', 'unionerubicone.it', 'consorziofantasia.it', 'fantasia.coop', 'inps.it', 'caritasmodena.it'])
			expect(isInstitutionalEmailDomain(d), d).toBe(true);
		for (const d of ['ippogrifo.org', 'example.org', 'aspire.com', 'gmail.com']) expect(isInstitutionalEmailDomain(d), d).toBe(false);
	});

	it('tells personal local parts from role addresses', () => {
		for (const l of ['mario.rossi', 'mario_rossi', 'mario-rossi', 'm.rossi', 'mario.rossi85', 'anna.maria.verdi', 'mariorossi85']) expect(looksLikePersonalLocalPart(l), l).toBe(true);
		for (const l of ['info', 'segreteria', 'servizi.sociali', 'sportello.immigrati', 'protocollo', 'mario', 'info2', 'noreply']) expect(looksLikePersonalLocalPart(l), l).toBe(false);
	});

	it('applies the rules in order', () => {
		expect(isPrivateEmail('info@gmail.com')).toBe(true);
		expect(isPrivateEmail('info@gmail.com', { knownDomains: ['gmail.com'] })).toBe(true);
		expect(isPrivateEmail('info@gmail.com', { knownEmails: ['info@gmail.com'] })).toBe(false);
		expect(isPrivateEmail('l.bianchi@mail.ippogrifo.org', { knownDomains: ['ippogrifo.org'] })).toBe(false);
		expect(isPrivateEmail('mario.rossi@comune.modena.it')).toBe(false);
		expect(isPrivateEmail('mario.rossi@example.org')).toBe(true);
		expect(isPrivateEmail('info@example.org')).toBe(false);
	});
});

describe('helpers', () => {
	it('masks all but the first and last character of each group', () => {
		expect(maskText('Mario Rossi')).toBe('M•••o R•••i');
		expect(maskText("D'Angelo El")).toBe("D'A••••o E•");
		expect(maskText('333 123 4567')).toBe('3•3 1•3 4••7');
		expect(maskText('a')).toBe('a');
	});

	it('hashes with FNV-1a 64', () => {
		expect(fnv1a64('')).toBe('cbf29ce484222325');
		expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
		expect(fnv1a64('foobar')).toBe('85944171f73967e8');
	});
});
