import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson } from './helpers/factories';
import type { Db } from '../../src/lib/server/db/client';
import { dirHistory, dirServices } from '../../src/lib/server/db/schema';
import {
	createDirOrganization,
	createService,
	getServiceCard,
	getServiceForEdit,
	listOrganizationLocationsForEdit,
	listOrganizationServices,
	serviceInput
} from '../../src/lib/server/directory/services';
import { createTerm, ensureTaxonomy, termUsage } from '../../src/lib/server/directory/taxonomy';
import { romeDay } from '../../src/lib/time/rome';
import { applyRowOp, emptyLocation, emptyService, fieldErrors, nestFormData, readServiceForm, serviceFormFrom, serviceInputFrom, type ServiceFormValues } from '../../src/lib/components/directory/edit/service-form';
import { editableOrganizations, serviceFormChoices, serviceHistory, serviceVersion, submitServiceForm } from '../../src/lib/components/directory/edit/editing.server';
import { partnerChoices, submitOrganizationForm } from '../../src/lib/components/directory/edit/organizations.server';
import { compareFieldPaths, fieldLabel } from '../../src/lib/components/directory/edit/labels';

/** What a browser posts for these form values: path names, repeated names for checkboxes. */
function toFormData(values: ServiceFormValues, extra: Record<string, string> = {}): FormData {
	const fd = new FormData();
	const put = (prefix: string, v: unknown) => {
		if (Array.isArray(v)) v.forEach((x, i) => (typeof x === 'object' ? put(`${prefix}.${i}`, x) : fd.append(prefix, String(x))));
		else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) put(prefix ? `${prefix}.${k}` : k, x);
		else if (typeof v === 'boolean') {
			if (v) fd.append(prefix, 'on');
		} else fd.append(prefix, String(v ?? ''));
	};
	put('', values);
	for (const [k, v] of Object.entries(extra)) fd.append(k, v);
	return fd;
}

async function world(db: Db) {
	await ensureTaxonomy(db);
	const [orgA, orgB] = [await makeOrganization(db), await makeOrganization(db)];
	const admin = await actorFor(db, await makePerson(db, { role: 'admin' }));
	const editorA = await actorFor(db, await makePerson(db, { organizationId: orgA.id }));
	const editorB = await actorFor(db, await makePerson(db, { organizationId: orgB.id }));
	const dirA = await createDirOrganization(db, admin, { name: 'Servizi sociali A', networkOrganizationId: orgA.id });
	const dirB = await createDirOrganization(db, admin, { name: 'Servizi sociali B', networkOrganizationId: orgB.id });
	const unlinked = await createDirOrganization(db, admin, { name: 'Caritas (non partner)' });
	return { orgA, orgB, admin, editorA, editorB, dirA, dirB, unlinked };
}

const sample = (organizationId: string): ServiceFormValues => ({
	...emptyService(organizationId),
	name: 'Sportello stranieri',
	description: 'Orientamento ai servizi.',
	categories: ['accesso-servizi'],
	targets: ['famiglie-con-minori', 'richiedenti-asilo'],
	languages: [
		{ code: 'it', name: '', note: '' },
		{ code: 'ar', name: '', note: 'il martedì' }
	],
	phones: [{ number: '0547 111 222', extension: '', type: 'voice', description: 'Segreteria', languages: 'it, ar' }],
	contacts: [{ name: '', title: 'Coordinatrice', department: 'Ufficio immigrazione', email: 'immigrazione@comune.example.it' }],
	schedules: [],
	locations: [
		{
			...emptyLocation(),
			id: '',
			locationType: 'physical',
			name: 'Sede centrale',
			description: '',
			url: '',
			address1: 'Via Roma 1',
			address2: '',
			city: 'Cesena',
			istatCode: '40007',
			postalCode: '47521',
			stateProvince: 'fc',
			region: 'Emilia-Romagna',
			country: 'IT',
			district: 'Cesena Valle Savio',
			latitude: '44,1368',
			longitude: '12.2428',
			serviceDescription: '',
			phones: [{ number: '0547 333 444', extension: '12', type: 'fax', description: '', languages: '' }],
			schedules: [
				{ weekday: '1', opensAt: '09:00', closesAt: '13:00', validFrom: '', validTo: '', notes: '' },
				{ weekday: '3', opensAt: '14:00', closesAt: '17:00', validFrom: '', validTo: '', notes: 'su appuntamento' }
			]
		}
	]
});

describe('service form values (no database)', () => {
	it('nests path names into rows, keeps repeated names as lists and ignores hostile names', () => {
		const fd = new FormData();
		fd.append('name', 'Servizio');
		fd.append('categories', 'salute');
		fd.append('categories', 'scuola');
		fd.append('locations.0.schedules.1.opensAt', '9.00');
		fd.append('locations.0.schedules.0.opensAt', '08:00');
		fd.append('locations.0.city', 'Rimini');
		fd.append('phones.999.number', '1');
		fd.append('__proto__.x', 'y');
		fd.append('a.b.c.d.e.f.g', 'deep');
		const raw = nestFormData(fd);
		expect(raw.name).toBe('Servizio');
		expect(raw.categories).toEqual(['salute', 'scuola']);
		expect((raw.locations as { city: string; schedules: { opensAt: string }[] }[])[0]!.schedules.map((s) => s.opensAt)).toEqual(['08:00', '9.00']);
		expect(raw.phones).toEqual([]);
		expect(({} as Record<string, unknown>).x).toBeUndefined();
		expect(raw.a).toBeUndefined();
	});

	it('reads a submitted form back to the values it was made of (checkboxes included)', () => {
		const values = sample('00000000-0000-4000-8000-000000000001');
		values.isPublic = false;
		values.verify = true;
		expect(readServiceForm(toFormData(values))).toEqual(values);
		// A missing checkbox is "no" (the data layer's default would make the service public).
		const input = serviceInput.parse(serviceInputFrom(readServiceForm(toFormData(values))));
		expect(input.isPublic).toBe(false);
		expect(input.phones[0]!.languages).toEqual(['it', 'ar']);
		expect(input.locations[0]!).toMatchObject({ istatCode: '040007', stateProvince: 'FC', latitude: 44.1368 });
		// Rows removed in the browser leave gaps in the indexes: they close up in order.
		const fd = toFormData(values);
		fd.delete('languages.0.code');
		fd.delete('languages.0.name');
		fd.delete('languages.0.note');
		expect(readServiceForm(fd).languages.map((l) => l.code)).toEqual(['ar']);
	});

	it('adds and removes rows without JavaScript, refusing unknown operations', () => {
		const values = sample('00000000-0000-4000-8000-000000000001');
		expect(applyRowOp(values, 'add:locations.0.schedules')).toBe('locations.0.schedules.2');
		expect(values.locations[0]!.schedules[2]!.weekday).toBe('4');
		expect(applyRowOp(values, 'remove:locations.0.schedules.0')).toBe('locations.0.schedules');
		expect(values.locations[0]!.schedules.map((s) => s.weekday)).toEqual(['3', '4']);
		expect(applyRowOp(values, 'add:phones')).toBe('phones.1');
		expect(values.phones[1]).toMatchObject({ number: '', type: 'voice' });
		expect(applyRowOp(values, 'add:locations.0.locations')).toBeNull();
		expect(applyRowOp(values, 'remove:name.0')).toBeNull();
		expect(applyRowOp(values, 'remove:phones.7')).toBeNull();
		expect(applyRowOp(values, 'add:__proto__')).toBeNull();
	});

	it('names each field of the error summary, in the order the form shows them', () => {
		expect(fieldLabel('name')).toBe('Nome del servizio');
		expect(fieldLabel('locations.0.schedules.1.closesAt')).toBe('Sede 1 › Orario 2 › Chiude');
		expect(fieldLabel('locations.1.istatCode')).toBe('Sede 2 › Codice ISTAT del comune');
		expect(fieldLabel('phones.0.languages')).toBe('Telefono 1 › Lingue parlate a questo numero');
		expect(fieldLabel('locations.0.id')).toBe('Sede 1 › Sede');
		const paths = ['locations.0.schedules.0.opensAt', 'locations.0.city', 'phones.1.number', 'name', 'phones.0.number', 'locations.0.phones.0.number', '_form', 'maximumAge'];
		expect([...paths].sort(compareFieldPaths)).toEqual(['_form', 'name', 'maximumAge', 'phones.0.number', 'phones.1.number', 'locations.0.city', 'locations.0.phones.0.number', 'locations.0.schedules.0.opensAt']);
	});

	it('puts the error of one language code of a phone on the phone’s languages field', () => {
		expect(fieldErrors({ 'phones.0.languages.1': 'error_directory_language', 'locations.1.phones.0.languages.0': 'x', name: 'error_required' })).toEqual({
			'phones.0.languages': 'error_directory_language',
			'locations.1.phones.0.languages': 'x',
			name: 'error_required'
		});
	});
});

describeEachDb('directory editing pages: server side', (get) => {
	it('offers each person only the organisations they may edit', async () => {
		const { db } = get();
		const w = await world(db);
		expect((await editableOrganizations(db, w.editorA)).map((o) => o.id)).toEqual([w.dirA.id]);
		expect((await editableOrganizations(db, w.admin)).map((o) => o.id)).toEqual(expect.arrayContaining([w.dirA.id, w.dirB.id, w.unlinked.id]));
		const outsider = await actorFor(db, await makePerson(db));
		expect(await editableOrganizations(db, outsider)).toEqual([]);
		const choices = await serviceFormChoices(db, w.editorA, w.dirA.id);
		expect(choices.categories.some((c) => c.code === 'tutela-legale')).toBe(true);
		expect(choices.targets.some((c) => c.code === 'msna')).toBe(true);
		expect(choices.languages.find((l) => l.code === 'ti')?.name).toBe('tigrino');
	});

	it('creates a service from the form, then saves it unchanged without recording anything', async () => {
		const { db } = get();
		const w = await world(db);
		const created = await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id)), null);
		expect(created.kind).toBe('saved');
		const id = (created as { id: string }).id;
		const card = await getServiceCard(db, w.editorA, id);
		expect(card.phones.map((p) => p.number)).toEqual(['0547 111 222']);
		expect(card.locations[0]!.hours.find((d) => d.weekday === 3)!.ranges[0]).toMatchObject({ opensAt: '14:00', closesAt: '17:00', notes: 'su appuntamento' });
		expect(card.locations[0]!.phones[0]).toMatchObject({ number: '0547 333 444', extension: '12', type: 'fax' });

		// The edit page's values, posted back as they are: nothing changes, nothing is recorded.
		const before = (await db.select().from(dirHistory).where(eq(dirHistory.resourceId, id))).length;
		const values = serviceFormFrom(await getServiceForEdit(db, w.editorA, id));
		expect(values.locations[0]!.latitude).toBe('44.1368');
		const again = await submitServiceForm(db, w.editorA, toFormData(values), id);
		expect(again).toEqual({ kind: 'saved', id });
		expect((await db.select().from(dirHistory).where(eq(dirHistory.resourceId, id))).length).toBe(before);
	});

	it('returns every typed value with errors keyed by field path when the form is invalid', async () => {
		const { db } = get();
		const w = await world(db);
		const values = sample(w.dirA.id);
		values.name = '  ';
		values.phones[0]!.number = 'chiamare';
		values.phones[0]!.languages = 'it, arabo';
		values.locations[0]!.schedules[1]!.closesAt = '13:00';
		values.locations[0]!.istatCode = '12';
		values.minimumAge = '18';
		values.maximumAge = '6';
		const res = await submitServiceForm(db, w.editorA, toFormData(values), null);
		expect(res.kind).toBe('invalid');
		if (res.kind !== 'invalid') return;
		expect(res.status).toBe(400);
		expect(res.errors).toMatchObject({
			name: 'error_required',
			'phones.0.number': 'error_directory_phone',
			'phones.0.languages': 'error_directory_language',
			'locations.0.schedules.1.closesAt': 'error_directory_time_order',
			'locations.0.istatCode': 'error_directory_istat',
			maximumAge: 'error_directory_age_order'
		});
		expect(res.values).toEqual(values);
		expect(await listOrganizationServices(db, w.dirA.id)).toEqual([]);
	});

	it('maps the data layer’s refusals: another partner’s organisation, a retired category', async () => {
		const { db } = get();
		const w = await world(db);
		const foreign = await submitServiceForm(db, w.editorA, toFormData(sample(w.dirB.id)), null);
		expect(foreign).toMatchObject({ kind: 'invalid', status: 403, errors: { _form: 'error_forbidden' } });
		const unknown = { ...sample(w.dirA.id), categories: ['non-esiste'] };
		expect(await submitServiceForm(db, w.editorA, toFormData(unknown), null)).toMatchObject({ kind: 'invalid', status: 400, errors: { categories: 'error_directory_term_unknown' } });
		// Editing someone else's service is refused before anything is written.
		const theirs = await createService(db, w.editorB, serviceInput.parse(serviceInputFrom(sample(w.dirB.id))));
		const res = await submitServiceForm(db, w.editorA, toFormData(sample(w.dirB.id)), theirs.id);
		expect(res).toMatchObject({ kind: 'invalid', status: 403 });
	});

	it('notices a save by someone else since the form was opened, and overwrites only when saved again', async () => {
		const { db } = get();
		const w = await world(db);
		const { id } = (await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id)), null)) as { id: string };
		const colleague = await actorFor(db, await makePerson(db, { organizationId: w.orgA.id }));
		const base = await serviceVersion(db, w.editorA, id);
		const mine = serviceFormFrom(await getServiceForEdit(db, w.editorA, id));
		mine.name = 'Sportello stranieri (mio)';

		await new Promise((r) => setTimeout(r, 5));
		const theirs = serviceFormFrom(await getServiceForEdit(db, colleague, id));
		theirs.description = 'Cambiata da una collega.';
		expect((await submitServiceForm(db, colleague, toFormData(theirs, { _base: base }), id)).kind).toBe('saved');

		const conflict = await submitServiceForm(db, w.editorA, toFormData(mine, { _base: base }), id);
		expect(conflict).toMatchObject({ kind: 'invalid', status: 409, errors: { _form: 'dir_edit_conflict' }, values: { name: 'Sportello stranieri (mio)' } });
		const current = (conflict as { base: string }).base;
		expect(current).not.toBe(base);
		expect((await getServiceCard(db, w.editorA, id)).name).toBe('Sportello stranieri');
		// Invalid input keeps the version the form started from (a reload of the page must not refresh it).
		expect(await submitServiceForm(db, w.editorA, toFormData({ ...mine, name: '' }, { _base: base }), id)).toMatchObject({ kind: 'invalid', status: 400, base });
		expect(await submitServiceForm(db, w.editorA, toFormData(mine, { _base: current }), id)).toEqual({ kind: 'saved', id });
		expect((await getServiceCard(db, w.editorA, id)).name).toBe('Sportello stranieri (mio)');
	});

	it('of two saves sent at once from the same version, one is saved and the other told of the conflict', async () => {
		const { db } = get();
		const w = await world(db);
		const { id } = (await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id)), null)) as { id: string };
		const colleague = await actorFor(db, await makePerson(db, { organizationId: w.orgA.id }));
		const base = await serviceVersion(db, w.editorA, id);
		await new Promise((r) => setTimeout(r, 5));
		const mine = { ...serviceFormFrom(await getServiceForEdit(db, w.editorA, id)), name: 'Versione di A' };
		const theirs = { ...serviceFormFrom(await getServiceForEdit(db, colleague, id)), name: 'Versione della collega' };
		const results = await Promise.all([
			submitServiceForm(db, w.editorA, toFormData(mine, { _base: base }), id),
			submitServiceForm(db, colleague, toFormData(theirs, { _base: base }), id)
		]);
		expect(results.map((r) => r.kind).sort()).toEqual(['invalid', 'saved']);
		const lost = results.find((r) => r.kind === 'invalid')!;
		expect(lost).toMatchObject({ status: 409, errors: { _form: 'dir_edit_conflict' } });
		// The saved version is the one kept, and the refused form carries it for a deliberate overwrite.
		const savedName = results[0]!.kind === 'saved' ? mine.name : theirs.name;
		expect((await getServiceCard(db, w.editorA, id)).name).toBe(savedName);
		expect((lost as { base: string }).base).toBe(await serviceVersion(db, w.editorA, id));
	});

	it('answers a row operation with the form again and writes nothing', async () => {
		const { db } = get();
		const w = await world(db);
		const res = await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id), { _op: 'add:locations' }), null);
		expect(res.kind).toBe('row');
		if (res.kind !== 'row') return;
		expect(res.focus).toBe('locations.1');
		expect(res.values.locations).toHaveLength(2);
		expect(await listOrganizationServices(db, w.dirA.id)).toEqual([]);
	});

	it('verifies on save when asked, and lists the change in the history with names and places', async () => {
		const { db } = get();
		const w = await world(db);
		const { id } = (await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id)), null)) as { id: string };
		await db.update(dirServices).set({ assuredDate: '2024-01-10' }).where(eq(dirServices.id, id));
		const values = serviceFormFrom(await getServiceForEdit(db, w.editorA, id));
		values.phones[0]!.number = '0547 999 000';
		values.locations[0]!.schedules[0]!.closesAt = '12:30';
		values.locations[0]!.address1 = 'Via Roma 3';
		values.verify = true;
		expect(await submitServiceForm(db, w.editorA, toFormData(values), id)).toEqual({ kind: 'saved', id });
		expect((await getServiceCard(db, w.editorA, id)).lastVerified.date).toBe(romeDay(new Date()));

		const history = await serviceHistory(db, w.editorA, id);
		expect(history.service).toMatchObject({ id, name: 'Sportello stranieri', canEdit: true });
		const [latest, first] = history.events;
		expect(history.events).toHaveLength(2);
		expect(latest!.action).toBe('update');
		expect(latest!.who).toBeTruthy();
		const byField = (f: string) => latest!.changes.find((c) => c.field === f && !c.resource);
		expect(byField('phones')).toMatchObject({ previous: expect.stringContaining('0547 111 222'), replacement: expect.stringContaining('0547 999 000') });
		expect(byField('service_at_locations')!.replacement).toContain('lun 09:00-12:30');
		expect(byField('assured_date')).toMatchObject({ previous: '2024-01-10', replacement: romeDay(new Date()) });
		expect(latest!.changes.find((c) => c.resource && c.field === 'address_1')).toMatchObject({ resource: 'Sede centrale', previous: 'Via Roma 1', replacement: 'Via Roma 3' });
		expect(first!.action).toBe('create');
		expect(first!.changes.find((c) => c.field === 'organization_id')!.replacement).toBe('Servizi sociali A');
		expect(first!.changes.some((c) => c.field === 'assurer_id')).toBe(false);
	});

	it('lists an organisation’s places with their phones and how many services use them', async () => {
		const { db } = get();
		const w = await world(db);
		const { id } = (await submitServiceForm(db, w.editorA, toFormData(sample(w.dirA.id)), null)) as { id: string };
		const [place] = await listOrganizationLocationsForEdit(db, w.dirA.id);
		expect(place).toMatchObject({ label: 'Sede centrale, Via Roma 1, Cesena', services: 1, phones: [{ number: '0547 333 444', extension: '12', type: 'fax', languages: [] }] });
		// A second service at the same place (chosen in the form by its id) shares it.
		const second = sample(w.dirA.id);
		second.name = 'Consulenza legale';
		second.locations[0]!.id = place!.id;
		expect((await submitServiceForm(db, w.editorA, toFormData(second), null)).kind).toBe('saved');
		expect((await listOrganizationLocationsForEdit(db, w.dirA.id)).map((l) => l.services)).toEqual([2]);
		expect((await listOrganizationServices(db, w.dirA.id)).map((s) => s.name)).toEqual(['Consulenza legale', 'Sportello stranieri']);
		const usage = await termUsage(db);
		const term = await createTerm(db, w.admin, { taxonomy: 'categoria', code: 'nuova-voce', name: 'Nuova voce' });
		expect(usage.get(term.id)).toBeUndefined();
		expect([...usage.values()].every((n) => n >= 1)).toBe(true);
		expect(id).toBeTruthy();
	});

	it('lets only admins choose the linked partner of a directory organisation', async () => {
		const { db } = get();
		const w = await world(db);
		expect(await partnerChoices(db, w.editorA)).toEqual([]);
		expect((await partnerChoices(db, w.admin)).map((p) => p.id)).toEqual(expect.arrayContaining([w.orgA.id, w.orgB.id]));

		// An editor's new record is their partner's, whatever the form says.
		const fd = new FormData();
		fd.set('name', 'Centro per le famiglie A');
		fd.set('networkOrganizationId', w.orgB.id);
		fd.set('vatNumber', 'IT 1234 567');
		const bad = await submitOrganizationForm(db, w.editorA, fd, null);
		expect(bad).toMatchObject({ ok: false, status: 400, errors: { vatNumber: 'error_vat_number' }, values: { name: 'Centro per le famiglie A' } });
		fd.delete('vatNumber');
		const made = await submitOrganizationForm(db, w.editorA, fd, null);
		expect(made.ok).toBe(true);
		expect((await editableOrganizations(db, w.editorA)).map((o) => o.networkOrganizationId)).toEqual([w.orgA.id, w.orgA.id]);

		// Editing keeps the partner for editors; an admin moves it.
		const id = (made as { id: string }).id;
		fd.set('name', 'Centro per le famiglie A (rinominato)');
		expect((await submitOrganizationForm(db, w.editorA, fd, id, w.orgA.id)).ok).toBe(true);
		expect((await editableOrganizations(db, w.editorA)).some((o) => o.id === id)).toBe(true);
		expect(await submitOrganizationForm(db, w.editorB, fd, id, w.orgA.id)).toMatchObject({ ok: false, status: 403 });
		expect((await submitOrganizationForm(db, w.admin, fd, id, w.orgA.id)).ok).toBe(true);
		expect((await editableOrganizations(db, w.editorB)).some((o) => o.id === id)).toBe(true);
	});
});
