/**
 * Human labels of facet values: taxonomy terms by code (from the directory tables) and language
 * names (Italian) by ISO 639 code. Both engines store codes; labels are looked up at query time so
 * that renaming a term does not need a reindex.
 */
import { isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dirTaxonomyTerms } from '../db/schema';

/** Italian names of the languages most often offered by services in Emilia-Romagna. */
export const LANGUAGE_NAMES: Record<string, string> = {
	it: 'Italiano',
	en: 'Inglese',
	fr: 'Francese',
	es: 'Spagnolo',
	pt: 'Portoghese',
	de: 'Tedesco',
	ro: 'Rumeno',
	sq: 'Albanese',
	ar: 'Arabo',
	zh: 'Cinese',
	uk: 'Ucraino',
	ru: 'Russo',
	pl: 'Polacco',
	ur: 'Urdu',
	bn: 'Bengalese',
	pa: 'Punjabi',
	hi: 'Hindi',
	ta: 'Tamil',
	si: 'Singalese',
	tl: 'Tagalog',
	fa: 'Persiano',
	ps: 'Pashto',
	ku: 'Curdo',
	tr: 'Turco',
	ti: 'Tigrino',
	am: 'Amarico',
	so: 'Somalo',
	wo: 'Wolof',
	ff: 'Fula',
	ha: 'Hausa',
	yo: 'Yoruba',
	ig: 'Igbo',
	ber: 'Berbero',
	mk: 'Macedone',
	sr: 'Serbo',
	bs: 'Bosniaco',
	hr: 'Croato',
	ka: 'Georgiano',
	ml: 'Malayalam',
	lis: 'Lingua dei segni italiana'
};

export function languageName(code: string, fallback?: string | null): string {
	return LANGUAGE_NAMES[code] ?? (fallback?.trim() || code);
}

export type LabelKind = 'category' | 'target' | 'language';

/** Labels for the given codes of one kind (missing codes map to themselves). */
export type LabelResolver = (kind: LabelKind, codes: string[]) => Promise<Map<string, string>>;

/**
 * Labels from the directory's taxonomy, cached per process; a code not in the cache reloads it
 * (at most every few seconds), so new terms get their label without waiting for the cache to age.
 */
export function directoryLabels(getDb: () => Db, ttlMs = 60_000): LabelResolver {
	let cache: { at: number; terms: Map<string, string> } | undefined;
	const load = async () => {
		const rows = await getDb()
			.select({ taxonomy: dirTaxonomyTerms.taxonomy, code: dirTaxonomyTerms.code, name: dirTaxonomyTerms.name })
			.from(dirTaxonomyTerms)
			.where(isNull(dirTaxonomyTerms.deletedAt));
		cache = { at: Date.now(), terms: new Map(rows.map((r) => [`${r.taxonomy}:${r.code}`, r.name])) };
		return cache.terms;
	};
	return async (kind, codes) => {
		const out = new Map<string, string>();
		if (kind === 'language') {
			for (const c of codes) out.set(c, languageName(c));
			return out;
		}
		const taxonomy = kind === 'category' ? 'categoria' : 'destinatari';
		let terms = cache && Date.now() - cache.at < ttlMs ? cache.terms : await load();
		if (codes.some((c) => !terms.has(`${taxonomy}:${c}`)) && cache && Date.now() - cache.at > 2_000) terms = await load();
		for (const c of codes) out.set(c, terms.get(`${taxonomy}:${c}`) ?? c);
		return out;
	};
}
