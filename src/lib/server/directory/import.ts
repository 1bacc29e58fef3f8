/**
 * Imports a CSV or HSDS file into the directory (admins): every row is validated first and any
 * problem stops the import before anything is written; then everything is written in one
 * transaction (upsert by the records' own ids, kept as external ids). With `dryRun` the same
 * transaction runs and is rolled back, so the report counts exactly what an import would do
 * (the default taxonomy terms it seeds are rolled back too).
 */
import { inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dirLocations, dirOrganizations, dirServices, dirTaxonomyTerms, organizations, users, type Taxonomy } from '../db/schema';
import { can, type Actor } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { isUuid, termUuid } from './format';
import { parseCsv } from './csv';
import { parseHsds } from './hsds';
import type { ImportBatch, ImportProblem } from './batch';
import { ensureTaxonomy } from './taxonomy';
import { writeLocation, writeOrganization, writeService, type WriteContext } from './services';

export type ImportFormat = 'csv' | 'hsds';

export interface ImportCounts {
	created: number;
	updated: number;
	unchanged: number;
}

export interface ImportReport {
	/** True when the file was valid (and, without dryRun, written). */
	ok: boolean;
	dryRun: boolean;
	format: ImportFormat;
	/** Data rows (CSV) or service objects (HSDS) read. */
	rows: number;
	/** Services created, updated, unchanged (the other records are in `counts`). */
	created: number;
	updated: number;
	unchanged: number;
	counts: { organizations: ImportCounts; locations: ImportCounts; services: ImportCounts; terms: { created: number } };
	problems: ImportProblem[];
	/** What was accepted but not kept as it was (HSDS fields our model has no place for, …). */
	warnings: ImportProblem[];
}

/** The format of a file from its name, else from its first character. */
export function detectFormat(filename: string | null, content: string): ImportFormat {
	if (filename && /\.csv$/i.test(filename)) return 'csv';
	if (filename && /\.json$/i.test(filename)) return 'hsds';
	return /^\uFEFF?\s*[[{]/.test(content) ? 'hsds' : 'csv';
}

/** Ends the import's transaction without writing (a dry run, or problems found in the database). */
class Rollback extends Error {}

/** Advisory lock key: one import at a time. */
const IMPORT_LOCK = 731_215_102;

const zero = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0 });
const tally = (c: ImportCounts, r: { created: boolean; changed: boolean }) => {
	if (r.created) c.created++;
	else if (r.changed) c.updated++;
	else c.unchanged++;
};

interface Row {
	id: string;
	externalId: string | null;
}

/** Existing rows for the file's refs: by external id first, else (a UUID) by our own id. */
async function matchRefs(db: Db, table: typeof dirOrganizations | typeof dirLocations | typeof dirServices, refs: string[]): Promise<Map<string, Row>> {
	const out = new Map<string, Row>();
	if (!refs.length) return out;
	const uuids = refs.filter(isUuid);
	for (let i = 0; i < refs.length; i += 1000) {
		const chunk = refs.slice(i, i + 1000);
		const ids = uuids.filter((u) => chunk.includes(u));
		const rows: Row[] = await db
			.select({ id: table.id, externalId: table.externalId })
			.from(table)
			.where(ids.length ? or(inArray(table.externalId, chunk), inArray(table.id, ids)) : inArray(table.externalId, chunk));
		for (const ref of chunk) {
			const row = rows.find((r) => r.externalId === ref) ?? rows.find((r) => r.id === ref.toLowerCase());
			if (row) out.set(ref, row);
		}
	}
	return out;
}

export async function importDirectory(
	db: Db,
	actor: Actor,
	input: { format: ImportFormat; content: string; dryRun?: boolean }
): Promise<ImportReport> {
	if (!can(actor, 'directory.admin')) throw new DomainError('error_forbidden', undefined, 403);
	const dryRun = !!input.dryRun;
	const batch: ImportBatch = input.format === 'csv' ? parseCsv(input.content) : parseHsds(input.content);
	const report: ImportReport = {
		ok: false,
		dryRun,
		format: input.format,
		rows: batch.rows,
		created: 0,
		updated: 0,
		unchanged: 0,
		counts: { organizations: zero(), locations: zero(), services: zero(), terms: { created: 0 } },
		problems: batch.problems,
		warnings: batch.warnings
	};
	if (report.problems.length) return report;

	// Imports run one at a time (advisory lock): matching and writing see a stable directory.
	// Everything happens in one transaction; a problem found against the database, or a dry run,
	// rolls it back.
	const problems = report.problems;
	const counts = report.counts;
	const ctx: WriteContext = { actorId: actor.id, action: 'import' };
	try {
		await db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
			await ensureTaxonomy(tx);

			// --- Resolve against the database --------------------------------------------------
			const termRows = await tx.select().from(dirTaxonomyTerms);
			const liveByCode = new Map<string, string>();
			const liveByName = new Map<string, string>();
			const retired = new Map<string, string>();
			for (const t of termRows) {
				if (t.deletedAt) retired.set(`${t.taxonomy}:${t.code}`, t.id);
				else {
					liveByCode.set(`${t.taxonomy}:${t.code}`, t.id);
					liveByName.set(`${t.taxonomy}:${t.name.toLowerCase()}`, t.id);
				}
			}
			const termsToCreate = new Map<string, { taxonomy: Taxonomy; code: string; name: string; description: string | null }>();
			const termsToRestore = new Set<string>();
			const termIdsOf = new Map<string, string[]>();
			for (const s of batch.services) {
				const ids: string[] = [];
				for (const t of s.terms) {
					const code = t.code.toLowerCase();
					const id = liveByCode.get(`${t.taxonomy}:${code}`) ?? liveByName.get(`${t.taxonomy}:${code}`);
					if (id) ids.push(id);
					else if (t.name !== undefined) {
						// HSDS brings the term's definition: a missing term is created, a retired one comes back.
						const old = retired.get(`${t.taxonomy}:${code}`);
						if (old) termsToRestore.add(old);
						else termsToCreate.set(`${t.taxonomy}:${code}`, { taxonomy: t.taxonomy, code, name: t.name, description: t.description ?? null });
						ids.push(old ?? termUuid(t.taxonomy, code));
					} else problems.push({ row: s.row, field: t.field, problem: 'error_directory_term_unknown', detail: t.code });
				}
				termIdsOf.set(s.ref, [...new Set(ids)]);
			}

			const orgRefs = [...new Set([...batch.organizations.keys(), ...batch.services.map((s) => s.orgRef), ...[...batch.locations.values()].map((l) => l.orgRef).filter((r): r is string => !!r)])];
			const locationRefs = [...new Set([...batch.locations.keys(), ...batch.services.flatMap((s) => s.serviceAtLocations.map((x) => x.locationRef))])];
			const orgMatch = await matchRefs(tx, dirOrganizations, orgRefs);
			const locationMatch = await matchRefs(tx, dirLocations, locationRefs);
			const serviceMatch = await matchRefs(tx, dirServices, batch.services.map((s) => s.ref));
			const field = (csv: string, hsds: string) => (input.format === 'csv' ? csv : hsds);
			for (const s of batch.services) {
				if (!batch.organizations.has(s.orgRef) && !orgMatch.has(s.orgRef))
					problems.push({ row: s.row, field: 'organization_id', problem: 'error_directory_organization_missing', detail: s.orgRef });
				s.serviceAtLocations.forEach((x, i) => {
					if (!batch.locations.has(x.locationRef) && !locationMatch.has(x.locationRef))
						problems.push({ row: s.row, field: field('location_id', `service_at_locations/${i}/location_id`), problem: 'error_directory_location_missing', detail: x.locationRef });
				});
			}
			// Two refs of the file naming one record (its external id and its own id) would fight.
			for (const [label, match] of [['organization', orgMatch], ['location', locationMatch], ['service', serviceMatch]] as const) {
				const seen = new Map<string, string>();
				for (const [ref, row] of match) {
					const other = seen.get(row.id);
					if (other) problems.push({ row: 0, field: label, problem: 'error_directory_duplicate', detail: `${other} = ${ref}` });
					seen.set(row.id, ref);
				}
			}
			if (problems.length) throw new Rollback();

			// The organisation of a location: its own (HSDS), else that of the first service there.
			const firstServiceOrg = new Map<string, string>();
			for (const s of batch.services) for (const x of s.serviceAtLocations) if (!firstServiceOrg.has(x.locationRef)) firstServiceOrg.set(x.locationRef, s.orgRef);
			for (const l of batch.locations.values())
				if (l.orgRef && !batch.organizations.has(l.orgRef) && !orgMatch.has(l.orgRef)) {
					report.warnings.push({ row: l.row, field: field('location_id', 'location/organization_id'), problem: 'error_directory_organization_missing', detail: l.orgRef });
					l.orgRef = null;
				}
			const partners = await tx
				.select({ id: organizations.id, name: organizations.name, taxCode: organizations.taxCode, vatNumber: organizations.vatNumber })
				.from(organizations)
				.where(isNull(organizations.deletedAt));
			const partnerOf = (o: { name: string; taxId: string | null; vatNumber: string | null }) =>
				partners.find((p) => p.name.toLowerCase() === o.name.toLowerCase() || (!!o.taxId && p.taxCode === o.taxId) || (!!o.vatNumber && p.vatNumber === o.vatNumber))?.id ?? null;
			const emails = [...new Set(batch.services.map((s) => s.assurerEmail).filter((e): e is string => !!e))];
			const people = emails.length ? await tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, emails)) : [];
			const personOf = new Map(people.map((p) => [p.email, p.id]));

			// --- Write ---------------------------------------------------------------------------
			for (const t of termsToCreate.values()) {
				await tx.insert(dirTaxonomyTerms).values({ id: termUuid(t.taxonomy, t.code), ...t, createdBy: actor.id, updatedBy: actor.id }).onConflictDoNothing();
				counts.terms.created++;
			}
			if (termsToRestore.size)
				await tx.update(dirTaxonomyTerms).set({ deletedAt: null, deletedBy: null, updatedBy: actor.id, updatedAt: new Date() }).where(inArray(dirTaxonomyTerms.id, [...termsToRestore]));

			const orgIds = new Map<string, string>([...orgMatch].map(([ref, row]) => [ref, row.id]));
			for (const o of batch.organizations.values()) {
				const existing = orgMatch.get(o.ref);
				const { ref, row: _row, ...fields } = o;
				const r = await writeOrganization(tx, ctx, existing?.id ?? null, {
					...fields,
					networkOrganizationId: existing ? undefined : partnerOf(o),
					externalId: existing ? undefined : ref,
					restore: true
				});
				orgIds.set(ref, r.id);
				tally(counts.organizations, r);
			}
			const locationIds = new Map<string, string>([...locationMatch].map(([ref, row]) => [ref, row.id]));
			for (const l of batch.locations.values()) {
				const existing = locationMatch.get(l.ref);
				const { ref, row: _row, orgRef, ...fields } = l;
				const owner = orgRef ?? firstServiceOrg.get(ref) ?? null;
				const r = await writeLocation(tx, ctx, existing?.id ?? null, {
					...fields,
					organizationId: owner ? (orgIds.get(owner) ?? null) : null,
					externalId: existing ? undefined : ref,
					restore: true
				});
				locationIds.set(ref, r.id);
				tally(counts.locations, r);
			}
			for (const s of batch.services) {
				const existing = serviceMatch.get(s.ref);
				const { ref, row: _row, orgRef, terms: _terms, serviceAtLocations, assuredDate, assurerEmail, ...fields } = s;
				const r = await writeService(tx, ctx, existing?.id ?? null, {
					...fields,
					organizationId: orgIds.get(orgRef)!,
					termIds: termIdsOf.get(ref) ?? [],
					assuredDate,
					assurerEmail,
					assurerId: assurerEmail ? (personOf.get(assurerEmail) ?? null) : null,
					externalId: existing ? undefined : ref,
					serviceAtLocations: serviceAtLocations.map((x) => ({
						locationId: locationIds.get(x.locationRef)!,
						description: x.description,
						schedules: x.schedules,
						...(x.ref ? { externalId: x.ref } : {})
					})),
					restore: true
				});
				tally(counts.services, r);
			}
			await recordAudit(tx, { actorId: actor.id, action: 'directory.imported', entityType: 'directory', data: { format: input.format, rows: batch.rows, dryRun, counts } });
			if (dryRun) throw new Rollback();
		});
	} catch (err) {
		if (err instanceof DomainError) problems.push({ row: 0, field: err.field ?? '', problem: err.code });
		else if (!(err instanceof Rollback)) throw err;
	}
	if (problems.length) {
		report.counts = { organizations: zero(), locations: zero(), services: zero(), terms: { created: 0 } };
		return report;
	}
	report.ok = true;
	report.created = counts.services.created;
	report.updated = counts.services.updated;
	report.unchanged = counts.services.unchanged;
	return report;
}
