/**
 * The minutes document (`minutes:<meetingId>`): a TipTap/ProseMirror document in the Y.XmlFragment
 * named `default` (TipTap's Collaboration extension default), shared by the browser editor, the
 * server (draft from the agenda, projection, versions, exports) and tests.
 *
 * Nodes: StarterKit's (paragraph, heading, lists, blockquote, code block, horizontal rule, hard
 * break), tables, and two of ours:
 *   heading      + attr `agendaItemId` (a section per agenda item)
 *   decision     block, inline content, attr `id`            — a decision taken
 *   actionItem   block, inline content (the description), attrs `id`, `ownerUserId`,
 *                `ownerOrganizationId`, `dueDate` (YYYY-MM-DD) — an action to follow up
 * Marks: bold, italic, underline, strike, code, link (http/https only).
 */
import { Node, mergeAttributes, getSchema, type Extensions } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import Heading from '@tiptap/extension-heading';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';

export { MINUTES_FRAGMENT } from './fragment';

const dataAttr = (name: string) => ({
	default: null,
	parseHTML: (el: HTMLElement) => el.getAttribute(`data-${name}`) || null,
	renderHTML: (attrs: Record<string, unknown>) => (attrs[camel(name)] ? { [`data-${name}`]: attrs[camel(name)] } : {})
});
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Headings that know which agenda item their section is about. */
export const SectionHeading = Heading.extend({
	addAttributes() {
		return { ...this.parent?.(), agendaItemId: dataAttr('agenda-item-id') };
	}
});

/** A decision taken: a marked block in the text, projected to the `decisions` table. */
export const Decision = Node.create({
	name: 'decision',
	group: 'block',
	content: 'inline*',
	defining: true,
	addAttributes() {
		return { id: dataAttr('id') };
	},
	parseHTML() {
		return [{ tag: 'div[data-type="decision"]' }];
	},
	renderHTML({ HTMLAttributes }) {
		return ['div', mergeAttributes(HTMLAttributes, { 'data-type': 'decision', class: 'intarsi-decision' }), 0];
	}
});

/** An action item: the description is the content; owner and due date are attributes. */
export const ActionItem = Node.create({
	name: 'actionItem',
	group: 'block',
	content: 'inline*',
	defining: true,
	addAttributes() {
		return {
			id: dataAttr('id'),
			ownerUserId: dataAttr('owner-user-id'),
			ownerOrganizationId: dataAttr('owner-organization-id'),
			dueDate: dataAttr('due-date')
		};
	},
	parseHTML() {
		return [{ tag: 'div[data-type="action-item"]' }];
	},
	renderHTML({ HTMLAttributes }) {
		return ['div', mergeAttributes(HTMLAttributes, { 'data-type': 'action-item', class: 'intarsi-action-item' }), 0];
	}
});

/** The extensions that define the document (the editor adds Collaboration and carets on top). */
export function minutesExtensions(): Extensions {
	return [
		StarterKit.configure({
			heading: false,
			// Yjs carries history; TipTap's own undo must be off with Collaboration.
			undoRedo: false,
			link: { openOnClick: false, autolink: true, protocols: ['http', 'https'], defaultProtocol: 'https' }
		}),
		SectionHeading.configure({ levels: [1, 2, 3] }),
		Table.configure({ resizable: false }),
		TableRow,
		TableHeader,
		TableCell,
		Decision,
		ActionItem
	];
}

let schema: ReturnType<typeof getSchema> | null = null;
/** The ProseMirror schema of the minutes (built once). */
export function minutesSchema() {
	schema ??= getSchema(minutesExtensions());
	return schema;
}

/** ProseMirror JSON, as TipTap's `getJSON()` and y-tiptap's converters produce it. */
export interface PMNode {
	type: string;
	attrs?: Record<string, unknown>;
	content?: PMNode[];
	text?: string;
	marks?: { type: string; attrs?: Record<string, unknown> }[];
}
