import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

describe('config', () => {
	it('defaults to the embedded database on port 3000, seeding the demo network', () => {
		const c = parseConfig({});
		expect(c).toMatchObject({ port: 3000, dataDir: './data', databaseUrl: undefined, production: false, seedDemo: true });
	});

	it('production mode (NODE_ENV or DATABASE_URL) never seeds demo accounts', () => {
		expect(parseConfig({ NODE_ENV: 'production' })).toMatchObject({ production: true, seedDemo: false });
		expect(parseConfig({ DATABASE_URL: 'postgres://u@localhost/db', SEED_DEMO: '1' })).toMatchObject({ production: true, seedDemo: false });
	});

	it('treats empty variables as unset and can turn seeding off', () => {
		expect(parseConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ production: false, port: 3000 });
		expect(parseConfig({ SEED_DEMO: '0' }).seedDemo).toBe(false);
	});

	it('explains every invalid variable at once', () => {
		expect(() => parseConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', ORIGIN: 'nope' })).toThrow(ConfigError);
		try {
			parseConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
		} catch (e) {
			expect((e as Error).message).toMatch(/PORT/);
			expect((e as Error).message).toMatch(/DATABASE_URL/);
		}
	});

	it('reads the mail settings, with a default sender and no SMTP', () => {
		expect(parseConfig({})).toMatchObject({ smtpUrl: undefined, mailFrom: 'Intarsi <noreply@intarsi.local>' });
		expect(parseConfig({ SMTP_URL: 'smtp://u:p@mail.example.it:587', MAIL_FROM: 'Rete <rete@example.it>' })).toMatchObject({
			smtpUrl: 'smtp://u:p@mail.example.it:587',
			mailFrom: 'Rete <rete@example.it>'
		});
		expect(() => parseConfig({ SMTP_URL: 'http://mail.example.it' })).toThrow(/SMTP_URL/);
		expect(() => parseConfig({ MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM/);
	});

	it('never puts the SMTP URL (credentials) into its error message', () => {
		expect(() => parseConfig({ SMTP_URL: 'ftp://user:s3cret@host' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
	});

	it('takes a start instant for the directory clock, outside production mode only', () => {
		expect(parseConfig({}).directoryClockStart).toBeUndefined();
		expect(parseConfig({ DIRECTORY_CLOCK_START: '2026-11-24T10:30:00+01:00' }).directoryClockStart?.toISOString()).toBe('2026-11-24T09:30:00.000Z');
		expect(() => parseConfig({ DIRECTORY_CLOCK_START: 'martedì mattina' })).toThrow(/DIRECTORY_CLOCK_START/);
		expect(() => parseConfig({ NODE_ENV: 'production', DIRECTORY_CLOCK_START: '2026-11-24T10:30:00+01:00' })).toThrow(/DIRECTORY_CLOCK_START/);
	});
});
