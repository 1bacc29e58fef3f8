/**
 * Flattens services from the directory tables into search documents. Deleted services (or services
 * of a deleted organisation) have no document: the caller removes them from the index.
 */
import { and, asc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
	dirLanguages,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServiceAtLocations,
	dirServiceTerms,
	dirServices,
	dirTaxonomyTerms
} from '../db/schema';
import { romeDay } from '../../time/rome';
import { scheduleToHours, type ScheduleLike } from './hours';
import { languageName } from './labels';
import { CONTROL_CHARS } from './snippet';
import type { CodeName, SearchDocument, SearchLocation, SearchPhone } from './types';

// Control characters (among them the snippet markers, see snippet.ts) never reach an index.
const clean = (s: string | null | undefined): string | null => (s == null ? null : s.replace(CONTROL_CHARS, ''));
const cleanReq = (s: string): string => s.replace(CONTROL_CHARS, '');

const group = <T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> => {
	const m = new Map<K, T[]>();
	for (const r of rows) {
		const k = key(r);
		const list = m.get(k);
		if (list) list.push(r);
		else m.set(k, [r]);
	}
	return m;
};

const byCode = (a: CodeName, b: CodeName) => a.code.localeCompare(b.code);

/** Documents for these services, in no particular order; deleted or unknown ids are absent. */
export async function buildSearchDocuments(db: Db, serviceIds: string[], now = new Date()): Promise<SearchDocument[]> {
	const ids = [...new Set(serviceIds)];
	if (!ids.length) return [];
	const services = await db
		.select({
			id: dirServices.id,
			name: dirServices.name,
			alternateName: dirServices.alternateName,
			description: dirServices.description,
			eligibility: dirServices.eligibilityDescription,
			status: dirServices.status,
			isPublic: dirServices.isPublic,
			assuredDate: dirServices.assuredDate,
			organizationId: dirOrganizations.id,
			organizationName: dirOrganizations.name
		})
		.from(dirServices)
		.innerJoin(dirOrganizations, eq(dirOrganizations.id, dirServices.organizationId))
		.where(and(inArray(dirServices.id, ids), isNull(dirServices.deletedAt), isNull(dirOrganizations.deletedAt)));
	if (!services.length) return [];
	const live = services.map((s) => s.id);

	const [locations, phones, languages, terms] = await Promise.all([
		db
			.select({
				salId: dirServiceAtLocations.id,
				serviceId: dirServiceAtLocations.serviceId,
				id: dirLocations.id,
				name: dirLocations.name,
				address1: dirLocations.address1,
				address2: dirLocations.address2,
				city: dirLocations.city,
				istatCode: dirLocations.istatCode,
				district: dirLocations.district,
				lat: dirLocations.latitude,
				lon: dirLocations.longitude
			})
			.from(dirServiceAtLocations)
			.innerJoin(dirLocations, eq(dirLocations.id, dirServiceAtLocations.locationId))
			.where(and(inArray(dirServiceAtLocations.serviceId, live), isNull(dirLocations.deletedAt)))
			.orderBy(asc(dirLocations.city), asc(dirLocations.name), asc(dirLocations.id)),
		db
			.select({ serviceId: dirPhones.serviceId, number: dirPhones.number, type: dirPhones.type, languages: dirPhones.languages })
			.from(dirPhones)
			.where(inArray(dirPhones.serviceId, live))
			.orderBy(asc(dirPhones.number)),
		db
			.select({ serviceId: dirLanguages.serviceId, code: dirLanguages.code, name: dirLanguages.name })
			.from(dirLanguages)
			.where(inArray(dirLanguages.serviceId, live)),
		db
			.select({ serviceId: dirServiceTerms.serviceId, taxonomy: dirTaxonomyTerms.taxonomy, code: dirTaxonomyTerms.code, name: dirTaxonomyTerms.name })
			.from(dirServiceTerms)
			.innerJoin(dirTaxonomyTerms, eq(dirTaxonomyTerms.id, dirServiceTerms.termId))
			.where(and(inArray(dirServiceTerms.serviceId, live), isNull(dirTaxonomyTerms.deletedAt)))
	]);
	const salToService = new Map(locations.map((l) => [l.salId, l.serviceId]));
	const salIds = [...salToService.keys()];
	const schedules = await db
		.select({
			serviceId: dirSchedules.serviceId,
			salId: dirSchedules.serviceAtLocationId,
			weekday: dirSchedules.weekday,
			opensAt: dirSchedules.opensAt,
			closesAt: dirSchedules.closesAt,
			validFrom: dirSchedules.validFrom,
			validTo: dirSchedules.validTo
		})
		.from(dirSchedules)
		.where(salIds.length ? or(inArray(dirSchedules.serviceId, live), inArray(dirSchedules.serviceAtLocationId, salIds)) : inArray(dirSchedules.serviceId, live));

	const locationsBy = group(locations, (l) => l.serviceId);
	const phonesBy = group(phones, (p) => p.serviceId);
	const languagesBy = group(languages, (l) => l.serviceId);
	const termsBy = group(terms, (t) => t.serviceId);
	const schedulesBy = group(schedules, (s) => s.serviceId ?? (s.salId ? salToService.get(s.salId) : undefined));
	const today = romeDay(now);

	return services.map((s): SearchDocument => {
		const locs: SearchLocation[] = (locationsBy.get(s.id) ?? []).map((l) => ({
			id: l.id,
			name: clean(l.name),
			address: clean([l.address1, l.address2].filter((a) => a?.trim()).join(', ') || null),
			city: clean(l.city),
			istatCode: l.istatCode,
			district: clean(l.district),
			lat: l.lat,
			lon: l.lon
		}));
		const phoneList: SearchPhone[] = (phonesBy.get(s.id) ?? []).map((p) => ({ number: cleanReq(p.number), type: p.type, languages: p.languages }));
		const langs = new Map<string, string>();
		for (const l of languagesBy.get(s.id) ?? []) langs.set(l.code, languageName(l.code, l.name));
		for (const p of phoneList) for (const code of p.languages) if (!langs.has(code)) langs.set(code, languageName(code));
		const termList = termsBy.get(s.id) ?? [];
		const terms = (taxonomy: 'categoria' | 'destinatari') =>
			termList
				.filter((t) => t.taxonomy === taxonomy)
				.map((t) => ({ code: t.code, name: cleanReq(t.name) }))
				.sort(byCode);
		return {
			id: s.id,
			name: cleanReq(s.name),
			alternateName: clean(s.alternateName),
			description: clean(s.description),
			eligibility: clean(s.eligibility),
			organization: { id: s.organizationId, name: cleanReq(s.organizationName) },
			locations: locs,
			phones: phoneList,
			languages: [...langs].map(([code, name]) => ({ code, name: cleanReq(name) })).sort(byCode),
			categories: terms('categoria'),
			targets: terms('destinatari'),
			status: s.status,
			isPublic: s.isPublic,
			assuredDate: s.assuredDate,
			hours: scheduleToHours((schedulesBy.get(s.id) ?? []) as ScheduleLike[], today)
		};
	});
}

/** Every live service's document, `batch` at a time, in id order. */
export async function* allSearchDocuments(db: Db, batch = 500): AsyncGenerator<SearchDocument[]> {
	let after: string | undefined;
	for (;;) {
		const rows = await db
			.select({ id: dirServices.id })
			.from(dirServices)
			.where(after ? and(isNull(dirServices.deletedAt), gt(dirServices.id, after)) : isNull(dirServices.deletedAt))
			.orderBy(asc(dirServices.id))
			.limit(batch);
		if (!rows.length) return;
		after = rows[rows.length - 1]!.id;
		const docs = await buildSearchDocuments(
			db,
			rows.map((r) => r.id)
		);
		if (docs.length) yield docs;
		if (rows.length < batch) return;
	}
}
