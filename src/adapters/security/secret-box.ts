import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Encrypts credentials at rest (AES-256-GCM). Each ciphertext is bound to the row it belongs
 * to (the additional data), so a value copied onto another connection does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
}

const VERSION = 'v1';

/** The key is derived from the configured secret, so any string of 32+ characters will do. */
export function makeSecretBox(secret: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', secret, 'artisanconnect', 'calendar credentials v1', 32));
  return {
    seal(plaintext, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, boundTo) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unknown secret format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** The embedded default's key file, in DATA_DIR; backups never hold it (backup-scrub.mjs keeps PostgreSQL's files only). */
export const KEY_FILE = 'secrets.key';

/**
 * The embedded default's key: generated on first start into DATA_DIR (mode 0600, next to the
 * database files but not inside them, so a copy of the database alone does not reveal the
 * credentials). With `create: false` a missing file stays missing (undefined): a database that
 * already holds sealed credentials needs its own key back, not a new one. The first writer
 * wins a race between two starts.
 */
export function keyFileSecret(dataDir: string, options: { create: boolean } = { create: true }): string | undefined {
  const path = join(dataDir, KEY_FILE);
  if (!options.create && !existsSync(path)) return undefined;
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path, 'utf8').trim();
}

/** The manage-link signing key when LINK_SECRET is unset: derived from the secrets key, so that one key is all a restore needs. */
export function manageLinkSecret(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'artisanconnect', 'manage links v1', 32)).toString('base64url');
}

/** Feed tokens: HMAC of the artisan and generation under the secrets key; stored as SHA-256. */
export function makeFeedTokens(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'artisanconnect', 'calendar feed v1', 32));
  return {
    tokenFor: (artisanId: string, generation: number): string => createHmac('sha256', key).update(`${artisanId}:${generation}`).digest('base64url'),
    hash: (token: string): string => createHash('sha256').update(token).digest('hex'),
  };
}
