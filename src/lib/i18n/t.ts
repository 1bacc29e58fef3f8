import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

type MessageFn = (params?: Record<string, unknown>) => string;

/**
 * Looks a message up by a key computed at runtime (error codes from the server, enum labels).
 * Unknown keys fall back to a generic message rather than showing a raw key to a person.
 */
export function t(key: string, params: Record<string, unknown> = {}, fallback?: string): string {
	const fn = (m as unknown as Record<string, MessageFn | undefined>)[key];
	return typeof fn === 'function' ? fn(params) : (fallback ?? m.error_invalid());
}

export const TIME_ZONE = 'Europe/Rome';

/** Dates are stored in UTC and always shown in Europe/Rome. */
export function formatDate(value: Date | string | null | undefined, style: 'date' | 'datetime' = 'date'): string {
	if (!value) return '';
	const d = typeof value === 'string' ? new Date(value) : value;
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'it-IT', {
		timeZone: TIME_ZONE,
		dateStyle: 'long',
		...(style === 'datetime' ? { timeStyle: 'short' } : {})
	}).format(d);
}
