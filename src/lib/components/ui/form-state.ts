/**
 * Reading a page's `form` (the result of its last form action) by action name: errors and values
 * of a failed submission, and whether it succeeded. Pages name each form by its `action`.
 */
export function formState(getForm: () => unknown) {
	const of = (action: string) => {
		const f = getForm() as { action?: string; errors?: Record<string, string>; values?: Record<string, string>; success?: boolean } | null | undefined;
		return f?.action === action ? f : null;
	};
	return {
		errorsFor: (action: string) => (of(action)?.errors ?? {}) as Record<string, string>,
		valuesFor: (action: string) => (of(action)?.values ?? {}) as Record<string, string>,
		done: (action: string) => !!of(action)?.success
	};
}
