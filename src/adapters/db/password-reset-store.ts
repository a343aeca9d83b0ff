import { sql } from 'kysely';
import type { PasswordResetStore } from '../../app/password-reset.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';

/** An artisan's resets (migration 0034): keyed by their business, then the token's hash. */
export function makeArtisanResetStore(db: Database): PasswordResetStore {
  return {
    async findAccount(email) {
      const r = await first(db, qb.selectFrom('admin_users').select(['id', 'email', 'artisan_id']).where('email', '=', email));
      return r ? { id: r.id, email: r.email, artisanId: r.artisan_id } : undefined;
    },
    insertWithin(account, reset, cap) {
      const artisanId = account.artisanId!;
      return db.transaction(async (tx) => {
        // The account's row is the lock: requests at once for one account queue here.
        await run(tx, qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', '=', account.id).forUpdate());
        const r = await first(
          tx,
          qb
            .selectFrom('admin_password_resets')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('artisan_id', '=', artisanId)
            .where('user_id', '=', account.id)
            .where('created_at', '>=', new Date(cap.sinceMs)),
        );
        if ((r?.n ?? 0) >= cap.max) return false;
        await run(
          tx,
          qb.insertInto('admin_password_resets').values({
            artisan_id: artisanId,
            token_hash: reset.tokenHash,
            user_id: account.id,
            created_at: new Date(reset.createdMs),
            expires_at: new Date(reset.expiresMs),
          }),
        );
        return true;
      });
    },
    consume(artisanId, tokenHash, nowMs, passwordHash) {
      if (!artisanId) return Promise.resolve(undefined);
      return db.transaction(async (tx) => {
        const now = new Date(nowMs);
        // Used once: the UPDATE claims the row, a second use finds used_at set.
        const [taken] = await run(
          tx,
          qb
            .updateTable('admin_password_resets')
            .set({ used_at: now })
            .where('artisan_id', '=', artisanId)
            .where('token_hash', '=', tokenHash)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('user_id'),
        );
        if (!taken) return undefined;
        await run(
          tx,
          qb
            .updateTable('admin_users')
            .set({ password_hash: passwordHash, password_changed_at: now })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', taken.user_id),
        );
        await run(tx, qb.deleteFrom('admin_sessions').where('user_id', '=', taken.user_id));
        // Any other link still out for this account opens nothing now.
        await run(
          tx,
          qb
            .updateTable('admin_password_resets')
            .set({ used_at: now })
            .where('artisan_id', '=', artisanId)
            .where('user_id', '=', taken.user_id)
            .where('used_at', 'is', null),
        );
        return taken.user_id;
      });
    },
  };
}

/** The operators' resets: an instance-level table (no business). */
export function makeOperatorResetStore(db: Database): PasswordResetStore {
  return {
    async findAccount(email) {
      const r = await first(db, qb.selectFrom('operator_users').select(['id', 'email']).where('email', '=', email));
      return r ? { id: r.id, email: r.email, artisanId: null } : undefined;
    },
    insertWithin(account, reset, cap) {
      return db.transaction(async (tx) => {
        await run(tx, qb.selectFrom('operator_users').select('id').where('id', '=', account.id).forUpdate());
        const r = await first(
          tx,
          qb
            .selectFrom('operator_password_resets')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('operator_id', '=', account.id)
            .where('created_at', '>=', new Date(cap.sinceMs)),
        );
        if ((r?.n ?? 0) >= cap.max) return false;
        await run(
          tx,
          qb.insertInto('operator_password_resets').values({
            token_hash: reset.tokenHash,
            operator_id: account.id,
            created_at: new Date(reset.createdMs),
            expires_at: new Date(reset.expiresMs),
          }),
        );
        return true;
      });
    },
    consume(_artisanId, tokenHash, nowMs, passwordHash) {
      return db.transaction(async (tx) => {
        const now = new Date(nowMs);
        const [taken] = await run(
          tx,
          qb
            .updateTable('operator_password_resets')
            .set({ used_at: now })
            .where('token_hash', '=', tokenHash)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('operator_id'),
        );
        if (!taken) return undefined;
        await run(tx, qb.updateTable('operator_users').set({ password_hash: passwordHash, password_changed_at: now }).where('id', '=', taken.operator_id));
        await run(tx, qb.deleteFrom('operator_sessions').where('operator_id', '=', taken.operator_id));
        await run(tx, qb.updateTable('operator_password_resets').set({ used_at: now }).where('operator_id', '=', taken.operator_id).where('used_at', 'is', null));
        return taken.operator_id;
      });
    },
  };
}
