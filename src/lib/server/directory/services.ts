/**
 * The service directory: organisations, services and their whole aggregate (locations,
 * service-at-locations, phones, contacts, schedules, languages, terms). Every write records its
 * HSDS metadata in dir_history field by field (previous → replacement value) and queues the
 * affected services for the search engine in the same transaction (search/outbox.ts).
 *
 * The writers (`writeOrganization`, `writeLocation`, `writeService`) are shared by the forms'
 * services below, the importer and the demo seed: one place decides what changed.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import {
	dirContacts,
	dirHistory,
	dirLanguages,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServiceAtLocations,
	dirServices,
	dirServiceTerms,
	dirTaxonomyTerms,
	locationTypes,
	notifications,
	organizations,
	serviceStatuses,
	users,
	type DirLocation,
	type DirOrganization,
	type DirService,
	type ServiceStatus
} from '../db/schema';
import { can, type Actor } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { enqueueSearch } from '../search/outbox';
import { announce } from '../notifications';
import { optionalTaxCode, optionalText, optionalUrl, optionalUuid, optionalVatNumber, requiredText, stripControl, uuidField } from '../validation';
import { romeDay } from '$lib/time/rome';
import {
	compareSchedules,
	formatContacts,
	formatLanguages,
	formatPhones,
	formatSchedules,
	isRealDate,
	isStale,
	LANGUAGE_CODE_RE,
	languageName,
	mapLink,
	monthsBefore,
	normalizeTime,
	PHONE_RE,
	PHONE_TYPES,
	RESERVED_CHARS,
	sortContacts,
	sortLanguages,
	sortPhones,
	STALE_MONTHS,
	TIME_RE,
	WEEKDAY_ABBR,
	type ContactValue,
	type LanguageValue,
	type PhoneValue,
	type ScheduleValue
} from './format';
import { loadServiceAggregates, locationLabel, phoneValue, type ServiceAggregate } from './model';
import { termIdsByCode } from './taxonomy';

// ---------------------------------------------------------------------------------------------
// Inputs (zod). Error messages are i18n keys.

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const trimmed = (v: unknown) => (typeof v === 'string' ? stripControl(v).trim() : v);

export const optionalEmail = z.preprocess(
	(v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : blankToUndefined(v)),
	z.email('error_email').max(254, 'error_too_long').optional()
);

const optionalInt = (min: number, max: number) =>
	z.preprocess(
		(v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim())) : blankToUndefined(v)),
		z.number('error_invalid').int('error_invalid').min(min, 'error_invalid').max(max, 'error_invalid').optional()
	);

const optionalNumber = (min: number, max: number) =>
	z.preprocess(
		(v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim().replace(',', '.'))) : blankToUndefined(v)),
		z.number('error_invalid').min(min, 'error_invalid').max(max, 'error_invalid').optional()
	);

/** Free text that sits inside a compound cell (hours notes, phone descriptions…): no ; ( ) [ ] « » < >. */
const embeddedText = (max: number) => optionalText(max).refine((v) => !v || !RESERVED_CHARS.test(v), 'error_directory_reserved_chars');

export const optionalDate = z.preprocess(
	(v) => (typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)),
	z.string().refine(isRealDate, 'error_directory_date').optional()
);

export const booleanish = (fallback: boolean) =>
	z.preprocess((v) => {
		if (typeof v === 'boolean') return v;
		if (v === undefined || v === null || v === '') return fallback;
		const s = String(v).trim().toLowerCase();
		if (['1', 'true', 'on', 'si', 'sì', 'yes', 'y', 's'].includes(s)) return true;
		if (['0', 'false', 'off', 'no', 'n'].includes(s)) return false;
		return v;
	}, z.boolean('error_invalid'));

const listOf = <T extends z.ZodType>(item: T, max: number) => z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : v), z.array(item).max(max, 'error_too_long'));

export const languageCode = z.preprocess(
	(v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
	z.string('error_required').regex(LANGUAGE_CODE_RE, 'error_directory_language')
);

export const phoneInput = z.object({
	number: z.preprocess((v) => (typeof v === 'string' ? stripControl(v).trim().replace(/\s+/g, ' ') : v), z.string('error_required').min(1, 'error_required').regex(PHONE_RE, 'error_directory_phone')),
	extension: z.preprocess((v) => (typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)), z.string().regex(/^\d{1,8}$/, 'error_directory_extension').optional()),
	type: z.preprocess((v) => blankToUndefined(typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(PHONE_TYPES, 'error_invalid').default('voice')),
	description: embeddedText(200),
	languages: listOf(languageCode, 30)
});
export type PhoneInput = z.output<typeof phoneInput>;

export const scheduleInput = z
	.object({
		weekday: z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number('error_required').int('error_invalid').min(1, 'error_invalid').max(7, 'error_invalid')),
		opensAt: z.preprocess((v) => (typeof v === 'string' ? normalizeTime(v) : v), z.string('error_required').regex(TIME_RE, 'error_directory_time')),
		closesAt: z.preprocess((v) => (typeof v === 'string' ? normalizeTime(v) : v), z.string('error_required').regex(TIME_RE, 'error_directory_time')),
		validFrom: optionalDate,
		validTo: optionalDate,
		notes: embeddedText(200)
	})
	.superRefine((s, ctx) => {
		if (s.opensAt >= s.closesAt) ctx.addIssue({ code: 'custom', message: 'error_directory_time_order', path: ['closesAt'] });
		if (s.validFrom && s.validTo && s.validFrom > s.validTo) ctx.addIssue({ code: 'custom', message: 'error_directory_date_order', path: ['validTo'] });
	});
export type ScheduleInput = z.output<typeof scheduleInput>;

export const languageInput = z.object({ code: languageCode, name: optionalText(100), note: embeddedText(200) });

export const contactInput = z
	.object({ name: embeddedText(200), title: embeddedText(200), department: embeddedText(200), email: optionalEmail })
	.refine((c) => !!(c.name || c.title || c.department || c.email), { message: 'error_required', path: ['name'] });

const padDigits = (v: string, length: number) => {
	const t = v.trim();
	return !t ? undefined : /^\d+$/.test(t) && t.length < length && t.length >= length - 2 ? t.padStart(length, '0') : t;
};

export const locationShape = {
	/** An existing location of the same organisation, updated and reused. */
	id: optionalUuid,
	locationType: z.preprocess((v) => blankToUndefined(trimmed(v)), z.enum(locationTypes, 'error_invalid').default('physical')),
	name: optionalText(200),
	description: optionalText(2000),
	url: optionalUrl,
	address1: optionalText(200),
	address2: optionalText(200),
	city: optionalText(120),
	// Spreadsheets drop leading zeros ("40007"): put them back.
	istatCode: z.preprocess((v) => (typeof v === 'string' ? padDigits(v, 6) : blankToUndefined(v)), z.string().regex(/^\d{6}$/, 'error_directory_istat').optional()),
	postalCode: z.preprocess((v) => (typeof v === 'string' ? padDigits(v, 5) : blankToUndefined(v)), z.string().regex(/^\d{5}$/, 'error_directory_postal_code').optional()),
	stateProvince: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() || undefined : blankToUndefined(v)), z.string().regex(/^[A-Z]{2}$/, 'error_directory_province').optional()),
	region: optionalText(100),
	country: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() || undefined : blankToUndefined(v)), z.string().regex(/^[A-Z]{2}$/, 'error_directory_country').default('IT')),
	district: optionalText(120),
	latitude: optionalNumber(-90, 90),
	longitude: optionalNumber(-180, 180),
	phones: listOf(phoneInput, 20)
};

type LocationShape = z.output<z.ZodObject<typeof locationShape>>;
function refineLocation(l: LocationShape, ctx: z.RefinementCtx) {
	if ((l.latitude === undefined) !== (l.longitude === undefined)) ctx.addIssue({ code: 'custom', message: 'error_directory_coordinates', path: [l.latitude === undefined ? 'latitude' : 'longitude'] });
	if (l.locationType !== 'virtual' && !l.id && !l.city) ctx.addIssue({ code: 'custom', message: 'error_required', path: ['city'] });
}

export const locationInput = z.object(locationShape).superRefine(refineLocation);
export type LocationInput = z.output<typeof locationInput>;

/** A location of the service, with what is particular to the service there. */
export const serviceLocationInput = z
	.object({ ...locationShape, serviceDescription: optionalText(1000), schedules: listOf(scheduleInput, 60) })
	.superRefine(refineLocation);
export type ServiceLocationInput = z.output<typeof serviceLocationInput>;

export const dirOrganizationInput = z.object({
	name: requiredText(200),
	alternateName: optionalText(200),
	description: optionalText(4000),
	email: optionalEmail,
	website: optionalUrl,
	taxId: optionalTaxCode,
	vatNumber: optionalVatNumber,
	/** The network partner whose people maintain it (admins only may set another one). */
	networkOrganizationId: optionalUuid
});
export type DirOrganizationInput = z.output<typeof dirOrganizationInput>;

const termCode = z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.string().min(1, 'error_required').max(60, 'error_too_long'));

/** A service's own fields (also what each CSV row carries for its service). */
export const serviceFieldsShape = {
	name: requiredText(200),
	alternateName: optionalText(200),
	description: optionalText(8000),
	url: optionalUrl,
	email: optionalEmail,
	status: z.preprocess((v) => blankToUndefined(trimmed(v)), z.enum(serviceStatuses, 'error_invalid').default('active')),
	interpretationServices: optionalText(2000),
	applicationProcess: optionalText(4000),
	feesDescription: optionalText(2000),
	eligibilityDescription: optionalText(4000),
	minimumAge: optionalInt(0, 120),
	maximumAge: optionalInt(0, 120),
	isPublic: booleanish(true)
};

export const serviceInput = z
	.object({
		organizationId: uuidField,
		...serviceFieldsShape,
		languages: listOf(languageInput, 60),
		categories: listOf(termCode, 30),
		targets: listOf(termCode, 30),
		phones: listOf(phoneInput, 20),
		contacts: listOf(contactInput, 20),
		schedules: listOf(scheduleInput, 60),
		locations: listOf(serviceLocationInput, 50)
	})
	.superRefine((s, ctx) => {
		if (s.minimumAge !== undefined && s.maximumAge !== undefined && s.minimumAge > s.maximumAge)
			ctx.addIssue({ code: 'custom', message: 'error_directory_age_order', path: ['maximumAge'] });
		const codes = s.languages.map((l) => l.code);
		codes.forEach((c, i) => {
			if (codes.indexOf(c) !== i) ctx.addIssue({ code: 'custom', message: 'error_directory_duplicate', path: ['languages', i, 'code'] });
		});
		const ids = s.locations.map((l) => l.id).filter(Boolean);
		s.locations.forEach((l, i) => {
			if (l.id && ids.indexOf(l.id) !== ids.lastIndexOf(l.id)) ctx.addIssue({ code: 'custom', message: 'error_directory_duplicate', path: ['locations', i, 'id'] });
		});
	});
export type ServiceInput = z.output<typeof serviceInput>;

// ---------------------------------------------------------------------------------------------
// History and the writers

export type HistoryAction = 'create' | 'update' | 'delete' | 'verify' | 'import' | 'restore';
export interface WriteContext {
	actorId: string | null;
	/** Recorded as last_action_type; 'create' is used instead for records that did not exist. */
	action: HistoryAction;
}

type HistoryRow = typeof dirHistory.$inferInsert;

const asText = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v));

/** One history row per field whose value differs (for a new record: per field that has one). */
function diffHistory(
	out: HistoryRow[],
	ctx: WriteContext,
	resourceType: string,
	resourceId: string,
	created: boolean,
	fields: Record<string, [unknown, unknown]>
): boolean {
	let changed = false;
	for (const [field, [before, after]] of Object.entries(fields)) {
		const prev = created ? null : asText(before);
		const next = asText(after);
		if (prev === next && !created) continue;
		if (created && next === null) continue;
		changed = true;
		out.push({ resourceId, resourceType, lastActionType: created ? 'create' : ctx.action, fieldName: field, previousValue: prev, replacementValue: next, updatedBy: ctx.actorId });
	}
	return changed;
}

async function flushHistory(db: Db, rows: HistoryRow[]) {
	if (rows.length) await db.insert(dirHistory).values(rows);
}

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** The live services of an organisation or at a location: their search documents show its data. */
async function enqueueServices(db: Db, where: { organizationId?: string; locationId?: string }) {
	const rows = where.organizationId
		? await db.select({ id: dirServices.id }).from(dirServices).where(and(eq(dirServices.organizationId, where.organizationId), isNull(dirServices.deletedAt)))
		: await db
				.selectDistinct({ id: dirServices.id })
				.from(dirServiceAtLocations)
				.innerJoin(dirServices, eq(dirServices.id, dirServiceAtLocations.serviceId))
				.where(and(eq(dirServiceAtLocations.locationId, where.locationId!), isNull(dirServices.deletedAt)));
	for (const r of rows) await enqueueSearch(db, r.id, 'upsert');
}

export interface OrganizationData {
	name: string;
	alternateName: string | null;
	description: string | null;
	email: string | null;
	website: string | null;
	taxId: string | null;
	vatNumber: string | null;
	/** undefined: left as it is. */
	networkOrganizationId?: string | null;
	externalId?: string | null;
	/** Bring a deleted record back (imports). */
	restore?: boolean;
}

export interface WriteResult {
	id: string;
	created: boolean;
	changed: boolean;
}

export async function writeOrganization(db: Db, ctx: WriteContext, id: string | null, data: OrganizationData): Promise<WriteResult> {
	// Locked: two saves of one record run one after the other, each diffing against the other's result.
	const [before] = id ? await db.select().from(dirOrganizations).where(eq(dirOrganizations.id, id)).for('update') : [];
	if (id && !before) throw new DomainError('error_not_found', undefined, 404);
	const next = {
		name: data.name,
		alternateName: data.alternateName,
		description: data.description,
		email: data.email,
		website: data.website,
		taxId: data.taxId,
		vatNumber: data.vatNumber,
		networkOrganizationId: data.networkOrganizationId === undefined ? (before?.networkOrganizationId ?? null) : data.networkOrganizationId,
		externalId: data.externalId === undefined ? (before?.externalId ?? null) : data.externalId
	};
	const history: HistoryRow[] = [];
	const rowId = before?.id ?? randomUUID();
	const restoring = !!(before?.deletedAt && data.restore);
	let changed = diffHistory(history, ctx, 'organization', rowId, !before, {
		name: [before?.name, next.name],
		alternate_name: [before?.alternateName, next.alternateName],
		description: [before?.description, next.description],
		email: [before?.email, next.email],
		website: [before?.website, next.website],
		tax_id: [before?.taxId, next.taxId],
		vat_number: [before?.vatNumber, next.vatNumber],
		network_organization_id: [before?.networkOrganizationId, next.networkOrganizationId],
		external_id: [before?.externalId, next.externalId]
	});
	if (restoring) {
		history.push({ resourceId: rowId, resourceType: 'organization', lastActionType: 'restore', fieldName: 'deleted_at', previousValue: before!.deletedAt!.toISOString(), replacementValue: null, updatedBy: ctx.actorId });
		changed = true;
	}
	if (!before) await db.insert(dirOrganizations).values({ id: rowId, ...next, createdBy: ctx.actorId, updatedBy: ctx.actorId });
	else if (changed)
		await db
			.update(dirOrganizations)
			.set({ ...next, updatedAt: new Date(), updatedBy: ctx.actorId, ...(restoring ? { deletedAt: null, deletedBy: null } : {}) })
			.where(eq(dirOrganizations.id, rowId));
	await flushHistory(db, history);
	if (before && (before.name !== next.name || before.alternateName !== next.alternateName || restoring)) await enqueueServices(db, { organizationId: rowId });
	return { id: rowId, created: !before, changed: changed || !before };
}

export interface LocationData {
	organizationId: string | null;
	locationType: (typeof locationTypes)[number];
	name: string | null;
	description: string | null;
	url: string | null;
	address1: string | null;
	address2: string | null;
	city: string | null;
	istatCode: string | null;
	postalCode: string | null;
	stateProvince: string | null;
	region: string | null;
	country: string;
	district: string | null;
	latitude: number | null;
	longitude: number | null;
	phones: PhoneValue[];
	externalId?: string | null;
	restore?: boolean;
}

const phoneKey = (list: readonly PhoneValue[]) => JSON.stringify(sortPhones(list.map((p) => ({ number: p.number, extension: p.extension ?? null, type: p.type, description: p.description ?? null, languages: [...p.languages] }))));
const scheduleKey = (list: readonly ScheduleValue[]) =>
	JSON.stringify(
		list
			.map((s) => ({ weekday: s.weekday, opensAt: s.opensAt, closesAt: s.closesAt, validFrom: s.validFrom ?? null, validTo: s.validTo ?? null, notes: s.notes ?? null }))
			.sort(compareSchedules)
	);

export async function writeLocation(db: Db, ctx: WriteContext, id: string | null, data: LocationData): Promise<WriteResult> {
	const [before] = id ? await db.select().from(dirLocations).where(eq(dirLocations.id, id)).for('update') : [];
	if (id && !before) throw new DomainError('error_not_found', undefined, 404);
	const { phones, restore, externalId, ...fields } = data;
	const next = { ...fields, externalId: externalId === undefined ? (before?.externalId ?? null) : externalId };
	const rowId = before?.id ?? randomUUID();
	const oldPhones = before ? (await db.select().from(dirPhones).where(eq(dirPhones.locationId, rowId))).map(phoneValue) : [];
	const history: HistoryRow[] = [];
	const restoring = !!(before?.deletedAt && restore);
	let changed = diffHistory(history, ctx, 'location', rowId, !before, {
		organization_id: [before?.organizationId, next.organizationId],
		location_type: [before?.locationType, next.locationType],
		name: [before?.name, next.name],
		description: [before?.description, next.description],
		url: [before?.url, next.url],
		address_1: [before?.address1, next.address1],
		address_2: [before?.address2, next.address2],
		city: [before?.city, next.city],
		istat_code: [before?.istatCode, next.istatCode],
		postal_code: [before?.postalCode, next.postalCode],
		state_province: [before?.stateProvince, next.stateProvince],
		region: [before?.region, next.region],
		country: [before?.country, next.country],
		district: [before?.district, next.district],
		latitude: [before?.latitude, next.latitude],
		longitude: [before?.longitude, next.longitude],
		external_id: [before?.externalId, next.externalId]
	});
	if (restoring) {
		history.push({ resourceId: rowId, resourceType: 'location', lastActionType: 'restore', fieldName: 'deleted_at', previousValue: before!.deletedAt!.toISOString(), replacementValue: null, updatedBy: ctx.actorId });
		changed = true;
	}
	if (!before) await db.insert(dirLocations).values({ id: rowId, ...next, createdBy: ctx.actorId, updatedBy: ctx.actorId });
	else if (changed)
		await db
			.update(dirLocations)
			.set({ ...next, updatedAt: new Date(), updatedBy: ctx.actorId, ...(restoring ? { deletedAt: null, deletedBy: null } : {}) })
			.where(eq(dirLocations.id, rowId));
	if (phoneKey(oldPhones) !== phoneKey(phones)) {
		changed = true;
		history.push({ resourceId: rowId, resourceType: 'location', lastActionType: before ? ctx.action : 'create', fieldName: 'phones', previousValue: before ? formatPhones(oldPhones) || null : null, replacementValue: formatPhones(phones) || null, updatedBy: ctx.actorId });
		if (before) await db.delete(dirPhones).where(eq(dirPhones.locationId, rowId));
		if (phones.length) await db.insert(dirPhones).values(phones.map((p) => ({ locationId: rowId, number: p.number, extension: p.extension ?? null, type: p.type, description: p.description ?? null, languages: p.languages })));
	}
	await flushHistory(db, history);
	if (before && changed) await enqueueServices(db, { locationId: rowId });
	return { id: rowId, created: !before, changed: changed || !before };
}

export interface ServiceData {
	organizationId: string;
	name: string;
	alternateName: string | null;
	description: string | null;
	url: string | null;
	email: string | null;
	status: ServiceStatus;
	interpretationServices: string | null;
	applicationProcess: string | null;
	feesDescription: string | null;
	eligibilityDescription: string | null;
	minimumAge: number | null;
	maximumAge: number | null;
	isPublic: boolean;
	/** undefined: left as they are. */
	assuredDate?: string | null;
	assurerId?: string | null;
	assurerEmail?: string | null;
	externalId?: string | null;
	languages: LanguageValue[];
	termIds: string[];
	phones: PhoneValue[];
	contacts: ContactValue[];
	schedules: ScheduleValue[];
	serviceAtLocations: { locationId: string; description: string | null; externalId?: string | null; schedules: ScheduleValue[] }[];
	restore?: boolean;
}

const languageKey = (list: readonly LanguageValue[]) => JSON.stringify(sortLanguages(list.map((l) => ({ code: l.code, name: l.name ?? languageName(l.code), note: l.note ?? null }))));
const contactKey = (list: readonly ContactValue[]) => JSON.stringify(sortContacts(list.map((c) => ({ name: c.name ?? null, title: c.title ?? null, department: c.department ?? null, email: c.email ?? null }))));

/** Writes a service and its collections; only what changed is touched, recorded and re-indexed. */
export async function writeService(db: Db, ctx: WriteContext, id: string | null, data: ServiceData): Promise<WriteResult> {
	const [before] = id ? await db.select().from(dirServices).where(eq(dirServices.id, id)).for('update') : [];
	if (id && !before) throw new DomainError('error_not_found', undefined, 404);
	const rowId = before?.id ?? randomUUID();
	const next = {
		organizationId: data.organizationId,
		name: data.name,
		alternateName: data.alternateName,
		description: data.description,
		url: data.url,
		email: data.email,
		status: data.status,
		interpretationServices: data.interpretationServices,
		applicationProcess: data.applicationProcess,
		feesDescription: data.feesDescription,
		eligibilityDescription: data.eligibilityDescription,
		minimumAge: data.minimumAge,
		maximumAge: data.maximumAge,
		isPublic: data.isPublic,
		assuredDate: data.assuredDate === undefined ? (before?.assuredDate ?? null) : data.assuredDate,
		assurerId: data.assurerId === undefined ? (before?.assurerId ?? null) : data.assurerId,
		assurerEmail: data.assurerEmail === undefined ? (before?.assurerEmail ?? null) : data.assurerEmail,
		externalId: data.externalId === undefined ? (before?.externalId ?? null) : data.externalId
	};
	const history: HistoryRow[] = [];
	const restoring = !!(before?.deletedAt && data.restore);
	let changed = diffHistory(history, ctx, 'service', rowId, !before, {
		organization_id: [before?.organizationId, next.organizationId],
		name: [before?.name, next.name],
		alternate_name: [before?.alternateName, next.alternateName],
		description: [before?.description, next.description],
		url: [before?.url, next.url],
		email: [before?.email, next.email],
		status: [before?.status, next.status],
		interpretation_services: [before?.interpretationServices, next.interpretationServices],
		application_process: [before?.applicationProcess, next.applicationProcess],
		fees_description: [before?.feesDescription, next.feesDescription],
		eligibility_description: [before?.eligibilityDescription, next.eligibilityDescription],
		minimum_age: [before?.minimumAge, next.minimumAge],
		maximum_age: [before?.maximumAge, next.maximumAge],
		is_public: [before?.isPublic, next.isPublic],
		assured_date: [before?.assuredDate, next.assuredDate],
		assurer_id: [before?.assurerId, next.assurerId],
		assurer_email: [before?.assurerEmail, next.assurerEmail],
		external_id: [before?.externalId, next.externalId]
	});
	if (restoring) {
		history.push({ resourceId: rowId, resourceType: 'service', lastActionType: 'restore', fieldName: 'deleted_at', previousValue: before!.deletedAt!.toISOString(), replacementValue: null, updatedBy: ctx.actorId });
		changed = true;
	}
	if (!before) await db.insert(dirServices).values({ id: rowId, ...next, createdBy: ctx.actorId, updatedBy: ctx.actorId });
	else if (changed)
		await db
			.update(dirServices)
			.set({ ...next, updatedAt: new Date(), updatedBy: ctx.actorId, ...(restoring ? { deletedAt: null, deletedBy: null } : {}) })
			.where(eq(dirServices.id, rowId));

	const action = before ? ctx.action : 'create';
	const record = (field: string, prev: string, repl: string) => {
		changed = true;
		history.push({ resourceId: rowId, resourceType: 'service', lastActionType: action, fieldName: field, previousValue: before ? prev || null : null, replacementValue: repl || null, updatedBy: ctx.actorId });
	};

	// Languages
	const oldLanguages = before ? await db.select().from(dirLanguages).where(eq(dirLanguages.serviceId, rowId)) : [];
	const newLanguages = data.languages.map((l) => ({ code: l.code, name: l.name ?? languageName(l.code), note: l.note ?? null }));
	if (languageKey(oldLanguages) !== languageKey(newLanguages)) {
		record('languages', formatLanguages(oldLanguages), formatLanguages(newLanguages));
		if (before) await db.delete(dirLanguages).where(eq(dirLanguages.serviceId, rowId));
		if (newLanguages.length) await db.insert(dirLanguages).values(newLanguages.map((l) => ({ serviceId: rowId, ...l })));
	}

	// Terms (categories and targets)
	const oldTermIds = before ? (await db.select({ id: dirServiceTerms.termId }).from(dirServiceTerms).where(eq(dirServiceTerms.serviceId, rowId))).map((r) => r.id) : [];
	const newTermIds = [...new Set(data.termIds)];
	if ([...oldTermIds].sort().join() !== [...newTermIds].sort().join()) {
		const ids = [...new Set([...oldTermIds, ...newTermIds])];
		const terms = ids.length ? await db.select().from(dirTaxonomyTerms).where(inArray(dirTaxonomyTerms.id, ids)) : [];
		const codes = (list: string[], taxonomy: string) =>
			terms
				.filter((t) => list.includes(t.id) && t.taxonomy === taxonomy)
				.map((t) => t.code)
				.sort()
				.join('; ');
		for (const [field, taxonomy] of [['categories', 'categoria'], ['targets', 'destinatari']] as const) {
			const prev = codes(oldTermIds, taxonomy);
			const repl = codes(newTermIds, taxonomy);
			if (prev !== repl) record(field, prev, repl);
		}
		changed = true;
		if (before) await db.delete(dirServiceTerms).where(eq(dirServiceTerms.serviceId, rowId));
		if (newTermIds.length) await db.insert(dirServiceTerms).values(newTermIds.map((termId) => ({ serviceId: rowId, termId })));
	}

	// Phones
	const oldPhones = before ? (await db.select().from(dirPhones).where(eq(dirPhones.serviceId, rowId))).map(phoneValue) : [];
	if (phoneKey(oldPhones) !== phoneKey(data.phones)) {
		record('phones', formatPhones(oldPhones), formatPhones(data.phones));
		if (before) await db.delete(dirPhones).where(eq(dirPhones.serviceId, rowId));
		if (data.phones.length)
			await db.insert(dirPhones).values(data.phones.map((p) => ({ serviceId: rowId, number: p.number, extension: p.extension ?? null, type: p.type, description: p.description ?? null, languages: p.languages })));
	}

	// Contacts
	const oldContacts = before ? await db.select().from(dirContacts).where(eq(dirContacts.serviceId, rowId)) : [];
	if (contactKey(oldContacts) !== contactKey(data.contacts)) {
		record('contacts', formatContacts(oldContacts), formatContacts(data.contacts));
		if (before) await db.delete(dirContacts).where(eq(dirContacts.serviceId, rowId));
		if (data.contacts.length)
			await db.insert(dirContacts).values(data.contacts.map((c) => ({ serviceId: rowId, name: c.name ?? null, title: c.title ?? null, department: c.department ?? null, email: c.email ?? null })));
	}

	// Opening hours of the service as a whole
	const oldSchedules = before ? await db.select().from(dirSchedules).where(eq(dirSchedules.serviceId, rowId)) : [];
	if (scheduleKey(oldSchedules) !== scheduleKey(data.schedules)) {
		record('schedules', formatSchedules(oldSchedules), formatSchedules(data.schedules));
		if (before) await db.delete(dirSchedules).where(eq(dirSchedules.serviceId, rowId));
		if (data.schedules.length) await db.insert(dirSchedules).values(data.schedules.map((s) => scheduleRow(s, { serviceId: rowId })));
	}

	// Service at locations, each with its own hours
	const oldSals = before ? await db.select().from(dirServiceAtLocations).where(eq(dirServiceAtLocations.serviceId, rowId)) : [];
	const oldSalSchedules = oldSals.length ? await db.select().from(dirSchedules).where(inArray(dirSchedules.serviceAtLocationId, oldSals.map((s) => s.id))) : [];
	const locationIds = [...new Set([...oldSals.map((s) => s.locationId), ...data.serviceAtLocations.map((s) => s.locationId)])];
	const locations = locationIds.length ? await db.select().from(dirLocations).where(inArray(dirLocations.id, locationIds)) : [];
	const labelOf = new Map(locations.map((l) => [l.id, locationLabel(l) || l.id]));
	const salText = (list: { locationId: string; description: string | null; schedules: ScheduleValue[] }[]) =>
		list
			.map((s) => [labelOf.get(s.locationId), s.description ? `– ${s.description}` : null, s.schedules.length ? `[${formatSchedules(s.schedules)}]` : null].filter(Boolean).join(' '))
			.sort()
			.join('\n');
	const oldSalView = oldSals.map((s) => ({ locationId: s.locationId, description: s.description, schedules: oldSalSchedules.filter((x) => x.serviceAtLocationId === s.id) }));
	const newSalView = data.serviceAtLocations.map((s) => ({ locationId: s.locationId, description: s.description, schedules: s.schedules }));
	const salKey = (list: typeof newSalView) =>
		JSON.stringify(list.map((s) => ({ l: s.locationId, d: s.description ?? null, h: scheduleKey(s.schedules) })).sort((a, b) => a.l.localeCompare(b.l)));
	if (salKey(oldSalView) !== salKey(newSalView)) record('service_at_locations', salText(oldSalView), salText(newSalView));
	for (const old of oldSals) {
		const keep = data.serviceAtLocations.find((s) => s.locationId === old.locationId);
		if (keep) continue;
		await db.delete(dirSchedules).where(eq(dirSchedules.serviceAtLocationId, old.id));
		await db.delete(dirServiceAtLocations).where(eq(dirServiceAtLocations.id, old.id));
	}
	for (const s of data.serviceAtLocations) {
		const old = oldSals.find((o) => o.locationId === s.locationId);
		const externalId = s.externalId === undefined ? (old?.externalId ?? null) : s.externalId;
		if (!old) {
			const [sal] = await db
				.insert(dirServiceAtLocations)
				.values({ serviceId: rowId, locationId: s.locationId, description: s.description, externalId })
				.returning({ id: dirServiceAtLocations.id });
			if (s.schedules.length) await db.insert(dirSchedules).values(s.schedules.map((x) => scheduleRow(x, { serviceAtLocationId: sal!.id })));
			continue;
		}
		if (old.description !== s.description || old.externalId !== externalId)
			await db.update(dirServiceAtLocations).set({ description: s.description, externalId }).where(eq(dirServiceAtLocations.id, old.id));
		const oldHours = oldSalSchedules.filter((x) => x.serviceAtLocationId === old.id);
		if (scheduleKey(oldHours) !== scheduleKey(s.schedules)) {
			await db.delete(dirSchedules).where(eq(dirSchedules.serviceAtLocationId, old.id));
			if (s.schedules.length) await db.insert(dirSchedules).values(s.schedules.map((x) => scheduleRow(x, { serviceAtLocationId: old.id })));
		}
	}

	await flushHistory(db, history);
	if (changed || !before) await enqueueSearch(db, rowId, 'upsert');
	return { id: rowId, created: !before, changed: changed || !before };
}

function scheduleRow(s: ScheduleValue, owner: { serviceId?: string; serviceAtLocationId?: string }) {
	return {
		serviceId: owner.serviceId ?? null,
		serviceAtLocationId: owner.serviceAtLocationId ?? null,
		weekday: s.weekday,
		opensAt: s.opensAt,
		closesAt: s.closesAt,
		validFrom: s.validFrom ?? null,
		validTo: s.validTo ?? null,
		notes: s.notes ?? null
	};
}

// ---------------------------------------------------------------------------------------------
// Organisations

const forbidden = () => new DomainError('error_forbidden', undefined, 403);
const notFound = () => new DomainError('error_not_found', undefined, 404);

export async function getDirOrganization(db: Db, id: string): Promise<DirOrganization | null> {
	const [row] = await db.select().from(dirOrganizations).where(and(eq(dirOrganizations.id, id), isNull(dirOrganizations.deletedAt)));
	return row ?? null;
}

/** Live directory organisations with their partner's name and their count of live services. */
export async function listDirOrganizations(db: Db, opts: { networkOrganizationId?: string } = {}) {
	const conds = [isNull(dirOrganizations.deletedAt)];
	if (opts.networkOrganizationId) conds.push(eq(dirOrganizations.networkOrganizationId, opts.networkOrganizationId));
	return db
		.select({
			id: dirOrganizations.id,
			name: dirOrganizations.name,
			alternateName: dirOrganizations.alternateName,
			networkOrganizationId: dirOrganizations.networkOrganizationId,
			partnerName: organizations.name,
			services: sql<number>`(select count(*)::int from ${dirServices} s where s.organization_id = ${dirOrganizations}.id and s.deleted_at is null)`
		})
		.from(dirOrganizations)
		.leftJoin(organizations, eq(organizations.id, dirOrganizations.networkOrganizationId))
		.where(and(...conds))
		.orderBy(asc(dirOrganizations.name));
}

const organizationData = (input: DirOrganizationInput): OrganizationData => ({
	name: input.name,
	alternateName: n(input.alternateName),
	description: n(input.description),
	email: n(input.email),
	website: n(input.website),
	taxId: n(input.taxId),
	vatNumber: n(input.vatNumber),
	networkOrganizationId: n(input.networkOrganizationId)
});

/** A partner's people create their own organisation's record; admins any (also unlinked) one. */
export async function createDirOrganization(db: Db, actor: Actor, input: DirOrganizationInput): Promise<DirOrganization> {
	if (!can(actor, 'directory.edit', { networkOrganizationId: input.networkOrganizationId ?? null })) throw forbidden();
	return db.transaction(async (tx) => {
		const { id } = await writeOrganization(tx, { actorId: actor.id, action: 'create' }, null, organizationData(input));
		return (await getDirOrganization(tx, id))!;
	});
}

export async function updateDirOrganization(db: Db, actor: Actor, id: string, input: DirOrganizationInput): Promise<DirOrganization> {
	return db.transaction(async (tx) => {
		const before = await getDirOrganization(tx, id);
		if (!before) throw notFound();
		if (!can(actor, 'directory.edit', { networkOrganizationId: before.networkOrganizationId })) throw forbidden();
		// Moving a record to another partner needs the right on both sides (admins, in practice).
		if ((input.networkOrganizationId ?? null) !== before.networkOrganizationId && !can(actor, 'directory.edit', { networkOrganizationId: input.networkOrganizationId ?? null }))
			throw forbidden();
		await writeOrganization(tx, { actorId: actor.id, action: 'update' }, id, organizationData(input));
		return (await getDirOrganization(tx, id))!;
	});
}

/** Soft delete (admins); refused while the organisation still has live services. */
export async function deleteDirOrganization(db: Db, actor: Actor, id: string): Promise<void> {
	if (!can(actor, 'directory.admin')) throw forbidden();
	await db.transaction(async (tx) => {
		const org = await getDirOrganization(tx, id);
		if (!org) throw notFound();
		const [{ n: live } = { n: 0 }] = await tx
			.select({ n: count() })
			.from(dirServices)
			.where(and(eq(dirServices.organizationId, id), isNull(dirServices.deletedAt)));
		if (Number(live) > 0) throw new DomainError('error_directory_organization_has_services');
		await tx.update(dirOrganizations).set({ deletedAt: new Date(), deletedBy: actor.id }).where(eq(dirOrganizations.id, id));
		await tx.insert(dirHistory).values({ resourceId: id, resourceType: 'organization', lastActionType: 'delete', updatedBy: actor.id });
		await recordAudit(tx, { actorId: actor.id, action: 'directory.organization_deleted', entityType: 'dir_organization', entityId: id, data: { name: org.name } });
	});
}

/** The live locations of an organisation, to reuse in a service form. */
export async function listOrganizationLocations(db: Db, organizationId: string): Promise<DirLocation[]> {
	return db
		.select()
		.from(dirLocations)
		.where(and(eq(dirLocations.organizationId, organizationId), isNull(dirLocations.deletedAt)))
		.orderBy(asc(dirLocations.city), asc(dirLocations.name), asc(dirLocations.address1));
}

// ---------------------------------------------------------------------------------------------
// Services

async function organizationFor(db: Db, id: string) {
	const org = await getDirOrganization(db, id);
	if (!org) throw new DomainError('error_not_found', 'organizationId', 404);
	return org;
}

/** The service, its organisation and whether the actor may edit it (null when it does not exist). */
async function serviceContext(db: Db, actor: Actor | null, id: string) {
	const [row] = await db
		.select({ service: dirServices, organization: dirOrganizations })
		.from(dirServices)
		.innerJoin(dirOrganizations, eq(dirOrganizations.id, dirServices.organizationId))
		.where(and(eq(dirServices.id, id), isNull(dirServices.deletedAt)));
	if (!row) return null;
	return { ...row, canEdit: can(actor, 'directory.edit', { networkOrganizationId: row.organization.networkOrganizationId }) };
}

const locationData = (l: ServiceLocationInput | LocationInput, organizationId: string): LocationData => ({
	organizationId,
	locationType: l.locationType,
	name: n(l.name),
	description: n(l.description),
	url: n(l.url),
	address1: n(l.address1),
	address2: n(l.address2),
	city: n(l.city),
	istatCode: n(l.istatCode),
	postalCode: n(l.postalCode),
	stateProvince: n(l.stateProvince),
	region: n(l.region),
	country: l.country,
	district: n(l.district),
	latitude: n(l.latitude),
	longitude: n(l.longitude),
	phones: l.phones.map((p) => ({ number: p.number, extension: n(p.extension), type: p.type, description: n(p.description), languages: p.languages }))
});

/** Resolves the form's locations (creating or updating them) and term codes into writer data. */
/** Whether writing `data` would change the location (fields or phones). */
async function locationChanges(db: Db, before: DirLocation, data: LocationData): Promise<boolean> {
	const { phones, restore: _r, externalId: _e, ...fields } = data;
	const differs = (Object.keys(fields) as (keyof typeof fields)[]).some((k) => (before[k] ?? null) !== (fields[k] ?? null));
	const oldPhones = (await db.select().from(dirPhones).where(eq(dirPhones.locationId, before.id))).map(phoneValue);
	return differs || phoneKey(oldPhones) !== phoneKey(phones);
}

async function serviceData(tx: Db, actor: Actor, ctx: WriteContext, input: ServiceInput, org: DirOrganization): Promise<ServiceData> {
	const sals: ServiceData['serviceAtLocations'] = [];
	for (const [i, l] of input.locations.entries()) {
		let owner = org.id;
		if (l.id) {
			const [existing] = await tx.select().from(dirLocations).where(and(eq(dirLocations.id, l.id), isNull(dirLocations.deletedAt)));
			if (!existing) throw new DomainError('error_not_found', `locations.${i}.id`, 404);
			// A place of another organisation (a service hosted there) is linked as it is; only
			// who may edit that organisation changes the place itself.
			if (existing.organizationId && existing.organizationId !== org.id) {
				owner = existing.organizationId;
				const [host] = await tx.select().from(dirOrganizations).where(eq(dirOrganizations.id, owner));
				if (!can(actor, 'directory.edit', { networkOrganizationId: host?.networkOrganizationId ?? null }) && (await locationChanges(tx, existing, locationData(l, owner))))
					throw new DomainError('error_directory_location_foreign', `locations.${i}.id`);
			}
		}
		const { id } = await writeLocation(tx, ctx, l.id ?? null, locationData(l, owner));
		sals.push({ locationId: id, description: n(l.serviceDescription), schedules: l.schedules.map(scheduleValue) });
	}
	const termIds: string[] = [];
	for (const [field, taxonomy] of [['categories', 'categoria'], ['targets', 'destinatari']] as const) {
		const codes = input[field];
		const found = await termIdsByCode(tx, taxonomy, codes);
		const unknown = codes.find((c) => !found.has(c));
		if (unknown) throw new DomainError('error_directory_term_unknown', field);
		termIds.push(...found.values());
	}
	return {
		organizationId: org.id,
		name: input.name,
		alternateName: n(input.alternateName),
		description: n(input.description),
		url: n(input.url),
		email: n(input.email),
		status: input.status,
		interpretationServices: n(input.interpretationServices),
		applicationProcess: n(input.applicationProcess),
		feesDescription: n(input.feesDescription),
		eligibilityDescription: n(input.eligibilityDescription),
		minimumAge: n(input.minimumAge),
		maximumAge: n(input.maximumAge),
		isPublic: input.isPublic,
		languages: input.languages.map((l) => ({ code: l.code, name: n(l.name), note: n(l.note) })),
		termIds,
		phones: input.phones.map((p) => ({ number: p.number, extension: n(p.extension), type: p.type, description: n(p.description), languages: p.languages })),
		contacts: input.contacts.map((c) => ({ name: n(c.name), title: n(c.title), department: n(c.department), email: n(c.email) })),
		schedules: input.schedules.map(scheduleValue),
		serviceAtLocations: sals
	};
}

const scheduleValue = (s: ScheduleInput): ScheduleValue => ({ weekday: s.weekday, opensAt: s.opensAt, closesAt: s.closesAt, validFrom: n(s.validFrom), validTo: n(s.validTo), notes: n(s.notes) });

async function actorEmail(db: Db, actorId: string): Promise<string | null> {
	const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, actorId));
	return u?.email ?? null;
}

/** A new service with its whole aggregate; its creator vouches for it (verified today). */
export async function createService(db: Db, actor: Actor, input: ServiceInput, now = new Date()): Promise<DirService> {
	return db.transaction(async (tx) => {
		const org = await organizationFor(tx, input.organizationId);
		if (!can(actor, 'directory.edit', { networkOrganizationId: org.networkOrganizationId })) throw forbidden();
		const ctx: WriteContext = { actorId: actor.id, action: 'create' };
		const data = await serviceData(tx, actor, ctx, input, org);
		const { id } = await writeService(tx, ctx, null, { ...data, assuredDate: romeDay(now), assurerId: actor.id, assurerEmail: await actorEmail(tx, actor.id) });
		const [row] = await tx.select().from(dirServices).where(eq(dirServices.id, id));
		return row!;
	});
}

/**
 * Saves the whole aggregate of a service (what the form shows is what the service becomes).
 * `verify` also records that the editor confirmed the record as correct.
 */
export async function updateService(
	db: Db,
	actor: Actor,
	id: string,
	input: ServiceInput,
	opts: { verify?: boolean; now?: Date; expectedVersion?: string } = {}
): Promise<DirService> {
	return db.transaction(async (tx) => {
		const current = await serviceContext(tx, actor, id);
		if (!current) throw notFound();
		if (!current.canEdit) throw forbidden();
		if (opts.expectedVersion !== undefined) {
			// Checked on the locked row, in the transaction that writes: of two saves from the same
			// version, the second waits for the first and then finds the version changed.
			const [locked] = await tx.select({ updatedAt: dirServices.updatedAt }).from(dirServices).where(eq(dirServices.id, id)).for('update');
			if (!locked) throw notFound();
			const version = locked.updatedAt.toISOString();
			if (version !== opts.expectedVersion) throw new VersionConflict(version);
		}
		const org = input.organizationId === current.organization.id ? current.organization : await organizationFor(tx, input.organizationId);
		if (!can(actor, 'directory.edit', { networkOrganizationId: org.networkOrganizationId })) throw forbidden();
		const ctx: WriteContext = { actorId: actor.id, action: 'update' };
		const data = await serviceData(tx, actor, ctx, input, org);
		const verified = opts.verify ? { assuredDate: romeDay(opts.now ?? new Date()), assurerId: actor.id, assurerEmail: await actorEmail(tx, actor.id) } : {};
		await writeService(tx, ctx, id, { ...data, ...verified });
		const [row] = await tx.select().from(dirServices).where(eq(dirServices.id, id));
		return row!;
	});
}

/** A save from a version of the service that is no longer the current one (`current`). */
export class VersionConflict extends DomainError {
	constructor(readonly current: string) {
		super('dir_edit_conflict', undefined, 409);
	}
}

/** Soft delete: the record stays (history, restore by import); the search engine forgets it. */
export async function deleteService(db: Db, actor: Actor, id: string): Promise<void> {
	await db.transaction(async (tx) => {
		const current = await serviceContext(tx, actor, id);
		if (!current) throw notFound();
		if (!current.canEdit) throw forbidden();
		await tx.update(dirServices).set({ deletedAt: new Date(), deletedBy: actor.id }).where(eq(dirServices.id, id));
		await tx.insert(dirHistory).values({ resourceId: id, resourceType: 'service', lastActionType: 'delete', updatedBy: actor.id });
		await enqueueSearch(tx, id, 'delete');
		await recordAudit(tx, { actorId: actor.id, action: 'directory.service_deleted', entityType: 'dir_service', entityId: id, data: { name: current.service.name } });
	});
}

/** One click: "still correct". Sets the verification date (today in Rome) and who verified. */
export async function verifyService(db: Db, actor: Actor, id: string, now = new Date()): Promise<{ assuredDate: string }> {
	return db.transaction(async (tx) => {
		const current = await serviceContext(tx, actor, id);
		if (!current) throw notFound();
		if (!current.canEdit) throw forbidden();
		const [s] = await tx.select().from(dirServices).where(eq(dirServices.id, id)).for('update');
		if (!s) throw notFound();
		const next = { assuredDate: romeDay(now), assurerId: actor.id, assurerEmail: await actorEmail(tx, actor.id) };
		await tx
			.update(dirServices)
			.set({ ...next, updatedAt: new Date(), updatedBy: actor.id })
			.where(eq(dirServices.id, id));
		const history: HistoryRow[] = [];
		diffHistory(history, { actorId: actor.id, action: 'verify' }, 'service', id, false, {
			assured_date: [s.assuredDate, next.assuredDate],
			assurer_id: [s.assurerId, next.assurerId],
			assurer_email: [s.assurerEmail, next.assurerEmail]
		});
		// Confirming again the same day still leaves a trace of who confirmed.
		if (!history.length) history.push({ resourceId: id, resourceType: 'service', lastActionType: 'verify', fieldName: 'assured_date', previousValue: s.assuredDate, replacementValue: next.assuredDate, updatedBy: actor.id });
		await flushHistory(tx, history);
		await enqueueSearch(tx, id, 'upsert');
		return { assuredDate: next.assuredDate };
	});
}

// ---------------------------------------------------------------------------------------------
// Reading

const WEEKDAY_NAMES = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'] as const;

export interface DayHours {
	weekday: number;
	/** Italian name and abbreviation (the UI may localise by weekday). */
	label: string;
	short: string;
	ranges: { opensAt: string; closesAt: string; notes: string | null; validFrom: string | null; validTo: string | null }[];
}

/** All seven days, Monday first, closed days with no ranges. */
export function hoursByWeekday(schedules: readonly ScheduleValue[]): DayHours[] {
	return WEEKDAY_NAMES.map((label, i) => ({
		weekday: i + 1,
		label,
		short: WEEKDAY_ABBR[i]!,
		ranges: schedules
			.filter((s) => s.weekday === i + 1)
			.sort((a, b) => a.opensAt.localeCompare(b.opensAt))
			.map((s) => ({ opensAt: s.opensAt, closesAt: s.closesAt, notes: s.notes ?? null, validFrom: s.validFrom ?? null, validTo: s.validTo ?? null }))
	}));
}

const telLink = (number: string) => {
	const digits = number.replace(/[^\d+]/g, '');
	return `tel:${digits.startsWith('+') ? digits : `+39${digits}`}`;
};

function addressText(l: DirLocation): string | null {
	const place = [l.postalCode, l.city].filter(Boolean).join(' ') + (l.stateProvince ? ` (${l.stateProvince})` : '');
	const text = [l.address1, l.address2, place.trim()].filter(Boolean).join(', ');
	return text || null;
}

export type ServiceCard = Awaited<ReturnType<typeof buildCard>>;

async function buildCard(db: Db, agg: ServiceAggregate, canEdit: boolean, today: string) {
	const s = agg.service;
	const [assurer] = s.assurerId ? await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, s.assurerId)) : [];
	const phone = (p: ServiceAggregate['phones'][number]) => ({
		number: p.number,
		extension: p.extension,
		type: p.type,
		description: p.description,
		languages: p.languages,
		tel: telLink(p.number)
	});
	return {
		id: s.id,
		name: s.name,
		alternateName: s.alternateName,
		description: s.description,
		status: s.status,
		url: s.url,
		email: s.email,
		isPublic: s.isPublic,
		organization: { id: agg.organization.id, name: agg.organization.name, website: agg.organization.website, networkOrganizationId: agg.organization.networkOrganizationId },
		eligibility: { description: s.eligibilityDescription, minimumAge: s.minimumAge, maximumAge: s.maximumAge },
		feesDescription: s.feesDescription,
		applicationProcess: s.applicationProcess,
		interpretationServices: s.interpretationServices,
		languages: agg.languages.map((l) => ({ code: l.code, name: l.name ?? languageName(l.code), note: l.note })),
		categories: agg.terms.filter((t) => t.taxonomy === 'categoria').map((t) => ({ code: t.code, name: t.name })),
		targets: agg.terms.filter((t) => t.taxonomy === 'destinatari').map((t) => ({ code: t.code, name: t.name })),
		phones: agg.phones.map(phone),
		contacts: agg.contacts.map((c) => ({ name: c.name, title: c.title, department: c.department, email: c.email })),
		hours: hoursByWeekday(agg.schedules),
		locations: agg.sals.map(({ sal, location: l, locationPhones, schedules }) => ({
			id: l.id,
			locationType: l.locationType,
			name: l.name,
			description: l.description,
			url: l.url,
			serviceDescription: sal.description,
			address: { address1: l.address1, address2: l.address2, postalCode: l.postalCode, city: l.city, stateProvince: l.stateProvince, district: l.district, istatCode: l.istatCode },
			addressText: addressText(l),
			latitude: l.latitude,
			longitude: l.longitude,
			mapUrl: mapLink(l.latitude, l.longitude),
			phones: locationPhones.map(phone),
			hours: hoursByWeekday(schedules)
		})),
		lastVerified: { date: s.assuredDate, by: assurer ?? null, email: s.assurerEmail },
		stale: isStale(s.assuredDate, today),
		canEdit,
		updatedAt: s.updatedAt
	};
}

/** Everything a service card shows. Every person of the network may read it. */
export async function getServiceCard(db: Db, actor: Actor, id: string, now = new Date()): Promise<ServiceCard> {
	if (!can(actor, 'directory.read')) throw forbidden();
	const ctx = await serviceContext(db, actor, id);
	if (!ctx) throw notFound();
	const [agg] = await loadServiceAggregates(db, { serviceIds: [id] });
	return buildCard(db, agg!, ctx.canEdit, romeDay(now));
}

/**
 * The card of a public service for anonymous visitors (when the directory is public, see
 * access.ts): who verified it stays inside the network.
 */
export async function getPublicServiceCard(db: Db, id: string, now = new Date()): Promise<ServiceCard> {
	const ctx = await serviceContext(db, null, id);
	if (!ctx || !ctx.service.isPublic || ctx.organization.deletedAt) throw notFound();
	const [agg] = await loadServiceAggregates(db, { serviceIds: [id] });
	const card = await buildCard(db, agg!, false, romeDay(now));
	return { ...card, lastVerified: { date: card.lastVerified.date, by: null, email: null } };
}

/** A location's own fields as the edit forms' values (empty columns as absent). */
function locationFormValues(l: DirLocation) {
	const u = <T>(v: T | null) => v ?? undefined;
	return {
		locationType: l.locationType,
		name: u(l.name),
		description: u(l.description),
		url: u(l.url),
		address1: u(l.address1),
		address2: u(l.address2),
		city: u(l.city),
		istatCode: u(l.istatCode),
		postalCode: u(l.postalCode),
		stateProvince: u(l.stateProvince),
		region: u(l.region),
		country: l.country,
		district: u(l.district),
		latitude: u(l.latitude),
		longitude: u(l.longitude)
	};
}

/** The service as the edit form's values (the shape `serviceInput` accepts), for its editors. */
export async function getServiceForEdit(db: Db, actor: Actor, id: string) {
	const ctx = await serviceContext(db, actor, id);
	if (!ctx) throw notFound();
	if (!ctx.canEdit) throw forbidden();
	const [agg] = await loadServiceAggregates(db, { serviceIds: [id] });
	const s = agg!.service;
	const phone = (p: ServiceAggregate['phones'][number]) => ({ number: p.number, extension: p.extension ?? undefined, type: p.type, description: p.description ?? undefined, languages: p.languages });
	const u = <T>(v: T | null) => v ?? undefined;
	return {
		organizationId: s.organizationId,
		name: s.name,
		alternateName: u(s.alternateName),
		description: u(s.description),
		url: u(s.url),
		email: u(s.email),
		status: s.status,
		interpretationServices: u(s.interpretationServices),
		applicationProcess: u(s.applicationProcess),
		feesDescription: u(s.feesDescription),
		eligibilityDescription: u(s.eligibilityDescription),
		minimumAge: u(s.minimumAge),
		maximumAge: u(s.maximumAge),
		isPublic: s.isPublic,
		languages: agg!.languages.map((l) => ({ code: l.code, name: u(l.name), note: u(l.note) })),
		categories: agg!.terms.filter((t) => t.taxonomy === 'categoria').map((t) => t.code),
		targets: agg!.terms.filter((t) => t.taxonomy === 'destinatari').map((t) => t.code),
		phones: agg!.phones.map(phone),
		contacts: agg!.contacts.map((c) => ({ name: u(c.name), title: u(c.title), department: u(c.department), email: u(c.email) })),
		schedules: agg!.schedules.map((x) => ({ weekday: x.weekday, opensAt: x.opensAt, closesAt: x.closesAt, validFrom: u(x.validFrom), validTo: u(x.validTo), notes: u(x.notes) })),
		locations: agg!.sals.map(({ sal, location: l, locationPhones, schedules }) => ({
			id: l.id,
			...locationFormValues(l),
			phones: locationPhones.map(phone),
			serviceDescription: u(sal.description),
			schedules: schedules.map((x) => ({ weekday: x.weekday, opensAt: x.opensAt, closesAt: x.closesAt, validFrom: u(x.validFrom), validTo: u(x.validTo), notes: u(x.notes) }))
		}))
	} satisfies z.input<typeof serviceInput>;
}

/** The change history of a directory record (service, organisation, location, term), newest first. */
export async function getHistory(db: Db, actor: Actor, resourceId: string, limit = 200) {
	if (!can(actor, 'directory.read')) throw forbidden();
	return db
		.select({
			id: dirHistory.id,
			resourceType: dirHistory.resourceType,
			lastActionDate: dirHistory.lastActionDate,
			lastActionType: dirHistory.lastActionType,
			fieldName: dirHistory.fieldName,
			previousValue: dirHistory.previousValue,
			replacementValue: dirHistory.replacementValue,
			updatedBy: dirHistory.updatedBy,
			updatedByName: users.name
		})
		.from(dirHistory)
		.leftJoin(users, eq(users.id, dirHistory.updatedBy))
		.where(eq(dirHistory.resourceId, resourceId))
		.orderBy(desc(dirHistory.lastActionDate), asc(dirHistory.fieldName))
		.limit(limit);
}

// ---------------------------------------------------------------------------------------------
// Freshness

/** Condition: a live, not defunct service not verified since `cutoff` (or never). */
const staleSince = (cutoff: string) =>
	and(isNull(dirServices.deletedAt), ne(dirServices.status, 'defunct'), or(isNull(dirServices.assuredDate), lt(dirServices.assuredDate, cutoff))!);

/** The stale services the actor may edit (their organisation's; for admins, all), oldest first. */
export async function listStaleServices(db: Db, actor: Actor, now = new Date()) {
	const cutoff = monthsBefore(romeDay(now), STALE_MONTHS);
	const conds = [staleSince(cutoff)!, isNull(dirOrganizations.deletedAt)];
	if (actor.role !== 'admin') {
		if (!actor.organizationId) return [];
		conds.push(eq(dirOrganizations.networkOrganizationId, actor.organizationId));
	}
	return db
		.select({ id: dirServices.id, name: dirServices.name, organizationName: dirOrganizations.name, assuredDate: dirServices.assuredDate })
		.from(dirServices)
		.innerJoin(dirOrganizations, eq(dirOrganizations.id, dirServices.organizationId))
		.where(and(...conds))
		.orderBy(sql`${dirServices.assuredDate} asc nulls first`, asc(dirServices.name));
}

export const STALE_NOTIFICATION = 'notif_directory_stale';
/** Advisory lock: two instances running the daily job at once do not both notify. */
const REMINDER_LOCK = 731_215_101;

/**
 * Reminds editors of stale services: at most one in-app notification a week per person, with the
 * count of their organisation's stale services (admins also count those of unlinked organisations).
 */
export async function staleServiceReminders(db: Db, now = new Date()): Promise<{ notified: string[] }> {
	const cutoff = monthsBefore(romeDay(now), STALE_MONTHS);
	const weekAgo = new Date(now.getTime() - 7 * 24 * 3600_000);
	const notified = await db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${REMINDER_LOCK})`);
		const perPartner = await tx
			.select({ partner: dirOrganizations.networkOrganizationId, n: count() })
			.from(dirServices)
			.innerJoin(dirOrganizations, eq(dirOrganizations.id, dirServices.organizationId))
			.where(and(staleSince(cutoff), isNull(dirOrganizations.deletedAt)))
			.groupBy(dirOrganizations.networkOrganizationId);
		const unlinked = Number(perPartner.find((p) => p.partner === null)?.n ?? 0);
		const byPartner = new Map(perPartner.filter((p) => p.partner).map((p) => [p.partner!, Number(p.n)]));
		if (!byPartner.size && !unlinked) return [];
		const people = await tx
			.select({ id: users.id, role: users.role, organizationId: users.organizationId })
			.from(users)
			.where(
				and(
					isNull(users.deletedAt),
					isNull(users.disabledAt),
					or(byPartner.size ? inArray(users.organizationId, [...byPartner.keys()]) : sql`false`, unlinked ? eq(users.role, 'admin') : sql`false`)
				)
			);
		if (!people.length) return [];
		const recent = await tx
			.selectDistinct({ userId: notifications.userId })
			.from(notifications)
			.where(and(eq(notifications.kind, STALE_NOTIFICATION), gte(notifications.createdAt, weekAgo), inArray(notifications.userId, people.map((p) => p.id))));
		const skip = new Set(recent.map((r) => r.userId));
		const rows = people
			.filter((p) => !skip.has(p.id))
			.map((p) => ({ p, count: (p.organizationId ? (byPartner.get(p.organizationId) ?? 0) : 0) + (p.role === 'admin' ? unlinked : 0) }))
			.filter((x) => x.count > 0)
			.map(({ p, count: c }) => ({ userId: p.id, kind: STALE_NOTIFICATION, params: { count: String(c) }, link: '/directory?stale=1', createdAt: now }));
		if (rows.length) await tx.insert(notifications).values(rows);
		return rows.map((r) => r.userId);
	});
	announce(notified);
	return { notified };
}

// ---------------------------------------------------------------------------------------------
// For the editing pages

/** The live locations of an organisation in the form's shape (with their phones), to reuse in a service. */
export async function listOrganizationLocationsForEdit(db: Db, organizationId: string) {
	const rows = await listOrganizationLocations(db, organizationId);
	const ids = rows.map((r) => r.id);
	const phones = ids.length ? await db.select().from(dirPhones).where(inArray(dirPhones.locationId, ids)) : [];
	// How many live services are there: changing the place changes it for all of them.
	const uses = ids.length
		? await db
				.select({ locationId: dirServiceAtLocations.locationId, n: count() })
				.from(dirServiceAtLocations)
				.innerJoin(dirServices, eq(dirServices.id, dirServiceAtLocations.serviceId))
				.where(and(inArray(dirServiceAtLocations.locationId, ids), isNull(dirServices.deletedAt)))
				.groupBy(dirServiceAtLocations.locationId)
		: [];
	return rows.map((l) => ({
		id: l.id,
		label: locationLabel(l) || l.id,
		...locationFormValues(l),
		phones: sortPhones(phones.filter((p) => p.locationId === l.id).map(phoneValue)).map((p) => ({ number: p.number, extension: p.extension ?? undefined, type: p.type, description: p.description ?? undefined, languages: p.languages })),
		services: Number(uses.find((x) => x.locationId === l.id)?.n ?? 0)
	}));
}

/** The live services of a directory organisation, by name (its page lists them). */
export async function listOrganizationServices(db: Db, organizationId: string) {
	return db
		.select({ id: dirServices.id, name: dirServices.name, status: dirServices.status, assuredDate: dirServices.assuredDate, isPublic: dirServices.isPublic })
		.from(dirServices)
		.where(and(eq(dirServices.organizationId, organizationId), isNull(dirServices.deletedAt)))
		.orderBy(asc(dirServices.name));
}
