/**
 * Privacy check of the minutes. The hub must never keep personal data of beneficiaries (families
 * seeking asylum, their children); before minutes are approved this check flags what looks like
 * such data, and a coordinator resolves (fixes the text) or confirms (not beneficiary data) each
 * flag. It is a heuristic that prefers a flag too many to a miss, within reason: every rule below
 * is written so that it can be explained to the coordinator who sees its result.
 *
 * Pure: no server imports; runs in Node and in the browser.
 */
import type { PMNode } from './schema';
import { docToPlainText } from './text';

export type PrivacyKind = 'codice_fiscale' | 'phone' | 'email' | 'birth_date' | 'beneficiary_name';

export interface PrivacyFinding {
	kind: PrivacyKind;
	/** The text found (kept in memory only: store `fingerprint` and `excerpt`). */
	match: string;
	/** Position in the checked text (for `checkPrivacyDoc`: in `docToPlainText(doc)`). */
	index: number;
	length: number;
	/** Hash of kind + normalised match: the same datum gives the same fingerprint across checks. */
	fingerprint: string;
	/** About 30 characters around the finding, with every finding in it partly masked. */
	excerpt: string;
}

export interface PrivacyOptions {
	/** Names of the network's professionals (or any phrase that is not a beneficiary): never flagged. */
	knownNames?: readonly string[];
	/** E-mail domains of the network's organisations: addresses there are never flagged (consumer domains excepted). */
	knownDomains?: readonly string[];
	/** Single addresses that are known not to be beneficiaries' (e.g. an association's gmail). */
	knownEmails?: readonly string[];
}

interface Raw {
	kind: PrivacyKind;
	index: number;
	length: number;
	/** Normalised form that the fingerprint hashes. */
	key: string;
}

/** Checks plain text. Findings are sorted by position and never overlap. */
export function checkPrivacy(text: string, options: PrivacyOptions = {}): PrivacyFinding[] {
	const raw = [
		...findEmails(text, options),
		...findCodiciFiscali(text),
		...findPhones(text),
		...findBirthDates(text),
		...findBeneficiaryNames(text, options)
	];
	const kept = dropOverlaps(raw);
	return kept.map((r, i) => ({
		kind: r.kind,
		match: text.slice(r.index, r.index + r.length),
		index: r.index,
		length: r.length,
		fingerprint: fingerprintOf(r.kind, r.key),
		excerpt: excerptOf(text, i, kept)
	}));
}

/** Checks the document's plain text (`docToPlainText(doc)`, without names of owners). */
export function checkPrivacyDoc(doc: PMNode, options: PrivacyOptions = {}): PrivacyFinding[] {
	return checkPrivacy(docToPlainText(doc), options);
}

// When two findings overlap, the more specific kind wins (an e-mail's digits are not a phone).
const PRIORITY: Record<PrivacyKind, number> = { email: 0, codice_fiscale: 1, phone: 2, birth_date: 3, beneficiary_name: 4 };

function dropOverlaps(found: Raw[]): Raw[] {
	const byPriority = [...found].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.index - b.index);
	// Kept findings sorted by position; they never overlap, so their ends are sorted too.
	const kept: Raw[] = [];
	for (const f of byPriority) {
		const at = lowerBound(kept.length, (i) => kept[i]!.index + kept[i]!.length > f.index);
		const next = kept[at];
		if (next && next.index < f.index + f.length) continue;
		kept.splice(at, 0, f);
	}
	return kept;
}

/** The first i in [0, n) for which `pred` holds, `pred` being false then true; n if none. */
function lowerBound(n: number, pred: (i: number) => boolean): number {
	let lo = 0;
	let hi = n;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (pred(mid)) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

interface Span {
	start: number;
	end: number;
}

/**
 * Is a span of `spans` (sorted, not overlapping) within `window` characters of [start, end), with no
 * `blocked` text in between? Only the nearest span on each side needs checking: a farther one
 * is farther away and has the nearer one's gap in between.
 */
function spanNear(spans: Span[], start: number, end: number, window: number, blocked: (from: number, to: number) => boolean, after = true): boolean {
	const firstAfter = lowerBound(spans.length, (i) => spans[i]!.start >= end);
	const lastBefore = lowerBound(spans.length, (i) => spans[i]!.end > start) - 1;
	const before = spans[lastBefore];
	if (before && start - before.end <= window && !blocked(before.end, start)) return true;
	const next = spans[firstAfter];
	return after && !!next && next.start - end <= window && !blocked(end, next.start);
}

// ---------- fingerprint and excerpt ----------

const encoder = new TextEncoder();

/** FNV-1a, 64 bit, over UTF-8: a small stable hash, so the raw datum is not what is stored. */
export function fnv1a64(input: string): string {
	// The 64-bit state in four 16-bit limbs (BigInt is much slower); prime = 2^40 + 0x1b3.
	let h0 = 0x2325;
	let h1 = 0x8422;
	let h2 = 0x9ce4;
	let h3 = 0xcbf2;
	for (const byte of encoder.encode(input)) {
		h0 ^= byte;
		const t0 = h0 * 0x1b3;
		let t1 = h1 * 0x1b3;
		let t2 = h2 * 0x1b3 + (h0 << 8);
		const t3 = h3 * 0x1b3 + (h1 << 8);
		t1 += t0 >>> 16;
		h0 = t0 & 0xffff;
		t2 += t1 >>> 16;
		h1 = t1 & 0xffff;
		h3 = (t3 + (t2 >>> 16)) & 0xffff;
		h2 = t2 & 0xffff;
	}
	return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, '0')).join('');
}

/**
 * `kind:normalised` hashed. Note: a hash of a short datum (a phone number) can be reversed by
 * trying all values; the fingerprint avoids storing the datum in clear, it does not make it secret.
 */
export function fingerprintOf(kind: PrivacyKind, normalised: string): string {
	return fnv1a64(`${kind}:${normalised}`);
}

const GROUP_RE = /[\p{L}\p{N}\p{M}]+/gu;

/** Keeps the first and last character of each letter/digit group: "Mario Rossi" → "M•••o R•••i". */
export function maskText(text: string): string {
	return text.replace(GROUP_RE, (g) => {
		const chars = [...g];
		if (chars.length <= 1) return g;
		if (chars.length === 2) return chars[0] + '•';
		return chars[0] + '•'.repeat(chars.length - 2) + chars[chars.length - 1];
	});
}

function maskFinding(text: string, f: Raw): string {
	const match = text.slice(f.index, f.index + f.length);
	if (f.kind === 'email') {
		// The domain says nothing about the person and helps the coordinator decide.
		const at = match.lastIndexOf('@');
		return maskText(match.slice(0, at)) + match.slice(at);
	}
	return maskText(match);
}

const CONTEXT = 30;

function excerptOf(text: string, at: number, all: Raw[]): string {
	const f = all[at]!;
	let start = Math.max(0, f.index - CONTEXT);
	let end = Math.min(text.length, f.index + f.length + CONTEXT);
	// Do not cut words in half at the edges.
	while (start > 0 && start < f.index && /\S/.test(text[start - 1]!) && /\S/.test(text[start]!)) start++;
	while (end < text.length && end > f.index + f.length && /\S/.test(text[end - 1]!) && /\S/.test(text[end]!)) end--;
	// `all` is sorted and without overlaps: the neighbours in the window are next to `at`.
	let first = at;
	while (first > 0 && all[first - 1]!.index + all[first - 1]!.length > start) first--;
	let out = '';
	let pos = start;
	for (let j = first; j < all.length && all[j]!.index < end; j++) {
		const other = all[j]!;
		const oStart = other.index;
		const oEnd = other.index + other.length;
		if (oStart > pos) out += text.slice(pos, oStart);
		const masked = maskFinding(text, other);
		const from = Math.max(0, start - oStart);
		const to = masked.length - Math.max(0, oEnd - end);
		out += masked.slice(from, Math.max(from, to));
		pos = Math.max(pos, Math.min(oEnd, end));
	}
	if (pos < end) out += text.slice(pos, end);
	out = out.replace(/\s+/g, ' ').trim();
	return `${start > 0 ? '…' : ''}${out}${end < text.length ? '…' : ''}`;
}

// ---------- codice fiscale ----------

const CF_ODD: Record<string, number> = {
	'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
	A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20,
	O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23
};
const CF_SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const OMOCODIA = 'LMNPQRSTUV';

/** The check character of the first 15 characters (uppercase) of a personal codice fiscale. */
export function codiceFiscaleCheckChar(first15: string): string {
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const c = first15[i]!;
		// Positions 1, 3, 5… (0-based even) use the "odd" table; the others count A/0 = 0 … Z = 25.
		sum += i % 2 === 0 ? CF_ODD[c]! : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
	}
	return String.fromCharCode(65 + (sum % 26));
}

/**
 * 16-character codice fiscale of a person (omocodia letters LMNPQRSTUV allowed in the digit
 * positions) with a correct check character; case-insensitive. Same rule as the validation in
 * src/lib/server/validation.ts, which could import this one.
 */
export function isValidPersonalCodiceFiscale(value: string): boolean {
	const v = value.toUpperCase();
	return CF_SHAPE.test(v) && codiceFiscaleCheckChar(v) === v[15];
}

const CF_RE = /(?<![\p{L}\p{N}])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-EHLMPRSTa-ehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![\p{L}\p{N}])/gu;

/**
 * Contiguous, word-bounded 16-character codes. A wrong check character is NOT flagged: sixteen
 * letters and digits in this shape occur in other identifiers (document numbers, codes of
 * practices), and a mistyped code with a wrong check character is rare next to those; the check
 * character keeps the false positives near zero. The day of birth must be plausible (1–31, or
 * 41–71 for women), for the same reason. Codes split by spaces are not recognised.
 */
function findCodiciFiscali(text: string): Raw[] {
	const out: Raw[] = [];
	for (const m of text.matchAll(CF_RE)) {
		const code = m[0].toUpperCase();
		if (!isValidPersonalCodiceFiscale(code)) continue;
		const day = Number([...code.slice(9, 11)].map((c) => (OMOCODIA.includes(c) ? OMOCODIA.indexOf(c) : c)).join(''));
		if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) continue;
		out.push({ kind: 'codice_fiscale', index: m.index, length: m[0].length, key: code.toLowerCase() });
	}
	return out;
}

// ---------- phone numbers ----------

const SEP = '[ .\\-\\u00A0]';
const PHONE_RE = new RegExp(
	// Not inside a word, an address or a longer number ("12 345", "1.250", "2026/").
	'(?<![\\p{L}\\p{N}_@/+])(?<!\\p{N}[ .,/\\-\\u00A0])' +
		'(?:' +
		// Italian: optional +39 / 0039 / (+39), then a mobile (3xx…) or a landline (0 + area code).
		`(?<it>(?<itPrefix>(?:\\+|00)39${SEP}?|\\(\\+39\\)${SEP}?)?` +
		`(?:3\\d{2}(?:${SEP}|/)?\\d(?:${SEP}?\\d){5,6}|(?:\\(0[1-9]\\d{0,2}\\)${SEP}?|0[1-9]\\d{0,2}(?:${SEP}|/)?)\\d(?:${SEP}?\\d){3,9}))` +
		// Other countries: + or 00, country code, then digits.
		`|(?<intl>(?:\\+|00)[1-9]\\d{0,2}${SEP}?(?:\\(\\d{1,4}\\)${SEP}?)?\\d(?:${SEP}?\\d){5,13})` +
		')' +
		'(?![\\p{L}\\p{N}_@]|[.,/]\\p{N})',
	'gu'
);

const DATE_INSIDE_RE = /(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)/;
const TIME_RANGE_RE = /\d{1,2}[.:]\d{2}\s?[-–]\s?\d{1,2}[.:]\d{2}/;
const THOUSANDS_RE = /^\d{1,3}(?:\.\d{3})+$/;
const MONTH_YEAR_RE = /^\d{1,2}[./-](?:19|20)\d{2}$/;
const CURRENCY_BEFORE_RE = /(?:€|\$|£|\beur|\beuro|\busd)\s*$/i;
const CURRENCY_AFTER_RE = /^\s*(?:€|eur\b|euro\b)/i;
// Labels of numbers that are not phones, right before the number ("prot. n. 0341234").
const NOT_PHONE_LABEL_RE =
	/(?:^|[^\p{L}])(?:prot|protocollo|n|nr|num|art|artt|articolo|comma|delibera|determina|decreto|d\.\s?lgs|dlgs|dpr|dpcm|legge|l|pratica|fascicolo|fattura|iban|cig|cup|p\.\s?iva|partita\s+iva|c\.\s?f|cf|codice(?:\s+fiscale)?|matricola|rif|riferimento|registro|rep|reg|pos|cod|id|sentenza|ordinanza|ricevuta|cap|isbn|lotto|conto|c\/c)\.?\s*(?:n\.?|nr\.?|n°|°)?\s*[:.]?\s*$/iu;
// …unless a phone word is close by ("tel. n. 333 1234567").
const PHONE_WORD_RE = /(?:^|[^\p{L}])(?:tel|telefono|telefonico|telefonare|cell|cellulare|mobile|whatsapp|wa|recapito|recapiti|chiamare|fax|phone)(?![\p{L}])/iu;

/**
 * Italian mobiles (3xx + 6–7 digits), Italian landlines (0 + area code, 6–11 digits in all) with
 * an optional +39 / 0039 prefix, and international numbers (+ or 00, 8–15 digits), with spaces,
 * dots or dashes between digits (and a slash after the prefix: 333/1234567, 0541/123456). Not flagged: dates (12/03/2026, 01.03.2026, 05/2015), time ranges
 * (08.30-10.30), amounts (thousands with dots, next to € / euro), numbers labelled as something
 * else right before them (prot., n., art., delibera, IBAN, P.IVA, c.f., …) unless a phone word
 * (tel., cell., WhatsApp, recapito, …) is within 25 characters before, and anything shorter than
 * 6 digits (years, CAP, times, short numbers).
 */
function findPhones(text: string): Raw[] {
	const out: Raw[] = [];
	for (const m of text.matchAll(PHONE_RE)) {
		const s = m[0];
		const digits = s.replace(/\D/g, '');
		let key: string;
		if (m.groups?.it) {
			const prefix = m.groups.itPrefix ?? '';
			const national = digits.slice(prefix.replace(/\D/g, '').length);
			const mobile = national.startsWith('3');
			if (mobile ? national.length < 9 || national.length > 10 : national.length < 6 || national.length > 11) continue;
			key = national;
		} else {
			const international = digits.replace(/^00/, '');
			if (international.length < 8 || international.length > 15) continue;
			key = '+' + international;
		}
		const date = DATE_INSIDE_RE.exec(s);
		if (date && Number(date[1]) <= 31 && Number(date[3]) <= 12) continue;
		if (TIME_RANGE_RE.test(s) || THOUSANDS_RE.test(s) || MONTH_YEAR_RE.test(s)) continue;
		const before = text.slice(Math.max(0, m.index - 25), m.index);
		const after = text.slice(m.index + s.length, m.index + s.length + 8);
		if (CURRENCY_BEFORE_RE.test(before) || CURRENCY_AFTER_RE.test(after)) continue;
		if (NOT_PHONE_LABEL_RE.test(before) && !PHONE_WORD_RE.test(before)) continue;
		out.push({ kind: 'phone', index: m.index, length: s.length, key });
	}
	return out;
}

// ---------- e-mail addresses ----------

const EMAIL_RE =
	/(?<![\p{L}\p{N}._%+\-@])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\p{L}\p{N}@-]|\.[A-Za-z0-9])/gu;

const CONSUMER_DOMAINS = new Set([
	'gmail.com', 'googlemail.com', 'libero.it', 'virgilio.it', 'alice.it', 'tiscali.it', 'icloud.com', 'me.com', 'mac.com',
	'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me', 'aol.com', 'aol.it', 'mail.ru', 'email.it', 'fastwebnet.it',
	'tim.it', 'inwind.it', 'iol.it', 'tin.it', 'ymail.com', 'msn.com', 'tutanota.com', 'tuta.io', 'mail.com'
]);
// Brands with many country domains: yahoo.it, hotmail.co.uk, live.it, gmx.de, yandex.ru…
const CONSUMER_BRAND_RE = /^(?:yahoo|hotmail|outlook|live|gmx|yandex)\.[a-z]{2,}(?:\.[a-z]{2,})?$/;

/** Free mail providers used by private persons: always flagged. */
export function isConsumerEmailDomain(domain: string): boolean {
	const d = domain.toLowerCase();
	return CONSUMER_DOMAINS.has(d) || CONSUMER_BRAND_RE.test(d);
}

const INSTITUTIONAL_SUFFIXES = [
	'.gov.it', '.edu.it', '.istruzione.it', 'istruzione.it', '.gov', '.edu', '.europa.eu', '.int', '.coop',
	// Certified mail (PEC) providers.
	'legalmail.it', 'pec.it', 'arubapec.it', 'postecert.it', 'pecimprese.it', 'sicurezzapostale.it',
	// National bodies the network deals with.
	'inps.it', 'inail.it', 'interno.it', 'giustizia.it', 'poliziadistato.it', 'carabinieri.it', 'agenziaentrate.it', 'esteri.it', 'prefettura.it'
];
// A label that names a public body, a health authority, a cooperative or a church body.
const INSTITUTIONAL_LABEL_RE =
	/^(?:comune|comuni|regione|provincia|unione|prefettura|questura|tribunale|consorzio|coop|caritas|diocesi|arcidiocesi|parrocchia|fondazione|ospedale|policlinico|irccs)/;
const CERTIFIED_MAIL_LABELS = new Set(['pec', 'cert', 'postacert']);
// Health and welfare authorities whose short names would match unrelated words elsewhere: .it only.
const IT_HEALTH_LABEL_RE = /^(?:a?usl|asl|asp|ats|asst|ao|aou|aosp)[a-z0-9-]*$/;

/**
 * Domains of public bodies and of the organisations of the sector: `comune.*`, `regione.*`,
 * `provincia.*`, `unione*`, `*.gov.it`, `*.istruzione.it`, `*.edu(.it)`, health authorities
 * (`ausl`, `asl`, `asp`, `ats`, `asst`, `ao` … on .it), PEC (`pec.*`, `cert.*`, legalmail.it,
 * pec.it, …), cooperatives (`.coop`, `coop*`), `consorzio*`, `fondazione*`, `caritas*`, dioceses
 * and parishes, and a few national bodies (INPS, INAIL, Interior, Justice, police).
 */
export function isInstitutionalEmailDomain(domain: string): boolean {
	const d = domain.toLowerCase();
	if (INSTITUTIONAL_SUFFIXES.some((s) => d === s.replace(/^\./, '') || d.endsWith(s.startsWith('.') ? s : '.' + s))) return true;
	const labels = d.split('.');
	const registrable = labels.slice(0, -1);
	if (registrable.some((l) => INSTITUTIONAL_LABEL_RE.test(l) || CERTIFIED_MAIL_LABELS.has(l))) return true;
	return d.endsWith('.it') && registrable.some((l) => IT_HEALTH_LABEL_RE.test(l));
}

// Local parts that name a function, not a person.
const ROLE_WORDS = new Set([
	'info', 'informazioni', 'segreteria', 'protocollo', 'amministrazione', 'admin', 'ufficio', 'uffici', 'servizi', 'servizio',
	'sociali', 'sociale', 'sportello', 'direzione', 'presidenza', 'presidente', 'contatti', 'contatto', 'staff', 'noreply',
	'no', 'reply', 'posta', 'pec', 'comunicazione', 'stampa', 'progetti', 'progetto', 'accoglienza', 'welfare', 'scuola',
	'help', 'support', 'supporto', 'hello', 'mail', 'email', 'newsletter', 'eventi', 'tavolo', 'coordinamento',
	'coordinatore', 'coordinatrice', 'referente', 'operatori', 'educatori', 'area', 'settore', 'minori', 'famiglie',
	'immigrazione', 'intercultura', 'mediazione', 'anagrafe', 'urp', 'polizia', 'sai', 'cas', 'rete', 'centro', 'casa',
	'associazione', 'cooperativa', 'volontari', 'volontariato', 'ordini', 'fatture', 'amministrativo', 'tecnico'
]);

/**
 * Does the part before @ look like a person: name.surname, name_surname, name-surname,
 * m.rossi, name.middle.surname, or a name run with digits (mariorossi85)? Role words (info,
 * segreteria, servizi.sociali, …) do not.
 */
export function looksLikePersonalLocalPart(local: string): boolean {
	const l = local.toLowerCase().replace(/\+.*$/, '');
	const words = l.split(/[._\-\d]+/).filter(Boolean);
	if (!words.length || words.some((w) => ROLE_WORDS.has(w))) return false;
	return (
		/^[a-z]{2,}[._-][a-z]{2,}(?:[._-][a-z]{2,})?[._-]?\d{0,4}$/.test(l) ||
		/^[a-z][._-][a-z]{2,}\d{0,4}$/.test(l) ||
		/^[a-z]{2,}[._-][a-z]\d{0,4}$/.test(l) ||
		/^[a-z]{4,}\d{1,4}$/.test(l)
	);
}

/**
 * The e-mail rule, in order:
 * 1. an address in `knownEmails` is not flagged;
 * 2. an address at a consumer provider (gmail, libero, hotmail, …) is flagged;
 * 3. an address at one of `knownDomains` (or a subdomain) is not flagged;
 * 4. an address at an institutional domain (see isInstitutionalEmailDomain) is not flagged;
 * 5. any other address is flagged when its local part looks like a person's name.
 * So mario.rossi@comune.modena.it is not flagged, info@ippogrifo.org is not, and
 * l.bianchi@ippogrifo.org is flagged unless ippogrifo.org is one of the network's domains.
 */
export function isPrivateEmail(address: string, options: PrivacyOptions = {}): boolean {
	const a = address.toLowerCase();
	const at = a.lastIndexOf('@');
	if (at < 1) return false;
	const local = a.slice(0, at);
	const domain = a.slice(at + 1);
	if (options.knownEmails?.some((e) => e.trim().toLowerCase() === a)) return false;
	if (isConsumerEmailDomain(domain)) return true;
	const known = (options.knownDomains ?? []).map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
	if (known.some((d) => domain === d || domain.endsWith('.' + d))) return false;
	if (isInstitutionalEmailDomain(domain)) return false;
	return looksLikePersonalLocalPart(local);
}

function findEmails(text: string, options: PrivacyOptions): Raw[] {
	const out: Raw[] = [];
	for (const m of text.matchAll(EMAIL_RE)) {
		if (!isPrivateEmail(m[0], options)) continue;
		out.push({ kind: 'email', index: m.index, length: m[0].length, key: m[0].toLowerCase() });
	}
	return out;
}

// ---------- birth dates ----------

const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'];
const MONTH_SHORT = ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set', 'ott', 'nov', 'dic'];

function monthNumber(name: string): number {
	const n = name.toLowerCase().replace(/\.$/, '');
	const full = MONTHS.indexOf(n);
	if (full >= 0) return full + 1;
	return MONTH_SHORT.indexOf(n === 'sett' ? 'set' : n) + 1;
}

const MONTH_ALT = `(?:${MONTHS.join('|')}|sett|${MONTH_SHORT.join('|')})\\.?`;
const DATE_RE = new RegExp(
	'(?<![\\p{L}\\p{N}])(?:' +
		// 3/5/2015, 03-05-15, 3.5.2015 (the same separator twice)
		'(?<d>\\d{1,2})(?<sep>[./-])(?<m>\\d{1,2})\\k<sep>(?<y>\\d{4}|\\d{2})' +
		// 2015-05-03
		'|(?<iy>\\d{4})-(?<im>\\d{2})-(?<id>\\d{2})' +
		// 3 maggio 2015, 1° mag. 2015
		`|(?<td>\\d{1,2})(?:°|º)?\\s+(?<tm>${MONTH_ALT})\\s+(?<ty>\\d{4})` +
		// 05/2015, maggio 2015
		`|(?<mm>\\d{1,2})[/.-](?<my>\\d{4})|(?<mn>${MONTH_ALT})\\s+(?<mny>\\d{4})` +
		')(?![\\p{L}\\p{N}]|[./-]\\p{N})',
	'giu'
);
const BIRTH_WORD_RE =
	/(?<![\p{L}])(?:nat[oaie]|nascita|d\.\s?n\.|n\.\s?il|classe|di\s+anni|et[àa]|dob|born|date\s+of\s+birth)(?![\p{L}])/giu;
// "nato nel 2019" is left out: minutes say it of projects and tables more often than of people.
const BIRTH_YEAR_RE = /(?<![\p{L}])(?:classe|anno\s+di\s+nascita)\s*:?\s*(?<year>(?:19|20)\d{2})(?![\p{L}\p{N}])/giu;
const BIRTH_WINDOW = 25;

const pad2 = (n: number | string) => String(n).padStart(2, '0');

/** The date a match stands for ("2015-05-03", "15-05-03", "2015-05"), or null if not a real date. */
function normaliseDate(g: Record<string, string | undefined>): string | null {
	const check = (y: number, m: number, d: number, yearDigits: number) => {
		if (m < 1 || m > 12 || d < 1) return false;
		const days = m === 2 ? (yearDigits === 4 && !((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 28 : 29) : [4, 6, 9, 11].includes(m) ? 30 : 31;
		return d <= days;
	};
	if (g.d && g.m && g.y) {
		const [d, m, y] = [Number(g.d), Number(g.m), Number(g.y)];
		return check(y, m, d, g.y.length) ? `${g.y}-${pad2(m)}-${pad2(d)}` : null;
	}
	if (g.iy && g.im && g.id) {
		const [y, m, d] = [Number(g.iy), Number(g.im), Number(g.id)];
		return check(y, m, d, 4) ? `${g.iy}-${pad2(m)}-${pad2(d)}` : null;
	}
	if (g.td && g.tm && g.ty) {
		const [d, m, y] = [Number(g.td), monthNumber(g.tm), Number(g.ty)];
		return check(y, m, d, 4) ? `${g.ty}-${pad2(m)}-${pad2(d)}` : null;
	}
	if (g.mm && g.my) {
		const m = Number(g.mm);
		return m >= 1 && m <= 12 ? `${g.my}-${pad2(m)}` : null;
	}
	if (g.mn && g.mny) return `${g.mny}-${pad2(monthNumber(g.mn))}`;
	return null;
}

// Between the birth word and the date: no end of sentence or line.
const CLAUSE_BREAK_RE = /[\n;!?]|\.\s+\p{Lu}/u;

/**
 * A date (3/5/2015, 03-05-15, 3.5.2015, 2015-05-03, 3 maggio 2015, 05/2015, maggio 2015) that
 * follows a birth word (nato/nata/nati/nate, nascita, "data di nascita", d.n., "n. il", classe,
 * "di anni", età, DOB, born) by at most 25 characters, in the same sentence; and a bare year right
 * after "classe" or "anno di nascita". A date before the word, or without it (the date
 * of a meeting, a deadline), is not flagged. Ages alone ("di anni 7") are not flagged.
 */
function findBirthDates(text: string): Raw[] {
	const words = [...text.matchAll(BIRTH_WORD_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
	const out: Raw[] = [];
	if (!words.length) return out;
	for (const m of text.matchAll(DATE_RE)) {
		const key = normaliseDate(m.groups ?? {});
		if (!key) continue;
		const near = spanNear(words, m.index, m.index + m[0].length, BIRTH_WINDOW, (from, to) => CLAUSE_BREAK_RE.test(text.slice(from, to)), false);
		if (near) out.push({ kind: 'birth_date', index: m.index, length: m[0].length, key });
	}
	for (const m of text.matchAll(BIRTH_YEAR_RE)) {
		const year = m.groups!.year!;
		const index = m.index + m[0].length - year.length;
		if (out.some((o) => index >= o.index && index < o.index + o.length)) continue;
		out.push({ kind: 'birth_date', index, length: year.length, key: year });
	}
	return out;
}

// ---------- names of beneficiaries ----------

const BENEFICIARY_WORD_RE =
	/(?<![\p{L}])(?:famiglia|famiglie|minore|minori|richiedente|richiedenti|nucleo|nuclei|bambin[oaie]|figli[oae]?|madre|madri|padre|padri|mamma|mamme|papà|papa['’]|genitore|genitori|beneficiari[oae]?|beneficiarie|ospite|ospiti|utente|utenti)(?![\p{L}])/giu;
const NAME_WINDOW = 40;

const normalise = (s: string) =>
	s
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/['’]/g, "'");

const words = (list: string) => new Set(list.split(/\s+/).filter(Boolean));

/**
 * Words that make a capitalised run an organisation, a body, a place or a role, not a person.
 * Place names that are also first names (Emilia, Giulia) are left out: "Emilia Romagna" and
 * "Friuli Venezia Giulia" are caught by their other words.
 */
const ORGANISATION_WORDS = words(`
	comune comuni unione regione provincia prefettura questura tribunale procura ministero stato governo
	consorzio cooperativa coop societa associazione fondazione caritas parrocchia diocesi rossa
	azienda ausl asl usl asp ats asst ospedale policlinico consultorio distretto ambito zona area settore
	ufficio uffici sportello centro casa scuola istituto liceo nido asilo universita biblioteca agenzia camera
	servizi servizio sociali sociale sanitari sanitario educativi educativo territoriale territoriali
	tavolo tavoli cabina regia rete gruppo comitato consulta assemblea coordinamento progetto progetti
	protocollo piano programma accoglienza integrazione inclusione onlus odv aps ets srl spa
	dipartimento direzione divisione sezione commissione osservatorio garante accoglienti affidatarie solidali
	polizia carabinieri municipale questore prefetto sindaco assessore assessorato giunta consiglio
	romagna italia europa toscana lombardia veneto piemonte liguria marche umbria lazio campania
	puglia calabria sicilia sardegna abruzzo molise basilicata friuli venezia trentino adige aosta reggio san
`);
/** Acronyms of bodies and programmes (SAI, CAS, FAMI, …). */
const ACRONYMS = words(`
	sai cas cara cpr sprar siproimi fami unhcr oim iom ong onu ue inps inail isee uonpia cpia msna pei
	istat anci asp asl ausl usl ats asst aou irccs cri arci acli cgil cisl uil caf patronato
`);
/** Capitalised words that break a run: articles, sentence openers, titles, months, weekdays. */
const BREAK_WORDS = words(`
	il i gli un una uno per con in su tra fra nel nella nei nelle negli alla alle allo ai agli sul sulla
	e ed o od ma se che come anche dove quando sono ha hanno si non ci oggi ieri domani presenti assenti
	ordine giorno verbale punto tutti tutte nessuno questo questa questi queste quello quella ogni dopo prima
	durante secondo inoltre infine quindi pertanto poi alcune alcuni molte molti diverse diversi nuove nuovi
	sig sigra signor signora signore dott dottssa dottoressa dottore dottor prof professore professoressa
	avv avvocato ing arch don suor fra mr mrs ms dr
	nuovo nuova nuovi nuove ingresso ingressi situazione aggiornamento aggiornamenti varie eventuali proposta
	proposte richiesta richieste bisogni attivita incontro riunione report relazione presentazione calendario
	verifica monitoraggio caso casi inserimento uscita uscite dimissioni sostegno supporto percorso percorsi
	laboratorio corso corsi lingua italiano italiana documenti permesso soggiorno lavoro abitare discussione
	famiglia famiglie minore minori richiedente richiedenti nucleo nuclei bambino bambina bambini bambine
	figlio figlia figli figlie madre madri padre padri mamma mamme papa genitore genitori beneficiario
	beneficiaria beneficiari beneficiarie ospite ospiti utente utenti asilo familiare
	gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
	lunedi martedi mercoledi giovedi venerdi sabato domenica
`);
/** Particles inside names ("Marco De Luca", "Fatima Zahra El Amrani"): linking, not counted. */
const PARTICLES = words(`
	de di da del della dello dei degli delle dal dalla lo la le li el al ben bin ibn van von der den dos das du d'
`);

const WORD_RE = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*(?:-[\p{L}\p{M}]+)*/gu;
const CAPITALISED_RE = /^(?:[dD]['’])?\p{Lu}[\p{L}\p{M}'’-]*$/u;
const HAS_LOWER_RE = /\p{Ll}/u;

interface Token {
	text: string;
	norm: string;
	start: number;
	end: number;
	capitalised: boolean;
}

function tokenize(text: string): Token[] {
	return [...text.matchAll(WORD_RE)].map((m) => ({
		text: m[0],
		norm: normalise(m[0]),
		start: m.index,
		end: m.index + m[0].length,
		capitalised: m[0].length >= 2 && CAPITALISED_RE.test(m[0])
	}));
}

/** Runs of capitalised words separated by single spaces, joined by lowercase particles. */
function capitalisedRuns(text: string, tokens: Token[]): Token[][] {
	const runs: Token[][] = [];
	const adjacent = (a: Token, b: Token) => /^[ \t\u00A0]{1,3}$/.test(text.slice(a.end, b.start));
	let i = 0;
	while (i < tokens.length) {
		if (!tokens[i]!.capitalised) {
			i++;
			continue;
		}
		const run = [tokens[i]!];
		let j = i + 1;
		while (j < tokens.length) {
			const t = tokens[j]!;
			const prev = run[run.length - 1]!;
			if (!adjacent(prev, t)) break;
			if (t.capitalised) {
				run.push(t);
				j++;
			} else if (PARTICLES.has(t.norm) && tokens[j + 1]?.capitalised && adjacent(t, tokens[j + 1]!)) {
				run.push(t, tokens[j + 1]!);
				j += 2;
			} else break;
		}
		runs.push(run);
		i = j;
	}
	return runs;
}

/** The name tokens of a known name, for comparisons that ignore order, case and accents. */
function nameWords(name: string): string[] {
	return [...normalise(name).matchAll(/[\p{L}']+/gu)].map((m) => m[0]).filter((w) => !PARTICLES.has(w));
}

function isKnownName(candidate: string[], known: string[][]): boolean {
	const cand = new Set(candidate);
	return known.some((k) => {
		const ks = new Set(k);
		const knownInCandidate = k.length >= 2 && k.every((w) => cand.has(w));
		const candidateInKnown = candidate.every((w) => ks.has(w));
		return knownInCandidate || candidateInKnown;
	});
}

/**
 * Full names: two or more capitalised words (particles such as De, Di, El, Al, "D'" do not count
 * as words but may sit inside: "Marco De Luca", "Fatima Zahra El Amrani", "Giulia D'Angelo")
 * within 40 characters, in the same sentence, of a word about beneficiaries (famiglia, minore,
 * richiedente, nucleo, bambino, figlio, madre, padre, mamma, papà, genitore, beneficiario,
 * ospite, utente). A run of capitalised words containing a word of an organisation, body, place
 * or role (Comune, Consorzio, Unione, Servizi Sociali, Tavolo, Cabina di Regia, Progetto, Emilia
 * Romagna, …) or an acronym (SAI, CAS, ASP, …) is not a name; articles, titles, months, weekdays
 * and the beneficiary words themselves split runs ("Famiglia Rossi Mario" → "Rossi Mario").
 * A name right after a professional title or role (dott.ssa, avv., don, sindaco, assessore,
 * referente, operatrice, assistente sociale, mediatrice, …) is not flagged. Names in `knownNames`
 * (in any order; a known name inside a longer run, or a run made of words of a known name) are not
 * flagged.
 */
function findBeneficiaryNames(text: string, options: PrivacyOptions): Raw[] {
	const keywords = [...text.matchAll(BENEFICIARY_WORD_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
	if (!keywords.length) return [];
	const known = (options.knownNames ?? []).map(nameWords).filter((k) => k.length > 0);
	const out: Raw[] = [];
	for (const run of capitalisedRuns(text, tokenize(text))) {
		// Split at words that cannot be part of a name.
		const pieces: Token[][] = [[]];
		for (const t of withoutOrganisations(run)) {
			if (t === GAP || (t.capitalised && BREAK_WORDS.has(t.norm))) pieces.push([]);
			else pieces[pieces.length - 1]!.push(t);
		}
		for (let piece of pieces) {
			while (piece.length && !piece[0]!.capitalised) piece = piece.slice(1);
			while (piece.length && !piece[piece.length - 1]!.capitalised) piece = piece.slice(0, -1);
			const nameTokens = piece.filter((t) => (t.capitalised && !PARTICLES.has(t.norm) && HAS_LOWER_RE.test(t.text.slice(1))) || isAllCapsName(t));
			if (nameTokens.length < 2) continue;
			if (isKnownName(nameTokens.map((t) => t.norm), known)) continue;
			if (PROFESSIONAL_TITLE_RE.test(text.slice(Math.max(0, piece[0]!.start - 40), piece[0]!.start))) continue;
			const start = piece[0]!.start;
			const end = piece[piece.length - 1]!.end;
			if (!spanNear(keywords, start, end, NAME_WINDOW, (from, to) => sentenceBreak(text, from, to))) continue;
			const key = nameTokens
				.map((t) => t.norm.replace(/[^\p{L}]/gu, ''))
				.sort()
				.join('');
			out.push({ kind: 'beneficiary_name', index: start, length: end - start, key });
		}
	}
	return out;
}

const isOrganisationWord = (t: Token) => ORGANISATION_WORDS.has(t.norm) || ACRONYMS.has(t.norm);

/**
 * A run with a word of an organisation: its parts between lowercase particles that hold such a
 * word go ("Giulia D'Angelo del Consorzio Fantasia" keeps "Giulia D'Angelo"; "Cabina di Regia" and
 * "Unione dei Comuni" keep nothing). A run without one is kept whole ("Abdi bin Rahman").
 */
function withoutOrganisations(run: Token[]): Token[] {
	if (!run.some(isOrganisationWord)) return run;
	const segments: Token[][] = [[]];
	for (const t of run) {
		if (!t.capitalised) segments.push([]);
		else segments[segments.length - 1]!.push(t);
	}
	const kept: Token[] = [];
	for (const segment of segments) {
		if (segment.some(isOrganisationWord)) {
			// A gap: what comes before and after must not join into one name.
			if (kept.length) kept.push(GAP);
		} else kept.push(...segment);
	}
	return kept;
}

// A placeholder that splits a run like a break word.
const GAP: Token = { text: '', norm: '', start: -1, end: -1, capitalised: true };

/** "ROSSI" in "Mario ROSSI": capitals only, three letters or more (shorter ones are acronyms). */
function isAllCapsName(t: Token): boolean {
	return t.capitalised && !PARTICLES.has(t.norm) && !HAS_LOWER_RE.test(t.text) && [...t.text].filter((c) => /\p{L}/u.test(c)).length >= 3;
}

// A name right after a professional title or role is a professional's ("la dott.ssa Anna Bianchi",
// "la mediatrice Amina Diallo"). "Sig./Sig.ra" is not such a title.
const PROFESSIONAL_TITLE_RE =
	/(?:^|[^\p{L}])(?:dott(?:\.\s?ssa|ssa|oressa|ore|or)?|dr(?:\.\s?ssa|ssa)?|prof(?:\.\s?ssa|ssa|essoressa|essore)?|avv(?:ocat[oa])?|ing|arch|geom|don|suor|sindac[oa]|vicesindac[oa]|assessor[ea]|president[ea]|dirett(?:ore|rice)|coordinat(?:ore|rice)|referente|responsabile|operat(?:ore|rice)|educat(?:ore|rice)|assistente\s+sociale|mediat(?:ore|rice)(?:\s+(?:culturale|linguistic[oa]))?|psicolog[oa]|insegnante|maestr[ao]|funzionari[oa]|prefetto|questore)\.?\s*[:,]?\s*$/iu;

const ABBREVIATIONS = words('sig sigra ra ssa dott prof avv ing arch geom rag dr mr mrs ms st sr sra n nr ecc es tel cell p pag art');

/** An end of sentence or line between two positions (a dot after an abbreviation is not one). */
function sentenceBreak(text: string, from: number, to: number): boolean {
	const between = text.slice(from, to);
	if (/[\n;!?]/.test(between)) return true;
	for (const m of between.matchAll(/\.(?=\s+\p{Lu})/gu)) {
		const dot = from + m.index;
		const word = /([\p{L}]+)$/u.exec(text.slice(Math.max(0, dot - 24), dot))?.[1];
		if (!word || (word.length > 1 && !ABBREVIATIONS.has(normalise(word)))) return true;
	}
	return false;
}
