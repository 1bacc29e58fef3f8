/**
 * Offline copies of documents live in IndexedDB under `intarsi:<userId>:<doc>`. On a shared office
 * computer the next person must not find them: logging out removes them all. A session that merely
 * expires keeps them, so that edits not yet synchronised reach the server after the next login.
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

/** onsubmit for logout forms: forget the local copies first, then submit as usual. */
export function logoutSubmit(event: SubmitEvent) {
	const form = event.currentTarget as HTMLFormElement;
	event.preventDefault();
	void forgetLocalCopies()
		.catch(() => 0)
		.finally(() => form.submit());
}
