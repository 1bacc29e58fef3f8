import { z } from 'zod';

/** Control characters (NUL above all: PostgreSQL refuses it in text) go; tabs and newlines stay. */
export function stripControl(value: string): string {
	// eslint-disable-next-line no-control-regex
	return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

export type FieldErrors = Record<string, string>;
export type ParseResult<T> =
	| { ok: true; data: T; values: Record<string, string> }
	| { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Form values as plain strings (files dropped), for re-filling a form after an error. */
export function formValues(form: FormData, omit: string[] = ['password', 'currentPassword', 'newPassword', 'confirmPassword']) {
	const values: Record<string, string> = {};
	for (const [k, v] of form.entries()) if (typeof v === 'string' && !omit.includes(k)) values[k] = v;
	return values;
}

/**
 * Validates a submitted form against a zod schema. Error messages in our schemas are i18n keys;
 * zod's own messages (type errors) map to a generic "invalid" key.
 */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData): ParseResult<z.output<S>> {
	const raw: Record<string, unknown> = {};
	for (const [k, value] of form.entries()) {
		if (typeof value !== 'string') continue;
		const v = stripControl(value);
		if (k in raw) {
			const prev = raw[k];
			raw[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
		} else raw[k] = v;
	}
	const result = schema.safeParse(raw);
	if (result.success) return { ok: true, data: result.data, values: formValues(form) };
	return { ok: false, errors: zodErrors(result.error), values: formValues(form) };
}

export function zodErrors(error: z.ZodError): FieldErrors {
	const errors: FieldErrors = {};
	for (const issue of error.issues) {
		const key = issue.path.join('.') || '_form';
		if (errors[key]) continue;
		errors[key] = /^[a-z][a-z0-9_]*$/.test(issue.message) ? issue.message : 'error_invalid';
	}
	return errors;
}

/** Trimmed text; empty means absent. */
export const optionalText = (max = 2000) =>
	z.preprocess(
		(v) => (typeof v === 'string' ? (stripControl(v).trim() === '' ? undefined : stripControl(v).trim()) : v),
		z.string().max(max, 'error_too_long').optional()
	);

export const requiredText = (max = 200) =>
	z.preprocess(
		(v) => (typeof v === 'string' ? stripControl(v).trim() : v),
		z.string('error_required').min(1, 'error_required').max(max, 'error_too_long')
	);

export const emailField = z.preprocess(
	(v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
	z.string('error_required').min(1, 'error_required').max(254, 'error_too_long').pipe(z.email('error_email'))
);

export const uuidField = z.uuid('error_invalid');

export const optionalUuid = z.preprocess(
	(v) => (v === '' ? undefined : v),
	z.uuid('error_invalid').optional()
);

export const optionalUrl = z.preprocess(
	(v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v),
	z
		.url({ protocol: /^https?$/, error: 'error_url' })
		.max(500, 'error_too_long')
		.optional()
);

/** Italian P.IVA (11 digits with its check digit), also the numeric codice fiscale of an entity. */
export function isValidPartitaIva(value: string): boolean {
	if (!/^\d{11}$/.test(value)) return false;
	let sum = 0;
	for (let i = 0; i < 10; i++) {
		let d = Number(value[i]);
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return (10 - (sum % 10)) % 10 === Number(value[10]);
}

const CF_ODD: Record<string, number> = {
	'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
	A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20,
	O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23
};

/** 16-character codice fiscale (persons, including omocodia letters) with its check character. */
export function isValidPersonalCodiceFiscale(value: string): boolean {
	const v = value.toUpperCase();
	if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(v)) return false;
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const c = v[i]!;
		if (i % 2 === 0) sum += CF_ODD[c]!;
		else sum += /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
	}
	return String.fromCharCode(65 + (sum % 26)) === v[15];
}

/** Codice fiscale of an organisation: numeric (11, like a P.IVA) or, rarely, personal-style (16). */
export const optionalTaxCode = z.preprocess(
	(v) => (typeof v === 'string' ? (v.replace(/\s+/g, '').toUpperCase() || undefined) : v),
	z
		.string()
		.refine((v) => isValidPartitaIva(v) || isValidPersonalCodiceFiscale(v), 'error_tax_code')
		.optional()
);

export const optionalVatNumber = z.preprocess(
	(v) => (typeof v === 'string' ? (v.replace(/\s+/g, '').replace(/^IT/i, '') || undefined) : v),
	z.string().refine(isValidPartitaIva, 'error_vat_number').optional()
);
