/**
 * Process-wide start-up: open the database, migrate, seed the demo network when allowed.
 * The production entry, the SvelteKit bundle and the dev plugin each load their own copy of this
 * module, so the state lives on globalThis: one database handle per process, whoever asks first.
 */
import path from 'node:path';
import { getConfig } from './config';
import { getLogger } from './logger';
import { openDatabase, type DatabaseHandle, type Db } from './db/client';
import { isDatabaseEmpty, seedDemoNetwork } from './network/demo-seed';
import { seedDemoMeetings } from './meetings/demo-seed';
import { networkSettings } from './db/schema';
import { startMailWorker, type MailWorker } from './mail/worker';
import { ensureTaxonomy } from './directory/taxonomy';
import { seedDemoDirectory } from './directory/demo-seed';
import { startDirectoryReminders, type DirectoryReminders } from './directory/reminders';
import { startThreadDigests, type DigestJob } from './threads/mail';
import { seedDemoThreads } from './threads/demo-seed';
import { startSearchWorker, type SearchWorker } from './search/worker';

/** A start-up refusal with a message meant for the person running the hub. */
export class StartupError extends Error {}

const KEY = Symbol.for('intarsi.boot');
interface BootState {
	handle?: DatabaseHandle;
	ready?: Promise<DatabaseHandle>;
	seededNow?: boolean;
	demo?: boolean;
	mailWorker?: MailWorker;
	searchWorker?: SearchWorker;
	directoryReminders?: DirectoryReminders;
	threadDigests?: DigestJob;
}
const state = (): BootState => {
	const g = globalThis as typeof globalThis & { [KEY]?: BootState };
	g[KEY] ??= {};
	return g[KEY];
};

/** Tests and CLI tools install their own handle instead of opening the configured one. */
export function installDatabase(handle: DatabaseHandle): void {
	const s = state();
	s.handle = handle;
	s.ready = Promise.resolve(handle);
}

export function ensureReady(): Promise<DatabaseHandle> {
	const s = state();
	s.ready ??= (async (): Promise<DatabaseHandle> => {
		const config = getConfig();
		const log = getLogger();
		const started = Date.now();
		const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
		await handle.migrate(path.resolve(config.migrationsDir));
		await ensureTaxonomy(handle.db);
		if (config.production && (await hasDemoAccounts(handle.db))) {
			await handle.close();
			throw new StartupError(
				'This database holds the demo network, whose accounts have a published password. ' +
					'Production mode (NODE_ENV=production or DATABASE_URL) refuses to serve it: use a new DATA_DIR or database.'
			);
		}
		const empty = await isDatabaseEmpty(handle.db);
		if (empty && config.seedDemo) {
			await seedDemoNetwork(handle.db);
			await seedDemoMeetings(handle.db);
			await seedDemoDirectory(handle.db);
			await seedDemoThreads(handle.db);
			// The demo network's directory is public (anonymous visitors and the API see public services).
			await handle.db.insert(networkSettings).values({ key: 'directory.public', value: true }).onConflictDoNothing();
			s.seededNow = true;
		}
		s.demo = config.seedDemo && (s.seededNow || (await hasDemoAccounts(handle.db)));
		log.info({ db: handle.kind, ms: Date.now() - started, seeded: !!s.seededNow }, 'database ready');
		s.handle = handle;
		// Once per process (this promise is cached on globalThis); stopped by closeDatabase().
		s.mailWorker ??= startMailWorker(getDatabase, config);
		s.directoryReminders ??= startDirectoryReminders(getDatabase);
		s.threadDigests ??= startThreadDigests(getDatabase);
		s.searchWorker ??= startSearchWorker(getDatabase);
		return handle;
	})();
	// A failed start can be retried (and its error is not cached for ever).
	s.ready.catch(() => {
		s.ready = undefined;
	});
	return s.ready;
}

export async function hasDemoAccounts(db: Db) {
	const { findUserByEmail } = await import('./network/people');
	const { DEMO_ACCOUNTS } = await import('./network/demo-seed');
	return !!(DEMO_ACCOUNTS[0] && (await findUserByEmail(db, DEMO_ACCOUNTS[0].email)));
}

export function getDatabaseHandle(): DatabaseHandle {
	const h = state().handle;
	if (!h) throw new Error('database not ready: call ensureReady() first');
	return h;
}

export const getDatabase = (): Db => getDatabaseHandle().db;

/** True when this process runs on the demo network (demo accounts exist and seeding is allowed). */
export const isDemo = (): boolean => !!state().demo;

/** Sends queued mail now rather than at the worker's next tick (no-op without SMTP or worker). */
export function kickMailWorker(): void {
	state().mailWorker?.kick();
}

export async function closeDatabase(): Promise<void> {
	const s = state();
	// The worker goes first: a drain in progress finishes its current message on the open database.
	const worker = s.mailWorker;
	s.mailWorker = undefined;
	await worker?.stop();
	const searchWorker = s.searchWorker;
	s.searchWorker = undefined;
	await searchWorker?.stop();
	const reminders = s.directoryReminders;
	s.directoryReminders = undefined;
	await reminders?.stop();
	const digests = s.threadDigests;
	s.threadDigests = undefined;
	await digests?.stop();
	const h = s.handle;
	s.handle = undefined;
	s.ready = undefined;
	if (h) await h.close();
}
