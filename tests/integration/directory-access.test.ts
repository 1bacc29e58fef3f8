import { expect, it } from 'vitest';
import { describeEachDb } from './helpers/db';
import { actorFor, makePerson } from './helpers/factories';
import { createApiToken, directoryIsPublic, directoryReader, listApiTokens, resolveApiToken, revokeApiToken, setDirectoryPublic } from '../../src/lib/server/directory/access';

describeEachDb('directory access', (get) => {
	it('is private until an admin makes it public; anonymous readers follow the setting', async () => {
		const { db } = get();
		const admin = await actorFor(db, await makePerson(db, { role: 'admin' }));
		const member = await actorFor(db, await makePerson(db));
		expect(await directoryIsPublic(db)).toBe(false);
		expect(await directoryReader(db, null, null)).toBeNull();
		expect(await directoryReader(db, member, null)).toEqual({ kind: 'person', actor: member });
		await expect(setDirectoryPublic(db, member, true)).rejects.toMatchObject({ status: 403 });
		await setDirectoryPublic(db, admin, true);
		expect(await directoryReader(db, null, null)).toEqual({ kind: 'public' });
		await setDirectoryPublic(db, admin, false);
		expect(await directoryReader(db, null, null)).toBeNull();
	});

	it('gives partner systems read-only tokens that are shown once, stored hashed and revocable', async () => {
		const { db } = get();
		const admin = await actorFor(db, await makePerson(db, { role: 'admin' }));
		const member = await actorFor(db, await makePerson(db));
		await expect(createApiToken(db, member, 'x')).rejects.toMatchObject({ status: 403 });
		const { id, token } = await createApiToken(db, admin, 'Gestionale Comune di Rimini');
		expect(token).toMatch(/^intarsi_/);
		const listed = await listApiTokens(db);
		expect(JSON.stringify(listed)).not.toContain(token);
		expect(await resolveApiToken(db, token)).toEqual({ id, scope: 'directory:read' });
		expect(await directoryReader(db, null, `Bearer ${token}`)).toEqual({ kind: 'token', tokenId: id });
		expect(await directoryReader(db, null, 'Bearer intarsi_wrongwrongwrongwrongwrong')).toBeNull();
		// A bad token is refused even when the directory is public (no silent downgrade).
		await setDirectoryPublic(db, admin, true);
		expect(await directoryReader(db, null, 'Bearer intarsi_wrongwrongwrongwrongwrong')).toBeNull();
		await revokeApiToken(db, admin, id);
		expect(await resolveApiToken(db, token)).toBeNull();
		await expect(revokeApiToken(db, admin, id)).rejects.toMatchObject({ status: 404 });
	});
});
