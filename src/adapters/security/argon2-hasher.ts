import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../app/admin-auth.ts';

/** argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum recommendation). */
export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password),
  verify: async (stored, password) => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  },
};
