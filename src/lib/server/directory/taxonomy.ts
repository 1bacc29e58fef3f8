/**
 * The directory's two taxonomies: categories (what a service does) and targets (destinatari, whom it
 * serves). The default terms are seeded idempotently; admins add, rename and retire terms. A term's
 * id is derived from its taxonomy and code (format.ts `termUuid`), so it is the same in every
 * installation and HSDS exports of two hubs stay comparable; codes therefore never change.
 */
import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { dirHistory, dirServices, dirServiceTerms, dirTaxonomyTerms, taxonomies, type Taxonomy } from '../db/schema';
import { authorize, type Actor } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { enqueueSearch } from '../search/outbox';
import { optionalText, requiredText } from '../validation';
import { termUuid } from './format';

export interface DefaultTerm {
	code: string;
	name: string;
	description?: string;
}

export const DEFAULT_CATEGORIES: readonly DefaultTerm[] = [
	{ code: 'accesso-servizi', name: 'Accesso ai servizi socio-sanitari', description: 'Orientamento, segretariato sociale, accesso ai servizi sociali e sanitari del territorio.' },
	{ code: 'scuola', name: 'Scuola', description: 'Iscrizione e inserimento scolastico, servizi interculturali delle scuole, sostegno allo studio.' },
	{ code: 'tutela-legale', name: 'Tutela legale', description: 'Consulenza e assistenza legale, documenti, permessi di soggiorno, protezione internazionale.' },
	{ code: 'mediazione', name: 'Mediazione linguistico-culturale', description: 'Mediatori e interpreti per i colloqui con i servizi.' },
	{ code: 'abitare', name: 'Abitare', description: 'Accoglienza abitativa, ricerca della casa, sostegno all’affitto.' },
	{ code: 'lavoro', name: 'Lavoro', description: 'Centri per l’impiego, orientamento, tirocini, inserimento lavorativo.' },
	{ code: 'formazione', name: 'Formazione', description: 'Corsi di italiano per stranieri, istruzione degli adulti, formazione professionale.' },
	{ code: 'salute', name: 'Salute', description: 'Assistenza sanitaria di base, consultori, iscrizione al Servizio sanitario.' },
	{ code: 'genitorialita', name: 'Genitorialità', description: 'Centri per le famiglie, sostegno ai genitori, prima infanzia.' },
	{ code: 'inclusione-sociale', name: 'Inclusione sociale', description: 'Sostegno economico, contrasto alla povertà, attività di comunità.' },
	{ code: 'empowerment-familiare', name: 'Empowerment familiare', description: 'Percorsi che rafforzano l’autonomia delle famiglie e delle donne.' }
];

export const DEFAULT_TARGETS: readonly DefaultTerm[] = [
	{ code: 'famiglie-con-minori', name: 'Famiglie con minori' },
	{ code: 'nuclei-monoparentali', name: 'Nuclei monoparentali' },
	{ code: 'richiedenti-asilo', name: 'Richiedenti asilo' },
	{ code: 'protezione-internazionale', name: 'Titolari di protezione internazionale' },
	{ code: 'protezione-temporanea', name: 'Titolari di protezione temporanea' },
	{ code: 'msna', name: 'Minori stranieri non accompagnati' },
	{ code: 'donne', name: 'Donne' },
	{ code: 'giovani', name: 'Giovani' },
	{ code: 'cittadini-stranieri', name: 'Cittadini stranieri' },
	{ code: 'operatori', name: 'Operatori dei servizi' }
];

/** Seeds the default terms; existing terms (also renamed or retired ones) are left as they are. */
export async function ensureTaxonomy(db: Db): Promise<void> {
	const rows = [
		...DEFAULT_CATEGORIES.map((t) => ({ taxonomy: 'categoria' as const, ...t })),
		...DEFAULT_TARGETS.map((t) => ({ taxonomy: 'destinatari' as const, ...t }))
	].map((t) => ({ id: termUuid(t.taxonomy, t.code), taxonomy: t.taxonomy, code: t.code, name: t.name, description: t.description ?? null }));
	await db.insert(dirTaxonomyTerms).values(rows).onConflictDoNothing();
}

export const TERM_CODE_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const termInput = z.object({
	taxonomy: z.enum(taxonomies, 'error_required'),
	code: z.preprocess(
		(v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
		z.string('error_required').min(1, 'error_required').max(60, 'error_too_long').regex(TERM_CODE_RE, 'error_directory_term_code')
	),
	name: requiredText(120),
	description: optionalText(1000)
});
export type TermInput = z.output<typeof termInput>;

export const termUpdateInput = termInput.pick({ name: true, description: true });
export type TermUpdateInput = z.output<typeof termUpdateInput>;

export async function listTerms(db: Db, opts: { taxonomy?: Taxonomy; includeRetired?: boolean } = {}) {
	const conds = [];
	if (opts.taxonomy) conds.push(eq(dirTaxonomyTerms.taxonomy, opts.taxonomy));
	if (!opts.includeRetired) conds.push(isNull(dirTaxonomyTerms.deletedAt));
	return db
		.select({
			id: dirTaxonomyTerms.id,
			taxonomy: dirTaxonomyTerms.taxonomy,
			code: dirTaxonomyTerms.code,
			name: dirTaxonomyTerms.name,
			description: dirTaxonomyTerms.description,
			retired: dirTaxonomyTerms.deletedAt
		})
		.from(dirTaxonomyTerms)
		.where(conds.length ? and(...conds) : undefined)
		.orderBy(asc(dirTaxonomyTerms.taxonomy), asc(dirTaxonomyTerms.name));
}

async function history(db: Db, actorId: string, id: string, action: string, field: string | null, previous: string | null, replacement: string | null) {
	await db.insert(dirHistory).values({ resourceId: id, resourceType: 'taxonomy_term', lastActionType: action, fieldName: field, previousValue: previous, replacementValue: replacement, updatedBy: actorId });
}

/** The live services tagged with a term: their search documents show the term's name. */
async function reindexServicesWith(db: Db, termId: string) {
	const rows = await db
		.select({ id: dirServiceTerms.serviceId })
		.from(dirServiceTerms)
		.innerJoin(dirServices, eq(dirServices.id, dirServiceTerms.serviceId))
		.where(and(eq(dirServiceTerms.termId, termId), isNull(dirServices.deletedAt)));
	for (const r of rows) await enqueueSearch(db, r.id, 'upsert');
}

/** A new term; a retired term with the same code comes back with the new name. */
export async function createTerm(db: Db, actor: Actor, input: TermInput) {
	authorize(actor, 'directory.admin');
	return db.transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const [existing] = await tx
			.select()
			.from(dirTaxonomyTerms)
			.where(and(eq(dirTaxonomyTerms.taxonomy, input.taxonomy), eq(dirTaxonomyTerms.code, input.code)));
		if (existing && !existing.deletedAt) throw new DomainError('error_directory_term_exists', 'code');
		if (existing) {
			const [row] = await tx
				.update(dirTaxonomyTerms)
				.set({ name: input.name, description: input.description ?? null, deletedAt: null, deletedBy: null, updatedAt: new Date(), updatedBy: actor.id })
				.where(eq(dirTaxonomyTerms.id, existing.id))
				.returning();
			await history(tx, actor.id, existing.id, 'create', 'name', existing.name, input.name);
			return row!;
		}
		const [row] = await tx
			.insert(dirTaxonomyTerms)
			.values({ id: termUuid(input.taxonomy, input.code), taxonomy: input.taxonomy, code: input.code, name: input.name, description: input.description ?? null, createdBy: actor.id, updatedBy: actor.id })
			.returning();
		for (const [field, value] of [['taxonomy', input.taxonomy], ['code', input.code], ['name', input.name], ['description', input.description ?? null]] as const)
			if (value) await history(tx, actor.id, row!.id, 'create', field, null, value);
		return row!;
	});
}

export async function updateTerm(db: Db, actor: Actor, id: string, input: TermUpdateInput) {
	authorize(actor, 'directory.admin');
	return db.transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const [before] = await tx.select().from(dirTaxonomyTerms).where(and(eq(dirTaxonomyTerms.id, id), isNull(dirTaxonomyTerms.deletedAt)));
		if (!before) throw new DomainError('error_not_found', undefined, 404);
		const next = { name: input.name, description: input.description ?? null };
		if (before.name === next.name && before.description === next.description) return before;
		const [row] = await tx
			.update(dirTaxonomyTerms)
			.set({ ...next, updatedAt: new Date(), updatedBy: actor.id })
			.where(eq(dirTaxonomyTerms.id, id))
			.returning();
		if (before.name !== next.name) await history(tx, actor.id, id, 'update', 'name', before.name, next.name);
		if (before.description !== next.description) await history(tx, actor.id, id, 'update', 'description', before.description, next.description);
		if (before.name !== next.name) await reindexServicesWith(tx, id);
		return row!;
	});
}

/** Retires a term (soft); refused while live services still use it. */
export async function deleteTerm(db: Db, actor: Actor, id: string): Promise<void> {
	authorize(actor, 'directory.admin');
	await db.transaction(async (transaction) => {
		const tx = transaction as unknown as Db;
		const [term] = await tx.select().from(dirTaxonomyTerms).where(and(eq(dirTaxonomyTerms.id, id), isNull(dirTaxonomyTerms.deletedAt)));
		if (!term) throw new DomainError('error_not_found', undefined, 404);
		const [{ n } = { n: 0 }] = await tx
			.select({ n: count() })
			.from(dirServiceTerms)
			.innerJoin(dirServices, eq(dirServices.id, dirServiceTerms.serviceId))
			.where(and(eq(dirServiceTerms.termId, id), isNull(dirServices.deletedAt)));
		if (Number(n) > 0) throw new DomainError('error_directory_term_in_use');
		await tx.update(dirTaxonomyTerms).set({ deletedAt: new Date(), deletedBy: actor.id }).where(eq(dirTaxonomyTerms.id, id));
		await history(tx, actor.id, id, 'delete', null, null, null);
		await recordAudit(tx, { actorId: actor.id, action: 'directory.term_deleted', entityType: 'taxonomy_term', entityId: id, data: { taxonomy: term.taxonomy, code: term.code } });
	});
}

/** Live terms by code (and by lower-cased name, for imports written by people). */
export async function termLookup(db: Db) {
	const rows = await db.select().from(dirTaxonomyTerms).where(isNull(dirTaxonomyTerms.deletedAt));
	const byCode = new Map<string, (typeof rows)[number]>();
	const byName = new Map<string, (typeof rows)[number]>();
	for (const r of rows) {
		byCode.set(`${r.taxonomy}:${r.code}`, r);
		byName.set(`${r.taxonomy}:${r.name.toLowerCase()}`, r);
	}
	return {
		byId: new Map(rows.map((r) => [r.id, r])),
		find: (taxonomy: Taxonomy, codeOrName: string) => byCode.get(`${taxonomy}:${codeOrName.toLowerCase()}`) ?? byName.get(`${taxonomy}:${codeOrName.toLowerCase()}`) ?? null
	};
}

/** Term ids of the given codes, in one query (unknown codes are left out). */
export async function termIdsByCode(db: Db, taxonomy: Taxonomy, codes: readonly string[]): Promise<Map<string, string>> {
	if (!codes.length) return new Map();
	const rows = await db
		.select({ id: dirTaxonomyTerms.id, code: dirTaxonomyTerms.code })
		.from(dirTaxonomyTerms)
		.where(and(eq(dirTaxonomyTerms.taxonomy, taxonomy), inArray(dirTaxonomyTerms.code, [...codes]), isNull(dirTaxonomyTerms.deletedAt)));
	return new Map(rows.map((r) => [r.code, r.id]));
}

/** How many live services use each term (terms in use cannot be retired). */
export async function termUsage(db: Db): Promise<Map<string, number>> {
	const rows = await db
		.select({ termId: dirServiceTerms.termId, n: count() })
		.from(dirServiceTerms)
		.innerJoin(dirServices, eq(dirServices.id, dirServiceTerms.serviceId))
		.where(isNull(dirServices.deletedAt))
		.groupBy(dirServiceTerms.termId);
	return new Map(rows.map((r) => [r.termId, Number(r.n)]));
}
