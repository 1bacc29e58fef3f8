import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase } from '$lib/server/boot';
import { DomainError } from '$lib/server/errors';
import { formValues } from '$lib/server/validation';
import {
	createPost,
	deletePost,
	describeLink,
	editPost,
	getThread,
	markThreadRead,
	moveThread,
	postHistory,
	setFollowing,
	setPostHidden,
	setThreadLocked,
	setThreadPinned,
	threadPlaces
} from '$lib/server/threads/threads';

export const load: PageServerLoad = async ({ locals, params, depends, url }) => {
	depends(`thread:${params.id}`);
	const db = getDatabase();
	const actor = locals.actor!;
	let view;
	try {
		view = await getThread(db, actor, params.id);
	} catch (err) {
		if (err instanceof DomainError) error(err.status, err.code);
		throw err;
	}
	// What was new when the page opened; then everything shown counts as read.
	const lastReadSeq = view.lastReadSeq;
	if (view.thread.postCount > lastReadSeq) await markThreadRead(db, actor, params.id, view.thread.postCount);
	const link = view.thread.linkKind && view.thread.linkId ? await describeLink(db, actor, view.thread.linkKind, view.thread.linkId) : null;
	const historyOf = url.searchParams.get('history');
	const history = historyOf && view.posts.some((p) => p.id === historyOf && p.editedAt) ? { postId: historyOf, revisions: await postHistory(db, actor, historyOf) } : null;
	return {
		thread: {
			id: view.thread.id,
			title: view.thread.title,
			tableId: view.thread.tableId,
			pinned: !!view.thread.pinnedAt,
			locked: !!view.thread.lockedAt,
			postCount: view.thread.postCount
		},
		table: view.table,
		link,
		posts: view.posts,
		lastReadSeq,
		subscription: view.subscription,
		can: view.can,
		places: view.can.moderate ? await threadPlaces(db, actor) : [],
		history
	};
};

type Handler = (e: RequestEvent, form: FormData) => Promise<unknown>;
/** Runs a thread action; domain and validation errors come back to the form that sent them. */
const act = (action: string, run: Handler) => async (e: RequestEvent) => {
	const form = await e.request.formData();
	try {
		await run(e, form);
		return { action, success: true, postId: String(form.get('postId') ?? '') };
	} catch (err) {
		const values = formValues(form);
		if (err instanceof DomainError) return fail(err.status, { action, values, postId: values.postId, errors: { [err.field ?? '_form']: err.code } });
		const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
		if (issues) return fail(400, { action, values, postId: values.postId, errors: Object.fromEntries(issues.map((i) => [String(i.path[0] ?? '_form'), i.message])) });
		throw err;
	}
};
const str = (form: FormData, key: string) => String(form.get(key) ?? '');

export const actions: Actions = {
	reply: act('reply', async ({ locals, params }, form) => {
		await createPost(getDatabase(), locals.actor!, params.id, { body: str(form, 'body'), replyToId: str(form, 'replyToId') || null, attachmentIds: form.getAll('attachmentIds').map(String) });
	}),
	edit: act('edit', async ({ locals }, form) => {
		await editPost(getDatabase(), locals.actor!, str(form, 'postId'), { body: str(form, 'body') });
	}),
	delete: act('delete', async ({ locals }, form) => {
		await deletePost(getDatabase(), locals.actor!, str(form, 'postId'));
	}),
	hide: act('hide', async ({ locals }, form) => {
		await setPostHidden(getDatabase(), locals.actor!, str(form, 'postId'), { reason: str(form, 'reason') });
	}),
	unhide: act('unhide', async ({ locals }, form) => {
		await setPostHidden(getDatabase(), locals.actor!, str(form, 'postId'), null);
	}),
	pin: act('pin', async ({ locals, params }, form) => {
		await setThreadPinned(getDatabase(), locals.actor!, params.id, str(form, 'pinned') === '1');
	}),
	lock: act('lock', async ({ locals, params }, form) => {
		await setThreadLocked(getDatabase(), locals.actor!, params.id, str(form, 'locked') === '1');
	}),
	move: act('move', async ({ locals, params }, form) => {
		const to = str(form, 'place');
		await moveThread(getDatabase(), locals.actor!, params.id, to === 'piazza' ? null : to);
	}),
	follow: act('follow', async ({ locals, params }, form) => {
		const state = str(form, 'state');
		await setFollowing(getDatabase(), locals.actor!, params.id, state === 'following' || state === 'muted' ? state : null);
	})
};
