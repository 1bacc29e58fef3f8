/**
 * What a parsed import file becomes before it touches the database: organisations, locations and
 * services keyed by the file's own ids (refs), plus the problems found (row, field, problem).
 * csv.ts and hsds.ts produce it; import.ts resolves and writes it.
 */
import type { z } from 'zod';
import type { Taxonomy } from '../db/schema';
import type { LocationData, OrganizationData, ServiceData } from './services';
import type { ScheduleValue } from './format';

export interface ImportProblem {
	/** CSV: the spreadsheet row (the header is row 1). HSDS: the position in the array, from 1. 0: the file. */
	row: number;
	/** CSV: the column. HSDS: the path inside the service object, e.g. "service_at_locations/0/location/name". */
	field: string;
	/** An i18n message key (error_…); `detail` gives the offending value or the validator's words. */
	problem: string;
	detail?: string;
}

export type ImportOrganization = { ref: string; row: number } & Pick<
	OrganizationData,
	'name' | 'alternateName' | 'description' | 'email' | 'website' | 'taxId' | 'vatNumber'
>;

export type ImportLocation = { ref: string; row: number; orgRef: string | null } & Omit<LocationData, 'organizationId' | 'externalId' | 'restore'>;

export interface ImportTerm {
	taxonomy: Taxonomy;
	/** A code or (CSV, written by people) a name. */
	code: string;
	/** HSDS only: the term's definition, to create it when missing. */
	name?: string;
	description?: string | null;
	field: string;
}

export type ImportService = {
	ref: string;
	row: number;
	orgRef: string;
	terms: ImportTerm[];
	serviceAtLocations: { ref: string | null; locationRef: string; description: string | null; schedules: ScheduleValue[] }[];
	assuredDate: string | null;
	assurerEmail: string | null;
} & Omit<ServiceData, 'organizationId' | 'termIds' | 'serviceAtLocations' | 'externalId' | 'restore' | 'assuredDate' | 'assurerId' | 'assurerEmail'>;

export interface ImportBatch {
	rows: number;
	organizations: Map<string, ImportOrganization>;
	locations: Map<string, ImportLocation>;
	services: ImportService[];
	problems: ImportProblem[];
	warnings: ImportProblem[];
}

export function emptyBatch(): ImportBatch {
	return { rows: 0, organizations: new Map(), locations: new Map(), services: [], problems: [], warnings: [] };
}

/**
 * Adds a record met on several rows; a later row that says something else about the same record
 * is a problem (the file must agree with itself).
 */
export function mergeRecord<T extends { ref: string; row: number }>(
	map: Map<string, T>,
	record: T,
	problems: ImportProblem[],
	field: (key: string) => string
): void {
	const first = map.get(record.ref);
	if (!first) {
		map.set(record.ref, record);
		return;
	}
	for (const key of Object.keys(record) as (keyof T & string)[]) {
		if (key === 'row') continue;
		if (JSON.stringify(first[key]) !== JSON.stringify(record[key]))
			problems.push({ row: record.row, field: field(key), problem: 'error_directory_conflict', detail: String(first.row) });
	}
}

/** zod issues of one value, as problems of one field (messages are our i18n keys). */
export function issuesOf(error: z.ZodError, row: number, field: (path: PropertyKey[]) => string, detail?: string): ImportProblem[] {
	return error.issues.map((i) => ({
		row,
		field: field(i.path),
		problem: /^[a-z][a-z0-9_]*$/.test(i.message) ? i.message : 'error_invalid',
		...(detail !== undefined ? { detail } : {})
	}));
}
