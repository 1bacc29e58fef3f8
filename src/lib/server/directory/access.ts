/**
 * Who may read the directory outside the app: anonymous visitors when admins made it public,
 * partner systems with a read-only API token (created by admins, revocable; only a hash is kept).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { apiTokens, networkSettings, users } from '../db/schema';
import { authorize, type Actor } from '../authz';
import { recordAudit } from '../audit';
import { DomainError } from '../errors';
import { requiredText } from '../validation';

const PUBLIC_KEY = 'directory.public';

export async function directoryIsPublic(db: Db): Promise<boolean> {
	const [row] = await db.select().from(networkSettings).where(eq(networkSettings.key, PUBLIC_KEY));
	return row?.value === true;
}

export async function setDirectoryPublic(db: Db, actor: Actor, value: boolean): Promise<void> {
	authorize(actor, 'directory.admin');
	await db
		.insert(networkSettings)
		.values({ key: PUBLIC_KEY, value, updatedBy: actor.id })
		.onConflictDoUpdate({ target: networkSettings.key, set: { value, updatedAt: new Date(), updatedBy: actor.id } });
	await recordAudit(db, { actorId: actor.id, action: 'directory.public_set', entityType: 'setting', entityId: PUBLIC_KEY, data: { value } });
}

export const tokenInput = z.object({ name: requiredText(120) });

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new token, shown once: `intarsi_<random>`. */
export async function createApiToken(db: Db, actor: Actor, name: string): Promise<{ id: string; token: string }> {
	authorize(actor, 'directory.admin');
	const token = `intarsi_${randomBytes(24).toString('base64url')}`;
	const [row] = await db.insert(apiTokens).values({ name, tokenHash: hash(token), createdBy: actor.id }).returning({ id: apiTokens.id });
	await recordAudit(db, { actorId: actor.id, action: 'api_token.created', entityType: 'api_token', entityId: row!.id, data: { name } });
	return { id: row!.id, token };
}

export async function revokeApiToken(db: Db, actor: Actor, id: string): Promise<void> {
	authorize(actor, 'directory.admin');
	const rows = await db
		.update(apiTokens)
		.set({ revokedAt: new Date() })
		.where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
		.returning({ id: apiTokens.id });
	if (!rows.length) throw new DomainError('error_not_found', undefined, 404);
	await recordAudit(db, { actorId: actor.id, action: 'api_token.revoked', entityType: 'api_token', entityId: id });
}

export async function listApiTokens(db: Db) {
	return db
		.select({ id: apiTokens.id, name: apiTokens.name, scope: apiTokens.scope, createdAt: apiTokens.createdAt, createdByName: users.name, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
		.from(apiTokens)
		.innerJoin(users, eq(users.id, apiTokens.createdBy))
		.orderBy(desc(apiTokens.createdAt));
}

/** The token's scope if it is valid (not revoked); records its use at most once an hour. */
export async function resolveApiToken(db: Db, token: string): Promise<{ id: string; scope: string } | null> {
	if (!/^intarsi_[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
	const [row] = await db
		.select()
		.from(apiTokens)
		.where(and(eq(apiTokens.tokenHash, hash(token)), isNull(apiTokens.revokedAt)));
	if (!row) return null;
	if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 3600_000) await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
	return { id: row.id, scope: row.scope };
}

/** How a request reads the directory: as a person, as a partner system, as the public, or not at all. */
export type DirectoryReader = { kind: 'person'; actor: Actor } | { kind: 'token'; tokenId: string } | { kind: 'public' } | null;

export async function directoryReader(db: Db, actor: Actor | null, authorization: string | null): Promise<DirectoryReader> {
	if (actor) return { kind: 'person', actor };
	const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
	if (bearer) {
		const t = await resolveApiToken(db, bearer);
		if (t && t.scope === 'directory:read') return { kind: 'token', tokenId: t.id };
		return null;
	}
	return (await directoryIsPublic(db)) ? { kind: 'public' } : null;
}
