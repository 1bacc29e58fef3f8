import { json } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getDatabaseHandle } from '$lib/server/boot';
import { currentRealtime } from '$lib/server/realtime';

/** Liveness and what this instance runs on (public contract, see DESIGN.md). */
export async function GET() {
	const handle = getDatabaseHandle();
	let status: 'ok' | 'degraded' = 'ok';
	try {
		await handle.db.execute(sql`select 1`);
	} catch {
		status = 'degraded';
	}
	// Search on Meilisearch arrives with the directory issue; until then this is always Postgres.
	return json(
		{ status, db: handle.kind, search: 'postgres', realtime: currentRealtime()?.mode ?? 'memory' },
		{ status: status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
