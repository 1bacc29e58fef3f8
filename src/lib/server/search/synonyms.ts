/**
 * Italian synonyms of the social-services vocabulary, one list for both engines: the Postgres
 * engine expands the query with them (expandQuery), Meilisearch gets them as its `synonyms`
 * setting (meiliSynonyms). Each group is a set of equivalent words or phrases; singular and plural
 * are listed where they differ, since Meilisearch does not stem.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
	['mediazione', 'mediatore', 'mediatori', 'mediatrice', 'mediatrici', 'interprete', 'interpreti', 'interpretariato', 'mediazione linguistica', 'mediazione culturale'],
	['casa', 'case', 'abitare', 'abitazione', 'abitazioni', 'alloggio', 'alloggi', 'housing', 'abitativo', 'abitativa'],
	['lavoro', 'impiego', 'occupazione', 'lavorativo', 'lavorativa', 'inserimento lavorativo', 'orientamento al lavoro'],
	['avvocato', 'avvocata', 'avvocati', 'legale', 'legali', 'tutela legale', 'consulenza legale', 'assistenza legale', 'giuridico', 'giuridica'],
	['asilo', 'protezione internazionale', 'richiedente asilo', 'richiedenti asilo', 'rifugiato', 'rifugiata', 'rifugiati'],
	['scuola', 'scuole', 'istruzione', 'iscrizione scolastica', 'scolastico', 'scolastica'],
	['salute', 'sanita', 'sanitario', 'sanitaria', 'medico', 'medici', 'ambulatorio', 'cure'],
	['cpia', 'italiano per stranieri', 'corso di italiano', 'corsi di italiano', 'lingua italiana', 'italiano l2'],
	['permesso di soggiorno', 'permessi di soggiorno', 'titolo di soggiorno', 'soggiorno'],
	['minori', 'minorenni', 'bambini', 'bambine', 'ragazzi', 'ragazze', 'adolescenti'],
	['antiviolenza', 'violenza di genere', 'violenza domestica', 'centro antiviolenza'],
	['dipendenze', 'serd', 'sert', 'tossicodipendenza', 'alcolismo'],
	['anziani', 'anziano', 'anziana', 'terza eta', 'over 65'],
	['disabilita', 'disabile', 'disabili', 'handicap', 'non autosufficienza'],
	['psicologo', 'psicologa', 'psicologi', 'supporto psicologico', 'sostegno psicologico', 'salute mentale'],
	['alimentare', 'alimentari', 'cibo', 'pacchi alimentari', 'banco alimentare', 'mensa'],
	['vestiti', 'abbigliamento', 'indumenti', 'guardaroba'],
	['contributo', 'contributi', 'sussidio', 'sussidi', 'sostegno economico', 'aiuto economico'],
	['dormitorio', 'accoglienza notturna', 'posto letto', 'posti letto'],
	['residenza', 'iscrizione anagrafica', 'anagrafe'],
	['consultorio', 'consultori', 'consultorio familiare'],
	['sportello', 'sportelli', 'punto informativo', 'infopoint', 'ufficio informazioni']
];

/** Lower case without diacritics ("Città" → "citta"), as both engines compare words. */
export function normalizeText(s: string): string {
	return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Words of a text, normalised: letters and digits only ("dell'Unità" → ["dell", "unita"]). */
export function tokenize(s: string): string[] {
	return normalizeText(s).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Normalised phrase → its group (phrases as token lists). */
const phraseIndex = new Map<string, string[][]>();
let longestPhrase = 1;
for (const group of SYNONYM_GROUPS) {
	const phrases = group.map(tokenize);
	for (const p of phrases) {
		longestPhrase = Math.max(longestPhrase, p.length);
		phraseIndex.set(p.join(' '), phrases);
	}
}

export interface QueryTerm {
	/** The words of the query this term covers (one, or a phrase found in a synonym group). */
	tokens: string[];
	/** Equivalent words or phrases (each a token list), without `tokens` itself. */
	alternatives: string[][];
}

/**
 * Splits a query into terms, expanding synonyms: phrases of the list are recognised first,
 * longest first ("tutela legale" is one term with "avvocato", "legale", … as alternatives).
 * At most `maxTokens` words are read (a very long query is cut, not refused).
 */
export function expandQuery(q: string, maxTokens = 12): QueryTerm[] {
	const tokens = tokenize(q)
		.slice(0, maxTokens)
		.map((t) => t.slice(0, 40));
	const terms: QueryTerm[] = [];
	for (let i = 0; i < tokens.length; ) {
		let matched = false;
		for (let n = Math.min(longestPhrase, tokens.length - i); n >= 1; n--) {
			const slice = tokens.slice(i, i + n);
			const group = phraseIndex.get(slice.join(' '));
			if (!group) continue;
			const key = slice.join(' ');
			terms.push({ tokens: slice, alternatives: group.filter((p) => p.join(' ') !== key) });
			i += n;
			matched = true;
			break;
		}
		if (!matched) {
			terms.push({ tokens: [tokens[i]!], alternatives: [] });
			i++;
		}
	}
	return terms;
}

/** The list in Meilisearch's `synonyms` setting shape: every entry maps to all the others of its group. */
export function meiliSynonyms(): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const group of SYNONYM_GROUPS) {
		for (const entry of group) out[entry] = group.filter((e) => e !== entry);
	}
	return out;
}
