/**
 * The agenda document (`agenda:<meetingId>`), shared by the browser editor, the server (proposals,
 * templates, projection) and tests.
 *
 * Shape: `doc.getMap('items')` maps an item id to a Y.Map with
 *   order      string   fractional index (items sort by order, then id)
 *   title      Y.Text
 *   notes      Y.Text
 *   kind       'informativa' | 'discussione' | 'decisione'
 *   duration   number   minutes
 *   presenterUserId, presenterOrganizationId   string | null
 *   presenterName   string | null  (free text, e.g. an external guest)
 *   links      Y.Array<string>
 *   proposalId string | null
 * Reordering changes only `order`, so a concurrent edit of a moved item's text is never lost, and
 * deleting is removing the key. Readers never trust the shape: anything malformed is normalised.
 */
import * as Y from 'yjs';
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

export const AGENDA_KINDS = ['informativa', 'discussione', 'decisione'] as const;
export type AgendaKind = (typeof AGENDA_KINDS)[number];

export const MAX_ITEMS = 200;
export const MAX_TITLE = 300;
export const MAX_NOTES = 10_000;
export const MAX_DURATION = 600;
export const MAX_LINKS = 10;

export interface AgendaItemInit {
	title: string;
	notes?: string;
	kind?: AgendaKind;
	durationMinutes?: number;
	presenterUserId?: string | null;
	presenterOrganizationId?: string | null;
	presenterName?: string | null;
	links?: string[];
	proposalId?: string | null;
}

export interface AgendaItem {
	id: string;
	order: string;
	title: string;
	notes: string;
	kind: AgendaKind;
	durationMinutes: number;
	presenterUserId: string | null;
	presenterOrganizationId: string | null;
	presenterName: string | null;
	links: string[];
	proposalId: string | null;
}

export const itemsOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items');

/** Control characters (NUL above all: PostgreSQL refuses it) go; tabs and newlines stay. */
// eslint-disable-next-line no-control-regex
const clean = (v: string) => v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
const str = (v: unknown, max: number) => clean(typeof v === 'string' ? v : v instanceof Y.Text ? v.toString() : '').slice(0, max);
/** Item ids are UUIDs when we make them; anything else a faulty client wrote must stay short and plain. */
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Thrown when an agenda would exceed MAX_ITEMS (before anything is changed). */
export class AgendaFullError extends Error {
	readonly code = 'error_agenda_full';
	constructor() {
		super('agenda_full');
	}
}
const optId = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : null);

export function clampDuration(v: unknown): number {
	const n = typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : 0;
	return Math.min(MAX_DURATION, Math.max(0, n));
}

/** Only http(s) links are kept. */
export function safeLink(v: unknown): string | null {
	if (typeof v !== 'string' || v.length > 2000) return null;
	try {
		const u = new URL(v.trim());
		return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
	} catch {
		return null;
	}
}

/** Every item, in agenda order, normalised (bad values become safe defaults). */
export function readItems(doc: Y.Doc): AgendaItem[] {
	const out: AgendaItem[] = [];
	itemsOf(doc).forEach((value, id) => {
		if (!(value instanceof Y.Map) || !ITEM_ID.test(id)) return;
		const kind = value.get('kind');
		const links = value.get('links');
		out.push({
			id,
			order: typeof value.get('order') === 'string' ? (value.get('order') as string) : '',
			title: str(value.get('title'), MAX_TITLE),
			notes: str(value.get('notes'), MAX_NOTES),
			kind: AGENDA_KINDS.includes(kind as AgendaKind) ? (kind as AgendaKind) : 'informativa',
			durationMinutes: clampDuration(value.get('duration')),
			presenterUserId: optId(value.get('presenterUserId')),
			presenterOrganizationId: optId(value.get('presenterOrganizationId')),
			presenterName: str(value.get('presenterName'), 200) || null,
			links: links instanceof Y.Array ? cleanLinks(links.toArray()) : [],
			proposalId: optId(value.get('proposalId'))
		});
	});
	out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return out.slice(0, MAX_ITEMS);
}

/** http(s) links only, each once, at most MAX_LINKS. */
function cleanLinks(values: unknown[]): string[] {
	return [...new Set(values.map(safeLink).filter((l): l is string => !!l))].slice(0, MAX_LINKS);
}

export function newItemId(): string {
	return crypto.randomUUID();
}

function buildItem(init: AgendaItemInit, order: string): Y.Map<unknown> {
	const m = new Y.Map<unknown>();
	m.set('order', order);
	const title = new Y.Text();
	title.insert(0, init.title.slice(0, MAX_TITLE));
	m.set('title', title);
	const notes = new Y.Text();
	if (init.notes) notes.insert(0, init.notes.slice(0, MAX_NOTES));
	m.set('notes', notes);
	m.set('kind', init.kind ?? 'informativa');
	m.set('duration', clampDuration(init.durationMinutes ?? 10));
	m.set('presenterUserId', init.presenterUserId ?? null);
	m.set('presenterOrganizationId', init.presenterOrganizationId ?? null);
	m.set('presenterName', init.presenterName ?? null);
	const links = new Y.Array<string>();
	const valid = cleanLinks(init.links ?? []);
	if (valid.length) links.push(valid);
	m.set('links', links);
	m.set('proposalId', init.proposalId ?? null);
	return m;
}

/**
 * A key for position `index` among `items` (which leave out the item being placed, `exclude`);
 * when neighbours tie (concurrent inserts) or are malformed, the whole list is renumbered first.
 */
function keyAt(doc: Y.Doc, items: AgendaItem[], index: number, exclude?: string, renumbered = false): string {
	const prev = items[index - 1]?.order || null;
	const next = items[index]?.order || null;
	try {
		if (prev !== null && next !== null && prev >= next) throw new Error('tie');
		return generateKeyBetween(prev, next);
	} catch (err) {
		if (renumbered) throw err;
		renumber(doc, readItems(doc));
		return keyAt(doc, readItems(doc).filter((i) => i.id !== exclude), index, exclude, true);
	}
}

function renumber(doc: Y.Doc, items: AgendaItem[]) {
	const keys = generateNKeysBetween(null, null, items.length);
	const map = itemsOf(doc);
	items.forEach((it, i) => (map.get(it.id) as Y.Map<unknown>).set('order', keys[i]!));
}

/** Adds an item at `index` (default: the end); returns its id. */
export function addItem(doc: Y.Doc, init: AgendaItemInit, index?: number, id = newItemId()): string {
	const items = readItems(doc);
	if (items.length >= MAX_ITEMS) throw new AgendaFullError();
	doc.transact(() => {
		const at = index === undefined ? items.length : Math.max(0, Math.min(index, items.length));
		itemsOf(doc).set(id, buildItem(init, keyAt(doc, items, at, id)));
	});
	return id;
}

/** Adds several items at the end, in order (templates, previous agenda); all or none. */
export function appendItems(doc: Y.Doc, inits: AgendaItemInit[]): string[] {
	if (readItems(doc).length + inits.length > MAX_ITEMS) throw new AgendaFullError();
	const ids: string[] = [];
	doc.transact(() => {
		for (const init of inits) ids.push(addItem(doc, init));
	});
	return ids;
}

/** Moves an item so that it ends up at `toIndex` in the new order. */
export function moveItem(doc: Y.Doc, id: string, toIndex: number) {
	doc.transact(() => {
		const items = readItems(doc);
		const from = items.findIndex((i) => i.id === id);
		if (from < 0) return;
		const rest = items.filter((i) => i.id !== id);
		const at = Math.max(0, Math.min(toIndex, rest.length));
		if (at === from) return;
		(itemsOf(doc).get(id) as Y.Map<unknown>).set('order', keyAt(doc, rest, at, id));
	});
}

export function removeItem(doc: Y.Doc, id: string) {
	itemsOf(doc).delete(id);
}

export function itemMap(doc: Y.Doc, id: string): Y.Map<unknown> | null {
	const v = itemsOf(doc).get(id);
	return v instanceof Y.Map ? v : null;
}

/** Sets a plain field of an item (kind, duration, presenter…). */
export function setItemField(doc: Y.Doc, id: string, field: 'kind' | 'duration' | 'presenterUserId' | 'presenterOrganizationId' | 'presenterName', value: unknown) {
	const m = itemMap(doc, id);
	if (!m) return;
	if (field === 'kind' && !AGENDA_KINDS.includes(value as AgendaKind)) return;
	m.set(field, field === 'duration' ? clampDuration(value) : value ?? null);
}

/** The Y.Text of an item's title or notes (created if a malformed item lacks it). */
export function itemText(doc: Y.Doc, id: string, field: 'title' | 'notes'): Y.Text | null {
	const m = itemMap(doc, id);
	if (!m) return null;
	const v = m.get(field);
	if (v instanceof Y.Text) return v;
	const t = new Y.Text();
	if (typeof v === 'string') t.insert(0, v);
	m.set(field, t);
	return t;
}

export function setLinks(doc: Y.Doc, id: string, links: string[]) {
	const m = itemMap(doc, id);
	if (!m) return;
	const valid = cleanLinks(links);
	doc.transact(() => {
		let arr = m.get('links');
		if (!(arr instanceof Y.Array)) {
			arr = new Y.Array<string>();
			m.set('links', arr);
		}
		const a = arr as Y.Array<string>;
		a.delete(0, a.length);
		if (valid.length) a.push(valid);
	});
}

export interface TimedItem extends AgendaItem {
	/** Minutes from the meeting's start. */
	startOffsetMinutes: number;
	startsAt: Date | null;
}

/** Running times: each item's start from the meeting's start, and the total. */
export function runningTimes(items: AgendaItem[], meetingStart: Date | null): { items: TimedItem[]; totalMinutes: number } {
	let offset = 0;
	const timed = items.map((it) => {
		const t: TimedItem = { ...it, startOffsetMinutes: offset, startsAt: meetingStart ? new Date(meetingStart.getTime() + offset * 60_000) : null };
		offset += it.durationMinutes;
		return t;
	});
	return { items: timed, totalMinutes: offset };
}
