/**
 * Discussion posts in the search layer. The Postgres engine searches the posts table itself
 * (Italian full-text with unaccent, GIN index `posts_text_fts`); Meilisearch keeps an index of
 * post documents fed by the same outbox as the services (entity `post`). Either way the reader's
 * places (the tables they may read and the Piazza, decided by authz) filter the results.
 */
import { and, asc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { posts, searchOutbox, tables, threads, users } from '../db/schema';
import type { PostHit, PostSearchDocument, PostSearchQuery } from './types';

/** Queues posts for the search engine, in the caller's transaction. */
export async function enqueuePosts(db: Db, postIds: string[]): Promise<void> {
	if (postIds.length) await db.insert(searchOutbox).values(postIds.map((entityId) => ({ entity: 'post', entityId, op: 'upsert' })));
}

/** Queues every post of a thread (it moved, or its title changed). */
export async function enqueueThreadPosts(db: Db, threadId: string): Promise<void> {
	await db.execute(sql`insert into ${searchOutbox} (entity, entity_id, op) select 'post', id, 'upsert' from ${posts} where thread_id = ${threadId}::uuid`);
}

const documentColumns = {
	id: posts.id,
	threadId: threads.id,
	threadTitle: threads.title,
	tableId: threads.tableId,
	tableName: tables.name,
	seq: posts.seq,
	authorName: users.name,
	createdAt: posts.createdAt,
	text: posts.text
};
const searchable = and(isNull(posts.deletedAt), isNull(posts.hiddenAt), isNull(threads.deletedAt), sql`(${tables.id} is null or ${tables.deletedAt} is null)`);

/** Posts with their thread, author and table (none for the Piazza); `snippet` for searches. */
function selectPosts(db: Db, snippet: SQL<string | null> = sql<null>`null`) {
	return db
		.select({ ...documentColumns, snippet })
		.from(posts)
		.innerJoin(threads, eq(threads.id, posts.threadId))
		.innerJoin(users, eq(users.id, posts.authorId))
		.leftJoin(tables, eq(tables.id, threads.tableId));
}

const toDocument = ({ snippet: _, ...r }: { createdAt: Date; snippet: unknown } & Omit<PostSearchDocument, 'createdAt'>): PostSearchDocument => ({ ...r, createdAt: r.createdAt.toISOString() });

/** The documents of these posts that are searchable now (the others are to be removed). */
export async function buildPostDocuments(db: Db, postIds: string[]): Promise<PostSearchDocument[]> {
	if (!postIds.length) return [];
	const rows = await selectPosts(db)
		.where(and(inArray(posts.id, postIds), searchable));
	return rows.map(toDocument);
}

/** Every searchable post, in batches (reindexing). */
export async function* allPostDocuments(db: Db, batch = 500): AsyncIterable<PostSearchDocument[]> {
	let after = '00000000-0000-0000-0000-000000000000';
	for (;;) {
		const rows = await selectPosts(db)
			.where(and(gt(posts.id, after), searchable))
			.orderBy(asc(posts.id))
			.limit(batch);
		if (!rows.length) return;
		yield rows.map(toDocument);
		after = rows.at(-1)!.id;
	}
}

/** The Postgres engine's post search: the posts table and its full-text index. */
export async function searchPostsInPostgres(db: Db, q: PostSearchQuery): Promise<PostHit[]> {
	const text = q.q.trim().slice(0, 200);
	if (!text) return [];
	const query = sql`websearch_to_tsquery('italian', f_unaccent(${text}))`;
	const tableIds = q.places === 'all' ? [] : q.places.filter((p) => p !== 'piazza');
	const piazza = q.places === 'all' || q.places.includes('piazza');
	const visible =
		q.places === 'all'
			? sql`true`
			: sql`(${piazza ? sql`${threads.tableId} is null` : sql`false`} or ${tableIds.length ? sql`${threads.tableId} in (${sql.join(tableIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql`false`})`;
	const place = q.tableId === undefined ? sql`true` : q.tableId === null ? sql`${threads.tableId} is null` : sql`${threads.tableId} = ${q.tableId}::uuid`;
	const rows = await selectPosts(
		db,
		sql<string>`ts_headline('italian', translate(f_unaccent(${posts.text}), '<>&', '   '), ${query}, 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12')`
	)
		.where(and(sql`to_tsvector('italian', f_unaccent(${posts.text})) @@ ${query}`, searchable, visible, place))
		.orderBy(sql`ts_rank(to_tsvector('italian', f_unaccent(${posts.text})), ${query}) desc`, sql`${posts.createdAt} desc`)
		.limit(q.limit);
	return rows.map((r) => ({
		threadId: r.threadId,
		threadTitle: r.threadTitle,
		tableId: r.tableId,
		tableName: r.tableName,
		seq: r.seq,
		authorName: r.authorName,
		createdAt: r.createdAt,
		snippet: r.snippet ?? ''
	}));
}

/** Meilisearch filter for the reader's places. */
export function meiliPlaceFilter(q: PostSearchQuery): string | undefined {
	const parts: string[] = [];
	if (q.places !== 'all') parts.push(q.places.length ? `place IN [${q.places.map((p) => JSON.stringify(p)).join(', ')}]` : 'place = "__none__"');
	if (q.tableId !== undefined) parts.push(`place = ${JSON.stringify(q.tableId ?? 'piazza')}`);
	return parts.length ? parts.join(' AND ') : undefined;
}

