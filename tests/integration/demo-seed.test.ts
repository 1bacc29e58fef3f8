import { expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { agendaItems, meetings, organizations, tables, users } from '../../src/lib/server/db/schema';
import { seedDemoMeetings } from '../../src/lib/server/meetings/demo-seed';
import { seedDemoThreads } from '../../src/lib/server/threads/demo-seed';
import { listThreads, unreadByPlace } from '../../src/lib/server/threads/threads';
import { meetingsDashboard } from '../../src/lib/server/meetings/meetings';
import { toRomeLocal } from '../../src/lib/time/rome';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isDatabaseEmpty, seedDemoNetwork } from '../../src/lib/server/network/demo-seed';
import { listVisibleTables } from '../../src/lib/server/network/tables';
import { findUserByEmail, getTableRoles } from '../../src/lib/server/network/people';
import { login } from '../../src/lib/server/auth/login';

describeEachDb('demo network', (get) => {
	it('seeds the eleven partners, ten tables and the demo accounts, once', async () => {
		const { db } = get();
		expect(await isDatabaseEmpty(db)).toBe(true);
		await seedDemoNetwork(db);
		await seedDemoNetwork(db);
		const [o] = await db.select({ n: count() }).from(organizations);
		const [t] = await db.select({ n: count() }).from(tables);
		const [u] = await db.select({ n: count() }).from(users);
		expect(o!.n).toBe(11);
		expect(t!.n).toBe(10);
		expect(u!.n).toBeGreaterThanOrEqual(30);
		for (const role of ['admin', 'coordinator', 'member'] as const) expect(DEMO_ACCOUNTS.some((a) => a.role === role)).toBe(true);
		for (const account of DEMO_ACCOUNTS) {
			const r = await login(db, { email: account.email, password: DEMO_PASSWORD, ip: null, userAgent: null });
			expect(r.ok, account.email).toBe(true);
		}
	});

	it('keeps the members-only tables out of the demo member’s sight', async () => {
		const { db } = get();
		const member = await findUserByEmail(db, DEMO_ACCOUNTS.find((a) => a.role === 'member')!.email);
		const visible = await listVisibleTables(db, { id: member!.id, role: member!.role, tableRoles: await getTableRoles(db, member!.id) });
		const names = visible.map((v) => v.name);
		expect(names).toContain('Cabina di regia');
		expect(names).not.toContain('Tutela legale');
		expect(visible.length).toBe(8);
	});
});

describeEachDb('demo meetings', (get) => {
	it('seed a held, two convened and a draft meeting the demo people can work with', async () => {
		const { db } = get();
		await seedDemoNetwork(db);
		await seedDemoMeetings(db, new Date('2026-11-26T09:00:00Z'));
		const rows = await db.select().from(meetings);
		expect(rows.map((r) => r.status).sort()).toEqual(['bozza', 'convocata', 'convocata', 'svolta']);
		const member = await findUserByEmail(db, DEMO_ACCOUNTS.find((a) => a.role === 'member')!.email);
		const actor = { id: member!.id, role: member!.role, tableRoles: await getTableRoles(db, member!.id) };
		const dash = await meetingsDashboard(db, actor, new Date('2026-11-26T09:00:00Z'));
		// The operator is in the Cesena table (a date to choose) and in Mediazione (an invitation to answer).
		expect(dash.polls.map((p) => p.title)).toEqual(['Tavolo Cesena Valle Savio – programmazione del nuovo anno']);
		expect(dash.pendingRsvps.map((p) => p.title)).toEqual(['Mediazione: glossari e disponibilità linguistiche']);
		const items = await db.select().from(agendaItems);
		expect(items.length).toBeGreaterThanOrEqual(12);
		for (const r of rows.filter((x) => x.startsAt)) {
			const local = toRomeLocal(r.startsAt!);
			expect(local.slice(11)).toMatch(/^(10:00|14:30)$/);
		}
	});
});

describeEachDb('demo threads', (get) => {
	it('seed a Piazza announcement and a table question the demo operator finds partly read', async () => {
		const { db } = get();
		await seedDemoNetwork(db);
		await seedDemoThreads(db);
		const member = await findUserByEmail(db, DEMO_ACCOUNTS.find((a) => a.role === 'member')!.email);
		const actor = { id: member!.id, role: member!.role, tableRoles: await getTableRoles(db, member!.id) };
		const piazza = await listThreads(db, actor, { tableId: null });
		expect(piazza.map((t) => [t.title, t.postCount])).toContainEqual(['Formazione comune sulla tutela legale: date di febbraio', 3]);
		const unread = await unreadByPlace(db, actor);
		expect(Object.values(unread).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
		// Without the demo directory the service thread is simply not seeded.
		expect(piazza).toHaveLength(1);
	});
});
