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
