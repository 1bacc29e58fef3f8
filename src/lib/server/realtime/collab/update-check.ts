/**
 * Reads a client's Yjs update (v1 encoding) in full before the server applies it.
 *
 * `Y.applyUpdate` reads every struct first, then integrates them one by one, then reads and applies
 * the delete set, all inside one transaction. When it throws half-way, what it integrated so far
 * stays in the document and the transaction still ends normally: the `update` event fires, and the
 * server would log and broadcast that fragment. Once an update has been read whole, the ways we
 * found for Yjs 13.6 to throw (reading its integration code, and fuzzing: update-check.spec.ts) are:
 * - an item that refers to its own client at or after its own clock (origin, right origin or
 *   parent): Yjs looks it up in the store, where it is not yet;
 * - an empty deletion range that cannot be applied yet (Yjs throws re-encoding it);
 * - an item that starts before what the document has of its client and ends after it, when the
 *   document's last struct of that client is garbage-collected (Yjs links the item to it).
 * This reads the update exactly as Yjs does and refuses the first two, plus what Yjs would accept
 * but never produces: bytes after the delete set, zero-length structs and a client written twice.
 * It reports the third as `stale`: a genuine client gets there by a race (an update, then a sync
 * step 2 computed before the server had it, the server having meanwhile collected that part of the
 * text), and should join again and resync rather than be told its update is malformed.
 * `CollabDocument.applyClientUpdate` keeps a fragment from being logged or sent if Yjs throws all
 * the same.
 *
 * A single pass over the bytes that builds no struct: cheaper than `Y.decodeUpdate`.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

export class MalformedUpdate extends Error {
	constructor(reason: string) {
		super(`malformed update: ${reason}`);
	}
}

/** The info byte of a struct: its kind in the low five bits, then which fields follow. */
const BITS5 = 0b11111;
const BIT6 = 0b100000; // parentSub present
const BIT7 = 0b1000000; // right origin present
const BIT8 = 0b10000000; // origin present
/** Kinds besides items (1 deleted, 2 JSON, 3 binary, 4 string, 5 embed, 6 format, 7 type, 8 any, 9 subdocument). */
const GC = 0;
const SKIP = 10;
/** Type refs: 0 array, 1 map, 2 text, 3 XML element (with a name), 4 XML fragment, 5 XML hook (with a name), 6 XML text. */
const MAX_TYPE_REF = 6;

/** Reads one item's content as Yjs does (same decoders, same exceptions) and returns its length. */
function readContent(d: decoding.Decoder, ref: number): number {
	switch (ref) {
		case 1: // deleted
			return decoding.readVarUint(d);
		case 2: {
			// JSON (old clients): one string per entry, 'undefined' or JSON
			const n = decoding.readVarUint(d);
			for (let i = 0; i < n; i++) {
				const s = decoding.readVarString(d);
				if (s !== 'undefined') JSON.parse(s);
			}
			return n;
		}
		case 3: // binary
			decoding.readVarUint8Array(d);
			return 1;
		case 4: // string: its length in UTF-16 code units, as Yjs counts it
			return decoding.readVarString(d).length;
		case 5: // embed
			JSON.parse(decoding.readVarString(d));
			return 1;
		case 6: // format: key, JSON value
			decoding.readVarString(d);
			JSON.parse(decoding.readVarString(d));
			return 1;
		case 7: {
			const typeRef = decoding.readVarUint(d);
			if (typeRef > MAX_TYPE_REF) throw new MalformedUpdate('unknown type');
			if (typeRef === 3 || typeRef === 5) decoding.readVarString(d);
			return 1;
		}
		case 8: {
			// any: lib0 values
			const n = decoding.readVarUint(d);
			for (let i = 0; i < n; i++) decoding.readAny(d);
			return n;
		}
		case 9: {
			// subdocument: guid, options (Yjs reads `opts.shouldLoad`: null or undefined throw)
			decoding.readVarString(d);
			if (decoding.readAny(d) == null) throw new MalformedUpdate('subdocument options');
			return 1;
		}
		default:
			throw new MalformedUpdate('unknown content');
	}
}

/**
 * Checks a Yjs v1 update for the document whose `store` is given: throws (MalformedUpdate or lib0's
 * decoding errors) if it is malformed; otherwise `Y.applyUpdate` integrates all of it unless it is
 * `stale`. `empty`: no structs, no deletions.
 * Dependencies on other clients' structs the document lacks are not refused here: Yjs keeps such
 * structs pending without throwing, and the caller deals with them. `ready` says the update has
 * none (with a `store` only): every client's structs continue what the document has of that client,
 * every reference to another client's struct names one the document already has, nothing is skipped,
 * and every deletion falls within what the document has or the update brings. A ready update that is
 * neither malformed nor stale leaves nothing pending in the document (update-check.spec.ts fuzzes
 * this against Yjs), so the server may pass it on to the other clients before applying it.
 */
export function inspectUpdate(update: Uint8Array, store?: Y.Doc['store']): { empty: boolean; stale: boolean; ready: boolean } {
	const d = decoding.createDecoder(update);
	const clients = decoding.readVarUint(d);
	const seen = clients > 1 ? new Set<number>() : null;
	let structs = 0;
	let stale = false;
	let ready = store !== undefined;
	/** Where each client's structs in the update end (ready updates only). */
	let ends: Map<number, number> | null = null;
	/** The document's last struct of a client, and the clock where it ends (the client's state). */
	const lastOf = (client: number) => {
		const known = store?.clients.get(client);
		return known?.[known.length - 1];
	};
	const stateOf = (client: number) => {
		const last = lastOf(client);
		return last ? last.id.clock + last.length : 0;
	};
	/** Reads an ID; true if it names `client` at or after `clock` (not yet in the store when needed). */
	const readRef = (client: number, clock: number): boolean => {
		const refClient = decoding.readVarUint(d);
		const refClock = decoding.readVarUint(d);
		if (refClient === client) return refClock >= clock;
		if (ready && refClock >= stateOf(refClient)) ready = false;
		return false;
	};
	for (let c = 0; c < clients; c++) {
		const count = decoding.readVarUint(d);
		const client = decoding.readVarUint(d);
		let clock = decoding.readVarUint(d);
		if (seen) {
			if (seen.has(client)) throw new MalformedUpdate('client written twice');
			seen.add(client);
		}
		// The document's last struct of this client ends at its state; Yjs links an item that
		// straddles the state to that struct, which must then be an item, not a GC.
		const state = stateOf(client);
		const staleIfStraddling = lastOf(client) instanceof Y.GC;
		// A gap before the client's first struct: Yjs keeps them pending.
		if (clock > state) ready = false;
		for (let i = 0; i < count; i++) {
			if (d.pos >= d.arr.length) throw new MalformedUpdate('truncated');
			const info = decoding.readUint8(d);
			const ref = info & BITS5;
			let length: number;
			if (ref === GC || ref === SKIP) {
				length = decoding.readVarUint(d);
				if (ref === SKIP) ready = false;
			} else {
				// An item may refer to an earlier struct of its own client only: Yjs integrates a
				// client's structs in clock order and looks the reference up without checking.
				if ((info & BIT8) !== 0 && readRef(client, clock)) throw new MalformedUpdate('origin ahead of the item');
				if ((info & BIT7) !== 0 && readRef(client, clock)) throw new MalformedUpdate('right origin ahead of the item');
				if ((info & (BIT7 | BIT8)) === 0) {
					if (decoding.readVarUint(d) === 1) decoding.readVarString(d); // parent: a root type's name
					else if (readRef(client, clock)) throw new MalformedUpdate('parent ahead of the item');
					if ((info & BIT6) !== 0) decoding.readVarString(d); // parentSub (a map key)
				}
				length = readContent(d, ref);
				if (staleIfStraddling && clock < state && state < clock + length) stale = true;
			}
			if (length < 1) throw new MalformedUpdate('empty struct');
			clock += length;
			if (clock > Number.MAX_SAFE_INTEGER) throw new MalformedUpdate('clock out of range');
		}
		if (ready) (ends ??= new Map()).set(client, clock);
		structs += count;
	}
	const dsClients = decoding.readVarUint(d);
	let deletions = 0;
	for (let c = 0; c < dsClients; c++) {
		const client = decoding.readVarUint(d);
		const n = decoding.readVarUint(d);
		const covered = ready ? Math.max(stateOf(client), ends?.get(client) ?? 0) : 0;
		for (let i = 0; i < n; i++) {
			const clock = decoding.readVarUint(d);
			const len = decoding.readVarUint(d);
			// Yjs throws on an empty range it cannot apply yet, after integrating the structs.
			if (len < 1) throw new MalformedUpdate('empty deletion');
			// A deletion of what the document will not have: Yjs keeps it pending.
			if (clock + len > covered) ready = false;
		}
		deletions += n;
	}
	if (decoding.hasContent(d)) throw new MalformedUpdate('bytes after the delete set');
	return { empty: structs === 0 && deletions === 0, stale, ready };
}
