/**
 * The partner and service directory, aligned with Open Referral HSDS 3.0 (organization, service,
 * location + address, service_at_location, phone, contact, schedule, language, taxonomy_term +
 * attribute, metadata) with an Italian profile (codice fiscale / P.IVA, ISTAT municipality code,
 * district). Ids are UUIDs (HSDS ids); `external_id` keeps an imported record's own id for upserts.
 */
import { sql } from 'drizzle-orm';
import {
	bigint,
	bigserial,
	boolean,
	customType,
	date,
	doublePrecision,
	index,
	integer,
	jsonb,
	pgEnum,
	pgSequence,
	pgTable,
	primaryKey,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import { organizations, users } from './network';
import { ts, audited } from './columns';

export const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const serviceStatuses = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;
export type ServiceStatus = (typeof serviceStatuses)[number];
export const serviceStatus = pgEnum('service_status', serviceStatuses);

export const locationTypes = ['physical', 'postal', 'virtual'] as const;
export const locationType = pgEnum('location_type', locationTypes);

export const taxonomies = ['categoria', 'destinatari'] as const;
export type Taxonomy = (typeof taxonomies)[number];
export const taxonomy = pgEnum('taxonomy', taxonomies);

/** HSDS organization. Linked to a network partner, whose people maintain its services. */
export const dirOrganizations = pgTable(
	'dir_organizations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		externalId: text('external_id'),
		name: text('name').notNull(),
		alternateName: text('alternate_name'),
		description: text('description'),
		email: text('email'),
		website: text('website'),
		/** Codice fiscale (numeric for entities) and/or partita IVA. */
		taxId: text('tax_id'),
		vatNumber: text('vat_number'),
		networkOrganizationId: uuid('network_organization_id').references(() => organizations.id),
		...audited
	},
	(t) => [uniqueIndex('dir_organizations_external').on(t.externalId), index('dir_organizations_network').on(t.networkOrganizationId)]
);

/** HSDS service. `assured_date` / `assurer_id`: last verified, and by whom. */
export const dirServices = pgTable(
	'dir_services',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		externalId: text('external_id'),
		organizationId: uuid('organization_id')
			.notNull()
			.references(() => dirOrganizations.id),
		name: text('name').notNull(),
		alternateName: text('alternate_name'),
		description: text('description'),
		url: text('url'),
		email: text('email'),
		status: serviceStatus('status').notNull().default('active'),
		interpretationServices: text('interpretation_services'),
		applicationProcess: text('application_process'),
		feesDescription: text('fees_description'),
		eligibilityDescription: text('eligibility_description'),
		minimumAge: integer('minimum_age'),
		maximumAge: integer('maximum_age'),
		assuredDate: date('assured_date', { mode: 'string' }),
		assurerId: uuid('assurer_id').references(() => users.id),
		assurerEmail: text('assurer_email'),
		/** Shown to anonymous visitors when the directory is public. */
		isPublic: boolean('is_public').notNull().default(true),
		...audited
	},
	(t) => [uniqueIndex('dir_services_external').on(t.externalId), index('dir_services_organization').on(t.organizationId)]
);

/** HSDS location with its (single, physical) address and the Italian municipality data. */
export const dirLocations = pgTable(
	'dir_locations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		externalId: text('external_id'),
		organizationId: uuid('organization_id').references(() => dirOrganizations.id),
		locationType: locationType('location_type').notNull().default('physical'),
		name: text('name'),
		description: text('description'),
		url: text('url'),
		address1: text('address_1'),
		address2: text('address_2'),
		/** Comune. */
		city: text('city'),
		/** ISTAT code of the comune (6 digits). */
		istatCode: text('istat_code'),
		postalCode: text('postal_code'),
		/** Provincia (sigla), e.g. "FC". */
		stateProvince: text('state_province'),
		region: text('region'),
		country: text('country').notNull().default('IT'),
		/** Distretto socio-sanitario. */
		district: text('district'),
		latitude: doublePrecision('latitude'),
		longitude: doublePrecision('longitude'),
		...audited
	},
	(t) => [uniqueIndex('dir_locations_external').on(t.externalId), index('dir_locations_district').on(t.district)]
);

export const dirServiceAtLocations = pgTable(
	'dir_service_at_locations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		externalId: text('external_id'),
		serviceId: uuid('service_id')
			.notNull()
			.references(() => dirServices.id),
		locationId: uuid('location_id')
			.notNull()
			.references(() => dirLocations.id),
		description: text('description')
	},
	(t) => [uniqueIndex('dir_sal_pair').on(t.serviceId, t.locationId), index('dir_sal_location').on(t.locationId)]
);

export const dirPhones = pgTable(
	'dir_phones',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		serviceId: uuid('service_id').references(() => dirServices.id),
		locationId: uuid('location_id').references(() => dirLocations.id),
		organizationId: uuid('organization_id').references(() => dirOrganizations.id),
		number: text('number').notNull(),
		extension: text('extension'),
		/** HSDS: text, voice, fax, cell, video, pager, textphone. */
		type: text('type').notNull().default('voice'),
		description: text('description'),
		/** ISO 639 codes spoken on this line. */
		languages: text('languages').array().notNull().default(sql`'{}'::text[]`)
	},
	(t) => [index('dir_phones_service').on(t.serviceId)]
);

export const dirContacts = pgTable(
	'dir_contacts',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		serviceId: uuid('service_id').references(() => dirServices.id),
		organizationId: uuid('organization_id').references(() => dirOrganizations.id),
		name: text('name'),
		title: text('title'),
		department: text('department'),
		email: text('email')
	},
	(t) => [index('dir_contacts_service').on(t.serviceId)]
);

/**
 * Opening hours: one row per weekday and time range (HSDS schedule with freq WEEKLY, byday,
 * opens_at, closes_at), for a service or for a service at one location; times are Europe/Rome.
 */
export const dirSchedules = pgTable(
	'dir_schedules',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		serviceId: uuid('service_id').references(() => dirServices.id),
		serviceAtLocationId: uuid('service_at_location_id').references(() => dirServiceAtLocations.id),
		/** 1 = Monday … 7 = Sunday. */
		weekday: integer('weekday').notNull(),
		/** "HH:MM" */
		opensAt: text('opens_at').notNull(),
		closesAt: text('closes_at').notNull(),
		validFrom: date('valid_from', { mode: 'string' }),
		validTo: date('valid_to', { mode: 'string' }),
		notes: text('notes')
	},
	(t) => [index('dir_schedules_service').on(t.serviceId), index('dir_schedules_sal').on(t.serviceAtLocationId)]
);

/** Languages a service is offered in (ISO 639-1 or -3 codes, with the Italian name). */
export const dirLanguages = pgTable(
	'dir_languages',
	{
		serviceId: uuid('service_id')
			.notNull()
			.references(() => dirServices.id),
		code: text('code').notNull(),
		name: text('name'),
		note: text('note')
	},
	(t) => [primaryKey({ columns: [t.serviceId, t.code] })]
);

/** Taxonomy terms: categories and target groups; admins may add terms. */
export const dirTaxonomyTerms = pgTable(
	'dir_taxonomy_terms',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		taxonomy: taxonomy('taxonomy').notNull(),
		code: text('code').notNull(),
		name: text('name').notNull(),
		description: text('description'),
		parentId: uuid('parent_id'),
		...audited
	},
	(t) => [uniqueIndex('dir_terms_code').on(t.taxonomy, t.code)]
);

/** HSDS attribute: a service tagged with a taxonomy term. */
export const dirServiceTerms = pgTable(
	'dir_service_terms',
	{
		serviceId: uuid('service_id')
			.notNull()
			.references(() => dirServices.id),
		termId: uuid('term_id')
			.notNull()
			.references(() => dirTaxonomyTerms.id)
	},
	(t) => [primaryKey({ columns: [t.serviceId, t.termId] }), index('dir_service_terms_term').on(t.termId)]
);

/** HSDS metadata: the change history of every directory record (who, when, what). */
export const dirHistory = pgTable(
	'dir_history',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		resourceId: uuid('resource_id').notNull(),
		resourceType: text('resource_type').notNull(),
		lastActionDate: ts('last_action_date').notNull().defaultNow(),
		/** create | update | delete | verify | import */
		lastActionType: text('last_action_type').notNull(),
		fieldName: text('field_name'),
		previousValue: text('previous_value'),
		replacementValue: text('replacement_value'),
		updatedBy: uuid('updated_by')
	},
	(t) => [index('dir_history_resource').on(t.resourceId, t.lastActionDate)]
);

/**
 * Transactional outbox towards the search engine: written in the same transaction as the change,
 * drained by a worker (an engine outage loses nothing: rows wait and are retried).
 */
export const searchOutbox = pgTable(
	'search_outbox',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		entity: text('entity').notNull().default('service'),
		entityId: uuid('entity_id').notNull(),
		/** upsert | delete */
		op: text('op').notNull(),
		createdAt: ts('created_at').notNull().defaultNow(),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
		processedAt: ts('processed_at')
	},
	(t) => [index('search_outbox_pending').on(t.processedAt, t.nextAttemptAt)]
);

/**
 * The Postgres search engine's index: one flattened, denormalised row per service, with a
 * weighted Italian tsvector (name first) for ranking, unaccented lower-case name and words (the
 * engine's typo vocabulary is built from them in memory: trigram indexes were far slower at 50k
 * services) and the facet values as arrays. Searches match on `search_terms`.
 */
export const searchServices = pgTable(
	'search_services',
	{
		serviceId: uuid('service_id').primaryKey(),
		name: text('name').notNull(),
		nameNorm: text('name_norm').notNull(),
		/** All searchable words, unaccented and lower-cased (trigram fallback for typos). */
		wordsNorm: text('words_norm').notNull(),
		document: jsonb('document').$type<Record<string, unknown>>().notNull(),
		/** Weighted, with positions: what ts_rank reads (search_terms holds the one searched). */
		tsv: tsvector('tsv').notNull(),
		categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
		targets: text('targets').array().notNull().default(sql`'{}'::text[]`),
		languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
		districts: text('districts').array().notNull().default(sql`'{}'::text[]`),
		cities: text('cities').array().notNull().default(sql`'{}'::text[]`),
		organizationId: uuid('organization_id'),
		status: serviceStatus('status').notNull(),
		isPublic: boolean('is_public').notNull(),
		/** Weekly opening minutes: [[weekday, fromMinute, toMinute], …] for "aperto ora". */
		hours: jsonb('hours').$type<[number, number, number][]>().notNull().default([]),
		assuredDate: date('assured_date', { mode: 'string' }),
		indexedAt: ts('indexed_at').notNull().defaultNow()
	},
	(t) => [
		index('search_services_categories').using('gin', t.categories),
		index('search_services_languages').using('gin', t.languages),
		index('search_services_districts').using('gin', t.districts),
		index('search_services_targets').using('gin', t.targets)
	]
);

/** Numbers the versions of `search_terms` rows: every write of a service takes a new one. */
export const searchDocNo = pgSequence('search_doc_no');

/**
 * What searches match on, kept narrow (about 15 rows a page against 5 in `search_services`) so
 * that a search matching thousands of services reads few heap pages: the tsvector without
 * positions and weights (strip), plus one lexeme per synonym phrase the service contains, and the
 * name's own tsvector likewise (ranking puts name matches first). `doc_no` changes on every write,
 * so a process can cache what it needs of a row (facet values, hours) under it: a cached entry
 * never goes stale, it only stops being returned.
 */
export const searchTerms = pgTable(
	'search_terms',
	{
		serviceId: uuid('service_id').primaryKey(),
		docNo: bigint('doc_no', { mode: 'number' }).notNull(),
		tsv: tsvector('tsv').notNull(),
		nameTsv: tsvector('name_tsv').notNull()
	},
	(t) => [uniqueIndex('search_terms_doc_no').on(t.docNo), index('search_terms_tsv').using('gin', t.tsv)]
);

/**
 * One row (id 1): a number that every statement writing `search_terms` raises (a trigger, migration
 * 0010). A process that keeps the index's matching in memory (the Postgres engine's facet table)
 * reads it in the search's snapshot and refreshes the list of current versions only when it moved.
 * Writers of `search_terms` queue on this row until they commit, so its number and the rows they
 * wrote become visible together.
 */
export const searchState = pgTable('search_state', {
	id: smallint('id').primaryKey(),
	version: bigint('version', { mode: 'number' }).notNull()
});

/** Read-only API tokens for partner systems (created by admins, revocable; only a hash is kept). */
export const apiTokens = pgTable(
	'api_tokens',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		name: text('name').notNull(),
		tokenHash: text('token_hash').notNull(),
		/** e.g. directory:read */
		scope: text('scope').notNull().default('directory:read'),
		createdBy: uuid('created_by')
			.notNull()
			.references(() => users.id),
		createdAt: ts('created_at').notNull().defaultNow(),
		lastUsedAt: ts('last_used_at'),
		revokedAt: ts('revoked_at')
	},
	(t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)]
);

/** Network-wide settings (e.g. `directory.public`). */
export const networkSettings = pgTable('network_settings', {
	key: text('key').primaryKey(),
	value: jsonb('value').$type<unknown>().notNull(),
	updatedAt: ts('updated_at').notNull().defaultNow(),
	updatedBy: uuid('updated_by')
});

export type DirService = typeof dirServices.$inferSelect;
export type DirOrganization = typeof dirOrganizations.$inferSelect;
export type DirLocation = typeof dirLocations.$inferSelect;
export type SearchServiceRow = typeof searchServices.$inferSelect;
