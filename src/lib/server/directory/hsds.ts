/**
 * HSDS 3.0 JSON: the directory as an array of complete `service` objects (the shape the HSDS API
 * returns for /services/{id}), validated with Ajv against the official compiled schema
 * (hsds-schema/, vendored), and the same shape read back for imports.
 *
 * Ids: a record's HSDS id is its external id when that is a UUID, else ours (model.ts `hsdsId`).
 * Records with no identity of their own (phones, schedules, languages, contacts, addresses,
 * attributes, identifiers) get name-based UUIDs derived from their owner and their position in a
 * content-sorted list, so that exporting an imported export gives the same document.
 * Italian extras: location `istat_code` and `district`, service `is_public` travel as extra
 * fields; the P.IVA as an organization_identifier (scheme IT-IVA) beside tax_id (codice fiscale).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dirHistory, dirOrganizations, users, taxonomies, type Taxonomy } from '../db/schema';
import serviceSchema from './hsds-schema/service_with_definitions.json';
import {
	BYDAY,
	LANGUAGE_CODE_RE,
	LANGUAGE_NAMES,
	PHONE_TYPES,
	isRealDate,
	normalizeTime,
	TIME_RE,
	termUuid,
	uuidV5,
	type PhoneType,
	type PhoneValue,
	type ScheduleValue
} from './format';
import { hsdsId, loadServiceAggregates, type PhoneRow, type ScheduleRow, type ServiceAggregate } from './model';
import { emptyBatch, mergeRecord, type ImportBatch, type ImportLocation, type ImportOrganization, type ImportService, type ImportTerm } from './batch';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Validation

let validator: ValidateFunction | undefined;

/** The compiled HSDS `service` validator (Ajv, draft-07, strict off for HSDS's own keywords). */
export function hsdsValidator(): ValidateFunction {
	if (!validator) {
		const ajv = new Ajv({ strict: false, allErrors: true });
		addFormats(ajv);
		validator = ajv.compile(serviceSchema as object);
	}
	return validator;
}

/** Schema errors of one service object (empty when it validates). */
export function validateHsdsService(doc: unknown): ErrorObject[] {
	const validate = hsdsValidator();
	return validate(doc) ? [] : [...(validate.errors ?? [])];
}

const TAXONOMY_DESCRIPTIONS: Record<Taxonomy, string> = {
	categoria: 'Categorie dei servizi della rubrica INTARSI',
	destinatari: 'Destinatari dei servizi della rubrica INTARSI'
};

// ---------------------------------------------------------------------------------------------
// Export

export interface HsdsExportOptions {
	/** Only services marked public, without who verified them (for anonymous readers). */
	publicOnly?: boolean;
	/** Add each record's change history as HSDS `metadata` (not part of the round trip). */
	includeHistory?: boolean;
}

/** Only the fields that have a value: HSDS types are not nullable. */
function compact(o: Json): Json {
	const out: Json = {};
	for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
	return out;
}

const extensionNumber = (ext: string | null) => (ext && /^\d+$/.test(ext) ? Number(ext) : null);

function phoneDoc(p: PhoneRow, id: string, owner: Json): Json {
	return compact({
		id,
		...owner,
		number: p.number,
		extension: extensionNumber(p.extension),
		type: p.type,
		description: p.description,
		languages: p.languages.map((code) => ({ id: uuidV5(`phone_language:${id}:${code}`), phone_id: id, code, name: LANGUAGE_NAMES[code] ?? code }))
	});
}

function scheduleDoc(s: ScheduleRow, id: string, owner: Json): Json {
	return compact({
		id,
		...owner,
		freq: 'WEEKLY',
		wkst: 'MO',
		byday: BYDAY[s.weekday - 1],
		opens_at: s.opensAt,
		closes_at: s.closesAt,
		valid_from: s.validFrom,
		valid_to: s.validTo,
		notes: s.notes
	});
}

type HistoryEntry = typeof dirHistory.$inferSelect & { email: string | null };

function metadataDocs(history: Map<string, HistoryEntry[]> | null, resourceId: string, exportedId: string): Json | null {
	if (!history) return null;
	return {
		metadata: (history.get(resourceId) ?? []).map((h) => ({
			id: h.id,
			resource_id: exportedId,
			resource_type: h.resourceType,
			last_action_date: h.lastActionDate.toISOString(),
			last_action_type: h.lastActionType,
			field_name: h.fieldName ?? '',
			previous_value: h.previousValue ?? '',
			replacement_value: h.replacementValue ?? '',
			updated_by: h.email ?? h.updatedBy ?? ''
		}))
	};
}

/** One HSDS service object of an aggregate. */
export function serviceDoc(agg: ServiceAggregate, history: Map<string, HistoryEntry[]> | null = null, organizationIds?: Map<string, string>): Json {
	const s = agg.service;
	const o = agg.organization;
	const sid = hsdsId(s);
	const oid = hsdsId(o);
	const identifiers = [
		o.taxId ? { scheme: 'IT-CF', type: 'codice fiscale', value: o.taxId } : null,
		o.vatNumber ? { scheme: 'IT-IVA', type: 'partita IVA', value: o.vatNumber } : null
	]
		.filter((x) => x !== null)
		.map((x) => ({ id: uuidV5(`organization_identifier:${oid}:${x.scheme}`), organization_id: oid, identifier_scheme: x.scheme, identifier_type: x.type, identifier: x.value }));
	const organization = compact({
		id: oid,
		name: o.name,
		alternate_name: o.alternateName,
		description: o.description ?? '',
		email: o.email,
		website: o.website,
		tax_id: o.taxId,
		organization_identifiers: identifiers.length ? identifiers : null,
		...metadataDocs(history, o.id, oid)
	});
	const serviceAtLocations = agg.sals.map(({ sal, location: l, locationPhones, schedules }) => {
		const lid = hsdsId(l);
		const salId = hsdsId(sal);
		const hasAddress = !!(l.address1 || l.address2 || l.city || l.postalCode || l.stateProvince || l.region || l.country !== 'IT');
		const location = compact({
			id: lid,
			location_type: l.locationType,
			organization_id: l.organizationId === o.id ? oid : l.organizationId ? (organizationIds?.get(l.organizationId) ?? null) : null,
			name: l.name,
			description: l.description,
			url: l.url,
			latitude: l.latitude,
			longitude: l.longitude,
			addresses: hasAddress
				? [
						compact({
							id: uuidV5(`address:${lid}`),
							location_id: lid,
							address_1: l.address1 ?? '',
							address_2: l.address2,
							city: l.city ?? '',
							region: l.region,
							state_province: l.stateProvince ?? '',
							postal_code: l.postalCode ?? '',
							country: l.country,
							address_type: l.locationType
						})
					]
				: null,
			phones: locationPhones.map((p, i) => phoneDoc(p, uuidV5(`location_phone:${lid}:${i}`), { location_id: lid })),
			istat_code: l.istatCode,
			district: l.district,
			...metadataDocs(history, l.id, lid)
		});
		return compact({
			id: salId,
			service_id: sid,
			location_id: lid,
			description: sal.description,
			schedules: schedules.map((x, i) => scheduleDoc(x, uuidV5(`sal_schedule:${salId}:${i}`), { service_at_location_id: salId })),
			location
		});
	});
	return compact({
		id: sid,
		organization_id: oid,
		name: s.name,
		alternate_name: s.alternateName,
		description: s.description,
		url: s.url,
		email: s.email,
		status: s.status,
		interpretation_services: s.interpretationServices,
		application_process: s.applicationProcess,
		fees_description: s.feesDescription,
		eligibility_description: s.eligibilityDescription,
		minimum_age: s.minimumAge,
		maximum_age: s.maximumAge,
		assured_date: s.assuredDate,
		assurer_email: s.assurerEmail,
		is_public: s.isPublic,
		organization,
		service_at_locations: serviceAtLocations,
		phones: agg.phones.map((p, i) => phoneDoc(p, uuidV5(`service_phone:${sid}:${i}`), { service_id: sid })),
		schedules: agg.schedules.map((x, i) => scheduleDoc(x, uuidV5(`service_schedule:${sid}:${i}`), { service_id: sid })),
		languages: agg.languages.map((l) => compact({ id: uuidV5(`language:${sid}:${l.code}`), service_id: sid, code: l.code, name: l.name ?? LANGUAGE_NAMES[l.code] ?? l.code, note: l.note })),
		contacts: agg.contacts.map((c, i) => compact({ id: uuidV5(`contact:${sid}:${i}`), service_id: sid, name: c.name, title: c.title, department: c.department, email: c.email })),
		attributes: agg.terms.map((t) => {
			const termId = termUuid(t.taxonomy, t.code);
			const taxonomyId = uuidV5(`taxonomy:${t.taxonomy}`);
			return {
				id: uuidV5(`attribute:${sid}:${termId}`),
				link_id: sid,
				link_type: 'service',
				link_entity: 'service',
				taxonomy_term_id: termId,
				taxonomy_term: compact({
					id: termId,
					code: t.code,
					name: t.name,
					description: t.description ?? '',
					taxonomy: t.taxonomy,
					language: 'it',
					taxonomy_id: taxonomyId,
					taxonomy_detail: { id: taxonomyId, name: t.taxonomy, description: TAXONOMY_DESCRIPTIONS[t.taxonomy] }
				})
			};
		}),
		...metadataDocs(history, s.id, sid)
	});
}

async function loadHistory(db: Db, aggregates: ServiceAggregate[]): Promise<Map<string, HistoryEntry[]>> {
	const ids = [...new Set(aggregates.flatMap((a) => [a.service.id, a.organization.id, ...a.sals.map((x) => x.location.id)]))];
	const map = new Map<string, HistoryEntry[]>();
	for (let i = 0; i < ids.length; i += 500) {
		const rows = await db.select().from(dirHistory).where(inArray(dirHistory.resourceId, ids.slice(i, i + 500)));
		const people = [...new Set(rows.map((r) => r.updatedBy).filter((x): x is string => !!x))];
		const emails = new Map(people.length ? (await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, people))).map((u) => [u.id, u.email]) : []);
		for (const r of rows.sort((a, b) => a.lastActionDate.getTime() - b.lastActionDate.getTime() || (a.fieldName ?? '').localeCompare(b.fieldName ?? ''))) {
			const list = map.get(r.resourceId) ?? [];
			list.push({ ...r, email: r.updatedBy ? (emails.get(r.updatedBy) ?? null) : null });
			map.set(r.resourceId, list);
		}
	}
	return map;
}

/** The directory as HSDS service objects, each validated against the schema (a failure is a bug). */
export async function buildHsds(db: Db, opts: HsdsExportOptions = {}): Promise<Json[]> {
	let aggregates = await loadServiceAggregates(db, { idOf: hsdsId });
	if (opts.publicOnly) aggregates = aggregates.filter((a) => a.service.isPublic);
	const history = opts.includeHistory ? await loadHistory(db, aggregates) : null;
	const organizationIds = new Map((await db.select({ id: dirOrganizations.id, externalId: dirOrganizations.externalId }).from(dirOrganizations)).map((o) => [o.id, hsdsId(o)]));
	// For anonymous readers, who verified a record stays inside the network.
	const docs = aggregates.map((a) => serviceDoc(opts.publicOnly ? { ...a, service: { ...a.service, assurerEmail: null } } : a, history, organizationIds));
	for (const doc of docs) {
		const errors = validateHsdsService(doc);
		if (errors.length) throw new Error(`HSDS export of service ${String(doc.id)} does not validate: ${JSON.stringify(errors.slice(0, 3))}`);
	}
	return docs;
}

/** `GET /api/directory/export?format=hsds`: the JSON text (UTF-8, pretty-printed, final newline). */
export async function exportHsds(db: Db, opts: HsdsExportOptions = {}): Promise<string> {
	return JSON.stringify(await buildHsds(db, opts), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Import: any document that validates against the schema is accepted; what our model cannot hold
// is reported as a warning, never silently.

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

const LANGUAGE_BY_NAME = new Map<string, string>([
	...Object.entries(LANGUAGE_NAMES).map(([code, name]) => [name.toLowerCase(), code] as [string, string]),
	...(
		[
			['italian', 'it'], ['english', 'en'], ['french', 'fr'], ['spanish', 'es'], ['portuguese', 'pt'], ['german', 'de'], ['arabic', 'ar'],
			['tigrinya', 'ti'], ['amharic', 'am'], ['somali', 'so'], ['urdu', 'ur'], ['bengali', 'bn'], ['chinese', 'zh'], ['russian', 'ru'],
			['ukrainian', 'uk'], ['romanian', 'ro'], ['albanian', 'sq'], ['persian', 'fa'], ['farsi', 'fa'], ['pashto', 'ps'], ['turkish', 'tr']
		] as [string, string][]
	)
]);

function languageCodeOf(l: Json): string | null {
	const code = str(l.code)?.toLowerCase();
	if (code && LANGUAGE_CODE_RE.test(code)) return code;
	const byName = str(l.name) ? LANGUAGE_BY_NAME.get(str(l.name)!.toLowerCase()) : undefined;
	return byName ?? null;
}

const PHONE_TYPE_ALIASES: Record<string, PhoneType> = { mobile: 'cell', cellulare: 'cell', telefono: 'voice', phone: 'voice', sms: 'text', tty: 'textphone' };

function phoneValueOf(p: Json, warn: (field: string, problem: string, detail?: string) => void, path: string): PhoneValue | null {
	const number = str(p.number);
	if (!number) return null;
	const rawType = str(p.type)?.toLowerCase() ?? 'voice';
	const type = (PHONE_TYPES as readonly string[]).includes(rawType) ? (rawType as PhoneType) : PHONE_TYPE_ALIASES[rawType];
	if (!type) warn(`${path}/type`, 'error_directory_hsds_value_replaced', rawType);
	const ext = typeof p.extension === 'number' ? String(Math.trunc(p.extension)) : str(p.extension);
	return {
		number,
		extension: ext,
		type: type ?? 'voice',
		description: str(p.description),
		languages: [...new Set(arr(p.languages).map(languageCodeOf).filter((c): c is string => !!c))]
	};
}

function schedulesOf(list: Json[], warn: (field: string, problem: string, detail?: string) => void, path: string): ScheduleValue[] {
	const out: ScheduleValue[] = [];
	list.forEach((s, i) => {
		const opens = str(s.opens_at) ? normalizeTime(str(s.opens_at)!.slice(0, 5)) : null;
		const closes = str(s.closes_at) ? normalizeTime(str(s.closes_at)!.slice(0, 5)) : null;
		const freq = str(s.freq)?.toUpperCase();
		const days = (str(s.byday) ?? '')
			.split(',')
			.map((d) => d.trim().toUpperCase())
			.filter(Boolean);
		const weekdays = days.map((d) => BYDAY.indexOf(d as (typeof BYDAY)[number]) + 1);
		if ((freq && freq !== 'WEEKLY') || !opens || !closes || !TIME_RE.test(opens) || !TIME_RE.test(closes) || opens >= closes || !weekdays.length || weekdays.includes(0)) {
			warn(`${path}/${i}`, 'error_directory_hsds_schedule_skipped', [str(s.byday), str(s.opens_at), str(s.closes_at), str(s.description)].filter(Boolean).join(' '));
			return;
		}
		const validFrom = str(s.valid_from)?.slice(0, 10) ?? null;
		const validTo = str(s.valid_to)?.slice(0, 10) ?? null;
		for (const weekday of weekdays)
			out.push({
				weekday,
				opensAt: opens,
				closesAt: closes,
				validFrom: validFrom && isRealDate(validFrom) ? validFrom : null,
				validTo: validTo && isRealDate(validTo) ? validTo : null,
				notes: str(s.notes) ?? str(s.description)
			});
	});
	return out;
}

const slug = (s: string) =>
	s
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '')
		.slice(0, 60);

/** HSDS fields our model does not keep: reported once per service when they carry something. */
const NOT_KEPT = ['service_areas', 'funding', 'cost_options', 'program', 'program_id', 'required_documents', 'wait_time', 'accreditations', 'licenses', 'alert'];

/** Reads an HSDS document (array of services, a paginated list, or one service) into a batch. */
export function parseHsds(content: string): ImportBatch {
	const batch = emptyBatch();
	let parsed: unknown;
	try {
		parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
	} catch (err) {
		batch.problems.push({ row: 0, field: '', problem: 'error_directory_json', detail: (err as Error).message });
		return batch;
	}
	const list = Array.isArray(parsed) ? parsed : obj(parsed) && Array.isArray((parsed as Json).contents) ? ((parsed as Json).contents as unknown[]) : obj(parsed) ? [parsed] : null;
	if (!list) {
		batch.problems.push({ row: 0, field: '', problem: 'error_directory_hsds_array' });
		return batch;
	}
	batch.rows = list.length;
	const seen = new Map<string, number>();
	list.forEach((item, index) => {
		const row = index + 1;
		const errors = validateHsdsService(item);
		if (errors.length) {
			for (const e of errors.slice(0, 20))
				batch.problems.push({
					row,
					field: [...e.instancePath.split('/'), e.keyword === 'required' ? String(e.params.missingProperty) : ''].filter(Boolean).join('/'),
					problem: 'error_directory_hsds_schema',
					detail: e.message ?? e.keyword
				});
			return;
		}
		const s = item as Json;
		const ref = (s.id as string).toLowerCase();
		if (seen.has(ref)) {
			batch.problems.push({ row, field: 'id', problem: 'error_directory_duplicate', detail: String(seen.get(ref)) });
			return;
		}
		seen.set(ref, row);
		const warn = (field: string, problem: string, detail?: string) => batch.warnings.push({ row, field, problem, ...(detail ? { detail } : {}) });

		// Organisation: nested, or known by id (in this file or in the database).
		const o = obj(s.organization);
		const orgRef = (str(o?.id) ?? str(s.organization_id))?.toLowerCase();
		if (!orgRef) {
			batch.problems.push({ row, field: 'organization', problem: 'error_required' });
			return;
		}
		if (o) {
			const ids = arr(o.organization_identifiers);
			const idOf = (re: RegExp) => ids.find((x) => re.test(`${str(x.identifier_scheme) ?? ''} ${str(x.identifier_type) ?? ''}`))?.identifier;
			const org: ImportOrganization = {
				ref: orgRef,
				row,
				name: str(o.name) ?? '',
				alternateName: str(o.alternate_name),
				description: str(o.description),
				email: str(o.email),
				website: str(o.website),
				taxId: str(o.tax_id) ?? str(idOf(/IT-CF|codice fiscale/i)),
				vatNumber: str(idOf(/IT-IVA|IT-PIVA|partita iva|\bvat\b/i))
			};
			if (!org.name) batch.problems.push({ row, field: 'organization/name', problem: 'error_required' });
			mergeRecord(batch.organizations, org, batch.problems, (k) => `organization/${k}`);
		}

		const serviceAtLocations: ImportService['serviceAtLocations'] = [];
		arr(s.service_at_locations).forEach((sal, i) => {
			const path = `service_at_locations/${i}`;
			const l = obj(sal.location);
			const locationRef = (str(l?.id) ?? str(sal.location_id))?.toLowerCase();
			if (!locationRef) {
				batch.problems.push({ row, field: `${path}/location`, problem: 'error_required' });
				return;
			}
			if (serviceAtLocations.some((x) => x.locationRef === locationRef)) {
				batch.problems.push({ row, field: `${path}/location_id`, problem: 'error_directory_duplicate', detail: locationRef });
				return;
			}
			if (l) {
				const addresses = arr(l.addresses);
				const a = addresses.find((x) => x.address_type === 'physical') ?? addresses[0] ?? {};
				if (addresses.length > 1) warn(`${path}/location/addresses`, 'error_directory_hsds_extra_addresses', String(addresses.length));
				const phones = [...arr(l.phones), ...arr(sal.phones)]
					.map((p, j) => phoneValueOf(p, warn, `${path}/location/phones/${j}`))
					.filter((p): p is PhoneValue => !!p);
				const location: ImportLocation = {
					ref: locationRef,
					row,
					orgRef: str(l.organization_id)?.toLowerCase() ?? null,
					locationType: (str(l.location_type) as ImportLocation['locationType']) ?? 'physical',
					name: str(l.name),
					description: str(l.description),
					url: str(l.url),
					address1: str(a.address_1),
					address2: str(a.address_2),
					city: str(a.city),
					istatCode: str(l.istat_code),
					postalCode: str(a.postal_code),
					stateProvince: str(a.state_province),
					region: str(a.region),
					country: str(a.country)?.toUpperCase() ?? 'IT',
					district: str(l.district),
					latitude: num(l.latitude),
					longitude: num(l.longitude),
					phones
				};
				mergeRecord(batch.locations, location, batch.problems, (k) => `${path}/location/${k}`);
			}
			serviceAtLocations.push({
				ref: str(sal.id)?.toLowerCase() ?? null,
				locationRef,
				description: str(sal.description),
				schedules: schedulesOf(arr(sal.schedules), warn, `${path}/schedules`)
			});
		});

		const terms: ImportTerm[] = [];
		arr(s.attributes).forEach((a, i) => {
			const t = obj(a.taxonomy_term);
			const taxonomy = str(t?.taxonomy) ?? str(obj(t?.taxonomy_detail)?.name);
			if (!t || !taxonomy || !(taxonomies as readonly string[]).includes(taxonomy)) {
				warn(`attributes/${i}`, 'error_directory_hsds_taxonomy_skipped', [taxonomy, str(t?.name) ?? str(a.taxonomy_term_id)].filter(Boolean).join(': '));
				return;
			}
			const code = str(t.code)?.toLowerCase() ?? slug(str(t.name) ?? '');
			if (!code) return;
			terms.push({ taxonomy: taxonomy as Taxonomy, code, name: str(t.name) ?? code, description: str(t.description), field: `attributes/${i}` });
		});

		const languages = arr(s.languages)
			.map((l, i) => {
				const code = languageCodeOf(l);
				if (!code) warn(`languages/${i}`, 'error_directory_language', str(l.name) ?? str(l.code) ?? '');
				return code ? { code, name: str(l.name), note: str(l.note) } : null;
			})
			.filter((l): l is NonNullable<typeof l> => !!l)
			.filter((l, i, all) => all.findIndex((x) => x.code === l.code) === i);

		for (const key of NOT_KEPT) {
			const v = s[key];
			if ((Array.isArray(v) && v.length) || (typeof v === 'string' && v.trim()) || (v && typeof v === 'object' && !Array.isArray(v))) warn(key, 'error_directory_hsds_not_kept');
		}
		if (arr(s.contacts).some((c) => arr(c.phones).length)) warn('contacts', 'error_directory_hsds_not_kept', 'phones');
		const age = (v: unknown) => (num(v) === null ? null : Math.round(num(v)!));
		const assured = str(s.assured_date)?.slice(0, 10) ?? null;
		if (assured && !isRealDate(assured)) warn('assured_date', 'error_directory_date', str(s.assured_date)!);

		batch.services.push({
			ref,
			row,
			orgRef,
			name: str(s.name) ?? '',
			alternateName: str(s.alternate_name),
			description: str(s.description),
			url: str(s.url),
			email: str(s.email),
			status: s.status as ImportService['status'],
			interpretationServices: str(s.interpretation_services),
			applicationProcess: str(s.application_process),
			feesDescription: str(s.fees_description) ?? str(s.fees),
			eligibilityDescription: str(s.eligibility_description),
			minimumAge: age(s.minimum_age),
			maximumAge: age(s.maximum_age),
			isPublic: typeof s.is_public === 'boolean' ? s.is_public : true,
			assuredDate: assured && isRealDate(assured) ? assured : null,
			assurerEmail: str(s.assurer_email)?.toLowerCase() ?? null,
			languages,
			terms,
			phones: arr(s.phones)
				.map((p, i) => phoneValueOf(p, warn, `phones/${i}`))
				.filter((p): p is PhoneValue => !!p),
			contacts: arr(s.contacts)
				.map((c) => ({ name: str(c.name), title: str(c.title), department: str(c.department), email: str(c.email)?.toLowerCase() ?? null }))
				.filter((c) => c.name || c.title || c.department || c.email),
			schedules: schedulesOf(arr(s.schedules), warn, 'schedules'),
			serviceAtLocations
		});
		if (!str(s.name)) batch.problems.push({ row, field: 'name', problem: 'error_required' });
	});
	return batch;
}
