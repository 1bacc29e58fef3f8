import type { SubmitFunction } from '@sveltejs/kit';

/**
 * `use:enhance` that does not drop keyboard users on <body>: when the control that had focus is
 * gone after the update (the accepted proposal, the removed participant…), focus moves to the
 * heading of the section the form was in.
 */
export function keepFocus(options: { reset?: boolean } = {}): SubmitFunction {
	return ({ formElement }) => {
		const home = formElement.closest<HTMLElement>('section, aside, details, [data-focus-home]');
		return async ({ update }) => {
			await update({ reset: options.reset ?? true });
			const active = document.activeElement;
			if (active && active !== document.body && active.isConnected) return;
			const target = home?.isConnected ? home.querySelector<HTMLElement>('h2, h3, summary') : null;
			if (!target) return;
			if (target.tagName !== 'SUMMARY') target.tabIndex = -1;
			target.focus();
		};
	};
}
