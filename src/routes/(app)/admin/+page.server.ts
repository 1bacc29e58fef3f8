import { desc, eq } from 'drizzle-orm';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/boot';
import { authorize } from '$lib/server/authz';
import { auditLog, users } from '$lib/server/db/schema';

export const load: PageServerLoad = async ({ locals }) => {
	authorize(locals.actor, 'admin.access');
	const rows = await getDatabase()
		.select({ id: auditLog.id, at: auditLog.at, action: auditLog.action, entityType: auditLog.entityType, entityId: auditLog.entityId, actorName: users.name })
		.from(auditLog)
		.leftJoin(users, eq(users.id, auditLog.actorId))
		.orderBy(desc(auditLog.at))
		.limit(50);
	return { audit: rows };
};
