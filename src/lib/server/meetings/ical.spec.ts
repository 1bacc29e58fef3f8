import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { meetingCalendar, meetingUid, type IcsMeeting } from './ical';

const base: IcsMeeting = {
	id: '3f2b8c1e-0d4a-4f7e-9b1a-2c3d4e5f6a7b',
	title: 'Tavolo territoriale – riunione di marzo',
	description: 'Punto della situazione sui progetti di quartiere.',
	startsAt: new Date('2026-03-28T09:00:00Z'),
	endsAt: new Date('2026-03-28T11:00:00Z'),
	address: 'Sala consiliare, Piazza del Popolo 10, Cesena',
	onlineUrl: 'https://meet.example.it/intarsi-marzo',
	status: 'convocata',
	sequence: 3,
	tableName: 'Tavolo territoriale Cesena',
	url: 'https://hub.example.it/meetings/3f2b8c1e-0d4a-4f7e-9b1a-2c3d4e5f6a7b',
	updatedAt: new Date('2026-03-01T08:30:00Z')
};

const meeting = (over: Partial<IcsMeeting>): IcsMeeting => ({ ...base, ...over });

/** Parses with ical.js, registering the VTIMEZONEs the file carries (as a calendar client does). */
function parse(ics: string) {
	const root = new ICAL.Component(ICAL.parse(ics));
	for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
	const events = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
	return { root, events };
}

describe('meetingCalendar', () => {
	// The server's own zone must not matter: run these with one that is neither UTC nor Rome.
	let savedTz: string | undefined;
	beforeEach(() => {
		savedTz = process.env.TZ;
		process.env.TZ = 'America/New_York';
	});
	afterEach(() => {
		if (savedTz === undefined) delete process.env.TZ;
		else process.env.TZ = savedTz;
		ICAL.TimezoneService.reset();
	});

	it('writes Europe/Rome wall times with TZID across both DST changes, and ical.js reads the same instants', () => {
		const cases = [
			{ utc: '2026-03-28T09:00:00Z', local: '20260328T100000', offset: '+01:00' }, // Saturday before the change (CET)
			{ utc: '2026-03-30T08:00:00Z', local: '20260330T100000', offset: '+02:00' }, // Monday after (CEST)
			{ utc: '2026-10-24T08:00:00Z', local: '20261024T100000', offset: '+02:00' }, // Saturday before the October change
			{ utc: '2026-10-26T09:00:00Z', local: '20261026T100000', offset: '+01:00' } // Monday after
		];
		const ics = meetingCalendar(
			cases.map((c, i) => meeting({ id: `00000000-0000-4000-8000-00000000000${i}`, startsAt: new Date(c.utc), endsAt: new Date(new Date(c.utc).getTime() + 90 * 60_000) })),
			{ name: 'Prova', method: 'PUBLISH', now: new Date('2026-02-01T12:00:00Z') }
		);
		const unfolded = ics.replace(/\r\n /g, '');
		for (const c of cases) expect(unfolded).toContain(`DTSTART;TZID=Europe/Rome:${c.local}\r\n`);
		expect(unfolded).toContain('DTEND;TZID=Europe/Rome:20260328T113000\r\n');
		expect(unfolded.match(/BEGIN:VTIMEZONE/g)).toHaveLength(1);
		expect(unfolded).toContain('TZID:Europe/Rome\r\n');

		const { events } = parse(ics);
		expect(events).toHaveLength(4);
		events.forEach((event, i) => {
			const c = cases[i]!;
			expect(event.startDate.zone?.tzid).toBe('Europe/Rome');
			expect(event.startDate.hour).toBe(10);
			expect(event.startDate.toJSDate().toISOString()).toBe(new Date(c.utc).toISOString());
			expect(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()).toBe(90 * 60_000);
			expect(event.startDate.utcOffset() / 60).toBe(c.offset === '+01:00' ? 60 : 120);
		});
	});

	it('has a stable UID, the row’s SEQUENCE, a UTC DTSTAMP and LAST-MODIFIED, the URL and METHOD', () => {
		const ics = meetingCalendar([base], { name: 'Prova', method: 'PUBLISH', now: new Date('2026-02-01T12:00:00Z') });
		const unfolded = ics.replace(/\r\n /g, '');
		expect(unfolded).toContain('METHOD:PUBLISH\r\n');
		expect(unfolded).toContain('DTSTAMP:20260201T120000Z\r\n');
		expect(unfolded).toContain('LAST-MODIFIED:20260301T083000Z\r\n');
		const [event] = parse(ics).events;
		expect(event!.uid).toBe(`${base.id}@intarsi`);
		expect(meetingUid(base.id)).toBe(event!.uid);
		expect(event!.sequence).toBe(3);
		expect(event!.component.getFirstPropertyValue('url')).toBe(base.url);
		expect(event!.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
		// The same meeting exported again has the same UID.
		expect(parse(meetingCalendar([base], { name: 'Altra' })).events[0]!.uid).toBe(event!.uid);
	});

	it('maps the status: convocata/svolta CONFIRMED, bozza TENTATIVE, annullata CANCELLED', () => {
		const statuses = ['convocata', 'svolta', 'bozza', 'annullata'] as const;
		const ics = meetingCalendar(
			statuses.map((status, i) => meeting({ id: `00000000-0000-4000-8000-0000000000a${i}`, status })),
			{ name: 'Prova' }
		);
		const got = parse(ics).events.map((e) => e.component.getFirstPropertyValue('status'));
		expect(got).toEqual(['CONFIRMED', 'CONFIRMED', 'TENTATIVE', 'CANCELLED']);
		expect(ics).not.toContain('METHOD:');
	});

	it('puts the address and the online link in LOCATION, and in DESCRIPTION only what the row holds', () => {
		const ics = meetingCalendar([base, meeting({ id: '00000000-0000-4000-8000-0000000000b1', address: null, description: null })], { name: 'Prova' });
		const [both, online] = parse(ics).events;
		expect(both!.location).toBe(`${base.address} — ${base.onlineUrl}`);
		expect(online!.location).toBe(base.onlineUrl);
		expect(both!.description).toBe(`${base.description}\n\nCollegamento online: ${base.onlineUrl}\nTavolo: ${base.tableName}`);
		expect(online!.description).toBe(`Collegamento online: ${base.onlineUrl}\nTavolo: ${base.tableName}`);
		const english = parse(meetingCalendar([meeting({ onlineUrl: null })], { name: 'Test', locale: 'en' })).events[0]!;
		expect(english.description).toBe(`${base.description}\n\nTable: ${base.tableName}`);
		expect(english.location).toBe(base.address);
	});

	it('sends an iTIP REQUEST with organizer and attendees (PARTSTAT from the RSVP), and a CANCEL', () => {
		const invited = meeting({
			organizer: { name: 'Anna Rossi', email: 'anna.rossi@comune.example.it' },
			attendees: [
				{ name: 'Sì', email: 'si@example.it', rsvp: 'yes' },
				{ name: 'No', email: 'no@example.it', rsvp: 'no' },
				{ name: 'Forse', email: 'forse@example.it', rsvp: 'maybe' },
				{ name: 'Boh', email: 'boh@example.it', rsvp: 'pending' }
			]
		});
		const request = meetingCalendar([invited], { name: 'Convocazione', method: 'REQUEST' });
		const { root, events } = parse(request);
		expect(root.getFirstPropertyValue('method')).toBe('REQUEST');
		const event = events[0]!;
		expect(event.organizer).toBe('mailto:anna.rossi@comune.example.it');
		const partstat = Object.fromEntries(event.attendees.map((a) => [String(a.getFirstValue()).replace(/^mailto:/i, ''), a.getParameter('partstat')]));
		expect(partstat).toEqual({ 'si@example.it': 'ACCEPTED', 'no@example.it': 'DECLINED', 'forse@example.it': 'TENTATIVE', 'boh@example.it': 'NEEDS-ACTION' });

		const cancel = meetingCalendar([{ ...invited, sequence: 4, cancelReason: 'Sala non disponibile' }], { name: 'Annullamento', method: 'CANCEL' });
		const c = parse(cancel);
		expect(c.root.getFirstPropertyValue('method')).toBe('CANCEL');
		expect(c.events[0]!.component.getFirstPropertyValue('status')).toBe('CANCELLED');
		expect(c.events[0]!.sequence).toBe(4);
		expect(c.events[0]!.description.startsWith('Riunione annullata: Sala non disponibile\n')).toBe(true);
		expect(cancel.replace(/\r\n /g, '')).toContain('STATUS:CANCELLED\r\n');

		expect(() => meetingCalendar([base], { name: 'x', method: 'REQUEST' })).toThrow(/ORGANIZER/);
	});

	it('uses CRLF line endings and folds lines at 75 octets without splitting characters', () => {
		const long = meeting({
			title: 'Riunione sull’accessibilità dei servizi è più importante che mai: perché, città, qualità '.repeat(3).trim(),
			description: 'Descrizione con caratteri accentati àèìòù e virgole, punti e virgola; e\nun ritorno a capo. '.repeat(5).trim()
		});
		const ics = meetingCalendar([long], { name: 'Prova' });
		expect(ics.endsWith('END:VCALENDAR')).toBe(true);
		expect(/(?<!\r)\n/.test(ics)).toBe(false);
		expect(/\r(?!\n)/.test(ics)).toBe(false);
		const lines = ics.split('\r\n');
		expect(lines.some((l) => l.startsWith(' '))).toBe(true);
		for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
		expect(ics).not.toContain('\uFFFD');
		const event = parse(ics).events[0]!;
		expect(event.summary).toBe(long.title);
		expect(event.description.startsWith(long.description!)).toBe(true);
	});

	it('is a valid calendar even without meetings (the VTIMEZONE is the one component)', () => {
		const ics = meetingCalendar([], { name: 'Vuoto', method: 'PUBLISH' });
		expect(ics).toMatch(/\r\nBEGIN:VTIMEZONE\r\nTZID:Europe\/Rome\r\n[\s\S]*END:VTIMEZONE\r\nEND:VCALENDAR$/);
		const { root, events } = parse(ics);
		expect(events).toHaveLength(0);
		expect(root.getAllSubcomponents('vtimezone')).toHaveLength(1);
	});

	it('gives a meeting without a valid end one hour', () => {
		const ics = meetingCalendar([meeting({ endsAt: base.startsAt })], { name: 'Prova' });
		const event = parse(ics).events[0]!;
		expect(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime()).toBe(3600_000);
	});
});
