import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { and, count, eq, sql } from 'drizzle-orm';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describeEachDb, createTestDatabase } from './helpers/db';
import { actorFor, makeOrganization, makePerson } from './helpers/factories';
import {
	dirHistory,
	dirLocations,
	dirOrganizations,
	dirPhones,
	dirSchedules,
	dirServices,
	notifications,
	searchOutbox,
	users
} from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db/client';
import { can } from '../../src/lib/server/authz';
import {
	createDirOrganization,
	createService,
	deleteDirOrganization,
	deleteService,
	getHistory,
	getPublicServiceCard,
	getServiceCard,
	getServiceForEdit,
	listStaleServices,
	serviceInput,
	staleServiceReminders,
	updateDirOrganization,
	updateService,
	verifyService,
	writeService,
	type ServiceInput
} from '../../src/lib/server/directory/services';
import { createTerm, deleteTerm, ensureTaxonomy, listTerms, updateTerm } from '../../src/lib/server/directory/taxonomy';
import { exportCsv, parseCsv, CSV_COLUMNS } from '../../src/lib/server/directory/csv';
import { exportHsds } from '../../src/lib/server/directory/hsds';
import { importDirectory } from '../../src/lib/server/directory/import';
import { DEMO_DIRECTORY_SIZE, seedDemoDirectory } from '../../src/lib/server/directory/demo-seed';
import { DEMO_ACCOUNTS, seedDemoNetwork } from '../../src/lib/server/network/demo-seed';
import { monthsBefore } from '../../src/lib/server/directory/format';
import { romeDay } from '../../src/lib/time/rome';
import hsdsSchema from '../../src/lib/server/directory/hsds-schema/service_with_definitions.json';

/** A valid partita IVA from ten digits (the eleventh is the check digit). */
function piva(ten: string): string {
	let sum = 0;
	for (let i = 0; i < 10; i++) {
		let d = Number(ten[i]);
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return ten + String((10 - (sum % 10)) % 10);
}

const input = (o: Record<string, unknown>): ServiceInput => {
	const r = serviceInput.safeParse(o);
	if (!r.success) throw new Error(JSON.stringify(r.error.issues));
	return r.data;
};

const baseService = (organizationId: string, extra: Record<string, unknown> = {}) =>
	input({
		organizationId,
		name: 'Sportello di mediazione',
		description: 'Mediazione linguistico-culturale per le famiglie.',
		languages: [{ code: 'it' }, { code: 'ar' }],
		categories: ['mediazione'],
		targets: ['famiglie-con-minori'],
		phones: [{ number: '0547 000 001' }],
		schedules: [{ weekday: 1, opensAt: '09:00', closesAt: '13:00' }],
		locations: [
			{
				name: 'Sede',
				address1: 'Piazza del Popolo 10',
				city: 'Cesena',
				istatCode: '040007',
				postalCode: '47521',
				stateProvince: 'FC',
				district: 'Cesena Valle Savio',
				latitude: 44.1368,
				longitude: 12.2428,
				phones: [{ number: '0547 000 002', type: 'fax' }],
				schedules: [{ weekday: 3, opensAt: '14:00', closesAt: '17:00', notes: 'su appuntamento' }]
			}
		],
		...extra
	});

/** Two partners with an editor each, an operator of a third one, an admin; a directory record each. */
async function world(db: Db) {
	await ensureTaxonomy(db);
	const [orgA, orgB, orgC] = [await makeOrganization(db), await makeOrganization(db), await makeOrganization(db)];
	const admin = await actorFor(db, await makePerson(db, { role: 'admin' }));
	const editorA = await actorFor(db, await makePerson(db, { organizationId: orgA.id }));
	const colleagueA = await actorFor(db, await makePerson(db, { organizationId: orgA.id }));
	const editorB = await actorFor(db, await makePerson(db, { organizationId: orgB.id }));
	const operator = await actorFor(db, await makePerson(db, { organizationId: orgC.id }));
	const dirA = await createDirOrganization(db, admin, { name: `${orgA.name} (rubrica)`, networkOrganizationId: orgA.id, vatNumber: piva('0123456789') });
	const dirB = await createDirOrganization(db, admin, { name: `${orgB.name} (rubrica)`, networkOrganizationId: orgB.id });
	return { orgA, orgB, orgC, admin, editorA, colleagueA, editorB, operator, dirA, dirB };
}

const outboxFor = async (db: Db, serviceId: string) => (await db.select().from(searchOutbox).where(eq(searchOutbox.entityId, serviceId))).length;
const tableCounts = async (db: Db) => {
	const n = async (t: typeof dirServices | typeof dirOrganizations | typeof dirLocations | typeof dirPhones | typeof dirSchedules | typeof dirHistory) => Number((await db.select({ n: count() }).from(t))[0]!.n);
	return { services: await n(dirServices), organizations: await n(dirOrganizations), locations: await n(dirLocations), phones: await n(dirPhones), schedules: await n(dirSchedules), history: await n(dirHistory), outbox: Number((await db.select({ n: count() }).from(searchOutbox))[0]!.n) };
};

describeEachDb('directory: permissions', (get) => {
	it('lets each partner’s people edit their own services only; admins all; others read', async () => {
		const { db } = get();
		const w = await world(db);
		expect(can(w.operator, 'directory.read')).toBe(true);
		expect(can(null, 'directory.read')).toBe(false);
		expect(can(w.editorA, 'directory.admin')).toBe(false);
		expect(can(w.admin, 'directory.admin')).toBe(true);
		expect(can(w.editorA, 'directory.edit', { networkOrganizationId: null })).toBe(false);
		expect(can(w.admin, 'directory.edit', { networkOrganizationId: null })).toBe(true);

		const a = await createService(db, w.editorA, baseService(w.dirA.id));
		await expect(createService(db, w.editorA, baseService(w.dirB.id))).rejects.toMatchObject({ code: 'error_forbidden', status: 403 });
		const b = await createService(db, w.editorB, baseService(w.dirB.id, { name: 'Sportello legale' }));

		// An editor of A cannot change, verify or delete B's service, nor move A's service to B.
		await expect(updateService(db, w.editorA, b.id, baseService(w.dirB.id, { name: 'Preso' }))).rejects.toMatchObject({ status: 403 });
		await expect(verifyService(db, w.editorA, b.id)).rejects.toMatchObject({ status: 403 });
		await expect(deleteService(db, w.editorA, b.id)).rejects.toMatchObject({ status: 403 });
		await expect(updateService(db, w.editorA, a.id, baseService(w.dirB.id))).rejects.toMatchObject({ status: 403 });
		await expect(getServiceForEdit(db, w.editorA, b.id)).rejects.toMatchObject({ status: 403 });
		// Everyone of A may: the rule is the organisation, not who created the record.
		await updateService(db, w.colleagueA, a.id, baseService(w.dirA.id, { name: 'Sportello di mediazione (nuovo orario)' }));
		// Admins edit everything.
		await updateService(db, w.admin, b.id, baseService(w.dirB.id, { name: 'Sportello legale gratuito' }));

		// An operator of a third organisation reads the cards, edits nothing.
		const card = await getServiceCard(db, w.operator, a.id);
		expect(card.name).toBe('Sportello di mediazione (nuovo orario)');
		expect(card.canEdit).toBe(false);
		expect((await getServiceCard(db, w.editorA, a.id)).canEdit).toBe(true);
		expect((await getServiceCard(db, w.admin, a.id)).canEdit).toBe(true);
		await expect(updateService(db, w.operator, a.id, baseService(w.dirA.id))).rejects.toMatchObject({ status: 403 });
		await expect(verifyService(db, w.operator, a.id)).rejects.toMatchObject({ status: 403 });

		// Directory organisations: a partner’s people edit their own record, never link another.
		await updateDirOrganization(db, w.editorA, w.dirA.id, { name: 'Nome nuovo', networkOrganizationId: w.orgA.id });
		await expect(updateDirOrganization(db, w.editorA, w.dirB.id, { name: 'X', networkOrganizationId: w.orgB.id })).rejects.toMatchObject({ status: 403 });
		await expect(updateDirOrganization(db, w.editorA, w.dirA.id, { name: 'X', networkOrganizationId: w.orgB.id })).rejects.toMatchObject({ status: 403 });
		await expect(createDirOrganization(db, w.editorA, { name: 'Associazione senza rete' })).rejects.toMatchObject({ status: 403 });
		await expect(createDirOrganization(db, w.editorA, { name: 'Altro', networkOrganizationId: w.orgB.id })).rejects.toMatchObject({ status: 403 });
		await expect(deleteDirOrganization(db, w.editorA, w.dirA.id)).rejects.toMatchObject({ status: 403 });
		await expect(deleteDirOrganization(db, w.admin, w.dirA.id)).rejects.toMatchObject({ code: 'error_directory_organization_has_services' });

		// Anonymous visitors (public directory) see public services only, not who verified them.
		expect((await getPublicServiceCard(db, a.id)).lastVerified).toMatchObject({ by: null, email: null });
		const hidden = await createService(db, w.editorA, baseService(w.dirA.id, { name: 'Solo per operatori', isPublic: false }));
		await expect(getPublicServiceCard(db, hidden.id)).rejects.toMatchObject({ status: 404 });
		const publicExport = JSON.parse(await exportHsds(db, { publicOnly: true })) as { id: string; assurer_email?: string }[];
		expect(publicExport.map((d) => d.id)).not.toContain(hidden.id);
		expect(publicExport.every((d) => d.assurer_email === undefined)).toBe(true);
		expect((JSON.parse(await exportHsds(db)) as { id: string }[]).map((d) => d.id)).toContain(hidden.id);

		// Soft delete: gone from cards, row kept, search told to forget it.
		await deleteService(db, w.editorA, a.id);
		await expect(getServiceCard(db, w.operator, a.id)).rejects.toMatchObject({ status: 404 });
		const [row] = await db.select().from(dirServices).where(eq(dirServices.id, a.id));
		expect(row!.deletedBy).toBe(w.editorA.id);
		const ops = await db.select({ op: searchOutbox.op }).from(searchOutbox).where(eq(searchOutbox.entityId, a.id));
		expect(ops.at(-1)!.op).toBe('delete');
	});

	it('keeps taxonomy terms the admins’ (codes fixed, renames re-index, used terms stay)', async () => {
		const { db } = get();
		const w = await world(db);
		await expect(createTerm(db, w.editorA, { taxonomy: 'categoria', code: 'sport', name: 'Sport' })).rejects.toMatchObject({ status: 403 });
		const term = await createTerm(db, w.admin, { taxonomy: 'categoria', code: 'sport', name: 'Sport' });
		await expect(createTerm(db, w.admin, { taxonomy: 'categoria', code: 'sport', name: 'Sport 2' })).rejects.toMatchObject({ code: 'error_directory_term_exists' });
		const s = await createService(db, w.editorA, baseService(w.dirA.id, { categories: ['sport'] }));
		const before = await outboxFor(db, s.id);
		await updateTerm(db, w.admin, term.id, { name: 'Sport e tempo libero' });
		expect(await outboxFor(db, s.id)).toBe(before + 1);
		await expect(deleteTerm(db, w.admin, term.id)).rejects.toMatchObject({ code: 'error_directory_term_in_use' });
		await updateService(db, w.editorA, s.id, baseService(w.dirA.id, { categories: ['mediazione'] }));
		await deleteTerm(db, w.admin, term.id);
		expect((await listTerms(db, { taxonomy: 'categoria' })).map((t) => t.code)).not.toContain('sport');
		expect((await listTerms(db, { taxonomy: 'categoria' })).length).toBeGreaterThanOrEqual(11);
		await expect(createService(db, w.editorA, baseService(w.dirA.id, { categories: ['sport'] }))).rejects.toMatchObject({ code: 'error_directory_term_unknown', field: 'categories' });
	});
});

describeEachDb('directory: history, verification, freshness', (get) => {
	it('records every change field by field, with who made it', async () => {
		const { db } = get();
		const w = await world(db);
		const s = await createService(db, w.editorA, baseService(w.dirA.id));
		const created = await db.select().from(dirHistory).where(eq(dirHistory.resourceId, s.id));
		expect(created.every((h) => h.lastActionType === 'create' && h.updatedBy === w.editorA.id && h.previousValue === null)).toBe(true);
		expect(created.map((h) => h.fieldName)).toEqual(expect.arrayContaining(['name', 'description', 'languages', 'phones', 'schedules', 'categories', 'targets', 'service_at_locations', 'assured_date']));

		const form = await getServiceForEdit(db, w.editorA, s.id);
		const changed = input({
			...form,
			name: 'Sportello di mediazione interculturale',
			phones: [...form.phones, { number: '0547 000 003', languages: ['ar'] }],
			languages: [...form.languages, { code: 'ti' }]
		});
		const historyBefore = (await db.select().from(dirHistory).where(eq(dirHistory.resourceId, s.id))).length;
		await updateService(db, w.colleagueA, s.id, changed);
		const updates = await db
			.select()
			.from(dirHistory)
			.where(and(eq(dirHistory.resourceId, s.id), eq(dirHistory.lastActionType, 'update')));
		expect(updates.map((h) => h.fieldName).sort()).toEqual(['languages', 'name', 'phones']);
		const name = updates.find((h) => h.fieldName === 'name')!;
		expect([name.previousValue, name.replacementValue, name.updatedBy]).toEqual(['Sportello di mediazione', 'Sportello di mediazione interculturale', w.colleagueA.id]);
		expect(updates.find((h) => h.fieldName === 'phones')!.replacementValue).toBe('0547 000 001; 0547 000 003 [ar]');
		expect(updates.find((h) => h.fieldName === 'languages')!.replacementValue).toBe('ar; it; ti');
		expect((await db.select().from(dirHistory).where(eq(dirHistory.resourceId, s.id))).length).toBe(historyBefore + 3);

		// Saving the same form again changes nothing and records nothing.
		await updateService(db, w.colleagueA, s.id, changed);
		expect((await db.select().from(dirHistory).where(eq(dirHistory.resourceId, s.id))).length).toBe(historyBefore + 3);

		// The location is its own record, with its own history.
		const location = (await getServiceForEdit(db, w.editorA, s.id)).locations[0]!;
		await updateService(db, w.editorA, s.id, input({ ...changed, locations: [{ ...location, address1: 'Piazza del Popolo 11' }] }));
		const [moved] = await db
			.select()
			.from(dirHistory)
			.where(and(eq(dirHistory.resourceId, location.id!), eq(dirHistory.fieldName, 'address_1'), eq(dirHistory.lastActionType, 'update')));
		expect([moved!.previousValue, moved!.replacementValue, moved!.lastActionType]).toEqual(['Piazza del Popolo 10', 'Piazza del Popolo 11', 'update']);
		const shown = await getHistory(db, w.operator, s.id);
		expect(shown[0]!.updatedByName).toBeTruthy();
	});

	it('verifies with one click, and tells editors once a week about stale services', async () => {
		const { db } = get();
		const w = await world(db);
		const now = new Date('2026-11-26T10:00:00Z');
		const s = await createService(db, w.editorA, baseService(w.dirA.id), now);
		const fresh = await getServiceCard(db, w.operator, s.id, now);
		expect(fresh.stale).toBe(false);
		expect(fresh.lastVerified.date).toBe('2026-11-26');
		expect(fresh.locations[0]!.mapUrl).toMatch(/^https:\/\/www\.openstreetmap\.org\/\?mlat=44\.1368&mlon=12\.2428/);
		expect(fresh.hours.map((d) => d.ranges.length)).toEqual([1, 0, 0, 0, 0, 0, 0]);
		expect(fresh.locations[0]!.hours[2]!.ranges[0]).toMatchObject({ opensAt: '14:00', closesAt: '17:00', notes: 'su appuntamento' });

		// Seven months later it is stale ("da verificare") for everybody.
		const later = new Date('2027-06-27T10:00:00Z');
		expect(monthsBefore('2027-06-27', 6)).toBe('2026-12-27');
		expect((await getServiceCard(db, w.operator, s.id, later)).stale).toBe(true);
		expect((await listStaleServices(db, w.editorA, later)).map((x) => x.id)).toEqual([s.id]);
		expect(await listStaleServices(db, w.editorB, later)).toEqual([]);
		await createService(db, w.editorB, baseService(w.dirB.id), now);

		// (Other tests' people share this database: look at this world's people only.)
		const mine = (ids: string[]) => ids.filter((id) => [w.editorA, w.colleagueA, w.editorB, w.operator, w.admin].some((p) => p.id === id)).sort();
		const first = await staleServiceReminders(db, later);
		// A's two people and B's editor; never the operator of another organisation.
		expect(mine(first.notified)).toEqual([w.editorA.id, w.colleagueA.id, w.editorB.id].sort());
		const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, w.editorA.id), eq(notifications.kind, 'notif_directory_stale')));
		expect(note).toMatchObject({ params: { count: '1' }, link: '/directory?stale=1' });
		// Daily runs in the same week notify nobody again; a week later they do.
		expect((await staleServiceReminders(db, new Date(later.getTime() + 86_400_000))).notified).toEqual([]);
		expect((await staleServiceReminders(db, new Date(later.getTime() + 6 * 86_400_000))).notified).toEqual([]);

		// One click: "still correct" — verified today by the editor, no longer stale.
		const afterWeek = new Date(later.getTime() + 8 * 86_400_000);
		const r = await verifyService(db, w.colleagueA, s.id, afterWeek);
		expect(r.assuredDate).toBe(romeDay(afterWeek));
		const card = await getServiceCard(db, w.operator, s.id, afterWeek);
		expect(card.stale).toBe(false);
		expect(card.lastVerified.by?.id).toBe(w.colleagueA.id);
		const verifications = await db.select().from(dirHistory).where(and(eq(dirHistory.resourceId, s.id), eq(dirHistory.lastActionType, 'verify')));
		expect(verifications.map((h) => h.fieldName)).toContain('assured_date');
		// A's service is fresh now: a week later only B's editor hears about B's stale service.
		expect(mine((await staleServiceReminders(db, afterWeek)).notified)).toEqual([w.editorB.id]);
	});

	it('queues the search engine in the change’s transaction: a failed change leaves nothing', async () => {
		const { db } = get();
		const w = await world(db);
		const s = await createService(db, w.editorA, baseService(w.dirA.id));
		expect(await outboxFor(db, s.id)).toBe(1);
		const before = await tableCounts(db);
		// A new location is written, then an unknown category fails the save: all of it rolls back.
		const form = await getServiceForEdit(db, w.editorA, s.id);
		await expect(
			updateService(db, w.editorA, s.id, input({ ...form, name: 'Altro nome', categories: ['non-esiste'], locations: [...form.locations, { name: 'Nuova sede', city: 'Sarsina' }] }))
		).rejects.toMatchObject({ code: 'error_directory_term_unknown' });
		expect(await tableCounts(db)).toEqual(before);
		// Same for a transaction that fails after the writer queued the service.
		await expect(
			db.transaction(async (tx) => {
				await writeService(tx, { actorId: w.admin.id, action: 'update' }, s.id, {
					organizationId: w.dirA.id, name: 'Rotto', alternateName: null, description: null, url: null, email: null, status: 'active',
					interpretationServices: null, applicationProcess: null, feesDescription: null, eligibilityDescription: null, minimumAge: null, maximumAge: null,
					isPublic: true, languages: [], termIds: [], phones: [], contacts: [], schedules: [], serviceAtLocations: []
				});
				expect(await outboxFor(tx, s.id)).toBe(2);
				throw new Error('boom');
			})
		).rejects.toThrow('boom');
		expect(await tableCounts(db)).toEqual(before);
		// An organisation's new name re-indexes its services.
		await updateDirOrganization(db, w.admin, w.dirA.id, { name: 'Nome diverso', networkOrganizationId: w.orgA.id });
		expect(await outboxFor(db, s.id)).toBe(2);
	});
});

// ---------------------------------------------------------------------------------------------

const header = CSV_COLUMNS.join(';');
const csvRow = (o: Partial<Record<(typeof CSV_COLUMNS)[number], string>>) =>
	CSV_COLUMNS.map((c) => {
		const v = o[c] ?? '';
		return /[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
	}).join(';');
const goodRow = (i: number, extra: Partial<Record<(typeof CSV_COLUMNS)[number], string>> = {}) => ({
	service_id: `SRV-${i}`,
	service_name: `Servizio ${i}`,
	service_status: 'attivo',
	languages: 'it; ar (su appuntamento)',
	categories: 'mediazione; Abitare',
	targets: 'famiglie-con-minori',
	service_phones: '0547 000 010 int. 12 (fax) [ar, fr] «Segreteria»',
	service_hours: 'lunedì 9.00-13.00, 14.30-17.00; mer 14:00-17:00 (su appuntamento)',
	contacts: 'Segreteria (referente) [Servizi sociali] <segreteria@example.org>',
	assured_date: '2026-10-01',
	organization_id: 'ORG-1',
	organization_name: 'Associazione Esempio',
	organization_vat_number: piva('0987654321'),
	location_id: `LOC-${i % 2}`,
	location_type: 'physical',
	address_1: 'Via Roma 1',
	city: 'Cesena',
	istat_code: '40007',
	postal_code: '47521',
	province: 'fc',
	district: 'Cesena Valle Savio',
	latitude: '44,1391',
	longitude: '12.2431',
	location_hours: 'gio 09:00-12:00',
	...extra
});

describeEachDb('directory: import', (get) => {
	it('validates every row and reports row, field and problem, writing nothing', async () => {
		const { db } = get();
		const w = await world(db);
		const before = await tableCounts(db);
		const bad = [
			header,
			csvRow(goodRow(1)),
			csvRow(goodRow(2, { service_email: 'not-an-email', service_hours: 'lun 9-13' })),
			csvRow(goodRow(3, { service_name: '', categories: 'astrologia', organization_name: 'Altro nome' })),
			csvRow(goodRow(4, { latitude: '', istat_code: '1234567', service_phones: '0547 000 011 (piccione)' })),
			csvRow(goodRow(5, { location_id: '', location_hours: 'lun 09:00-10:00', organization_vat_number: '12345678901' }))
		].join('\r\n');
		const report = await importDirectory(db, w.admin, { format: 'csv', content: bad });
		expect(report.ok).toBe(false);
		const problems = report.problems.map((p) => [p.row, p.field, p.problem]);
		expect(problems).toEqual(
			expect.arrayContaining([
				[3, 'service_email', 'error_email'],
				[3, 'service_hours', 'error_directory_cell_syntax'],
				[4, 'service_name', 'error_required'],
				[5, 'latitude', 'error_directory_coordinates'],
				[5, 'istat_code', 'error_directory_istat'],
				[5, 'service_phones', 'error_directory_cell_syntax'],
				[6, 'location_id', 'error_required'],
				[6, 'organization_vat_number', 'error_vat_number']
			])
		);
		expect(report.problems.find((p) => p.row === 3 && p.field === 'service_hours')!.detail).toBe('lun 9-13');
		expect(await tableCounts(db)).toEqual(before);

		// Rows that are each fine but disagree with the database or with each other.
		const second = [header, csvRow(goodRow(1)), csvRow(goodRow(3, { categories: 'astrologia' })), csvRow(goodRow(4, { organization_name: 'Altro nome' }))].join('\n');
		const r2 = await importDirectory(db, w.admin, { format: 'csv', content: second });
		expect(r2.problems.map((p) => [p.row, p.field, p.problem])).toEqual([[4, 'organization_name', 'error_directory_conflict']]);
		const r3 = await importDirectory(db, w.admin, { format: 'csv', content: [header, csvRow(goodRow(1)), csvRow(goodRow(3, { categories: 'astrologia' }))].join('\n') });
		expect(r3.problems).toEqual([{ row: 3, field: 'categories', problem: 'error_directory_term_unknown', detail: 'astrologia' }]);
		expect(await tableCounts(db)).toEqual(before);

		// HSDS: the schema's own errors, with the path inside the service.
		const hsds = JSON.stringify([{ id: 'not-a-uuid', name: 'X', status: 'active' }, { id: '0b5f2a52-8a2b-4c3e-9c55-6d1a3c1b2a10', name: 'Y' }]);
		const r4 = await importDirectory(db, w.admin, { format: 'hsds', content: hsds });
		expect(r4.problems.map((p) => [p.row, p.field, p.problem])).toEqual(
			expect.arrayContaining([
				[1, 'id', 'error_directory_hsds_schema'],
				[2, 'status', 'error_directory_hsds_schema']
			])
		);
		expect((await importDirectory(db, w.admin, { format: 'hsds', content: '[{' })).problems[0]!.problem).toBe('error_directory_json');
		// Importing is for admins.
		await expect(importDirectory(db, w.editorA, { format: 'csv', content: header })).rejects.toMatchObject({ status: 403 });
		expect(await tableCounts(db)).toEqual(before);
	});

	it('dry-runs without writing, then imports idempotently (upsert by the file’s ids)', async () => {
		const { db } = get();
		const w = await world(db);
		const file = '\uFEFF' + [CSV_COLUMNS.join(','), ...[1, 2, 3].map((i) => CSV_COLUMNS.map((c) => JSON.stringify((goodRow(i) as Record<string, string>)[c] ?? '')).join(','))].join('\n');
		const before = await tableCounts(db);
		const dry = await importDirectory(db, w.admin, { format: 'csv', content: file, dryRun: true });
		expect(dry).toMatchObject({ ok: true, dryRun: true, rows: 3, created: 3, updated: 0 });
		expect(dry.counts.locations.created).toBe(2);
		expect(await tableCounts(db)).toEqual(before);

		const first = await importDirectory(db, w.admin, { format: 'csv', content: file });
		expect(first).toMatchObject({ ok: true, created: 3, updated: 0, unchanged: 0 });
		expect(first.counts.organizations).toEqual({ created: 1, updated: 0, unchanged: 0 });
		const afterFirst = await tableCounts(db);
		expect(afterFirst.services).toBe(before.services + 3);
		const second = await importDirectory(db, w.admin, { format: 'csv', content: file });
		expect(second).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 3 });
		expect(await tableCounts(db)).toEqual(afterFirst);

		const [imported] = await db.select().from(dirServices).where(eq(dirServices.externalId, 'SRV-1'));
		const card = await getServiceCard(db, w.operator, imported!.id);
		expect(card.categories.map((c) => c.code).sort()).toEqual(['abitare', 'mediazione']);
		expect(card.hours[0]!.ranges.map((r) => `${r.opensAt}-${r.closesAt}`)).toEqual(['09:00-13:00', '14:30-17:00']);
		expect(card.locations[0]!.address).toMatchObject({ istatCode: '040007', stateProvince: 'FC', district: 'Cesena Valle Savio' });
		expect(card.locations[0]!.latitude).toBe(44.1391);
		expect(card.phones[0]).toMatchObject({ number: '0547 000 010', extension: '12', type: 'fax', languages: ['ar', 'fr'], description: 'Segreteria' });

		// A changed row updates that service only, recording the import in its history.
		const changed = file.replace('Servizio 2', 'Servizio due');
		const third = await importDirectory(db, w.admin, { format: 'csv', content: changed });
		expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
		const [two] = await db.select().from(dirServices).where(eq(dirServices.externalId, 'SRV-2'));
		const rows = await db.select().from(dirHistory).where(and(eq(dirHistory.resourceId, two!.id), eq(dirHistory.lastActionType, 'import')));
		expect(rows.map((r) => [r.fieldName, r.previousValue, r.replacementValue])).toEqual([['name', 'Servizio 2', 'Servizio due']]);
	});
});

describeEachDb('directory: demo data and round trips', (get, kind) => {
	it('seeds about 150 realistic services, all queued for the search engine', async () => {
		const { db } = get();
		await seedDemoNetwork(db);
		const started = Date.now();
		await seedDemoDirectory(db, new Date('2026-11-26T10:00:00Z'));
		await seedDemoDirectory(db, new Date('2026-11-26T10:00:00Z'));
		const ms = Date.now() - started;
		const services = await db.select().from(dirServices);
		expect(services.length).toBe(DEMO_DIRECTORY_SIZE);
		expect(services.length).toBeGreaterThanOrEqual(140);
		expect(services.length).toBeLessThanOrEqual(160);
		const queued = new Set((await db.select({ id: searchOutbox.entityId }).from(searchOutbox)).map((r) => r.id));
		expect(services.every((s) => queued.has(s.id))).toBe(true);
		const locations = await db.select().from(dirLocations);
		expect(new Set(locations.map((l) => l.district).filter(Boolean))).toEqual(new Set(['Cesena Valle Savio', 'Modena', 'Rimini', 'Ravenna', 'Reggio Emilia']));
		expect(locations.filter((l) => l.locationType === 'physical').every((l) => /^\d{6}$/.test(l.istatCode ?? '') && l.latitude && l.longitude)).toBe(true);
		expect(locations.find((l) => l.city === 'Cesena')!.istatCode).toBe('040007');
		expect(locations.find((l) => l.city === "Reggio nell'Emilia")!.istatCode).toBe('035033');
		const stale = services.filter((s) => !s.assuredDate || s.assuredDate < monthsBefore('2026-11-26', 6));
		expect(stale.length).toBeGreaterThan(5);
		expect(stale.length).toBeLessThan(services.length / 3);
		const partnersLinked = await db.select().from(dirOrganizations).where(sql`${dirOrganizations.networkOrganizationId} is not null`);
		expect(partnersLinked.length).toBe(11);
		const phones = await db.select({ number: dirPhones.number }).from(dirPhones);
		expect(phones.every((p) => / 000 \d{3}$/.test(p.number))).toBe(true);
		console.log(`[${kind}] demo directory: ${services.length} services in ${ms} ms`);
	});

	it('round-trips CSV and HSDS: export → import into an empty database → export is identical', async () => {
		const { db } = get();
		const csv = await exportCsv(db);
		expect(csv.startsWith('\uFEFF' + CSV_COLUMNS.slice(0, 3).join(';'))).toBe(true);
		const hsds = await exportHsds(db);
		const docs = JSON.parse(hsds) as Record<string, unknown>[];
		expect(docs.length).toBe(DEMO_DIRECTORY_SIZE);

		// Independently of the exporter's own check: every object validates against HSDS 3.0.
		const ajv = new Ajv({ strict: false, allErrors: true });
		addFormats(ajv);
		const validate = ajv.compile(hsdsSchema as object);
		for (const doc of docs) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
		const sample = docs.find((d) => (d.service_at_locations as unknown[]).length > 0)!;
		const location = (sample.service_at_locations as { location: Record<string, unknown> }[])[0]!.location;
		expect(location).toMatchObject({ istat_code: expect.stringMatching(/^\d{6}$/), district: expect.any(String) });
		expect((sample.attributes as { taxonomy_term: { taxonomy: string } }[]).map((a) => a.taxonomy_term.taxonomy)).toContain('categoria');

		for (const [format, content] of [['csv', csv], ['hsds', hsds]] as const) {
			const other = await createTestDatabase(kind);
			try {
				const admin = await actorFor(other.db, await makePerson(other.db, { role: 'admin' }));
				const report = await importDirectory(other.db, admin, { format, content });
				expect(report.problems).toEqual([]);
				expect(report).toMatchObject({ ok: true, created: DEMO_DIRECTORY_SIZE });
				const again = format === 'csv' ? await exportCsv(other.db) : await exportHsds(other.db);
				expect(again === content, `${format} round trip`).toBe(true);
				// And importing the export back where it came from changes nothing.
				const [demoAdmin] = await db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS[0]!.email));
				const back = await importDirectory(db, await actorFor(db, demoAdmin!), { format, content });
				expect(back).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: DEMO_DIRECTORY_SIZE });
			} finally {
				await other.destroy();
			}
		}
	});
});

describe('directory: documentation', () => {
	it('reads the example of docs/directory-import.md as documented', () => {
		const doc = readFileSync('docs/directory-import.md', 'utf8');
		const example = /```csv\n([\s\S]*?)```/.exec(doc)![1]!;
		const batch = parseCsv(example);
		expect(batch.problems).toEqual([]);
		expect(batch.services.map((s) => [s.ref, s.serviceAtLocations.length])).toEqual([['MED-01', 1], ['CPIA-IT', 2]]);
		expect(batch.services[0]!.languages.find((l) => l.code === 'ti')!.note).toBe('solo il martedì');
		expect(batch.services[1]!.serviceAtLocations[1]!.schedules[0]).toMatchObject({ weekday: 2, opensAt: '18:00', notes: 'corso A2' });
		expect(batch.locations.get('CPIA-MS')!.istatCode).toBe('040020');
		expect(batch.warnings.map((w) => w.problem)).toEqual(['error_directory_column_absent']);
	});
});
