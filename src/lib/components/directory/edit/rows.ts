import { tick } from 'svelte';
import { fieldId } from './service-form';

/** Moves focus to a field (by its path) or an element id once the DOM shows it. */
export async function focusPath(path: string, elementId?: string) {
	await tick();
	const el = document.getElementById(elementId ?? fieldId(path));
	if (!el) return;
	el.focus();
	el.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
}

/** A click on an add/remove button that also works without JavaScript (it submits `_op`). */
export function rowButton(handler: () => void) {
	return (e: MouseEvent) => {
		e.preventDefault();
		handler();
	};
}
