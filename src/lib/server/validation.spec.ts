import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isValidPartitaIva, isValidPersonalCodiceFiscale, optionalTaxCode, optionalUrl, parseForm, requiredText, emailField } from './validation';

describe('Italian identifiers', () => {
	it.each([
		['00220600407', true], // check digit right
		['01234567890', false],
		['12345678903', true],
		['1234567890', false],
		['abcdefghijk', false]
	])('P.IVA %s → %s', (v, ok) => expect(isValidPartitaIva(v)).toBe(ok));

	it.each([
		['RSSMRA85T10A562S', true],
		['RSSMRA85T10A562T', false],
		['RSSMRA85T10A56NX', false],
		['rssmra85t10a562s', true],
		['RSSMRA85T10A562', false]
	])('codice fiscale %s → %s', (v, ok) => expect(isValidPersonalCodiceFiscale(v)).toBe(ok));

	it('normalises spaces and case before validating', () => {
		expect(optionalTaxCode.parse(' 0022 0600 407 ')).toBe('00220600407');
		expect(optionalTaxCode.parse('')).toBeUndefined();
		expect(optionalTaxCode.safeParse('12345').success).toBe(false);
	});
});

describe('parseForm', () => {
	const schema = z.object({ name: requiredText(10), email: emailField, website: optionalUrl });
	const form = (o: Record<string, string>) => {
		const f = new FormData();
		for (const [k, v] of Object.entries(o)) f.set(k, v);
		return f;
	};

	it('returns trimmed, typed data', () => {
		const r = parseForm(schema, form({ name: '  Anna ', email: ' Anna@Comune.IT ', website: '' }));
		expect(r).toMatchObject({ ok: true, data: { name: 'Anna', email: 'anna@comune.it', website: undefined } });
	});

	it('returns i18n keys per field and the values to refill, without passwords', () => {
		const f = form({ name: '', email: 'nope', website: 'javascript:alert(1)', password: 'secret' });
		const r = parseForm(schema, f);
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.errors).toEqual({ name: 'error_required', email: 'error_email', website: 'error_url' });
			expect(r.values).toEqual({ name: '', email: 'nope', website: 'javascript:alert(1)' });
		}
	});

	it('rejects over-long text', () => {
		const r = parseForm(schema, form({ name: 'x'.repeat(11), email: 'a@b.it' }));
		expect(!r.ok && r.errors.name).toBe('error_too_long');
	});
});
