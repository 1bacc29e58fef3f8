/**
 * The directory's small text formats, shared by the CSV columns (docs/directory-import.md), the
 * change history (a collection's previous and new value are written the same way) and the cards:
 * opening hours "lun 09:00-13:00; mer 14:00-17:00 (su appuntamento)", phones, languages, contacts.
 * Also the stable ids of records that have none of their own in HSDS exports (uuid v5).
 */
import { createHash } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Ids

/** Namespace of Intarsi's name-based UUIDs (random, fixed for ever: changing it changes exports). */
const NAMESPACE = 'b7f0f3c2-6a51-4c0e-9d1e-2f6a8e4c5d31';

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name`, in Intarsi's namespace unless given. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
	const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
	const bytes = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest().subarray(0, 16);
	bytes[6] = (bytes[6]! & 0x0f) | 0x50;
	bytes[8] = (bytes[8]! & 0x3f) | 0x80;
	const h = bytes.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string | null | undefined): v is string => !!v && UUID_RE.test(v);

/** The id of a taxonomy term, everywhere the same for a (taxonomy, code): exports stay comparable. */
export const termUuid = (taxonomy: string, code: string) => uuidV5(`taxonomy_term:${taxonomy}:${code}`);

/** External ids of imported records: letters, digits and . _ : / - (spreadsheet-friendly). */
export const EXTERNAL_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

// ---------------------------------------------------------------------------------------------
// Dates

/** "YYYY-MM-DD" `months` calendar months before `day`, clamped to the end of a shorter month. */
export function monthsBefore(day: string, months: number): string {
	const [y, m, d] = day.split('-').map(Number) as [number, number, number];
	const total = y * 12 + (m - 1) - months;
	const year = Math.floor(total / 12);
	const month = (total % 12) + 1;
	const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
	return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Records not verified for six months (or never) are due for checking. */
export const STALE_MONTHS = 6;
export function isStale(assuredDate: string | null, today: string): boolean {
	return !assuredDate || assuredDate < monthsBefore(today, STALE_MONTHS);
}

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const isRealDate = (v: string) => DATE_RE.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

// ---------------------------------------------------------------------------------------------
// Languages (ISO 639-1, or 639-3 where there is no two-letter code)

export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
	it: 'italiano', en: 'inglese', fr: 'francese', es: 'spagnolo', pt: 'portoghese', de: 'tedesco',
	ar: 'arabo', ti: 'tigrino', am: 'amarico', so: 'somalo', om: 'oromo', ur: 'urdu', pa: 'punjabi',
	bn: 'bengalese', hi: 'hindi', ta: 'tamil', si: 'singalese', ml: 'malayalam', zh: 'cinese',
	tl: 'tagalog', ru: 'russo', uk: 'ucraino', ro: 'rumeno', sq: 'albanese', pl: 'polacco',
	bg: 'bulgaro', sr: 'serbo', hr: 'croato', mk: 'macedone', ka: 'georgiano', el: 'greco',
	tr: 'turco', ku: 'curdo', fa: 'persiano (farsi)', prs: 'dari', ps: 'pashto', wo: 'wolof',
	ff: 'fula', bm: 'bambara', ha: 'hausa', yo: 'yoruba', ig: 'igbo', ak: 'twi', ln: 'lingala',
	sw: 'swahili', zgh: 'tamazight', ber: 'berbero', ise: 'lingua dei segni italiana (LIS)'
};
export const LANGUAGE_CODE_RE = /^[a-z]{2,3}$/;
export const languageName = (code: string) => LANGUAGE_NAMES[code] ?? code;

// ---------------------------------------------------------------------------------------------
// Cells: entries separated by ";" outside brackets

/** Characters with a meaning inside the compound cells; free texts embedded there must avoid them. */
export const RESERVED_CHARS = /[;()[\]«»<>]/;

/** Splits "a; b (x; y); c" on the semicolons that are not inside (), [], «» or <>. */
export function splitEntries(cell: string): string[] {
	const out: string[] = [];
	let depth = 0;
	let cur = '';
	for (const ch of cell) {
		if ('([«<'.includes(ch)) depth++;
		else if (')]»>'.includes(ch)) depth = Math.max(0, depth - 1);
		if (ch === ';' && depth === 0) {
			out.push(cur);
			cur = '';
		} else cur += ch;
	}
	out.push(cur);
	return out.map((s) => s.trim()).filter(Boolean);
}

// Opening hours ---------------------------------------------------------------------------------

export const WEEKDAY_ABBR = ['lun', 'mar', 'mer', 'gio', 'ven', 'sab', 'dom'] as const;
const WEEKDAY_WORDS: Record<string, number> = {
	lun: 1, lunedi: 1, lunedì: 1, mon: 1, mo: 1,
	mar: 2, martedi: 2, martedì: 2, tue: 2, tu: 2,
	mer: 3, mercoledi: 3, mercoledì: 3, wed: 3, we: 3,
	gio: 4, giovedi: 4, giovedì: 4, thu: 4, th: 4,
	ven: 5, venerdi: 5, venerdì: 5, fri: 5, fr: 5,
	sab: 6, sabato: 6, sat: 6, sa: 6,
	dom: 7, domenica: 7, sun: 7, su: 7
};
/** HSDS byday codes, Monday first. */
export const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface ScheduleValue {
	weekday: number;
	opensAt: string;
	closesAt: string;
	validFrom?: string | null;
	validTo?: string | null;
	notes?: string | null;
}

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** "9.00" or "9:00" → "09:00"; anything else unchanged (validation reports it). */
export function normalizeTime(v: string): string {
	const m = /^(\d{1,2})[:.](\d{2})$/.exec(v.trim());
	return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : v.trim();
}

export const compareSchedules = (a: ScheduleValue, b: ScheduleValue) =>
	a.weekday - b.weekday ||
	a.opensAt.localeCompare(b.opensAt) ||
	a.closesAt.localeCompare(b.closesAt) ||
	(a.validFrom ?? '').localeCompare(b.validFrom ?? '') ||
	(a.validTo ?? '').localeCompare(b.validTo ?? '') ||
	(a.notes ?? '').localeCompare(b.notes ?? '');
const sortSchedules = (list: readonly ScheduleValue[]) => [...list].sort(compareSchedules);

export function formatSchedules(list: readonly ScheduleValue[]): string {
	return sortSchedules(list)
		.map((s) => {
			let out = `${WEEKDAY_ABBR[s.weekday - 1]} ${s.opensAt}-${s.closesAt}`;
			if (s.validFrom) out += ` dal ${s.validFrom}`;
			if (s.validTo) out += ` al ${s.validTo}`;
			if (s.notes) out += ` (${s.notes})`;
			return out;
		})
		.join('; ');
}

const HOURS_RE =
	/^(?<day>[a-zà-ù]+)\.?\s+(?<ranges>\d{1,2}[:.]\d{2}\s*-\s*\d{1,2}[:.]\d{2}(?:\s*,\s*\d{1,2}[:.]\d{2}\s*-\s*\d{1,2}[:.]\d{2})*)(?:\s+dal\s+(?<from>\d{4}-\d{2}-\d{2}))?(?:\s+al\s+(?<to>\d{4}-\d{2}-\d{2}))?(?:\s*\((?<notes>[^()]*)\))?$/i;

/**
 * "lun 09:00-13:00; mer 14:00-17:00 (su appuntamento)"; also "lunedì 9.00-13.00, 14.30-17.00"
 * (several ranges for a day) and "dal/al YYYY-MM-DD" validity. Returns the entries it could not read.
 */
export function parseSchedules(cell: string): { values: ScheduleValue[]; bad: string[] } {
	const values: ScheduleValue[] = [];
	const bad: string[] = [];
	for (const entry of splitEntries(cell)) {
		const m = HOURS_RE.exec(entry);
		const day = m ? WEEKDAY_WORDS[m.groups!.day!.toLowerCase()] : undefined;
		if (!m || !day) {
			bad.push(entry);
			continue;
		}
		for (const range of m.groups!.ranges!.split(',')) {
			const [o, c] = range.split('-').map(normalizeTime) as [string, string];
			values.push({ weekday: day, opensAt: o, closesAt: c, validFrom: m.groups!.from ?? null, validTo: m.groups!.to ?? null, notes: m.groups!.notes?.trim() || null });
		}
	}
	return { values, bad };
}

// Phones ----------------------------------------------------------------------------------------

export const PHONE_TYPES = ['voice', 'cell', 'fax', 'text', 'video', 'pager', 'textphone'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];
export const PHONE_RE = /^\+?[0-9][0-9 ./-]{3,28}[0-9]$/;

export interface PhoneValue {
	number: string;
	extension?: string | null;
	type: PhoneType;
	description?: string | null;
	languages: string[];
}

export const sortPhones = <T extends PhoneValue>(list: readonly T[]) =>
	[...list].sort(
		(a, b) =>
			a.number.localeCompare(b.number) ||
			(a.extension ?? '').localeCompare(b.extension ?? '') ||
			a.type.localeCompare(b.type) ||
			(a.description ?? '').localeCompare(b.description ?? '') ||
			a.languages.join(',').localeCompare(b.languages.join(','))
	);

/** "0547 000001; 0547 000002 int. 12 (fax) [ar, fr] «Segreteria»" (voice is the default type). */
export function formatPhones(list: readonly PhoneValue[]): string {
	return sortPhones(list)
		.map((p) => {
			let out = p.number;
			if (p.extension) out += ` int. ${p.extension}`;
			if (p.type !== 'voice') out += ` (${p.type})`;
			if (p.languages.length) out += ` [${p.languages.join(', ')}]`;
			if (p.description) out += ` «${p.description}»`;
			return out;
		})
		.join('; ');
}

const PHONE_ENTRY_RE =
	/^(?<number>\+?[0-9][0-9 ./-]*[0-9])(?:\s+int\.?\s*(?<ext>\d{1,8}))?(?:\s*\((?<type>[a-z]+)\))?(?:\s*\[(?<langs>[^\]]*)\])?(?:\s*«(?<desc>[^«»]*)»)?$/i;

export function parsePhones(cell: string): { values: PhoneValue[]; bad: string[] } {
	const values: PhoneValue[] = [];
	const bad: string[] = [];
	for (const entry of splitEntries(cell)) {
		const m = PHONE_ENTRY_RE.exec(entry);
		const type = (m?.groups?.type?.toLowerCase() ?? 'voice') as PhoneType;
		if (!m || !PHONE_TYPES.includes(type)) {
			bad.push(entry);
			continue;
		}
		values.push({
			number: m.groups!.number!.replace(/\s+/g, ' '),
			extension: m.groups!.ext ?? null,
			type,
			description: m.groups!.desc?.trim() || null,
			languages: (m.groups!.langs ?? '')
				.split(/[,\s]+/)
				.map((s) => s.trim().toLowerCase())
				.filter(Boolean)
		});
	}
	return { values, bad };
}

// Languages -------------------------------------------------------------------------------------

export interface LanguageValue {
	code: string;
	name?: string | null;
	note?: string | null;
}

export const sortLanguages = <T extends LanguageValue>(list: readonly T[]) => [...list].sort((a, b) => a.code.localeCompare(b.code));

/** "ar; en; ti (solo il martedì)": codes, each with an optional note. */
export function formatLanguages(list: readonly LanguageValue[]): string {
	return sortLanguages(list)
		.map((l) => (l.note ? `${l.code} (${l.note})` : l.code))
		.join('; ');
}

export function parseLanguages(cell: string): { values: LanguageValue[]; bad: string[] } {
	const values: LanguageValue[] = [];
	const bad: string[] = [];
	for (const entry of splitEntries(cell)) {
		const m = /^(?<code>[A-Za-z]{2,3})(?:\s*\((?<note>[^()]*)\))?$/.exec(entry);
		if (!m) bad.push(entry);
		else values.push({ code: m.groups!.code!.toLowerCase(), note: m.groups!.note?.trim() || null });
	}
	return { values, bad };
}

// Contacts --------------------------------------------------------------------------------------

export interface ContactValue {
	name?: string | null;
	title?: string | null;
	department?: string | null;
	email?: string | null;
}

export const sortContacts = <T extends ContactValue>(list: readonly T[]) =>
	[...list].sort(
		(a, b) =>
			(a.name ?? '').localeCompare(b.name ?? '') ||
			(a.email ?? '').localeCompare(b.email ?? '') ||
			(a.title ?? '').localeCompare(b.title ?? '') ||
			(a.department ?? '').localeCompare(b.department ?? '')
	);

/** "Sportello accoglienza (referente) [Servizi sociali] <accoglienza@example.it>"; every part optional. */
export function formatContacts(list: readonly ContactValue[]): string {
	return sortContacts(list)
		.map((c) =>
			[c.name, c.title ? `(${c.title})` : null, c.department ? `[${c.department}]` : null, c.email ? `<${c.email}>` : null].filter(Boolean).join(' ')
		)
		.join('; ');
}

const CONTACT_RE = /^(?<name>[^()[\]<>«»]*?)\s*(?:\((?<title>[^()]*)\))?\s*(?:\[(?<dept>[^[\]]*)\])?\s*(?:<(?<email>[^<>]*)>)?$/;

export function parseContacts(cell: string): { values: ContactValue[]; bad: string[] } {
	const values: ContactValue[] = [];
	const bad: string[] = [];
	for (const entry of splitEntries(cell)) {
		const m = CONTACT_RE.exec(entry);
		if (!m) {
			bad.push(entry);
			continue;
		}
		const v = {
			name: m.groups!.name?.trim() || null,
			title: m.groups!.title?.trim() || null,
			department: m.groups!.dept?.trim() || null,
			email: m.groups!.email?.trim() || null
		};
		if (!v.name && !v.title && !v.department && !v.email) bad.push(entry);
		else values.push(v);
	}
	return { values, bad };
}

// Codes -----------------------------------------------------------------------------------------

/** "abitare; lavoro" (term codes, or names: the importer resolves them). */
export const formatCodes = (codes: readonly string[]) => [...codes].sort().join('; ');
export const parseCodes = (cell: string) => splitEntries(cell);

/** A location on OpenStreetMap, for the card's "map" link. */
export function mapLink(lat: number | null | undefined, lon: number | null | undefined): string | null {
	if (lat == null || lon == null) return null;
	return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}
