/**
 * Europe/Rome wall-clock time ⇄ UTC instants, DST-correct, with the platform's time-zone data
 * (Intl). Shared by server and browser: forms send local "YYYY-MM-DDTHH:mm", the database keeps UTC.
 */
export const ROME = 'Europe/Rome';

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
	timeZone: ROME,
	hourCycle: 'h23',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit'
});

interface WallTime {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
}

function wallOf(instant: Date): WallTime & { second: number } {
	const p: Record<string, number> = {};
	for (const part of partsFormatter.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
	return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** Minutes Rome is ahead of UTC at this instant (60 in winter, 120 in summer). */
export function romeOffsetMinutes(instant: Date): number {
	const w = wallOf(instant);
	const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
	return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

export type LocalParseResult = { ok: true; date: Date } | { ok: false; reason: 'format' | 'nonexistent' };

/**
 * "YYYY-MM-DDTHH:mm" in Rome → the UTC instant. Times skipped by the spring-forward change
 * (02:00–02:59 on the last Sunday of March) do not exist and are refused; times that happen twice
 * in autumn resolve to the first (summer-time) occurrence.
 */
export function parseRomeLocal(value: string): LocalParseResult {
	const m = LOCAL_RE.exec(value.trim());
	if (!m) return { ok: false, reason: 'format' };
	const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
	if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return { ok: false, reason: 'format' };
	const naive = Date.UTC(year, month - 1, day, hour, minute);
	if (new Date(naive).getUTCDate() !== day) return { ok: false, reason: 'format' };
	// Try both offsets Rome uses; the earlier instant that shows the requested wall time wins.
	for (const offset of [120, 60]) {
		const candidate = new Date(naive - offset * 60000);
		const w = wallOf(candidate);
		if (w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute) return { ok: true, date: candidate };
	}
	return { ok: false, reason: 'nonexistent' };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant as Rome "YYYY-MM-DDTHH:mm" (the value of an <input type="datetime-local">). */
export function toRomeLocal(instant: Date): string {
	const w = wallOf(instant);
	return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** Rome calendar day "YYYY-MM-DD" of an instant. */
export function romeDay(instant: Date): string {
	return toRomeLocal(instant).slice(0, 10);
}

/** The UTC instant at which a Rome calendar day ("YYYY-MM-DD") begins. */
export function romeDayStart(day: string): Date {
	const r = parseRomeLocal(`${day}T00:00`);
	if (!r.ok) throw new Error(`invalid day ${day}`);
	return r.date;
}

/** Adds whole calendar days to "YYYY-MM-DD". */
export function addDays(day: string, n: number): string {
	const d = new Date(`${day}T12:00:00Z`);
	d.setUTCDate(d.getUTCDate() + n);
	return d.toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions) {
	const key = locale + JSON.stringify(options);
	let f = formatters.get(key);
	if (!f) {
		f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'it-IT', { timeZone: ROME, ...options });
		formatters.set(key, f);
	}
	return f;
}

/** "giovedì 26 novembre 2026" */
export function formatRomeDate(instant: Date, locale = 'it'): string {
	return formatter(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(instant);
}

/** "10:30" */
export function formatRomeTime(instant: Date, locale = 'it'): string {
	return formatter(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** "gio 26 nov 2026, 10:30" */
export function formatRomeShort(instant: Date, locale = 'it'): string {
	return formatter(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** "giovedì 26 novembre 2026, 10:30–12:00" */
export function formatRomeRange(start: Date, end: Date | null, locale = 'it'): string {
	const s = `${formatRomeDate(start, locale)}, ${formatRomeTime(start, locale)}`;
	if (!end) return s;
	if (romeDay(start) === romeDay(end)) return `${s}–${formatRomeTime(end, locale)}`;
	return `${s} – ${formatRomeDate(end, locale)}, ${formatRomeTime(end, locale)}`;
}
