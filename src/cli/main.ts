/**
 * Operations CLI, bundled to build/cli.js.
 *   npm run admin:create -- --email anna.rossi@comune.example.it --name "Anna Rossi" [--organization "Comune di …"] [--password-stdin]
 *   npm run db:migrate
 *   npm run directory:import -- <file.csv|file.json> [--dry-run] [--format csv|hsds] [--as <admin e-mail>]
 * With the embedded database (PGlite), stop the hub first: one process at a time can open it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { and, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ConfigError, getConfig } from '../lib/server/config';
import { openDatabase } from '../lib/server/db/client';
import { organizations } from '../lib/server/db/schema';
import { createPerson, findUserByEmail } from '../lib/server/network/people';
import { hashPassword, passwordSchema } from '../lib/server/auth/password';
import { issuePasswordReset } from '../lib/server/auth/reset';
import { DomainError } from '../lib/server/errors';
import { importDirectoryFile } from './directory-import';

async function readStdin(): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const c of process.stdin) chunks.push(c as Buffer);
	return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main() {
	const [command, ...rest] = process.argv.slice(2);
	const config = getConfig();
	const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
	try {
		await handle.migrate(path.resolve(config.migrationsDir));
		if (command === 'migrate') {
			console.log(`Database (${handle.kind}) migrated.`);
			return;
		}
		if (command === 'directory:import') {
			process.exitCode = await importDirectoryFile(handle.db, rest);
			return;
		}
		if (command !== 'admin:create') {
			console.error(`Unknown command "${command ?? ''}". Commands: admin:create, directory:import, migrate`);
			process.exitCode = 2;
			return;
		}
		const { values } = parseArgs({
			args: rest,
			options: {
				email: { type: 'string' },
				name: { type: 'string' },
				organization: { type: 'string' },
				'password-stdin': { type: 'boolean', default: false }
			}
		});
		const email = z.email().safeParse(values.email?.trim().toLowerCase());
		if (!email.success || !values.name?.trim()) {
			console.error('Usage: npm run admin:create -- --email <e-mail> --name "<Nome Cognome>" [--organization "<name>"] [--password-stdin]');
			process.exitCode = 2;
			return;
		}
		if (await findUserByEmail(handle.db, email.data)) {
			console.error(`An account with e-mail ${email.data} already exists.`);
			process.exitCode = 1;
			return;
		}
		let organizationId: string | undefined;
		if (values.organization) {
			const [org] = await handle.db
				.select({ id: organizations.id })
				.from(organizations)
				.where(and(isNull(organizations.deletedAt), sql`lower(${organizations.name}) = lower(${values.organization})`));
			if (!org) {
				console.error(`No organisation named "${values.organization}". Create it in the app afterwards, or omit --organization.`);
				process.exitCode = 1;
				return;
			}
			organizationId = org.id;
		}
		let passwordHash: string | null = null;
		if (values['password-stdin']) {
			const pw = passwordSchema.safeParse(await readStdin());
			if (!pw.success) {
				console.error('The password must be 10 to 256 characters long.');
				process.exitCode = 2;
				return;
			}
			passwordHash = await hashPassword(pw.data);
		}
		const user = await createPerson(handle.db, null, {
			email: email.data,
			name: values.name.trim(),
			organizationId,
			role: 'admin',
			passwordHash
		});
		console.log(`Administrator ${user.name} <${user.email}> created.`);
		if (!passwordHash) {
			const { token, expiresAt } = await issuePasswordReset(handle.db, user.id, user.id);
			const base = config.origin ?? `http://localhost:${config.port}`;
			console.log(`Set the password within 24 hours (until ${expiresAt.toISOString()}) at:\n  ${base}/reset/${token}`);
		}
	} finally {
		await handle.close();
	}
}

main().catch((err) => {
	if (err instanceof ConfigError) console.error(err.message);
	else if (err instanceof DomainError) console.error(`Refused: ${err.code}`);
	else console.error(err);
	process.exit(1);
});
