import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { queryRows } from '../../src/lib/server/db/client';

describeEachDb('migrations', (db, kind) => {
	it('enable pg_trgm and unaccent, with an immutable f_unaccent for indexes', async () => {
		const ext = await queryRows<{ extname: string }>(db().db, sql`select extname from pg_extension order by extname`);
		const names = ext.map((r) => r.extname);
		expect(names).toEqual(expect.arrayContaining(['pg_trgm', 'unaccent']));
		const r = await queryRows<{ v: string }>(db().db, sql`select f_unaccent('Perché È così') as v`);
		expect(r[0]!.v).toBe('Perche E cosi');
		const vol = await queryRows<{ provolatile: string }>(db().db, sql`select provolatile from pg_proc where proname = 'f_unaccent'`);
		expect(vol[0]!.provolatile).toBe('i');
		const sim = await queryRows<{ s: number }>(db().db, sql`select similarity('mediazione', 'mediazone') as s`);
		expect(Number(sim[0]!.s)).toBeGreaterThan(0.5);
	});

	it('create the same tables on both engines', async () => {
		const r = await queryRows<{ table_name: string }>(db().db, 
			sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`
		);
		expect(r.map((x) => x.table_name)).toEqual([
			'action_items',
			'agenda_items',
			'agenda_proposals',
			'agenda_templates',
			'api_tokens',
			'audit_log',
			'calendar_feeds',
			'collab_snapshots',
			'collab_updates',
			'decisions',
			'dir_contacts',
			'dir_history',
			'dir_languages',
			'dir_locations',
			'dir_organizations',
			'dir_phones',
			'dir_schedules',
			'dir_service_at_locations',
			'dir_service_terms',
			'dir_services',
			'dir_taxonomy_terms',
			'invitations',
			'login_throttle',
			'mail_outbox',
			'meeting_participants',
			'meeting_slot_answers',
			'meeting_slots',
			'meetings',
			'minutes',
			'minutes_comments',
			'minutes_versions',
			'network_settings',
			'notification_preferences',
			'notifications',
			'organizations',
			'password_resets',
			'post_attachments',
			'post_mentions',
			'post_revisions',
			'posts',
			'privacy_flags',
			'search_outbox',
			'search_services',
			'search_state',
			'search_terms',
			'sessions',
			'table_members',
			'tables',
			'thread_readers',
			'threads',
			'users'
		]);
		expect(db().kind).toBe(kind);
	});

	it('record the applied migrations in the drizzle journal', async () => {
		const r = await queryRows<{ n: number }>(db().db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
		expect(r[0]!.n).toBe(11);
	});
});
