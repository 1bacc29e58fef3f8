import { error, fail } from '@sveltejs/kit';
import type { Db } from '../db/client';
import { can, type Action, type Actor } from '../authz';
import { DomainError } from '../errors';
import { meetingContext } from './meetings';

/**
 * Loads a meeting for a page: 404 when it does not exist or the actor may not see it (a private
 * meeting's existence is not revealed), 403 when seen but the action is not allowed.
 */
export async function loadMeetingFor(db: Db, actor: Actor | null, id: string, action: Extract<Action, `meeting.${string}` | `agenda.${string}`> = 'meeting.view') {
	const ctx = await meetingContext(db, actor, id);
	if (!ctx || !can(actor, 'meeting.view', ctx.ref)) error(404, 'not_found');
	if (action !== 'meeting.view' && !can(actor, action, ctx.ref)) error(403, 'forbidden');
	return ctx;
}

/** A DomainError as a form failure (its code is an i18n key); anything else is rethrown. */
export function domainFail(err: unknown, action: string, values?: Record<string, string>) {
	if (err instanceof DomainError)
		return fail(err.status === 404 ? 404 : err.status === 403 ? 403 : err.status === 409 ? 409 : 400, { action, errors: { [err.field ?? '_form']: err.code }, values });
	throw err;
}
