import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import { MINUTES_FRAGMENT, minutesSchema, type PMNode } from './schema';

describe('minutes document schema', () => {
	it('round-trips headings with agenda item ids, decisions and action items through Yjs', () => {
		const json: PMNode = {
			type: 'doc',
			content: [
				{ type: 'heading', attrs: { level: 2, agendaItemId: 'a1' }, content: [{ type: 'text', text: '1. Sportelli' }] },
				{ type: 'paragraph', content: [{ type: 'text', text: 'Discussione ', marks: [{ type: 'bold' }] }] },
				{ type: 'decision', attrs: { id: 'd1' }, content: [{ type: 'text', text: 'Si apre lo sportello il martedì.' }] },
				{ type: 'actionItem', attrs: { id: 'x1', ownerUserId: null, ownerOrganizationId: 'o1', dueDate: '2026-12-31' }, content: [{ type: 'text', text: 'Preparare il calendario' }] }
			]
		};
		const doc = new Y.Doc();
		prosemirrorJSONToYXmlFragment(minutesSchema(), json, doc.getXmlFragment(MINUTES_FRAGMENT));
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
		const back = yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(MINUTES_FRAGMENT), minutesSchema()).toJSON() as PMNode;
		expect(back.content![0]).toMatchObject({ type: 'heading', attrs: { level: 2, agendaItemId: 'a1' } });
		expect(back.content![2]).toMatchObject({ type: 'decision', attrs: { id: 'd1' } });
		expect(back.content![3]).toMatchObject({ type: 'actionItem', attrs: { id: 'x1', ownerOrganizationId: 'o1', dueDate: '2026-12-31' } });
	});
});
