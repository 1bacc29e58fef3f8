/**
 * An expected failure of a domain operation. `code` is an i18n message key the UI shows as is;
 * `field` names the form field it belongs to, when there is one.
 */
export class DomainError extends Error {
	constructor(
		readonly code: string,
		readonly field?: string,
		readonly status = 400
	) {
		super(code);
		this.name = 'DomainError';
	}
}

/** A unique-constraint violation (SQLSTATE 23505), from either driver, possibly wrapped by drizzle. */
export function isUniqueViolation(err: unknown): boolean {
	for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++)
		if (e.code === '23505') return true;
	return false;
}
