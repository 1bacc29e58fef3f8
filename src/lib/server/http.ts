import type { RequestEvent } from '@sveltejs/kit';
import { getConfig } from './config';

/** A same-site path to go back to after login; anything else becomes "/". */
export function safeRedirectTarget(value: string | null | undefined): string {
	if (!value || !/^\/(?![/\\])/.test(value) || value.length > 2000) return '/';
	return value;
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
