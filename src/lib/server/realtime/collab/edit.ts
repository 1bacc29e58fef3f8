import * as Y from 'yjs';
import type { Db } from '../../db/client';
import { currentRealtime } from '../index';
import { CollabPersistence } from './persistence';
import { projectDocument } from '../../meetings/projection';

/** Origin of changes the server itself makes (accepted proposals, templates). */
export const SERVER_EDIT = Symbol('server-edit');

/**
 * Changes a collaborative document from the server side. With the realtime layer running, the
 * change goes through the loaded document (persisted, broadcast to every client, projected) and
 * resolves once durable; otherwise (CLI, service tests) it is appended to the log directly.
 */
export async function editDocument(getDb: () => Db, name: string, change: (doc: Y.Doc) => void): Promise<void> {
	const rt = currentRealtime();
	if (rt) {
		const doc = await rt.registry.get(name);
		try {
			if (doc.failed) throw new Error('document unavailable');
			Y.transact(doc.ydoc, () => change(doc.ydoc), SERVER_EDIT);
			await doc.lastWrite;
		} finally {
			rt.registry.release(doc);
		}
		return;
	}
	const persistence = new CollabPersistence(getDb);
	const ydoc = new Y.Doc();
	for (const u of await persistence.load(name)) Y.applyUpdate(ydoc, u);
	const before = Y.encodeStateVector(ydoc);
	Y.transact(ydoc, () => change(ydoc), SERVER_EDIT);
	const update = Y.encodeStateAsUpdate(ydoc, before);
	await persistence.append(name, update, null);
	await persistence.flush();
	await projectDocument(getDb(), name, ydoc);
	ydoc.destroy();
}

/** The current content of a document (loaded one if in memory, else from the log). */
export async function readDocument(getDb: () => Db, name: string): Promise<Y.Doc> {
	const rt = currentRealtime();
	const ydoc = new Y.Doc();
	const loaded = rt ? await rt.registry.loaded(name) : null;
	if (loaded && !loaded.destroyed) {
		Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(loaded.ydoc));
		return ydoc;
	}
	for (const u of await new CollabPersistence(getDb).load(name)) Y.applyUpdate(ydoc, u);
	return ydoc;
}
