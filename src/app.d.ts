import type { SessionUser } from '$lib/server/auth/session';
import type { Actor } from '$lib/server/authz';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			session: { id: string; expiresAt: Date } | null;
			/** Permission subject for authz; null when anonymous. */
			actor: Actor | null;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
