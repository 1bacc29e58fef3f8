import { z } from 'zod';

/** Empty strings in the environment mean "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
	z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const envSchema = z.object({
	NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
	HOST: optional(z.string()),
	PORT: optional(z.coerce.number().int().min(0).max(65535)),
	DATA_DIR: optional(z.string()),
	DATABASE_URL: optional(
		z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
	),
	ORIGIN: optional(z.url()),
	LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
	SEED_DEMO: optional(z.enum(['0', '1', 'false', 'true'])),
	MIGRATIONS_DIR: optional(z.string()),
	REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')),
	SESSION_COOKIE_SECURE: optional(z.enum(['auto', 'always', 'never'])),
	SMTP_URL: optional(z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')),
	MAIL_FROM: optional(
		z
			.string()
			.max(200)
			.regex(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, 'must be an address, optionally as "Name <address>"')
	),
	MEILI_URL: optional(z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')),
	MEILI_KEY: optional(z.string()),
	DIRECTORY_CLOCK_START: optional(z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-11-24T10:30:00+01:00' }))
});

export const DEFAULT_MAIL_FROM = 'Intarsi <noreply@intarsi.local>';

export interface Config {
	nodeEnv: 'development' | 'production' | 'test';
	host: string;
	port: number;
	dataDir: string;
	databaseUrl: string | undefined;
	origin: string | undefined;
	logLevel: string;
	/** Production mode: NODE_ENV=production or an external database. Never seeds demo accounts. */
	production: boolean;
	/** Seed the demo network into an empty database (only outside production mode). */
	seedDemo: boolean;
	migrationsDir: string;
	cookieSecure: 'auto' | 'always' | 'never';
	/** Several instances: Socket.IO Redis adapter + document updates over Redis. */
	redisUrl: string | undefined;
	/** Outgoing mail server (may hold credentials: never log it). Unset: mail is only stored for admins. */
	smtpUrl: string | undefined;
	/** The From of every e-mail the hub sends. */
	mailFrom: string;
	/** Directory search on Meilisearch instead of Postgres full-text. */
	meiliUrl: string | undefined;
	/** Meilisearch API key (a secret: never log it). */
	meiliKey: string | undefined;
	/** Demos and tests: the instant the directory's "open now" clock starts from (see directory/clock.ts). */
	directoryClockStart: Date | undefined;
}

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
	const parsed = envSchema.safeParse(env);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	const nodeEnv = e.NODE_ENV ?? 'development';
	const production = nodeEnv === 'production' || !!e.DATABASE_URL;
	if (production && e.DIRECTORY_CLOCK_START) throw new ConfigError('Invalid configuration:\n  DIRECTORY_CLOCK_START: only for demos and tests, not in production mode');
	const seedRequested = e.SEED_DEMO === undefined ? true : e.SEED_DEMO === '1' || e.SEED_DEMO === 'true';
	return {
		nodeEnv,
		host: e.HOST ?? '0.0.0.0',
		port: e.PORT ?? 3000,
		dataDir: e.DATA_DIR ?? './data',
		databaseUrl: e.DATABASE_URL,
		origin: e.ORIGIN,
		logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
		production,
		seedDemo: !production && seedRequested,
		migrationsDir: e.MIGRATIONS_DIR ?? './drizzle',
		cookieSecure: e.SESSION_COOKIE_SECURE ?? 'auto',
		redisUrl: e.REDIS_URL,
		smtpUrl: e.SMTP_URL,
		mailFrom: e.MAIL_FROM?.trim() ?? DEFAULT_MAIL_FROM,
		meiliUrl: e.MEILI_URL,
		meiliKey: e.MEILI_KEY,
		directoryClockStart: e.DIRECTORY_CLOCK_START ? new Date(e.DIRECTORY_CLOCK_START) : undefined
	};
}

let cached: Config | undefined;
export function getConfig(): Config {
	cached ??= parseConfig();
	return cached;
}
