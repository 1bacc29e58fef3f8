import { getConfig } from './config';

/**
 * The absolute base of links that leave the browser (e-mails, calendar feeds): ORIGIN when it is
 * configured (behind a proxy it is the only trustworthy answer), else the origin of the request
 * that causes the link (`url.origin` in a form action), else localhost as the CLI prints it.
 */
export function publicBaseUrl(requestOrigin?: string): string {
	const config = getConfig();
	const base = config.origin ?? requestOrigin ?? `http://localhost:${config.port}`;
	return base.replace(/\/+$/, '');
}
