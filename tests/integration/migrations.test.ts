import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';

describeEachDb('migrations', (db, kind) => {
	it('enable pg_trgm and unaccent, with an immutable f_unaccent for indexes', async () => {
		const ext = await db().db.execute<{ extname: string }>(sql`select extname from pg_extension order by extname`);
		const names = ext.rows.map((r) => r.extname);
		expect(names).toEqual(expect.arrayContaining(['pg_trgm', 'unaccent']));
		const r = await db().db.execute<{ v: string }>(sql`select f_unaccent('Perché È così') as v`);
		expect(r.rows[0]!.v).toBe('Perche E cosi');
		const vol = await db().db.execute<{ provolatile: string }>(sql`select provolatile from pg_proc where proname = 'f_unaccent'`);
		expect(vol.rows[0]!.provolatile).toBe('i');
		const sim = await db().db.execute<{ s: number }>(sql`select similarity('mediazione', 'mediazone') as s`);
		expect(Number(sim.rows[0]!.s)).toBeGreaterThan(0.5);
	});

	it('create the same tables on both engines', async () => {
		const r = await db().db.execute<{ table_name: string }>(
			sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`
		);
		expect(r.rows.map((x) => x.table_name)).toEqual([
			'audit_log',
			'invitations',
			'login_throttle',
			'organizations',
			'password_resets',
			'sessions',
			'table_members',
			'tables',
			'users'
		]);
		expect(db().kind).toBe(kind);
	});

	it('record the applied migrations in the drizzle journal', async () => {
		const r = await db().db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
		expect(r.rows[0]!.n).toBe(2);
	});
});
