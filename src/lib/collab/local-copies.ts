/**
 * Offline copies of documents live in IndexedDB under `intarsi:<userId>:<doc>`. On a shared office
 * computer the next person must not find them: the login page removes them all. (Edits never
 * synchronised before the session ended are lost with them; the status badge said so.)
 */
export async function forgetLocalCopies(): Promise<number> {
	if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return 0;
	const names = (await indexedDB.databases()).map((d) => d.name).filter((n): n is string => !!n && n.startsWith('intarsi:'));
	await Promise.all(
		names.map(
			(name) =>
				new Promise<void>((resolve) => {
					const req = indexedDB.deleteDatabase(name);
					req.onsuccess = req.onerror = req.onblocked = () => resolve();
				})
		)
	);
	return names.length;
}
