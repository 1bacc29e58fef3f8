import type * as Y from 'yjs';
import { diffText, transformPosition } from './text-binding';

/**
 * Two-way binding between an <input>/<textarea> and a Y.Text. The element is rewritten only for
 * changes that did not come from it (others' edits, an offline copy), keeping the caret in place
 * relative to the text; typing becomes the smallest Yjs edit. `canWrite` is asked on each input.
 */
export function bindText(el: HTMLInputElement | HTMLTextAreaElement, ytext: Y.Text, canWrite: () => boolean): () => void {
	el.value = ytext.toString();
	const observer = (event: Y.YTextEvent, tr: Y.Transaction) => {
		if (tr.local && tr.origin === null) return;
		const next = ytext.toString();
		if (el.value === next) return;
		if (el.ownerDocument.activeElement === el) {
			const start = transformPosition(el.selectionStart ?? 0, event.delta);
			const end = transformPosition(el.selectionEnd ?? 0, event.delta);
			el.value = next;
			el.setSelectionRange(start, end);
		} else el.value = next;
	};
	ytext.observe(observer);
	const onInput = () => {
		if (!canWrite()) {
			el.value = ytext.toString();
			return;
		}
		const d = diffText(ytext.toString(), el.value);
		ytext.doc!.transact(() => {
			if (d.remove) ytext.delete(d.index, d.remove);
			if (d.insert) ytext.insert(d.index, d.insert);
		});
	};
	el.addEventListener('input', onInput);
	return () => {
		el.removeEventListener('input', onInput);
		ytext.unobserve(observer);
	};
}
