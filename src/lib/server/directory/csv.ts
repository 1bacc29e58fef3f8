/**
 * The directory as CSV, for spreadsheets: one row per service at a location (a service without
 * locations has one row with empty location columns). Columns and cell syntax are documented in
 * docs/directory-import.md. Export: UTF-8 with BOM, ";" as separator and CRLF (what Excel in an
 * Italian locale opens as columns). Import: ";" or "," (detected from the header), BOM or not.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Db } from '../db/client';
import { optionalTaxCode, optionalText, optionalUrl, optionalVatNumber, requiredText } from '../validation';
import {
	EXTERNAL_ID_RE,
	formatCodes,
	formatContacts,
	formatLanguages,
	formatPhones,
	formatSchedules,
	parseCodes,
	parseContacts,
	parseLanguages,
	parsePhones,
	parseSchedules,
	type ContactValue,
	type LanguageValue,
	type PhoneValue,
	type ScheduleValue
} from './format';
import { csvId, loadServiceAggregates } from './model';
import { contactInput, languageInput, locationShape, optionalDate, optionalEmail, phoneInput, scheduleInput, serviceFieldsShape } from './services';
import { emptyBatch, issuesOf, mergeRecord, type ImportBatch, type ImportLocation, type ImportOrganization, type ImportProblem } from './batch';

/** The columns, in order (docs/directory-import.md describes each). */
export const CSV_COLUMNS = [
	'service_id',
	'service_name',
	'service_alternate_name',
	'service_description',
	'service_status',
	'service_url',
	'service_email',
	'service_public',
	'eligibility_description',
	'minimum_age',
	'maximum_age',
	'fees_description',
	'application_process',
	'interpretation_services',
	'languages',
	'categories',
	'targets',
	'service_phones',
	'service_hours',
	'contacts',
	'assured_date',
	'assurer_email',
	'organization_id',
	'organization_name',
	'organization_alternate_name',
	'organization_description',
	'organization_email',
	'organization_website',
	'organization_tax_id',
	'organization_vat_number',
	'location_id',
	'location_type',
	'location_name',
	'location_description',
	'location_url',
	'address_1',
	'address_2',
	'city',
	'istat_code',
	'postal_code',
	'province',
	'region',
	'country',
	'district',
	'latitude',
	'longitude',
	'location_phones',
	'service_at_location_description',
	'location_hours'
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: CsvColumn[] = ['service_id', 'service_name', 'organization_id', 'organization_name'];

// ---------------------------------------------------------------------------------------------
// Export

export interface CsvExportOptions {
	/** ";" (default: Excel in Italian) or ",". */
	delimiter?: ';' | ',';
	/** Only services marked public, without who verified them (for anonymous readers). */
	publicOnly?: boolean;
}

const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** `GET /api/directory/export?format=csv`: the text, with its BOM. */
export async function exportCsv(db: Db, opts: CsvExportOptions = {}): Promise<string> {
	let aggregates = await loadServiceAggregates(db, { idOf: csvId });
	if (opts.publicOnly) aggregates = aggregates.filter((a) => a.service.isPublic);
	const rows: string[][] = [];
	for (const agg of aggregates) {
		const s = agg.service;
		const o = agg.organization;
		const codes = (taxonomy: string) => formatCodes(agg.terms.filter((t) => t.taxonomy === taxonomy).map((t) => t.code));
		const service: Record<string, string> = {
			service_id: csvId(s),
			service_name: s.name,
			service_alternate_name: cell(s.alternateName),
			service_description: cell(s.description),
			service_status: s.status,
			service_url: cell(s.url),
			service_email: cell(s.email),
			service_public: s.isPublic ? 'sì' : 'no',
			eligibility_description: cell(s.eligibilityDescription),
			minimum_age: cell(s.minimumAge),
			maximum_age: cell(s.maximumAge),
			fees_description: cell(s.feesDescription),
			application_process: cell(s.applicationProcess),
			interpretation_services: cell(s.interpretationServices),
			languages: formatLanguages(agg.languages),
			categories: codes('categoria'),
			targets: codes('destinatari'),
			service_phones: formatPhones(agg.phones),
			service_hours: formatSchedules(agg.schedules),
			contacts: formatContacts(agg.contacts),
			assured_date: cell(s.assuredDate),
			assurer_email: opts.publicOnly ? '' : cell(s.assurerEmail),
			organization_id: csvId(o),
			organization_name: o.name,
			organization_alternate_name: cell(o.alternateName),
			organization_description: cell(o.description),
			organization_email: cell(o.email),
			organization_website: cell(o.website),
			organization_tax_id: cell(o.taxId),
			organization_vat_number: cell(o.vatNumber)
		};
		const locations = agg.sals.length ? agg.sals : [null];
		for (const x of locations) {
			const l = x?.location;
			const row: Record<string, string> = {
				...service,
				location_id: l ? csvId(l) : '',
				location_type: l ? l.locationType : '',
				location_name: cell(l?.name),
				location_description: cell(l?.description),
				location_url: cell(l?.url),
				address_1: cell(l?.address1),
				address_2: cell(l?.address2),
				city: cell(l?.city),
				istat_code: cell(l?.istatCode),
				postal_code: cell(l?.postalCode),
				province: cell(l?.stateProvince),
				region: cell(l?.region),
				country: l ? l.country : '',
				district: cell(l?.district),
				latitude: cell(l?.latitude),
				longitude: cell(l?.longitude),
				location_phones: x ? formatPhones(x.locationPhones) : '',
				service_at_location_description: cell(x?.sal.description),
				location_hours: x ? formatSchedules(x.schedules) : ''
			};
			rows.push(CSV_COLUMNS.map((c) => row[c] ?? ''));
		}
	}
	return '\uFEFF' + stringify([[...CSV_COLUMNS], ...rows], { delimiter: opts.delimiter ?? ';', record_delimiter: 'windows', quoted_match: /^\s|\s$/ });
}

// ---------------------------------------------------------------------------------------------
// Import

/** The separator of the header line: the more frequent of ";" and "," outside quotes. */
function detectDelimiter(text: string): ';' | ',' {
	let semi = 0;
	let comma = 0;
	let quoted = false;
	for (const ch of text) {
		if (ch === '"') quoted = !quoted;
		else if (!quoted && (ch === '\n' || ch === '\r')) break;
		else if (!quoted && ch === ';') semi++;
		else if (!quoted && ch === ',') comma++;
	}
	return semi >= comma ? ';' : ',';
}

const STATUS_ALIASES: Record<string, string> = {
	attivo: 'active',
	attiva: 'active',
	inattivo: 'inactive',
	inattiva: 'inactive',
	sospeso: 'inactive',
	sospesa: 'inactive',
	cessato: 'defunct',
	cessata: 'defunct',
	'temporaneamente chiuso': 'temporarily closed',
	'temporaneamente chiusa': 'temporarily closed'
};

const serviceFields = z
	.object({ ...serviceFieldsShape, assuredDate: optionalDate, assurerEmail: optionalEmail })
	.refine((s) => s.minimumAge === undefined || s.maximumAge === undefined || s.minimumAge <= s.maximumAge, { message: 'error_directory_age_order', path: ['maximumAge'] });
const SERVICE_COLUMNS: Record<string, CsvColumn> = {
	name: 'service_name',
	alternateName: 'service_alternate_name',
	description: 'service_description',
	url: 'service_url',
	email: 'service_email',
	status: 'service_status',
	interpretationServices: 'interpretation_services',
	applicationProcess: 'application_process',
	feesDescription: 'fees_description',
	eligibilityDescription: 'eligibility_description',
	minimumAge: 'minimum_age',
	maximumAge: 'maximum_age',
	isPublic: 'service_public',
	assuredDate: 'assured_date',
	assurerEmail: 'assurer_email'
};

const organizationFields = z.object({
	name: requiredText(200),
	alternateName: optionalText(200),
	description: optionalText(4000),
	email: optionalEmail,
	website: optionalUrl,
	taxId: optionalTaxCode,
	vatNumber: optionalVatNumber
});
const ORGANIZATION_COLUMNS: Record<string, CsvColumn> = {
	name: 'organization_name',
	alternateName: 'organization_alternate_name',
	description: 'organization_description',
	email: 'organization_email',
	website: 'organization_website',
	taxId: 'organization_tax_id',
	vatNumber: 'organization_vat_number'
};

const { id: _id, phones: _phones, ...locationFieldShape } = locationShape;
const locationFields = z.object(locationFieldShape).superRefine((l, ctx) => {
	if ((l.latitude === undefined) !== (l.longitude === undefined)) ctx.addIssue({ code: 'custom', message: 'error_directory_coordinates', path: [l.latitude === undefined ? 'latitude' : 'longitude'] });
	if (l.locationType !== 'virtual' && !l.city) ctx.addIssue({ code: 'custom', message: 'error_required', path: ['city'] });
});
const LOCATION_COLUMNS: Record<string, CsvColumn> = {
	locationType: 'location_type',
	name: 'location_name',
	description: 'location_description',
	url: 'location_url',
	address1: 'address_1',
	address2: 'address_2',
	city: 'city',
	istatCode: 'istat_code',
	postalCode: 'postal_code',
	stateProvince: 'province',
	region: 'region',
	country: 'country',
	district: 'district',
	latitude: 'latitude',
	longitude: 'longitude'
};
const LOCATION_ONLY: CsvColumn[] = [...Object.values(LOCATION_COLUMNS), 'location_phones', 'service_at_location_description', 'location_hours'];

const u = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Reads a compound cell: entries it cannot read and entries that fail validation become problems. */
function compound<V, S extends z.ZodType>(
	raw: string,
	column: CsvColumn,
	row: number,
	problems: ImportProblem[],
	read: (cell: string) => { values: V[]; bad: string[] },
	schema: S,
	show: (v: V) => string
): z.output<S>[] {
	const { values, bad } = read(raw);
	for (const entry of bad) problems.push({ row, field: column, problem: 'error_directory_cell_syntax', detail: entry });
	const out: z.output<S>[] = [];
	for (const v of values) {
		// The cell readers say "absent" with null, the form schemas with undefined.
		const r = schema.safeParse(Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== null)));
		if (r.success) out.push(r.data);
		else problems.push(...issuesOf(r.error, row, () => column, show(v)));
	}
	return out;
}

/** Reads a CSV file into a batch; every row is checked, every problem reported. */
export function parseCsv(content: string): ImportBatch {
	const batch = emptyBatch();
	const text = content.replace(/^\uFEFF/, '');
	let records: string[][];
	try {
		records = parse(text, { delimiter: detectDelimiter(text), bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
	} catch (err) {
		batch.problems.push({ row: Number((err as { lines?: number }).lines ?? 0), field: '', problem: 'error_directory_csv', detail: (err as Error).message });
		return batch;
	}
	const [header, ...data] = records;
	if (!header) {
		batch.problems.push({ row: 0, field: '', problem: 'error_directory_csv_empty' });
		return batch;
	}
	const names = header.map((h) => h.trim().toLowerCase());
	const index = new Map<string, number>();
	names.forEach((h, i) => {
		if ((CSV_COLUMNS as readonly string[]).includes(h)) index.set(h, i);
		else if (h) batch.warnings.push({ row: 1, field: h, problem: 'error_directory_column_unknown' });
	});
	for (const c of REQUIRED_COLUMNS) if (!index.has(c)) batch.problems.push({ row: 1, field: c, problem: 'error_directory_column_missing' });
	const absent = CSV_COLUMNS.filter((c) => !index.has(c) && !REQUIRED_COLUMNS.includes(c));
	if (absent.length) batch.warnings.push({ row: 1, field: absent.join(', '), problem: 'error_directory_column_absent' });
	if (batch.problems.length) return batch;
	batch.rows = data.length;

	const services = new Map<string, { service: ImportBatch['services'][number]; key: string; locations: Set<string> }>();
	data.forEach((record, i) => {
		const row = i + 2;
		const get = (c: CsvColumn) => {
			const at = index.get(c);
			return at === undefined ? '' : (record[at] ?? '').trim();
		};
		const before = batch.problems.length;
		const problem = (field: CsvColumn, code: string, detail?: string) => batch.problems.push({ row, field, problem: code, ...(detail !== undefined ? { detail } : {}) });
		const id = (c: CsvColumn) => {
			const v = get(c);
			if (!v) problem(c, 'error_required');
			else if (!EXTERNAL_ID_RE.test(v)) problem(c, 'error_directory_external_id', v);
			return v;
		};
		const serviceRef = id('service_id');
		const orgRef = id('organization_id');

		// The service's own fields
		const statusRaw = get('service_status').toLowerCase();
		const fields = serviceFields.safeParse(
			Object.fromEntries(Object.entries(SERVICE_COLUMNS).map(([k, c]) => [k, c === 'service_status' ? (STATUS_ALIASES[statusRaw] ?? statusRaw) : get(c)]))
		);
		if (!fields.success) batch.problems.push(...issuesOf(fields.error, row, (p) => SERVICE_COLUMNS[String(p[0])] ?? String(p[0])));
		const languages = compound<LanguageValue, typeof languageInput>(get('languages'), 'languages', row, batch.problems, parseLanguages, languageInput, (v) => v.code);
		const phones = compound<PhoneValue, typeof phoneInput>(get('service_phones'), 'service_phones', row, batch.problems, parsePhones, phoneInput, (v) => v.number);
		const schedules = compound<ScheduleValue, typeof scheduleInput>(get('service_hours'), 'service_hours', row, batch.problems, parseSchedules, scheduleInput, (v) => formatSchedules([v]));
		const contacts = compound<ContactValue, typeof contactInput>(get('contacts'), 'contacts', row, batch.problems, parseContacts, contactInput, (v) => formatContacts([v]));
		const codes = languages.map((l) => l.code);
		codes.forEach((c, j) => codes.indexOf(c) !== j && problem('languages', 'error_directory_duplicate', c));

		// The organisation
		const org = organizationFields.safeParse(Object.fromEntries(Object.entries(ORGANIZATION_COLUMNS).map(([k, c]) => [k, get(c)])));
		if (!org.success) batch.problems.push(...issuesOf(org.error, row, (p) => ORGANIZATION_COLUMNS[String(p[0])] ?? String(p[0])));

		// The location, if the row has one
		const locationRef = get('location_id');
		let location: ImportLocation | null = null;
		if (!locationRef) {
			for (const c of LOCATION_ONLY) if (get(c)) problem('location_id', 'error_required', c);
		} else if (!EXTERNAL_ID_RE.test(locationRef)) problem('location_id', 'error_directory_external_id', locationRef);
		else {
			const l = locationFields.safeParse(Object.fromEntries(Object.entries(LOCATION_COLUMNS).map(([k, c]) => [k, get(c)])));
			if (!l.success) batch.problems.push(...issuesOf(l.error, row, (p) => LOCATION_COLUMNS[String(p[0])] ?? String(p[0])));
			const locationPhones = compound<PhoneValue, typeof phoneInput>(get('location_phones'), 'location_phones', row, batch.problems, parsePhones, phoneInput, (v) => v.number);
			if (l.success)
				location = {
					ref: locationRef,
					row,
					orgRef: orgRef || null,
					locationType: l.data.locationType,
					name: u(l.data.name),
					description: u(l.data.description),
					url: u(l.data.url),
					address1: u(l.data.address1),
					address2: u(l.data.address2),
					city: u(l.data.city),
					istatCode: u(l.data.istatCode),
					postalCode: u(l.data.postalCode),
					stateProvince: u(l.data.stateProvince),
					region: u(l.data.region),
					country: l.data.country,
					district: u(l.data.district),
					latitude: u(l.data.latitude),
					longitude: u(l.data.longitude),
					phones: locationPhones.map((p) => ({ number: p.number, extension: u(p.extension), type: p.type, description: u(p.description), languages: p.languages }))
				};
		}
		const salSchedules = locationRef
			? compound<ScheduleValue, typeof scheduleInput>(get('location_hours'), 'location_hours', row, batch.problems, parseSchedules, scheduleInput, (v) => formatSchedules([v]))
			: [];
		const salDescription = optionalText(1000).safeParse(get('service_at_location_description'));
		if (!salDescription.success) problem('service_at_location_description', 'error_too_long');

		if (batch.problems.length > before || !fields.success || !org.success) return;

		const organization: ImportOrganization = {
			ref: orgRef,
			row,
			name: org.data.name,
			alternateName: u(org.data.alternateName),
			description: u(org.data.description),
			email: u(org.data.email),
			website: u(org.data.website),
			taxId: u(org.data.taxId),
			vatNumber: u(org.data.vatNumber)
		};
		mergeRecord(batch.organizations, organization, batch.problems, (k) => ORGANIZATION_COLUMNS[k] ?? 'organization_id');
		if (location) {
			// The first service met at a location gives it its organisation.
			const known = batch.locations.get(location.ref);
			mergeRecord(batch.locations, known ? { ...location, orgRef: known.orgRef } : location, batch.problems, (k) => (k === 'phones' ? 'location_phones' : (LOCATION_COLUMNS[k] ?? 'location_id')));
		}

		const f = fields.data;
		const service = {
			ref: serviceRef,
			row,
			orgRef,
			name: f.name,
			alternateName: u(f.alternateName),
			description: u(f.description),
			url: u(f.url),
			email: u(f.email),
			status: f.status,
			interpretationServices: u(f.interpretationServices),
			applicationProcess: u(f.applicationProcess),
			feesDescription: u(f.feesDescription),
			eligibilityDescription: u(f.eligibilityDescription),
			minimumAge: u(f.minimumAge),
			maximumAge: u(f.maximumAge),
			isPublic: f.isPublic,
			assuredDate: u(f.assuredDate),
			assurerEmail: u(f.assurerEmail),
			languages: languages.map((l) => ({ code: l.code, name: u(l.name), note: u(l.note) })),
			terms: [
				...parseCodes(get('categories')).map((code) => ({ taxonomy: 'categoria' as const, code, field: 'categories' })),
				...parseCodes(get('targets')).map((code) => ({ taxonomy: 'destinatari' as const, code, field: 'targets' }))
			],
			phones: phones.map((p) => ({ number: p.number, extension: u(p.extension), type: p.type, description: u(p.description), languages: p.languages })),
			contacts: contacts.map((c) => ({ name: u(c.name), title: u(c.title), department: u(c.department), email: u(c.email) })),
			schedules: schedules.map((s) => ({ weekday: s.weekday, opensAt: s.opensAt, closesAt: s.closesAt, validFrom: u(s.validFrom), validTo: u(s.validTo), notes: u(s.notes) })),
			serviceAtLocations: [] as ImportBatch['services'][number]['serviceAtLocations']
		};
		// Rows of one service repeat its columns: they must agree.
		const { row: _row, serviceAtLocations: _sals, ...comparable } = service;
		const key = JSON.stringify(comparable);
		let entry = services.get(serviceRef);
		if (!entry) {
			entry = { service, key, locations: new Set() };
			services.set(serviceRef, entry);
			batch.services.push(service);
		} else if (entry.key !== key) {
			const first = entry.service as unknown as Record<string, unknown>;
			const mine = service as unknown as Record<string, unknown>;
			const columns = Object.keys(comparable).filter((k) => JSON.stringify(first[k]) !== JSON.stringify(mine[k]));
			for (const k of columns)
				batch.problems.push({ row, field: k === 'orgRef' ? 'organization_id' : k === 'terms' ? 'categories' : (SERVICE_COLUMNS[k] ?? CSV_FIELD_OF[k] ?? k), problem: 'error_directory_conflict', detail: String(entry.service.row) });
			return;
		}
		if (locationRef) {
			if (entry.locations.has(locationRef)) {
				problem('location_id', 'error_directory_duplicate', locationRef);
				return;
			}
			entry.locations.add(locationRef);
			entry.service.serviceAtLocations.push({
				ref: null,
				locationRef,
				description: u(salDescription.success ? salDescription.data : undefined),
				schedules: salSchedules.map((s) => ({ weekday: s.weekday, opensAt: s.opensAt, closesAt: s.closesAt, validFrom: u(s.validFrom), validTo: u(s.validTo), notes: u(s.notes) }))
			});
		}
	});
	return batch;
}

const CSV_FIELD_OF: Record<string, CsvColumn> = { languages: 'languages', phones: 'service_phones', schedules: 'service_hours', contacts: 'contacts' };
