import { afterAll, expect, it, vi } from 'vitest';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describeEachDb } from './helpers/db';
import { actorFor, makeOrganization, makePerson, makeTable } from './helpers/factories';
import { postAttachments, posts } from '../../src/lib/server/db/schema';
import type { Db } from '../../src/lib/server/db/client';
import type { Actor } from '../../src/lib/server/authz';
import { createPost, createThread, deletePost, setPostHidden, setThreadLocked } from '../../src/lib/server/threads/threads';
import {
	MAX_ATTACHMENT_BYTES,
	attachToPost,
	attachmentHeaders,
	attachmentPath,
	attachmentsOfPosts,
	discardUpload,
	purgeOrphans,
	readAttachment,
	sanitizeFileName,
	storeUpload,
	type StorageOptions
} from '../../src/lib/server/threads/attachments';
import { installDatabase } from '../../src/lib/server/boot';
import { POST as uploadRoute } from '../../src/routes/api/threads/attachments/+server';
import { DELETE as discardRoute, GET as downloadRoute } from '../../src/routes/api/threads/attachments/[id]/+server';

// Before any module reads the configuration: this file's DATA_DIR, where the routes store files.
const dataDir = vi.hoisted(() => {
	const dir = `${process.env.TMPDIR ?? '/tmp'}/intarsi-attachments-${process.pid}-${Date.now().toString(36)}`;
	process.env.DATA_DIR = dir;
	return dir;
});

const enc = (s: string) => new TextEncoder().encode(s);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const PDF = enc('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EXE = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Every file under a directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
	return out.sort();
}

afterAll(async () => {
	await rm(dataDir, { recursive: true, force: true });
});

describeEachDb('thread attachments', (get, kind) => {
	/** A members-only table (coordinator + member), an outsider, and per-engine storage. */
	async function world() {
		const { db } = get();
		const store: StorageOptions = { dataDir: path.join(dataDir, kind) };
		const org = await makeOrganization(db);
		const coordinator = await makePerson(db, { organizationId: org.id });
		const member = await makePerson(db, { organizationId: org.id });
		const outsider = await makePerson(db);
		const { table: privateTable, admin } = await makeTable(db, { visibility: 'members', coordinatorId: coordinator.id, members: [{ id: member.id }] });
		const [c, m, o] = await Promise.all([actorFor(db, coordinator), actorFor(db, member), actorFor(db, outsider)]);
		return { db, store, admin, privateTable, c, m, o };
	}

	const firstPostId = async (db: Db, threadId: string) => {
		const [p] = await db.select({ id: posts.id }).from(posts).where(and(eq(posts.threadId, threadId), eq(posts.seq, 1)));
		return p!.id;
	};
	const attach = (db: Db, actor: Actor, postId: string, threadId: string, ids: string[]) =>
		db.transaction((tx) => attachToPost(tx as unknown as Db, actor, postId, threadId, ids));

	it('stores what the bytes are, not what the name or the browser claim', async () => {
		const w = await world();
		const png = await storeUpload(w.db, w.m, { tableId: null }, { name: 'scansione.pdf', type: 'application/pdf', bytes: PNG }, w.store);
		expect(png).toMatchObject({ fileName: 'scansione.pdf.png', mediaType: 'image/png', size: PNG.length });
		const pdf = await storeUpload(w.db, w.m, { tableId: null }, { name: 'Verbale 12 dicembre.pdf', type: 'application/octet-stream', bytes: PDF }, w.store);
		expect(pdf).toMatchObject({ fileName: 'Verbale 12 dicembre.pdf', mediaType: 'application/pdf' });
		const csv = await storeUpload(w.db, w.m, { tableId: null }, { name: 'posti.csv', type: 'text/csv', bytes: enc('Comune;Posti\nCesena;4\nForlì;2\n') }, w.store);
		expect(csv).toMatchObject({ fileName: 'posti.csv', mediaType: 'text/csv' });

		const before = await filesUnder(w.store.dataDir!);
		const refused = [
			{ name: 'verbale.pdf', type: 'application/pdf', bytes: enc('<!doctype html><html><body><script>fetch("/api")</script></body></html>') },
			{ name: 'logo.svg', type: 'image/svg+xml', bytes: enc('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>') },
			{ name: 'logo.png', type: 'image/png', bytes: enc('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>') },
			{ name: 'modulo.pdf', type: 'application/pdf', bytes: EXE },
			{ name: 'installa.exe', type: 'application/x-msdownload', bytes: EXE }
		];
		for (const file of refused)
			await expect(storeUpload(w.db, w.m, { tableId: null }, file, w.store)).rejects.toMatchObject({ code: 'thread_attachment_error_type', field: 'file', status: 400 });
		const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
		big.set(PDF);
		await expect(storeUpload(w.db, w.m, { tableId: null }, { name: 'grande.pdf', bytes: big }, w.store)).rejects.toMatchObject({ code: 'thread_attachment_error_too_large', status: 413 });
		await expect(storeUpload(w.db, w.m, { tableId: null }, { name: 'vuoto.txt', bytes: new Uint8Array() }, w.store)).rejects.toMatchObject({ code: 'thread_attachment_error_empty', status: 400 });
		// Exactly 10 MB passes.
		const max = new Uint8Array(MAX_ATTACHMENT_BYTES);
		max.set(PDF);
		expect(await storeUpload(w.db, w.m, { tableId: null }, { name: 'limite.pdf', bytes: max }, w.store)).toMatchObject({ size: MAX_ATTACHMENT_BYTES });
		// Nothing refused reached the disk (no temporary files left either).
		const after = await filesUnder(w.store.dataDir!);
		expect(after.filter((f) => !before.includes(f))).toHaveLength(1);
		expect(after.every((f) => !f.includes('.tmp'))).toBe(true);
	});

	it('keeps file names to a name: no folders, no controls or direction tricks, Unicode kept, 200 characters', async () => {
		const w = await world();
		const cases: [string, Uint8Array, string][] = [
			['../../../etc/passwd', enc('root:x:0:0\n'), 'passwd.txt'],
			['..\\..\\Windows\\System32\\foto.png', PNG, 'foto.png'],
			['/var/lib/intarsi/data/attachments/ab/x.pdf', PDF, 'x.pdf'],
			['fattura\u202Efdp.exe', PDF, 'fatturafdp.exe.pdf'],
			['ver\u0000ba\u0007le\r\n.pdf', PDF, 'verbale.pdf'],
			['..', PDF, 'allegato.pdf'],
			['  .nascosto.pdf. ', PDF, 'nascosto.pdf'],
			['Città di Forlì – calendario «mediazione» 📅.pdf', PDF, 'Città di Forlì – calendario «mediazione» 📅.pdf'],
			['a<b>c:d"e|f?g*h.txt', enc('testo'), 'a_b_c_d_e_f_g_h.txt'],
			['CON.txt', enc('testo'), '_CON.txt']
		];
		for (const [name, bytes, expected] of cases) {
			const stored = await storeUpload(w.db, w.m, { tableId: null }, { name, bytes }, w.store);
			expect(stored.fileName, name).toBe(expected);
		}
		const long = `${'è'.repeat(300)}.pdf`;
		const stored = await storeUpload(w.db, w.m, { tableId: null }, { name: long, bytes: PDF }, w.store);
		expect([...stored.fileName]).toHaveLength(200);
		expect(stored.fileName.endsWith('è.pdf')).toBe(true);
		expect(sanitizeFileName(`${'x'.repeat(250)}.pdf`, 'image/png')).toMatch(/^x{196}\.png$/);
		// Whatever the name, the file lives under its random key in the data directory.
		const [row] = await w.db.select().from(postAttachments).where(eq(postAttachments.id, stored.id));
		expect(row!.storageKey).toMatch(/^[0-9a-f]{32}$/);
		expect(attachmentPath(row!.storageKey, w.store)).toBe(path.join(w.store.dataDir!, 'attachments', row!.storageKey.slice(0, 2), row!.storageKey));
	});

	it('a member of a members-only table attaches files; outsiders never see them', async () => {
		const w = await world();
		// A new thread: the upload names the table, the thread does not exist yet.
		const doc = await storeUpload(w.db, w.m, { tableId: w.privateTable.id }, { name: 'ordine del giorno.pdf', bytes: PDF }, w.store);
		const t = await createThread(w.db, w.m, { tableId: w.privateTable.id, title: 'Calendario formazione', body: 'In allegato la bozza.' });
		const first = await firstPostId(w.db, t.id);
		expect(await attach(w.db, w.m, first, t.id, [doc.id])).toEqual([doc]);
		// A reply: the upload names the thread.
		const img = await storeUpload(w.db, w.c, { threadId: t.id }, { name: 'lavagna.jpg', bytes: PNG }, w.store);
		const reply = await createPost(w.db, w.c, t.id, { body: 'Ecco la foto della lavagna.' });
		await attach(w.db, w.c, reply.id, t.id, [img.id]);
		const byPost = await attachmentsOfPosts(w.db, [first, reply.id]);
		expect(byPost.get(first)).toEqual([doc]);
		expect(byPost.get(reply.id)).toEqual([{ ...img, fileName: 'lavagna.jpg.png' }]);
		const [row] = await w.db.select().from(postAttachments).where(eq(postAttachments.id, doc.id));
		expect(row).toMatchObject({ postId: first, threadId: t.id, uploadedBy: w.m.id, sha256: sha(PDF), size: PDF.length });

		// Members read it back, byte for byte; the file is in this test's data directory.
		for (const reader of [w.m, w.c]) {
			const a = await readAttachment(w.db, reader, doc.id, w.store);
			expect(a).toMatchObject({ id: doc.id, fileName: 'ordine del giorno.pdf', mediaType: 'application/pdf', sha256: sha(PDF) });
			expect(await a.bytes()).toEqual(PDF);
			expect(new Uint8Array(await new Response(a.stream()).arrayBuffer())).toEqual(PDF);
		}
		expect(await readFile(attachmentPath(row!.storageKey, w.store))).toEqual(Buffer.from(PDF));
		// The network admin sees every table.
		await expect(readAttachment(w.db, await actorFor(w.db, w.admin), doc.id, w.store)).resolves.toMatchObject({ id: doc.id });

		// An outsider: not found, whether the id exists or not, and no upload into the table or thread.
		const missing = '00000000-0000-4000-8000-000000000000';
		for (const id of [doc.id, img.id, missing, 'not-a-uuid', '../../etc/passwd'])
			await expect(readAttachment(w.db, w.o, id, w.store)).rejects.toMatchObject({ code: 'error_not_found', status: 404 });
		await expect(storeUpload(w.db, w.o, { threadId: t.id }, { name: 'x.pdf', bytes: PDF }, w.store)).rejects.toMatchObject({ status: 404 });
		await expect(storeUpload(w.db, w.o, { tableId: w.privateTable.id }, { name: 'x.pdf', bytes: PDF }, w.store)).rejects.toMatchObject({ status: 404 });
		await expect(storeUpload(w.db, w.o, { threadId: missing }, { name: 'x.pdf', bytes: PDF }, w.store)).rejects.toMatchObject({ status: 404 });
		// Locked thread: members may no longer add files; the coordinator (moderator) still may.
		await setThreadLocked(w.db, w.c, t.id, true);
		await expect(storeUpload(w.db, w.m, { threadId: t.id }, { name: 'x.pdf', bytes: PDF }, w.store)).rejects.toMatchObject({ code: 'thread_error_locked', status: 403 });
		await expect(storeUpload(w.db, w.c, { threadId: t.id }, { name: 'x.pdf', bytes: PDF }, w.store)).resolves.toMatchObject({ mediaType: 'application/pdf' });
	});

	it('attaches only the author’s own unattached uploads for that place, at most ten', async () => {
		const w = await world();
		const t = await createThread(w.db, w.m, { tableId: w.privateTable.id, title: 'Allegati', body: 'Primo.' });
		const other = await createThread(w.db, w.m, { tableId: w.privateTable.id, title: 'Altro', body: 'Altro.' });
		const first = await firstPostId(w.db, t.id);
		const up = (actor: Actor, place: { threadId: string } | { tableId: string | null }) => storeUpload(w.db, actor, place, { name: 'a.pdf', bytes: PDF }, w.store);
		const reply = await createPost(w.db, w.m, t.id, { body: 'Risposta.' });
		const coordsUpload = await up(w.c, { threadId: t.id });
		const otherThreadUpload = await up(w.m, { threadId: other.id });
		const newThreadUpload = await up(w.m, { tableId: w.privateTable.id });
		const invalid = { code: 'thread_attachment_error_invalid', status: 400 };
		// Someone else's upload; an upload for another thread; a new-thread upload on a reply.
		await expect(attach(w.db, w.m, reply.id, t.id, [coordsUpload.id])).rejects.toMatchObject(invalid);
		await expect(attach(w.db, w.m, reply.id, t.id, [otherThreadUpload.id])).rejects.toMatchObject(invalid);
		await expect(attach(w.db, w.m, reply.id, t.id, [newThreadUpload.id])).rejects.toMatchObject(invalid);
		// Someone else's post; a post of another thread.
		const mine = await up(w.m, { threadId: t.id });
		await expect(attach(w.db, w.c, reply.id, t.id, [mine.id])).rejects.toMatchObject(invalid);
		await expect(attach(w.db, w.m, reply.id, other.id, [mine.id])).rejects.toMatchObject(invalid);
		// All or nothing: one bad id leaves the good one unattached.
		await expect(attach(w.db, w.m, reply.id, t.id, [mine.id, coordsUpload.id])).rejects.toMatchObject(invalid);
		expect((await w.db.select().from(postAttachments).where(eq(postAttachments.id, mine.id)))[0]!.postId).toBeNull();
		await attach(w.db, w.m, reply.id, t.id, [mine.id, mine.id]);
		// Already attached: not again, not elsewhere.
		await expect(attach(w.db, w.m, first, t.id, [mine.id])).rejects.toMatchObject(invalid);
		// A thread's first post takes uploads made for the new thread.
		await attach(w.db, w.m, first, t.id, [newThreadUpload.id]);
		// Ten at most per post, counting those already there.
		const eleven = await Promise.all(Array.from({ length: 11 }, () => up(w.m, { threadId: t.id })));
		await expect(attach(w.db, w.m, reply.id, t.id, eleven.map((u) => u.id))).rejects.toMatchObject({ code: 'thread_attachment_error_too_many' });
		await expect(attach(w.db, w.m, reply.id, t.id, eleven.slice(0, 10).map((u) => u.id))).rejects.toMatchObject({ code: 'thread_attachment_error_too_many' });
		await attach(w.db, w.m, reply.id, t.id, eleven.slice(0, 9).map((u) => u.id));
		expect((await attachmentsOfPosts(w.db, [reply.id])).get(reply.id)).toHaveLength(10);
		// The uploader alone sees an upload before it is posted, and may take it back.
		const left = eleven[10]!;
		await expect(readAttachment(w.db, w.m, left.id, w.store)).resolves.toMatchObject({ id: left.id });
		await expect(readAttachment(w.db, w.c, left.id, w.store)).rejects.toMatchObject({ status: 404 });
		await expect(discardUpload(w.db, w.c, left.id, w.store)).rejects.toMatchObject({ status: 404 });
		await expect(discardUpload(w.db, w.m, mine.id, w.store)).rejects.toMatchObject({ status: 404 });
		const [leftRow] = await w.db.select().from(postAttachments).where(eq(postAttachments.id, left.id));
		await discardUpload(w.db, w.m, left.id, w.store);
		await expect(stat(attachmentPath(leftRow!.storageKey, w.store))).rejects.toMatchObject({ code: 'ENOENT' });
		await expect(readAttachment(w.db, w.m, left.id, w.store)).rejects.toMatchObject({ status: 404 });
	});

	it('a deleted post’s files are no longer served; a hidden post’s only to moderators', async () => {
		const w = await world();
		const t = await createThread(w.db, w.c, { tableId: w.privateTable.id, title: 'Documenti', body: 'Apro.' });
		const post = async (name: string) => {
			const u = await storeUpload(w.db, w.m, { threadId: t.id }, { name, bytes: PDF }, w.store);
			const p = await createPost(w.db, w.m, t.id, { body: name });
			await attach(w.db, w.m, p.id, t.id, [u.id]);
			return { upload: u, post: p };
		};
		const deleted = await post('cancellato.pdf');
		const hidden = await post('nascosto.pdf');
		await expect(readAttachment(w.db, w.c, deleted.upload.id, w.store)).resolves.toMatchObject({ id: deleted.upload.id });
		await deletePost(w.db, w.m, deleted.post.id);
		for (const reader of [w.m, w.c]) await expect(readAttachment(w.db, reader, deleted.upload.id, w.store)).rejects.toMatchObject({ status: 404 });
		await setPostHidden(w.db, w.c, hidden.post.id, { reason: 'Contiene dati personali di un nucleo' });
		await expect(readAttachment(w.db, w.m, hidden.upload.id, w.store)).rejects.toMatchObject({ status: 404 });
		await expect(readAttachment(w.db, w.c, hidden.upload.id, w.store)).resolves.toMatchObject({ id: hidden.upload.id });
		await setPostHidden(w.db, w.c, hidden.post.id, null);
		await expect(readAttachment(w.db, w.m, hidden.upload.id, w.store)).resolves.toMatchObject({ id: hidden.upload.id });
	});

	it('purges uploads never posted after a day, files and rows, and keeps the rest', async () => {
		const w = await world();
		const t = await createThread(w.db, w.m, { tableId: w.privateTable.id, title: 'Pulizia', body: 'Primo.' });
		const first = await firstPostId(w.db, t.id);
		const posted = await storeUpload(w.db, w.m, { threadId: t.id }, { name: 'tenuto.pdf', bytes: PDF }, w.store);
		await attach(w.db, w.m, first, t.id, [posted.id]);
		const orphan = await storeUpload(w.db, w.m, { tableId: null }, { name: 'dimenticato.pdf', bytes: PDF }, w.store);
		const fresh = await storeUpload(w.db, w.m, { threadId: t.id }, { name: 'in corso.pdf', bytes: PDF }, w.store);
		const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
		for (const id of [posted.id, orphan.id]) await w.db.update(postAttachments).set({ createdAt: twoDaysAgo }).where(eq(postAttachments.id, id));
		const keys = new Map((await w.db.select().from(postAttachments)).map((r) => [r.id, r.storageKey]));
		const purged = await purgeOrphans(w.db, undefined, w.store);
		expect(purged).toBeGreaterThanOrEqual(1);
		const left = new Set((await w.db.select({ id: postAttachments.id }).from(postAttachments)).map((r) => r.id));
		expect(left.has(orphan.id)).toBe(false);
		expect(left.has(posted.id)).toBe(true);
		expect(left.has(fresh.id)).toBe(true);
		await expect(stat(attachmentPath(keys.get(orphan.id)!, w.store))).rejects.toMatchObject({ code: 'ENOENT' });
		await expect(stat(attachmentPath(keys.get(posted.id)!, w.store))).resolves.toBeTruthy();
		await expect(stat(attachmentPath(keys.get(fresh.id)!, w.store))).resolves.toBeTruthy();
		await expect(readAttachment(w.db, w.m, orphan.id, w.store)).rejects.toMatchObject({ status: 404 });
	});

	it('serves images inline and everything else as a download, sandboxed and never sniffed', () => {
		const pdf = attachmentHeaders({ fileName: 'Verbale «Forlì» 100%.pdf', mediaType: 'application/pdf', size: 123, sha256: 'ab'.repeat(32) });
		expect(pdf.get('content-type')).toBe('application/pdf');
		expect(pdf.get('content-disposition')).toBe(`attachment; filename="Verbale _Forl__ 100%.pdf"; filename*=UTF-8''Verbale%20%C2%ABForl%C3%AC%C2%BB%20100%25.pdf`);
		expect(pdf.get('x-content-type-options')).toBe('nosniff');
		expect(pdf.get('content-security-policy')).toBe("default-src 'none'; sandbox");
		expect(pdf.get('cache-control')).toMatch(/^private\b/);
		expect(pdf.get('content-length')).toBe('123');
		const png = attachmentHeaders({ fileName: "foto (1)'.png", mediaType: 'image/png', size: 5, sha256: 'cd'.repeat(32) });
		expect(png.get('content-disposition')).toBe(`inline; filename="foto (1)'.png"; filename*=UTF-8''foto%20%281%29%27.png`);
		const txt = attachmentHeaders({ fileName: 'note.txt', mediaType: 'text/plain', size: 5, sha256: 'ef'.repeat(32) });
		expect(txt.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(txt.get('content-disposition')).toMatch(/^attachment;/);
	});
	it('the HTTP routes: upload (multipart), download with safe headers, discard; files under DATA_DIR', async () => {
		const handle = get();
		installDatabase(handle);
		const w = await world();
		const t = await createThread(w.db, w.m, { tableId: w.privateTable.id, title: 'Via HTTP', body: 'Primo.' });
		type Handler = (event: { locals: { actor: Actor | null }; request: Request; params: Record<string, string> }) => Promise<Response>;
		const upload = (actor: Actor | null, fields: Record<string, string | Blob | [Uint8Array, string]>) => {
			const form = new FormData();
			for (const [k, v] of Object.entries(fields)) {
				if (Array.isArray(v)) form.set(k, new File([v[0] as BlobPart], v[1], { type: 'application/pdf' }));
				else form.set(k, v);
			}
			return (uploadRoute as unknown as Handler)({ locals: { actor }, request: new Request('http://hub.test/api/threads/attachments', { method: 'POST', body: form }), params: {} });
		};
		const download = (actor: Actor | null, id: string, headers: Record<string, string> = {}) =>
			(downloadRoute as unknown as Handler)({ locals: { actor }, request: new Request(`http://hub.test/api/threads/attachments/${id}`, { headers }), params: { id } });

		expect((await upload(null, { file: [PNG, 'a.png'], piazza: '1' })).status).toBe(401);
		const res = await upload(w.m, { file: [PNG, 'foto del gruppo.pdf'], threadId: t.id });
		expect(res.status).toBe(201);
		const body = (await res.json()) as { id: string; fileName: string; mediaType: string; size: number };
		expect(body).toEqual({ id: expect.any(String), fileName: 'foto del gruppo.pdf.png', mediaType: 'image/png', size: PNG.length });
		// Stored under this test's DATA_DIR (the configured default), by random key.
		const [row] = await w.db.select().from(postAttachments).where(eq(postAttachments.id, body.id));
		const file = path.join(dataDir, 'attachments', row!.storageKey.slice(0, 2), row!.storageKey);
		expect(await readFile(file)).toEqual(Buffer.from(PNG));

		const refused = await upload(w.m, { file: [enc('<html><script>alert(1)</script></html>'), 'verbale.pdf'], piazza: '1' });
		expect(refused.status).toBe(400);
		expect(await refused.json()).toEqual({ error: 'thread_attachment_error_type', field: 'file' });
		const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
		big.set(PDF);
		const tooBig = await upload(w.m, { file: [big, 'grande.pdf'], tableId: w.privateTable.id });
		expect(tooBig.status).toBe(413);
		expect(await tooBig.json()).toEqual({ error: 'thread_attachment_error_too_large', field: 'file' });
		expect((await upload(w.m, { file: [PDF, 'a.pdf'] })).status).toBe(400);
		expect((await upload(w.m, { file: [PDF, 'a.pdf'], threadId: t.id, piazza: '1' })).status).toBe(400);
		expect((await upload(w.m, { file: 'non un file', piazza: '1' })).status).toBe(400);
		expect((await upload(w.o, { file: [PDF, 'a.pdf'], threadId: t.id })).status).toBe(404);
		expect((await upload(w.o, { file: [PDF, 'a.pdf'], tableId: w.privateTable.id })).status).toBe(404);

		// Posted, then read through the route.
		await attach(w.db, w.m, await firstPostId(w.db, t.id), t.id, [body.id]);
		const got = await download(w.c, body.id);
		expect(got.status).toBe(200);
		expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);
		expect(got.headers.get('content-type')).toBe('image/png');
		expect(got.headers.get('content-disposition')).toBe(`inline; filename="foto del gruppo.pdf.png"; filename*=UTF-8''foto%20del%20gruppo.pdf.png`);
		expect(got.headers.get('x-content-type-options')).toBe('nosniff');
		expect(got.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
		expect(got.headers.get('cache-control')).toMatch(/^private\b/);
		expect((await download(w.c, body.id, { 'if-none-match': got.headers.get('etag')! })).status).toBe(304);
		expect((await download(null, body.id)).status).toBe(401);
		const hidden = await download(w.o, body.id);
		expect(hidden.status).toBe(404);
		expect(await hidden.json()).toEqual({ error: 'error_not_found' });

		// The uploader takes back an upload not yet posted; nobody else can, and posted files stay.
		const pdfRes = await upload(w.m, { file: [PDF, 'bozza.pdf'], piazza: '1' });
		const pdf = (await pdfRes.json()) as { id: string };
		const pdfGot = await download(w.m, pdf.id);
		expect(pdfGot.headers.get('content-disposition')).toMatch(/^attachment; /);
		const discard = (actor: Actor, id: string) => (discardRoute as unknown as Handler)({ locals: { actor }, request: new Request(`http://hub.test/api/threads/attachments/${id}`, { method: 'DELETE' }), params: { id } });
		expect((await discard(w.c, pdf.id)).status).toBe(404);
		expect((await discard(w.m, body.id)).status).toBe(404);
		expect((await discard(w.m, pdf.id)).status).toBe(204);
		expect((await download(w.m, pdf.id)).status).toBe(404);
	});
});
