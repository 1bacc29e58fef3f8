import { describe, expect, it } from 'vitest';
import { addDays, formatRomeRange, parseRomeLocal, romeDayStart, romeOffsetMinutes, toRomeLocal } from './rome';

const utc = (s: string) => new Date(s).toISOString();
const parse = (s: string) => {
	const r = parseRomeLocal(s);
	if (!r.ok) throw new Error(r.reason);
	return r.date.toISOString();
};

describe('Europe/Rome conversions', () => {
	it('uses +01:00 in winter and +02:00 in summer', () => {
		expect(parse('2026-01-15T10:00')).toBe(utc('2026-01-15T09:00:00Z'));
		expect(parse('2026-07-15T10:00')).toBe(utc('2026-07-15T08:00:00Z'));
	});
	it('is correct on both sides of the March change (last Sunday: 2026-03-29)', () => {
		expect(parse('2026-03-28T10:00')).toBe(utc('2026-03-28T09:00:00Z'));
		expect(parse('2026-03-29T01:59')).toBe(utc('2026-03-29T00:59:00Z'));
		expect(parse('2026-03-29T03:00')).toBe(utc('2026-03-29T01:00:00Z'));
		expect(parse('2026-03-30T10:00')).toBe(utc('2026-03-30T08:00:00Z'));
	});
	it('refuses wall times skipped by the spring-forward change', () => {
		expect(parseRomeLocal('2026-03-29T02:30')).toEqual({ ok: false, reason: 'nonexistent' });
	});
	it('resolves the repeated autumn hour to its first occurrence (2026-10-25)', () => {
		expect(parse('2026-10-25T02:30')).toBe(utc('2026-10-25T00:30:00Z'));
		expect(parse('2026-10-25T03:30')).toBe(utc('2026-10-25T02:30:00Z'));
		expect(parse('2026-10-26T10:00')).toBe(utc('2026-10-26T09:00:00Z'));
	});
	it('round-trips through toRomeLocal', () => {
		for (const s of ['2026-03-28T10:00', '2026-03-29T03:15', '2026-10-25T01:45', '2026-12-31T23:59', '2027-02-28T00:00'])
			expect(toRomeLocal(new Date(parse(s)))).toBe(s);
	});
	it('refuses malformed values', () => {
		for (const s of ['', '2026-13-01T10:00', '2026-02-30T10:00', '2026-01-01 10:00', '2026-01-01T24:00', 'x'])
			expect(parseRomeLocal(s).ok).toBe(false);
	});
	it('reports the offset and day starts', () => {
		expect(romeOffsetMinutes(new Date('2026-01-01T00:00:00Z'))).toBe(60);
		expect(romeOffsetMinutes(new Date('2026-08-01T00:00:00Z'))).toBe(120);
		expect(romeDayStart('2026-03-29').toISOString()).toBe(utc('2026-03-28T23:00:00Z'));
		expect(romeDayStart('2026-03-30').toISOString()).toBe(utc('2026-03-29T22:00:00Z'));
		expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
	});
	it('formats ranges in Italian', () => {
		expect(formatRomeRange(new Date('2026-11-26T09:30:00Z'), new Date('2026-11-26T11:00:00Z'))).toBe('giovedì 26 novembre 2026, 10:30–12:00');
	});
});
