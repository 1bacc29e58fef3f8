/**
 * `npm run directory:import -- <file> [--dry-run] [--format csv|hsds] [--as <admin e-mail>]`:
 * the same import as POST /api/directory/import, from a file, on behalf of an administrator
 * (the given one, else the first active one). Prints the report; exit code 1 when the file has
 * problems (then nothing was written), 2 on wrong usage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../lib/server/db/client';
import { users } from '../lib/server/db/schema';
import { getActor } from '../lib/server/network/people';
import { detectFormat, importDirectory, type ImportFormat } from '../lib/server/directory/import';
import messages from '../lib/i18n/messages/it.json';

const USAGE = 'Usage: npm run directory:import -- <file.csv|file.json> [--dry-run] [--format csv|hsds] [--as <admin e-mail>]';
const text = (key: string) => (messages as Record<string, string>)[key] ?? key;

export async function importDirectoryFile(db: Db, args: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args,
			allowPositionals: true,
			options: { 'dry-run': { type: 'boolean', default: false }, format: { type: 'string' }, as: { type: 'string' } }
		});
	} catch (err) {
		console.error(`${(err as Error).message}\n${USAGE}`);
		return 2;
	}
	const { values, positionals } = parsed;
	const [file] = positionals;
	if (!file || positionals.length > 1 || (values.format && !['csv', 'hsds', 'json'].includes(values.format))) {
		console.error(USAGE);
		return 2;
	}
	// npm runs scripts from the package folder: a relative path is the caller's.
	const full = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
	let content: string;
	try {
		content = readFileSync(full, 'utf8');
	} catch (err) {
		console.error(`Cannot read ${full}: ${(err as Error).message}`);
		return 2;
	}

	const [admin] = values.as
		? await db.select({ id: users.id, role: users.role }).from(users).where(and(eq(users.email, values.as.trim().toLowerCase()), isNull(users.deletedAt), isNull(users.disabledAt)))
		: await db
				.select({ id: users.id, role: users.role })
				.from(users)
				.where(and(eq(users.role, 'admin'), isNull(users.deletedAt), isNull(users.disabledAt)))
				.orderBy(asc(users.createdAt))
				.limit(1);
	const actor = admin && admin.role === 'admin' ? await getActor(db, admin.id) : null;
	if (!actor) {
		console.error(values.as ? `${values.as} is not an active administrator.` : 'No active administrator: create one first (npm run admin:create).');
		return 2;
	}

	const format: ImportFormat = values.format === 'csv' ? 'csv' : values.format ? 'hsds' : detectFormat(file, content);
	const report = await importDirectory(db, actor, { format, content, dryRun: values['dry-run'] });
	const where = (row: number, field: string) => (format === 'csv' ? `riga ${row}${field ? `, colonna ${field}` : ''}` : `servizio n. ${row}${field ? `, ${field}` : ''}`);
	for (const p of report.problems) console.error(`✗ ${where(p.row, p.field)}: ${text(p.problem)}${p.detail ? ` (${p.detail})` : ''}`);
	for (const w of report.warnings) console.warn(`! ${where(w.row, w.field)}: ${text(w.problem)}${w.detail ? ` (${w.detail})` : ''}`);
	if (!report.ok) {
		console.error(`\n${report.problems.length} problem(s) in ${full}: nothing was imported.`);
		return 1;
	}
	const c = report.counts;
	const line = (label: string, x: { created: number; updated: number; unchanged: number }) => `  ${label}: ${x.created} new, ${x.updated} updated, ${x.unchanged} unchanged`;
	console.log(
		[
			`${report.dryRun ? 'Dry run (nothing written)' : 'Imported'}: ${report.rows} ${format === 'csv' ? 'rows' : 'services'} from ${full} (${format.toUpperCase()}).`,
			line('services', c.services),
			line('organisations', c.organizations),
			line('locations', c.locations),
			c.terms.created ? `  taxonomy terms created: ${c.terms.created}` : null
		]
			.filter(Boolean)
			.join('\n')
	);
	return 0;
}
