import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

// argon2id with the OWASP minimum (m=19 MiB, t=2, p=1): ~100 ms a hash on these machines.
const OPTIONS = { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Length is what matters (NIST SP 800-63B); no composition rules. Messages are i18n keys. */
export const passwordSchema = z
	.string()
	.min(PASSWORD_MIN, 'password_too_short')
	.max(PASSWORD_MAX, 'password_too_long');

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
	if (!passwordHash) {
		// Spend the same time as a real check so that timing does not reveal unknown accounts.
		await hash(password, OPTIONS);
		return false;
	}
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}
