import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminAuthenticator, AdminPrincipal } from '../http/admin-scope.ts';
import type { Database } from './database.ts';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Resolves admin credentials against the database (and the ADMIN_API_TOKEN of the config). */
export function makeAdminAuthenticator(db: Database, options: { adminApiToken: string | undefined }): AdminAuthenticator {
  const configured = options.adminApiToken ? sha256(options.adminApiToken) : undefined;
  const soleArtisan = async (): Promise<string | undefined> =>
    (await db.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1'))[0]?.id;
  return {
    async authenticate(credentials): Promise<AdminPrincipal | undefined> {
      if (credentials.bearer && configured && timingSafeEqual(sha256(credentials.bearer), configured)) {
        const artisanId = await soleArtisan();
        return artisanId ? { artisanId, actor: 'token:ADMIN_API_TOKEN', via: 'token' } : undefined;
      }
      return undefined;
    },
  };
}
