import type { AdminAuthStore, AdminUser, ApiTokenRecord, TokenScope } from '../../app/admin-auth.ts';
import type { Database } from './database.ts';

type Row = Record<string, unknown>;
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string).getTime());
const iso = (v: number): string => new Date(v).toISOString();

const toUser = (r: Row): AdminUser => ({
  id: r.id as string,
  artisanId: r.artisan_id as string,
  email: r.email as string,
  passwordHash: r.password_hash as string,
});

const toToken = (r: Row): ApiTokenRecord => ({
  id: r.id as string,
  artisanId: r.artisan_id as string,
  name: r.name as string,
  prefix: r.prefix as string,
  scopes: r.scopes as TokenScope[],
  createdByTokenId: (r.created_by_token_id as string | null) ?? null,
  createdMs: ms(r.created_at)!,
  lastUsedMs: ms(r.last_used_at),
  revokedMs: ms(r.revoked_at),
});

export function makeAdminAuthStore(db: Database): AdminAuthStore {
  return {
    async findUserByEmail(email) {
      const rows = await db.query<Row>('SELECT * FROM admin_users WHERE email = $1', [email]);
      return rows[0] ? toUser(rows[0]) : undefined;
    },
    artisansWithoutLogin: () =>
      db.query<{ id: string; email: string }>(
        'SELECT a.id, a.email FROM artisans a WHERE NOT EXISTS (SELECT 1 FROM admin_users u WHERE u.artisan_id = a.id) ORDER BY a.created_at',
      ),
    async insertUser(user, nowMs) {
      await db.query(
        `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING`,
        [user.id, user.artisanId, user.email, user.passwordHash, iso(nowMs)],
      );
    },
    async setPassword(userId, passwordHash, nowMs) {
      await db.transaction(async (tx) => {
        await tx.query('UPDATE admin_users SET password_hash = $2, password_changed_at = $3 WHERE id = $1', [userId, passwordHash, iso(nowMs)]);
        await tx.query('DELETE FROM admin_sessions WHERE user_id = $1', [userId]);
      });
    },
    async insertSession(s) {
      await db.query(
        'INSERT INTO admin_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [s.tokenHash, s.userId, s.csrfToken, iso(s.createdMs), iso(s.expiresMs)],
      );
    },
    async findSession(tokenHash, nowMs) {
      const rows = await db.query<Row>(
        `SELECT u.*, s.csrf_token, (extract(epoch FROM s.expires_at) * 1000)::float8 AS expires_ms
           FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2`,
        [tokenHash, iso(nowMs)],
      );
      return rows[0] ? { user: toUser(rows[0]), csrfToken: rows[0].csrf_token as string, expiresMs: Number(rows[0].expires_ms) } : undefined;
    },
    async deleteSession(tokenHash) {
      await db.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash]);
    },
    async insertApiToken(t) {
      const rows = await db.query(
        `INSERT INTO api_tokens (id, artisan_id, name, token_hash, prefix, created_at, scopes, created_by_token_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8) ON CONFLICT (token_hash) DO NOTHING RETURNING id`,
        [t.id, t.artisanId, t.name, t.tokenHash, t.prefix, iso(t.createdMs), [...t.scopes], t.createdByTokenId],
      );
      return rows.length > 0;
    },
    async findApiToken(tokenHash) {
      const rows = await db.query<Row>('SELECT * FROM api_tokens WHERE token_hash = $1', [tokenHash]);
      return rows[0] ? toToken(rows[0]) : undefined;
    },
    async touchApiToken(id, nowMs) {
      // At most one write a minute per token: reads stay reads.
      await db.query(
        `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
        [id, iso(nowMs)],
      );
    },
    async listApiTokens(artisanId) {
      const rows = await db.query<Row>('SELECT * FROM api_tokens WHERE artisan_id = $1 ORDER BY created_at, name', [artisanId]);
      return rows.map(toToken);
    },
    async revokeApiToken(artisanId, id, nowMs) {
      // The live token, then every live token made by one revoked here, down the whole line:
      // one statement, so a token-made token never outlives its maker.
      const rows = await db.query<{ id: string }>(
        `WITH RECURSIVE doomed (id) AS (
           SELECT id FROM api_tokens WHERE id = $1 AND artisan_id = $2 AND revoked_at IS NULL
           UNION
           SELECT t.id FROM api_tokens t JOIN doomed d ON t.created_by_token_id = d.id
            WHERE t.artisan_id = $2 AND t.revoked_at IS NULL
         )
         UPDATE api_tokens SET revoked_at = $3 WHERE id IN (SELECT id FROM doomed) RETURNING id`,
        [id, artisanId, iso(nowMs)],
      );
      return rows.map((r) => r.id);
    },
    async accountOf(artisanId) {
      const rows = await db.query<{ display_name: string; email: string | null; timezone: string }>(
        `SELECT a.display_name, a.timezone, (SELECT u.email FROM admin_users u WHERE u.artisan_id = a.id ORDER BY u.created_at LIMIT 1) AS email
           FROM artisans a WHERE a.id = $1`,
        [artisanId],
      );
      return rows[0] ? { displayName: rows[0].display_name, signInEmail: rows[0].email, timezone: rows[0].timezone } : undefined;
    },
    async soleArtisanId() {
      return (await db.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1'))[0]?.id;
    },
  };
}
