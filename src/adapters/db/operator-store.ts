import type { OperatorStore, OperatorUser } from '../../app/operator-auth.ts';
import type { Database, Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { lock } from './migrate.ts';
import { sharedSecret } from './secret-store.ts';

const OPERATOR_SETUP_SECRET = 'operator_setup_code';

const insert = (q: Queryable, u: OperatorUser, nowMs: number) =>
  run(
    q,
    qb
      .insertInto('operator_users')
      .values({ id: u.id, email: u.email, password_hash: u.passwordHash, password_changed_at: new Date(nowMs), created_at: new Date(nowMs) })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id'),
  );

const anyOperator = async (q: Queryable): Promise<boolean> => (await first(q, qb.selectFrom('operator_users').select('id').limit(1))) !== undefined;

/** Operator accounts and sessions: instance-level tables (migration 0033), no business in them. */
export function makeOperatorStore(db: Database): OperatorStore {
  return {
    hasOperator: () => anyOperator(db),
    setupCode: (generate) => sharedSecret(db, OPERATOR_SETUP_SECRET, generate),
    claim(user, nowMs) {
      return db.transaction(async (tx) => {
        // Same lock as migrations and the artisan's setup: two claims queue, one wins.
        await lock(tx);
        if (await anyOperator(tx)) return false;
        await insert(tx, user, nowMs);
        await run(tx, qb.deleteFrom('app_secrets').where('name', '=', OPERATOR_SETUP_SECRET));
        return true;
      });
    },
    async insertOperator(user, nowMs) {
      return db.transaction(async (tx) => {
        const created = (await insert(tx, user, nowMs)).length > 0;
        // Made from the CLI: the first start's code is of no use any more.
        if (created) await run(tx, qb.deleteFrom('app_secrets').where('name', '=', OPERATOR_SETUP_SECRET));
        return created;
      });
    },
    async findByEmail(email) {
      const r = await first(db, qb.selectFrom('operator_users').select(['id', 'email', 'password_hash']).where('email', '=', email));
      return r ? { id: r.id, email: r.email, passwordHash: r.password_hash } : undefined;
    },
    async setPassword(operatorId, passwordHash, nowMs) {
      await db.transaction(async (tx) => {
        await run(tx, qb.updateTable('operator_users').set({ password_hash: passwordHash, password_changed_at: new Date(nowMs) }).where('id', '=', operatorId));
        await run(tx, qb.deleteFrom('operator_sessions').where('operator_id', '=', operatorId));
      });
    },
    async insertSession(s) {
      await run(
        db,
        qb.insertInto('operator_sessions').values({
          token_hash: s.tokenHash,
          operator_id: s.operatorId,
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
          .selectFrom('operator_sessions as s')
          .innerJoin('operator_users as u', 'u.id', 's.operator_id')
          .select(['u.id', 'u.email', 'u.password_hash', 's.csrf_token'])
          .where('s.token_hash', '=', tokenHash)
          .where('s.expires_at', '>', new Date(nowMs)),
      );
      return r ? { user: { id: r.id, email: r.email, passwordHash: r.password_hash }, csrfToken: r.csrf_token } : undefined;
    },
    async deleteSession(tokenHash) {
      await run(db, qb.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash));
    },
  };
}
