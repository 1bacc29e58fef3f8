import { asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { mailOutbox, type MailRow } from '../db/schema';
import type { Config } from '../config';
import { getLogger } from '../logger';
import { createSmtpTransport, toMailOptions, type MailTransport } from './transport';

export const MAIL_MAX_ATTEMPTS = 6;

/** 1 min, 5 min, 25 min, 2 h, 6 h (capped): about 9 hours before a message is given up. */
export function mailBackoffMs(attempt: number): number {
	return Math.min(60_000 * 5 ** Math.max(0, attempt - 1), 6 * 3600_000);
}

export interface DrainOptions {
	from: string;
	/** Rows claimed per round. */
	batchSize?: number;
	maxAttempts?: number;
	/** Delay before the next try after the n-th failed attempt. */
	backoffMs?: (attempt: number) => number;
	/**
	 * How long a claimed row stays invisible to other instances while this one sends it. Longer than
	 * any send can take (the SMTP transport times out well before), so a row is never sent twice
	 * unless a process dies between sending and recording it.
	 */
	leaseMs?: number;
	/** Stop after this many rounds (a full outbox drains over several ticks). */
	maxRounds?: number;
}

export interface DrainResult {
	sent: number;
	retrying: number;
	failed: number;
}

/**
 * Claims due `pending` rows and sends them. Claiming is one statement: a `SELECT … FOR UPDATE SKIP
 * LOCKED` of due rows, and an UPDATE of those that pushes `next_attempt_at` past the lease. On
 * PostgreSQL two instances draining at once never claim the same row (the second skips locked
 * rows, and re-checks a row committed meanwhile against the moved `next_attempt_at`). PGlite has
 * one connection and runs the same statement.
 */
export async function drainOutbox(db: Db, transport: MailTransport, opts: DrainOptions): Promise<DrainResult> {
	const batchSize = opts.batchSize ?? 20;
	const o = { from: opts.from, maxAttempts: opts.maxAttempts ?? MAIL_MAX_ATTEMPTS, backoff: opts.backoffMs ?? mailBackoffMs };
	const leaseMs = opts.leaseMs ?? 15 * 60_000;
	const result: DrainResult = { sent: 0, retrying: 0, failed: 0 };
	for (let round = 0; round < (opts.maxRounds ?? 10); round++) {
		const claimed = await claim(db, batchSize, leaseMs);
		// When the server cannot be reached (or refuses our login), the rest of the batch would only
		// wait for the same timeout: it gets the same error and the next try, without an attempt each.
		let unreachable: string | null = null;
		for (const row of claimed) {
			if (unreachable) {
				await recordFailure(db, row, unreachable, o, result);
				continue;
			}
			// Too little of the lease left for a slow send: leave the row to the next claim rather
			// than risk another instance sending it too.
			if (row.nextAttemptAt.getTime() - Date.now() < Math.min(LEASE_MARGIN_MS, leaseMs / 2)) continue;
			try {
				const info = await transport.sendMail(toMailOptions(row, o.from));
				await db
					.update(mailOutbox)
					.set({ status: 'sent', sentAt: new Date(), messageId: info.messageId ?? null, lastError: null })
					.where(eq(mailOutbox.id, row.id));
				result.sent++;
			} catch (err) {
				const message = describeError(err);
				await recordFailure(db, row, message, o, result);
				if (isConnectionError(err)) unreachable = message;
			}
		}
		if (unreachable || claimed.length < batchSize) break;
	}
	return result;
}

/** A send can take connection + greeting + socket timeouts (see createSmtpTransport). */
const LEASE_MARGIN_MS = 3 * 60_000;

async function claim(db: Db, batchSize: number, leaseMs: number): Promise<MailRow[]> {
	// A MATERIALIZED CTE, not `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may
	// re-run such a subquery while updating and then claims more than n rows (every due row).
	const claimed = await queryRows<{ id: string }>(
		db,
		sql`with due as materialized (
			select id from ${mailOutbox}
			where status = 'pending' and next_attempt_at <= now()
			order by next_attempt_at
			limit ${batchSize}
			for update skip locked
		)
		update ${mailOutbox} set attempts = ${mailOutbox.attempts} + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
		from due where ${mailOutbox.id} = due.id
		returning ${mailOutbox.id} as id`
	);
	if (!claimed.length) return [];
	return db
		.select()
		.from(mailOutbox)
		.where(inArray(mailOutbox.id, claimed.map((r) => r.id)))
		.orderBy(asc(mailOutbox.createdAt));
}

async function recordFailure(
	db: Db,
	row: MailRow,
	lastError: string,
	opts: { maxAttempts: number; backoff: (attempt: number) => number },
	result: DrainResult
) {
	const give = row.attempts >= opts.maxAttempts;
	await db
		.update(mailOutbox)
		.set(
			give
				? { status: 'failed', lastError }
				: { lastError, nextAttemptAt: sql`now() + ${Math.max(0, opts.backoff(row.attempts))} * interval '1 millisecond'` }
		)
		.where(eq(mailOutbox.id, row.id));
	if (give) result.failed++;
	else result.retrying++;
	// The id only: addresses are personal data, and the error is in the row for admins.
	getLogger().warn({ mailId: row.id, attempt: row.attempts, gaveUp: give, err: lastError }, 'mail not sent');
}

/** nodemailer's codes for "could not talk to the server at all" (as opposed to a refused message). */
function isConnectionError(err: unknown): boolean {
	const code = (err as { code?: unknown })?.code;
	return typeof code === 'string' && ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH'].includes(code);
}

/** A short, credential-free account of a send failure (SMTP replies, socket errors). */
function describeError(err: unknown): string {
	const e = err as { message?: unknown; code?: unknown; responseCode?: unknown };
	const message = typeof e?.message === 'string' ? e.message : String(err);
	const parts = [typeof e?.code === 'string' ? e.code : null, typeof e?.responseCode === 'number' ? String(e.responseCode) : null, message];
	// A URL with a password can end up in a message ("connect to smtp://user:pw@…"): blank it.
	return parts
		.filter(Boolean)
		.join(' ')
		.replace(/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, '$1***@')
		.slice(0, 1000);
}

export interface MailWorker {
	/** 'smtp': pending rows are sent; 'store': no SMTP_URL, messages stay in the outbox for admins. */
	readonly mode: 'smtp' | 'store';
	/** Drain soon instead of at the next tick (e.g. right after a request queued mail). */
	kick(): void;
	stop(): Promise<void>;
}

/**
 * Sends the outbox in the background while SMTP_URL is set: one drain at a time, every
 * `intervalMs`, on a timer that does not keep the process alive. `stop()` waits for a running drain.
 */
export function startMailWorker(
	getDb: () => Db,
	config: Pick<Config, 'smtpUrl' | 'mailFrom'>,
	opts: { intervalMs?: number; transport?: MailTransport; drain?: Omit<DrainOptions, 'from'> } = {}
): MailWorker {
	const log = getLogger();
	if (!config.smtpUrl) {
		log.info('mail: SMTP_URL not set, e-mails are kept in the outbox for admins (/admin/mail)');
		return { mode: 'store', kick() {}, async stop() {} };
	}
	const transport = opts.transport ?? createSmtpTransport(config.smtpUrl);
	const intervalMs = opts.intervalMs ?? 15_000;
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<void> | undefined;
	let stopped = false;
	let kickedWhileRunning = false;

	const schedule = (ms: number) => {
		if (stopped) return;
		clearTimeout(timer);
		timer = setTimeout(tick, ms);
		timer.unref();
	};
	const tick = () => {
		if (running) return;
		running = (async () => {
			try {
				const r = await drainOutbox(getDb(), transport, { from: config.mailFrom, ...opts.drain });
				if (r.sent || r.failed) log.info(r, 'mail: outbox drained');
			} catch (err) {
				log.warn({ err: err instanceof Error ? err.message : String(err) }, 'mail: drain failed');
			}
		})().finally(() => {
			running = undefined;
			schedule(kickedWhileRunning ? 200 : intervalMs);
			kickedWhileRunning = false;
		});
	};
	log.info({ from: config.mailFrom }, 'mail: sending through SMTP');
	schedule(1_000);
	return {
		mode: 'smtp',
		kick() {
			if (running) kickedWhileRunning = true;
			else schedule(200);
		},
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await running;
			transport.close?.();
		}
	};
}
