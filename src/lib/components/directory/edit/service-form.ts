/**
 * The service form's values as the browser holds them (strings, nested rows) and their way to and
 * from a submitted form. Field names are paths ("locations.0.schedules.2.opensAt"), the same paths
 * zod reports errors on, so an error lands next to its field. Shared by the pages (server) and the
 * form components (browser): nothing here touches the database.
 */

export interface PhoneValues {
	number: string;
	extension: string;
	type: string;
	description: string;
	/** ISO 639 codes, comma-separated as typed. */
	languages: string;
}
export interface ScheduleValues {
	weekday: string;
	opensAt: string;
	closesAt: string;
	validFrom: string;
	validTo: string;
	notes: string;
}
export interface ContactValues {
	name: string;
	title: string;
	department: string;
	email: string;
}
export interface LanguageValues {
	code: string;
	name: string;
	note: string;
}
export interface LocationValues {
	/** An existing location (updated in place), or '' for a new one. */
	id: string;
	locationType: string;
	name: string;
	description: string;
	url: string;
	address1: string;
	address2: string;
	city: string;
	istatCode: string;
	postalCode: string;
	stateProvince: string;
	region: string;
	country: string;
	district: string;
	latitude: string;
	longitude: string;
	serviceDescription: string;
	phones: PhoneValues[];
	schedules: ScheduleValues[];
}
export interface ServiceFormValues {
	organizationId: string;
	name: string;
	alternateName: string;
	description: string;
	url: string;
	email: string;
	status: string;
	interpretationServices: string;
	applicationProcess: string;
	feesDescription: string;
	eligibilityDescription: string;
	minimumAge: string;
	maximumAge: string;
	isPublic: boolean;
	categories: string[];
	targets: string[];
	languages: LanguageValues[];
	phones: PhoneValues[];
	contacts: ContactValues[];
	schedules: ScheduleValues[];
	locations: LocationValues[];
	/** Edit only: "I confirm the data are verified". */
	verify: boolean;
}

/** The collections a person adds rows to, and the rows' empty values. */
export const ROW_KINDS = ['languages', 'phones', 'contacts', 'schedules', 'locations'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

export const emptyPhone = (): PhoneValues => ({ number: '', extension: '', type: 'voice', description: '', languages: '' });
export const emptySchedule = (weekday = '1'): ScheduleValues => ({ weekday, opensAt: '', closesAt: '', validFrom: '', validTo: '', notes: '' });
export const emptyContact = (): ContactValues => ({ name: '', title: '', department: '', email: '' });
export const emptyLanguage = (): LanguageValues => ({ code: '', name: '', note: '' });
export const emptyLocation = (): LocationValues => ({
	id: '',
	locationType: 'physical',
	name: '',
	description: '',
	url: '',
	address1: '',
	address2: '',
	city: '',
	istatCode: '',
	postalCode: '',
	stateProvince: '',
	region: 'Emilia-Romagna',
	country: 'IT',
	district: '',
	latitude: '',
	longitude: '',
	serviceDescription: '',
	phones: [],
	schedules: []
});

const EMPTY_ROWS: Record<RowKind, () => object> = {
	languages: emptyLanguage,
	phones: emptyPhone,
	contacts: emptyContact,
	schedules: emptySchedule,
	locations: emptyLocation
};

export function emptyService(organizationId = ''): ServiceFormValues {
	return {
		organizationId,
		name: '',
		alternateName: '',
		description: '',
		url: '',
		email: '',
		status: 'active',
		interpretationServices: '',
		applicationProcess: '',
		feesDescription: '',
		eligibilityDescription: '',
		minimumAge: '',
		maximumAge: '',
		isPublic: true,
		categories: [],
		targets: [],
		languages: [],
		phones: [],
		contacts: [],
		schedules: [],
		locations: [],
		verify: false
	};
}

// ---------------------------------------------------------------------------------------------
// From the data layer (getServiceForEdit) to form values

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

type Loose = Record<string, unknown>;
const list = (v: unknown): Loose[] => (Array.isArray(v) ? (v as Loose[]) : []);

const phoneFrom = (p: Loose): PhoneValues => ({
	number: s(p.number),
	extension: s(p.extension),
	type: s(p.type) || 'voice',
	description: s(p.description),
	languages: Array.isArray(p.languages) ? (p.languages as string[]).join(', ') : s(p.languages)
});
const scheduleFrom = (x: Loose): ScheduleValues => ({ weekday: s(x.weekday) || '1', opensAt: s(x.opensAt), closesAt: s(x.closesAt), validFrom: s(x.validFrom), validTo: s(x.validTo), notes: s(x.notes) });

export function locationFrom(l: Loose): LocationValues {
	const base = emptyLocation();
	const out = { ...base } as unknown as Record<string, unknown>;
	for (const k of Object.keys(base) as (keyof LocationValues)[]) if (k !== 'phones' && k !== 'schedules') out[k] = k in l ? s(l[k]) : base[k];
	out.phones = list(l.phones).map(phoneFrom);
	out.schedules = list(l.schedules).map(scheduleFrom);
	if (!out.locationType) out.locationType = 'physical';
	if (!out.country) out.country = 'IT';
	return out as unknown as LocationValues;
}

/** Form values from the shape `getServiceForEdit` returns (or any partial of it). */
export function serviceFormFrom(v: Loose): ServiceFormValues {
	const base = emptyService();
	return {
		...base,
		organizationId: s(v.organizationId),
		name: s(v.name),
		alternateName: s(v.alternateName),
		description: s(v.description),
		url: s(v.url),
		email: s(v.email),
		status: s(v.status) || 'active',
		interpretationServices: s(v.interpretationServices),
		applicationProcess: s(v.applicationProcess),
		feesDescription: s(v.feesDescription),
		eligibilityDescription: s(v.eligibilityDescription),
		minimumAge: s(v.minimumAge),
		maximumAge: s(v.maximumAge),
		isPublic: v.isPublic === undefined ? true : v.isPublic === true,
		categories: Array.isArray(v.categories) ? (v.categories as unknown[]).map(String) : [],
		targets: Array.isArray(v.targets) ? (v.targets as unknown[]).map(String) : [],
		languages: list(v.languages).map((l) => ({ code: s(l.code), name: s(l.name), note: s(l.note) })),
		phones: list(v.phones).map(phoneFrom),
		contacts: list(v.contacts).map((c) => ({ name: s(c.name), title: s(c.title), department: s(c.department), email: s(c.email) })),
		schedules: list(v.schedules).map(scheduleFrom),
		locations: list(v.locations).map(locationFrom),
		verify: v.verify === true
	};
}

// ---------------------------------------------------------------------------------------------
// From a submitted form

const MAX_INDEX = 200;
/** Names that would reach Object.prototype. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * FormData with path names into a nested object: "a.0.b" → { a: [{ b }] }. Repeated names become
 * arrays. Indexes above MAX_INDEX and names with odd segments are ignored (a hand-made request
 * cannot make the server build huge arrays).
 */
export function nestFormData(form: FormData): Loose {
	const root: Loose = {};
	for (const [key, raw] of form.entries()) {
		if (typeof raw !== 'string') continue;
		const parts = key.split('.');
		if (parts.length > 6 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$|^\d{1,3}$/.test(p) || UNSAFE.has(p))) continue;
		let node: Loose = root;
		let ok = true;
		for (let i = 0; i < parts.length - 1; i++) {
			const part = parts[i]!;
			const nextIsIndex = /^\d+$/.test(parts[i + 1]!);
			if (/^\d+$/.test(part) && Number(part) > MAX_INDEX) {
				ok = false;
				break;
			}
			const child = Object.hasOwn(node, part) ? node[part] : undefined;
			if (child === undefined || typeof child !== 'object' || child === null) node[part] = nextIsIndex ? [] : {};
			node = node[part] as Loose;
		}
		const last = parts[parts.length - 1]!;
		if (!ok || (/^\d+$/.test(last) && Number(last) > MAX_INDEX)) continue;
		const prev = Object.hasOwn(node, last) ? node[last] : undefined;
		node[last] = prev === undefined ? raw : Array.isArray(prev) ? [...prev, raw] : [prev, raw];
	}
	return root;
}

/** Sparse arrays (a removed row's index left out) come back dense, in index order. */
const dense = (v: unknown): Loose[] => (Array.isArray(v) ? (v as unknown[]).filter((x): x is Loose => !!x && typeof x === 'object' && !Array.isArray(x)) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const on = (v: unknown) => {
	const x = first(v);
	return x === 'on' || x === 'true' || x === '1';
};

/** The service form as submitted, as form values (what is shown again after an error). */
export function readServiceForm(form: FormData): ServiceFormValues {
	const raw = nestFormData(form);
	const flat: Loose = {};
	for (const [k, v] of Object.entries(raw)) flat[k] = Array.isArray(v) && ROW_KINDS.includes(k as RowKind) ? dense(v) : k === 'categories' || k === 'targets' ? v : first(v);
	const values = serviceFormFrom({
		...flat,
		categories: strings(raw.categories),
		targets: strings(raw.targets),
		isPublic: on(raw.isPublic),
		verify: on(raw.verify),
		locations: dense(raw.locations).map((l) => ({ ...l, phones: dense(l.phones), schedules: dense(l.schedules) }))
	});
	return values;
}

const codes = (v: string) =>
	v
		.split(/[\s,;]+/)
		.map((c) => c.trim())
		.filter(Boolean);

const phoneInput = (p: PhoneValues) => ({ ...p, languages: codes(p.languages) });

/** What `serviceInput` parses: the form values with typed-in lists split. */
export function serviceInputFrom(v: ServiceFormValues): Loose {
	const { verify: _verify, ...rest } = v;
	return {
		...rest,
		phones: v.phones.map(phoneInput),
		locations: v.locations.map((l) => ({ ...l, phones: l.phones.map(phoneInput) }))
	};
}

/**
 * zod paths into a phone's languages point at one code ("phones.0.languages.1"): the form has one
 * field for them all. Errors keep the first message per field.
 */
export function fieldErrors(errors: Record<string, string>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(errors)) {
		const key = k.replace(/(phones\.\d+\.languages)\.\d+$/, '$1');
		if (!out[key]) out[key] = v;
	}
	return out;
}

/** A field's element id from its path ("locations.0.city" → "f-locations-0-city"). */
export const fieldId = (path: string) => `f-${path.replace(/\./g, '-')}`;

// ---------------------------------------------------------------------------------------------
// Rows added and removed without JavaScript: "add:locations.0.phones", "remove:phones.2"

const getAt = (root: unknown, path: string[]): unknown => path.reduce<unknown>((node, p) => (node && typeof node === 'object' ? (node as Loose)[p] : undefined), root);

/** Applies a row operation in place; returns the path of the row to focus, or null when invalid. */
export function applyRowOp(values: ServiceFormValues, op: string): string | null {
	const m = /^(add|remove):([A-Za-z0-9.]+)$/.exec(op);
	if (!m || m[2]!.split('.').some((p) => UNSAFE.has(p))) return null;
	const path = m[2]!.split('.');
	if (m[1] === 'add') {
		const kind = path[path.length - 1] as RowKind;
		if (!ROW_KINDS.includes(kind)) return null;
		if (kind === 'locations' && path.length !== 1) return null;
		const target = getAt(values, path);
		if (!Array.isArray(target) || target.length >= MAX_INDEX) return null;
		const lastRow = target[target.length - 1] as ScheduleValues | undefined;
		// A new opening-hours row starts on the day after the last one.
		target.push(kind === 'schedules' ? emptySchedule(lastRow ? String(Math.min(7, Number(lastRow.weekday) + 1)) : '1') : EMPTY_ROWS[kind]());
		return `${m[2]}.${target.length - 1}`;
	}
	const index = Number(path.pop());
	const target = getAt(values, path);
	if (!Array.isArray(target) || !Number.isInteger(index) || index < 0 || index >= target.length) return null;
	if (!ROW_KINDS.includes(path[path.length - 1] as RowKind)) return null;
	target.splice(index, 1);
	return path.join('.');
}
