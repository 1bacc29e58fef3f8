import { json } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getDatabaseHandle } from '$lib/server/boot';
import { currentRealtime } from '$lib/server/realtime';
import { searchEngineKind } from '$lib/server/search/engine';

/** Liveness and what this instance runs on (public contract, see DESIGN.md). */
export async function GET() {
	const handle = getDatabaseHandle();
	let status: 'ok' | 'degraded' = 'ok';
	try {
		await handle.db.execute(sql`select 1`);
	} catch {
		status = 'degraded';
	}
	return json(
		{ status, db: handle.kind, search: searchEngineKind(), realtime: currentRealtime()?.mode ?? 'memory' },
		{ status: status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } }
	);
}
