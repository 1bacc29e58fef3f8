/**
 * The server's ProseMirror side of the minutes (TipTap's schema and the Yjs ⇄ ProseMirror
 * conversions), loaded on first use: TipTap, ProseMirror and their extensions cost about 12 MiB of
 * resident memory per process, which a server that hosts no minutes (or has not touched them since
 * it started) need not pay. Everything that needs them awaits `minutesProseMirror()`.
 */
import type * as Y from 'yjs';
import type { PMNode } from '$lib/minutes/schema';

export interface MinutesProseMirror {
	/** The fragment as ProseMirror JSON; throws when the fragment does not fit the schema. */
	toJson(fragment: Y.XmlFragment): PMNode;
	/** Writes ProseMirror JSON into an (empty) fragment. */
	write(json: PMNode, fragment: Y.XmlFragment): void;
}

let loading: Promise<MinutesProseMirror> | undefined;

export function minutesProseMirror(): Promise<MinutesProseMirror> {
	if (!loading) {
		loading = Promise.all([import('@tiptap/y-tiptap'), import('$lib/minutes/schema')]).then(([yTiptap, schema]) => {
			const pmSchema = schema.minutesSchema();
			return {
				toJson: (fragment) => yTiptap.yXmlFragmentToProseMirrorRootNode(fragment, pmSchema).toJSON() as PMNode,
				write: (json, fragment) => void yTiptap.prosemirrorJSONToYXmlFragment(pmSchema, json, fragment)
			};
		});
		// A failed load (e.g. a file replaced during a deploy) is tried again next time.
		loading.catch(() => (loading = undefined));
	}
	return loading;
}
