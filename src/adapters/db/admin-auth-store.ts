import { sql, type Selectable } from 'kysely';
import type { AdminAuthStore, AdminUser, ApiTokenRecord, TokenScope } from '../../app/admin-auth.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';
import type { DB } from './schema.ts';
import { readSoleBusiness } from './business-directory-store.ts';
import { storedPlan } from './stored.ts';
import { storedRole } from './member-store.ts';

const toUser = (r: Pick<Selectable<DB['admin_users']>, 'id' | 'artisan_id' | 'email' | 'password_hash' | 'role'>): AdminUser => ({
  id: r.id,
  artisanId: r.artisan_id,
  email: r.email,
  passwordHash: r.password_hash,
  role: storedRole(r.role),
});

/** The stored scopes: the api_tokens_scopes_known CHECK constraint admits only TOKEN_SCOPES. */
const storedScopes = (scopes: string[]): TokenScope[] => scopes as TokenScope[];

const toToken = (r: Selectable<DB['api_tokens']>): ApiTokenRecord => ({
  id: r.id,
  artisanId: r.artisan_id,
  name: r.name,
  prefix: r.prefix,
  scopes: storedScopes(r.scopes),
  createdByTokenId: r.created_by_token_id,
  createdMs: r.created_at.getTime(),
  lastUsedMs: r.last_used_at?.getTime() ?? null,
  revokedMs: r.revoked_at?.getTime() ?? null,
  expiresMs: r.expires_at?.getTime() ?? null,
});

export function makeAdminAuthStore(db: Database): AdminAuthStore {
  return {
    async findUserByEmail(email) {
      // A sign-up waiting for its confirmation cannot sign in yet (the e-mailed link signs it in).
      const r = await first(
        db,
        qb
          .selectFrom('admin_users as u')
          .innerJoin('artisans as a', 'a.id', 'u.artisan_id')
          .select(['u.id', 'u.artisan_id', 'u.email', 'u.password_hash', 'u.role'])
          .where('u.email', '=', email)
          .where('a.unconfirmed_since', 'is', null)
          // A deactivated member, or one invited who has not chosen a password yet, cannot sign in.
          .where('u.active', '=', true)
          .where('u.password_hash', '<>', ''),
      );
      return r ? toUser(r) : undefined;
    },
    async businessWithoutLogin(which) {
      const id = which === 'sole' ? await readSoleBusiness(db) : undefined;
      if (which === 'sole' && id === undefined) return undefined;
      let query = qb
        .selectFrom('artisans as a')
        .select(['a.id', 'a.email'])
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('admin_users as u').select(sql<number>`1`.as('one')).whereRef('u.artisan_id', '=', 'a.id'))));
      query = id !== undefined ? query.where('a.id', '=', id) : query.where(sql<boolean>`lower(a.email) = ${(which as { email: string }).email}`);
      // A sign-up waiting for its confirmation always has its owner's login: never found here.
      return first(db, query.orderBy('a.created_at').limit(1));
    },
    async insertUser(user, nowMs) {
      const now = new Date(nowMs);
      await run(
        db,
        qb
          .insertInto('admin_users')
          .values({
            id: user.id,
            artisan_id: user.artisanId,
            email: user.email,
            password_hash: user.passwordHash,
            password_changed_at: now,
            created_at: now,
          })
          .onConflict((oc) => oc.doNothing()),
      );
    },
    async setPassword(userId, passwordHash, nowMs) {
      await db.transaction(async (tx) => {
        await run(
          tx,
          qb.updateTable('admin_users').set({ password_hash: passwordHash, password_changed_at: new Date(nowMs) }).where('id', '=', userId),
        );
        await run(
          tx,
          qb
            .deleteFrom('admin_sessions')
            .where('artisan_id', '=', (eb) => eb.selectFrom('admin_users').select('artisan_id').where('id', '=', userId))
            .where('user_id', '=', userId),
        );
      });
    },
    async insertSession(s) {
      // The operator's console shows the latest sign-in as the business's activity.
      await run(db, qb.updateTable('admin_users').set({ last_sign_in_at: new Date(s.createdMs) }).where('id', '=', s.userId));
      await run(
        db,
        qb.insertInto('admin_sessions').values({
          artisan_id: s.artisanId,
          token_hash: s.tokenHash,
          user_id: s.userId,
          csrf_token: s.csrfToken,
          created_at: new Date(s.createdMs),
          expires_at: new Date(s.expiresMs),
        }),
      );
    },
    async findSession(tokenHash, nowMs) {
      const r = await first(
        db,
        qb
          .selectFrom('admin_sessions as s')
          .innerJoin('admin_users as u', (j) => j.onRef('u.artisan_id', '=', 's.artisan_id').onRef('u.id', '=', 's.user_id'))
          .select(['u.id', 'u.artisan_id', 'u.email', 'u.password_hash', 'u.role', 's.csrf_token', 's.expires_at'])
          .where('s.token_hash', '=', tokenHash)
          .where('u.active', '=', true)
          .where('s.expires_at', '>', new Date(nowMs)),
      );
      return r ? { user: toUser(r), csrfToken: r.csrf_token, expiresMs: r.expires_at.getTime() } : undefined;
    },
    async deleteSession(tokenHash) {
      await run(db, qb.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash));
    },
    async insertApiToken(t) {
      const rows = await run(
        db,
        qb
          .insertInto('api_tokens')
          .values({
            id: t.id,
            artisan_id: t.artisanId,
            name: t.name,
            token_hash: t.tokenHash,
            prefix: t.prefix,
            created_at: new Date(t.createdMs),
            scopes: sql<string[]>`${[...t.scopes]}::text[]`,
            created_by_token_id: t.createdByTokenId,
            expires_at: t.expiresMs === null ? null : new Date(t.expiresMs),
          })
          .onConflict((oc) => oc.column('token_hash').doNothing())
          .returning('id'),
      );
      return rows.length > 0;
    },
    async findApiToken(tokenHash) {
      const r = await first(db, qb.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash));
      return r ? toToken(r) : undefined;
    },
    async touchApiToken(artisanId, id, nowMs) {
      // At most one write a minute per token: reads stay reads.
      const now = new Date(nowMs);
      await run(
        db,
        qb
          .updateTable('api_tokens')
          .set({ last_used_at: now })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`${now}::timestamptz - interval '1 minute'`)])),
      );
    },
    async listApiTokens(artisanId) {
      const rows = await run(db, qb.selectFrom('api_tokens').selectAll().where('artisan_id', '=', artisanId).orderBy('created_at').orderBy('name'));
      return rows.map(toToken);
    },
    async revokeApiToken(artisanId, id, nowMs) {
      // The live token, then every live token made by one revoked here, down the whole line:
      // one statement, so a token-made token never outlives its maker.
      const rows = await run(
        db,
        qb
          .withRecursive('doomed(id)', (db) =>
            db
              .selectFrom('api_tokens')
              .select('id')
              .where('id', '=', id)
              .where('artisan_id', '=', artisanId)
              .where('revoked_at', 'is', null)
              .union((db) =>
                db
                  .selectFrom('api_tokens as t')
                  .innerJoin('doomed as d', 't.created_by_token_id', 'd.id')
                  .select('t.id')
                  .where('t.artisan_id', '=', artisanId)
                  .where('t.revoked_at', 'is', null),
              ),
          )
          .updateTable('api_tokens')
          .set({ revoked_at: new Date(nowMs) })
          .where('artisan_id', '=', artisanId)
          .where('id', 'in', (eb) => eb.selectFrom('doomed').select('doomed.id'))
          .returning('api_tokens.id'),
      );
      return rows.map((r) => r.id);
    },
    async accountOf(artisanId) {
      const r = await first(
        db,
        qb
          .selectFrom('artisans as a')
          .select((eb) => [
            'a.display_name',
            'a.timezone',
            'a.plan',
            'a.suspended_at',
            eb
              .selectFrom('admin_users as u')
              .select('u.email')
              .whereRef('u.artisan_id', '=', 'a.id')
              .orderBy('u.created_at')
              .limit(1)
              .as('email'),
          ])
          .where('a.id', '=', artisanId),
      );
      return r
        ? { displayName: r.display_name, signInEmail: r.email, timezone: r.timezone, plan: storedPlan(r.plan), suspended: r.suspended_at !== null }
        : undefined;
    },
    soleArtisanId: () => readSoleBusiness(db),
  };
}
