/**
 * Weekly opening hours as Europe/Rome wall-clock minutes, and "open now". Hours are kept as
 * wall-clock ranges (what the schedule says), and the current instant is converted to Rome's wall
 * clock, so DST changes need nothing special: 10:00 is 10:00 in both winter and summer.
 */
import { romeDay, toRomeLocal } from '../../time/rome';
import type { OpeningRange } from './types';

export const MINUTES_PER_DAY = 1440;
/** Meilisearch filters on 15-minute slots of the week (0 … 671). */
export const SLOT_MINUTES = 15;

const HHMM = /^(\d{1,2}):(\d{2})(?::\d{2})?$/;

function minutesOf(hhmm: string): number | null {
	const m = HHMM.exec(hhmm.trim());
	if (!m) return null;
	const h = Number(m[1]);
	const min = Number(m[2]);
	if (min > 59 || h > 24 || (h === 24 && min > 0)) return null;
	return h * 60 + min;
}

export interface ScheduleLike {
	weekday: number;
	opensAt: string;
	closesAt: string;
	validFrom?: string | null;
	validTo?: string | null;
}

/**
 * Schedule rows → merged, sorted ranges. A range that closes at or before it opens runs past
 * midnight into the next day ("20:00"–"02:00"); "24:00" closes at midnight. Rows whose validity has
 * ended, or not started, on `today` (Rome, YYYY-MM-DD) are left out; invalid rows are skipped.
 */
export function scheduleToHours(rows: ScheduleLike[], today?: string): OpeningRange[] {
	const perDay = new Map<number, [number, number][]>();
	const add = (day: number, from: number, to: number) => {
		if (to <= from) return;
		const list = perDay.get(day) ?? [];
		list.push([from, to]);
		perDay.set(day, list);
	};
	for (const r of rows) {
		if (!Number.isInteger(r.weekday) || r.weekday < 1 || r.weekday > 7) continue;
		if (today && ((r.validTo && r.validTo < today) || (r.validFrom && r.validFrom > today))) continue;
		const open = minutesOf(r.opensAt);
		const close = minutesOf(r.closesAt);
		if (open === null || close === null || open >= MINUTES_PER_DAY) continue;
		if (close > open) add(r.weekday, open, close);
		else {
			add(r.weekday, open, MINUTES_PER_DAY);
			add((r.weekday % 7) + 1, 0, close);
		}
	}
	const out: OpeningRange[] = [];
	for (const day of [...perDay.keys()].sort((a, b) => a - b)) {
		const ranges = perDay.get(day)!.sort((a, b) => a[0] - b[0]);
		let [from, to] = ranges[0]!;
		for (const [f, t] of ranges.slice(1)) {
			if (f <= to) to = Math.max(to, t);
			else {
				out.push([day, from, to]);
				[from, to] = [f, t];
			}
		}
		out.push([day, from, to]);
	}
	return out;
}

/** Rome weekday (1 = Monday … 7 = Sunday) and minute of the day at this instant. */
export function romeWeekMinute(instant: Date): { weekday: number; minute: number } {
	const local = toRomeLocal(instant);
	const day = new Date(`${romeDay(instant)}T12:00:00Z`).getUTCDay();
	return { weekday: day === 0 ? 7 : day, minute: Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16)) };
}

export function isOpenAt(hours: OpeningRange[], instant: Date): boolean {
	const { weekday, minute } = romeWeekMinute(instant);
	return hours.some(([d, from, to]) => d === weekday && from <= minute && minute < to);
}

/** The 15-minute slot of the week an instant falls in. */
export function romeSlot(instant: Date): number {
	const { weekday, minute } = romeWeekMinute(instant);
	return (weekday - 1) * (MINUTES_PER_DAY / SLOT_MINUTES) + Math.floor(minute / SLOT_MINUTES);
}

/**
 * The slots a service is open for in full (ranges not on a quarter hour are rounded inwards, so a
 * slot never says "open" when the service is closed).
 */
export function openSlots(hours: OpeningRange[]): number[] {
	const slots = new Set<number>();
	const perDay = MINUTES_PER_DAY / SLOT_MINUTES;
	for (const [d, from, to] of hours) {
		for (let s = Math.ceil(from / SLOT_MINUTES); s < Math.floor(to / SLOT_MINUTES); s++) slots.add((d - 1) * perDay + s);
	}
	return [...slots].sort((a, b) => a - b);
}
