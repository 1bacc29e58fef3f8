import { describe, expect, it } from 'vitest';
import {
	formatContacts,
	formatLanguages,
	formatPhones,
	formatSchedules,
	isStale,
	monthsBefore,
	parseContacts,
	parseLanguages,
	parsePhones,
	parseSchedules,
	splitEntries,
	termUuid,
	uuidV5
} from './format';

describe('directory cell formats', () => {
	it('splits on semicolons outside brackets', () => {
		expect(splitEntries('a; b (x; y); [c; d]; «e; f»; <g;h>;; ')).toEqual(['a', 'b (x; y)', '[c; d]', '«e; f»', '<g;h>']);
	});

	it('reads and writes opening hours', () => {
		const { values, bad } = parseSchedules('lunedì 9.00-13.00, 14.30-17.00; mer 14:00-17:00 dal 2026-01-01 al 2026-06-30 (su appuntamento; portare documenti); dom 10-12; xyz 09:00-10:00');
		expect(bad).toEqual(['dom 10-12', 'xyz 09:00-10:00']);
		expect(formatSchedules(values)).toBe('lun 09:00-13:00; lun 14:30-17:00; mer 14:00-17:00 dal 2026-01-01 al 2026-06-30 (su appuntamento; portare documenti)');
		expect(parseSchedules(formatSchedules(values)).values).toEqual(values);
	});

	it('reads and writes phones, languages and contacts, and each format reads its own output', () => {
		const phones = parsePhones('0547 000 002 int. 12 (fax) [ar, fr] «Segreteria»; +39 0547 000 001; 0547 000 003 (piccione)');
		expect(phones.bad).toEqual(['0547 000 003 (piccione)']);
		expect(phones.values[0]).toEqual({ number: '0547 000 002', extension: '12', type: 'fax', description: 'Segreteria', languages: ['ar', 'fr'] });
		expect(formatPhones(phones.values)).toBe('+39 0547 000 001; 0547 000 002 int. 12 (fax) [ar, fr] «Segreteria»');
		expect(parsePhones(formatPhones(phones.values)).values).toHaveLength(2);

		const languages = parseLanguages('IT; ti (solo il martedì); arabo');
		expect(languages.bad).toEqual(['arabo']);
		expect(formatLanguages(languages.values)).toBe('it; ti (solo il martedì)');

		const contacts = parseContacts('Segreteria (referente) [Servizi sociali] <segreteria@example.org>; <info@example.org>; Sportello');
		expect(contacts.bad).toEqual([]);
		expect(contacts.values[1]).toEqual({ name: null, title: null, department: null, email: 'info@example.org' });
		expect(parseContacts(formatContacts(contacts.values)).values).toEqual(
			[...contacts.values].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.email ?? '').localeCompare(b.email ?? ''))
		);
	});

	it('counts six calendar months back, clamped to the month end', () => {
		expect(monthsBefore('2027-06-27', 6)).toBe('2026-12-27');
		expect(monthsBefore('2026-08-31', 6)).toBe('2026-02-28');
		expect(monthsBefore('2028-08-31', 6)).toBe('2028-02-29');
		expect(isStale(null, '2026-11-26')).toBe(true);
		expect(isStale('2026-05-26', '2026-11-26')).toBe(false);
		expect(isStale('2026-05-25', '2026-11-26')).toBe(true);
	});

	it('makes RFC 4122 v5 UUIDs, stable term ids', () => {
		expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
		expect(termUuid('categoria', 'abitare')).toBe(termUuid('categoria', 'abitare'));
		expect(termUuid('categoria', 'abitare')).not.toBe(termUuid('destinatari', 'abitare'));
	});
});
