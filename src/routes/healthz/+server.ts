import { json } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getDatabaseHandle } from '$lib/server/boot';

/** Liveness and what this instance runs on (public contract, see DESIGN.md). */
export async function GET() {
	const handle = getDatabaseHandle();
	let status: 'ok' | 'degraded' = 'ok';
	try {
		await handle.db.execute(sql`select 1`);
	} catch {
		status = 'degraded';
	}
	// Search (Meilisearch) and realtime scale-out (Redis) arrive with later issues; until then this
	// instance always runs the embedded engines, and says so.
	return json(
		{ status, db: handle.kind, search: 'postgres', realtime: 'memory' },
		{ status: status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
