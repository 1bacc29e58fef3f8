/**
 * Reads whole service aggregates (service, organisation, languages, terms, phones, contacts,
 * schedules, service-at-locations with their location, its phones and hours) in a few queries:
 * the card, the edit form and both exports are built from these.
 */
import { and, asc, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
	dirContacts,
	dirLanguages,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServiceAtLocations,
	dirServices,
	dirServiceTerms,
	dirTaxonomyTerms,
	type DirLocation,
	type DirOrganization,
	type DirService
} from '../db/schema';
import { compareSchedules, isUuid, sortContacts, sortLanguages, sortPhones, type PhoneType } from './format';

/** A phone row, its HSDS type narrowed (the column is text). */
export type PhoneRow = Omit<typeof dirPhones.$inferSelect, 'type'> & { type: PhoneType };
export type ScheduleRow = typeof dirSchedules.$inferSelect;
export type ContactRow = typeof dirContacts.$inferSelect;
export type LanguageRow = typeof dirLanguages.$inferSelect;
export type SalRow = typeof dirServiceAtLocations.$inferSelect;
export type TermRow = typeof dirTaxonomyTerms.$inferSelect;

export interface SalAggregate {
	sal: SalRow;
	location: DirLocation;
	locationPhones: PhoneRow[];
	schedules: ScheduleRow[];
}

export interface ServiceAggregate {
	service: DirService;
	organization: DirOrganization;
	languages: LanguageRow[];
	terms: TermRow[];
	phones: PhoneRow[];
	contacts: ContactRow[];
	schedules: ScheduleRow[];
	sals: SalAggregate[];
}

/** The id a record is known by outside: its external id when that is a UUID (HSDS), else ours. */
export const hsdsId = (row: { id: string; externalId: string | null }) => (isUuid(row.externalId) ? row.externalId.toLowerCase() : row.id);
/** The id a record is known by in CSV files: its external id, else ours. */
export const csvId = (row: { id: string; externalId: string | null }) => row.externalId ?? row.id;

export const phoneValue = (p: typeof dirPhones.$inferSelect) => ({ number: p.number, extension: p.extension, type: p.type as PhoneType, description: p.description, languages: [...p.languages] });
export const scheduleOrder = compareSchedules;

function group<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
	const m = new Map<K, T[]>();
	for (const r of rows) {
		const k = key(r);
		const list = m.get(k);
		if (list) list.push(r);
		else m.set(k, [r]);
	}
	return m;
}

const locationLabel = (l: DirLocation) => [l.name, l.address1, l.city].filter(Boolean).join(', ');

/**
 * Aggregates of the live services (or of the given ones, deleted or not), in a stable order:
 * by name, then id; their collections sorted by content, so that two databases holding the same
 * directory give the same aggregates whatever their row ids.
 */
export async function loadServiceAggregates(
	db: Db,
	opts: { serviceIds?: string[]; organizationId?: string; idOf?: (row: { id: string; externalId: string | null }) => string } = {}
): Promise<ServiceAggregate[]> {
	const idOf = opts.idOf ?? hsdsId;
	const conds: SQL[] = [];
	if (opts.serviceIds) {
		if (!opts.serviceIds.length) return [];
		conds.push(inArray(dirServices.id, opts.serviceIds));
	} else conds.push(isNull(dirServices.deletedAt), isNull(dirOrganizations.deletedAt));
	if (opts.organizationId) conds.push(eq(dirServices.organizationId, opts.organizationId));
	const base = await db
		.select({ service: dirServices, organization: dirOrganizations })
		.from(dirServices)
		.innerJoin(dirOrganizations, eq(dirOrganizations.id, dirServices.organizationId))
		.where(and(...conds))
		.orderBy(asc(dirServices.name));
	if (!base.length) return [];
	// Ties broken by the id the export shows, which survives a round trip (ours would not).
	base.sort((a, b) => a.service.name.localeCompare(b.service.name) || idOf(a.service).localeCompare(idOf(b.service)));
	const ids = base.map((b) => b.service.id);
	const all = !opts.serviceIds && !opts.organizationId;
	const byService = (col: typeof dirPhones.serviceId | typeof dirSchedules.serviceId | typeof dirContacts.serviceId) => (all ? isNotNull(col) : inArray(col, ids));

	const [languages, terms, phones, contacts, schedules, sals] = await Promise.all([
		db.select().from(dirLanguages).where(all ? undefined : inArray(dirLanguages.serviceId, ids)),
		db
			.select({ serviceId: dirServiceTerms.serviceId, term: dirTaxonomyTerms })
			.from(dirServiceTerms)
			.innerJoin(dirTaxonomyTerms, eq(dirTaxonomyTerms.id, dirServiceTerms.termId))
			.where(all ? undefined : inArray(dirServiceTerms.serviceId, ids)),
		db.select().from(dirPhones).where(byService(dirPhones.serviceId)),
		db.select().from(dirContacts).where(byService(dirContacts.serviceId)),
		db.select().from(dirSchedules).where(byService(dirSchedules.serviceId)),
		db
			.select({ sal: dirServiceAtLocations, location: dirLocations })
			.from(dirServiceAtLocations)
			.innerJoin(dirLocations, eq(dirLocations.id, dirServiceAtLocations.locationId))
			.where(all ? undefined : inArray(dirServiceAtLocations.serviceId, ids))
	]);
	const locationIds = [...new Set(sals.map((s) => s.location.id))];
	const salIds = sals.map((s) => s.sal.id);
	const [locationPhones, salSchedules] = await Promise.all([
		locationIds.length ? db.select().from(dirPhones).where(inArray(dirPhones.locationId, locationIds)) : Promise.resolve([] as (typeof dirPhones.$inferSelect)[]),
		salIds.length ? db.select().from(dirSchedules).where(inArray(dirSchedules.serviceAtLocationId, salIds)) : Promise.resolve([] as ScheduleRow[])
	]);

	const languagesOf = group(languages, (r) => r.serviceId);
	const termsOf = group(terms, (r) => r.serviceId);
	const phonesOf = group(phones, (r) => r.serviceId);
	const contactsOf = group(contacts, (r) => r.serviceId);
	const schedulesOf = group(schedules, (r) => r.serviceId);
	const salsOf = group(sals, (r) => r.sal.serviceId);
	const locationPhonesOf = group(locationPhones, (r) => r.locationId);
	const salSchedulesOf = group(salSchedules, (r) => r.serviceAtLocationId);

	return base.map(({ service, organization }) => ({
		service,
		organization,
		languages: sortLanguages(languagesOf.get(service.id) ?? []),
		terms: (termsOf.get(service.id) ?? []).map((t) => t.term).sort((a, b) => a.taxonomy.localeCompare(b.taxonomy) || a.code.localeCompare(b.code)),
		phones: sortPhones((phonesOf.get(service.id) ?? []).map((p) => ({ ...p, type: p.type as PhoneType }))),
		contacts: sortContacts(contactsOf.get(service.id) ?? []),
		schedules: [...(schedulesOf.get(service.id) ?? [])].sort(scheduleOrder),
		sals: (salsOf.get(service.id) ?? [])
			.map(({ sal, location }) => ({
				sal,
				location,
				locationPhones: sortPhones((locationPhonesOf.get(location.id) ?? []).map((p) => ({ ...p, type: p.type as PhoneType }))),
				schedules: [...(salSchedulesOf.get(sal.id) ?? [])].sort(scheduleOrder)
			}))
			.sort((a, b) => locationLabel(a.location).localeCompare(locationLabel(b.location)) || idOf(a.location).localeCompare(idOf(b.location)))
	}));
}

export { locationLabel };
