import type { RequestEvent } from '@sveltejs/kit';
import { getConfig } from './config';

/**
 * A same-site path to go back to (after login, after switching language); anything else becomes "/".
 * Parsing, not pattern matching: browsers drop tabs and newlines and treat "\\" like "/", so
 * "/\t/evil.example" would otherwise leave the site.
 */
export function safeRedirectTarget(value: string | null | undefined): string {
	if (!value || value.length > 2000 || !value.startsWith('/')) return '/';
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
	try {
		const base = 'http://intarsi.invalid';
		const url = new URL(value, base);
		if (url.origin !== base) return '/';
		return url.pathname + url.search + url.hash;
	} catch {
		return '/';
	}
}

export function clientIp(event: RequestEvent): string | null {
	try {
		return event.getClientAddress();
	} catch {
		return null;
	}
}

/** Secure cookies behind HTTPS (auto), or forced on/off with SESSION_COOKIE_SECURE. */
export function secureCookies(event: RequestEvent): boolean {
	const mode = getConfig().cookieSecure;
	return mode === 'always' || (mode === 'auto' && event.url.protocol === 'https:');
}
