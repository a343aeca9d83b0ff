import { sql } from 'kysely';
import type { CreateOutcome, SignupStore } from '../../app/signup.ts';
import type { Database } from './database.ts';
import { insertBusiness } from './business-store.ts';
import { first, qb, run } from './kysely.ts';

/** Thrown inside the sign-up's transaction to roll it back with its outcome. */
class Refused extends Error {
  constructor(readonly outcome: Exclude<CreateOutcome, 'created'>) {
    super(outcome);
  }
}

const UNIQUE_VIOLATION = '23505';

/** Sign-ups (migration 0036): the business row and its owner, the confirmation links, the invitations. */
export function makeSignupStore(db: Database): SignupStore {
  const slugTaken = async (slug: string) => (await first(db, qb.selectFrom('artisans').select('id').where('slug', '=', slug))) !== undefined;
  const emailTaken = async (q: Parameters<typeof first>[0], email: string) =>
    (await first(q, qb.selectFrom('admin_users').select('id').where('email', '=', email))) !== undefined;
  return {
    slugTaken,

    async create(business, confirmation, invitationHash, nowMs) {
      const now = new Date(nowMs);
      try {
        return await db.transaction(async (tx) => {
          if (invitationHash !== undefined) {
            const [taken] = await run(
              tx,
              qb
                .updateTable('signup_invites')
                .set({ used_at: now, used_by_artisan_id: business.artisanId })
                .where('token_hash', '=', invitationHash)
                .where('used_at', 'is', null)
                .where('revoked_at', 'is', null)
                .where('expires_at', '>', now)
                .where((eb) => eb.or([eb('email', 'is', null), eb('email', '=', business.signInEmail)]))
                .returning('token_hash'),
            );
            if (!taken) throw new Refused('invitation-invalid');
          }
          if ((await first(tx, qb.selectFrom('artisans').select('id').where('slug', '=', business.slug))) !== undefined) throw new Refused('slug-taken');
          if (await emailTaken(tx, business.signInEmail)) throw new Refused('email-taken');
          await insertBusiness(tx, business, nowMs, { slug: business.slug, unconfirmed: true });
          await run(
            tx,
            qb.insertInto('signup_confirmations').values({
              artisan_id: business.artisanId,
              token_hash: confirmation.tokenHash,
              created_at: now,
              expires_at: new Date(confirmation.expiresMs),
            }),
          );
          return 'created' as const;
        });
      } catch (error) {
        if (error instanceof Refused) return error.outcome;
        // Two sign-ups at once for one slug or e-mail: the unique keys refuse the second.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
          return (await slugTaken(business.slug)) ? 'slug-taken' : (await emailTaken(db, business.signInEmail)) ? 'email-taken' : Promise.reject(error);
        }
        throw error;
      }
    },

    async pendingByEmail(email) {
      const r = await first(
        db,
        qb
          .selectFrom('admin_users as u')
          .innerJoin('artisans as a', 'a.id', 'u.artisan_id')
          .select(['a.id', 'u.email', 'a.display_name'])
          .where('u.email', '=', email)
          .where('a.unconfirmed_since', 'is not', null),
      );
      return r ? { artisanId: r.id, email: r.email, displayName: r.display_name } : undefined;
    },

    addConfirmationWithin(artisanId, confirmation, cap) {
      return db.transaction(async (tx) => {
        // The business's row is the lock: requests at once for one sign-up queue here.
        const pending = await first(tx, qb.selectFrom('artisans').select('id').where('id', '=', artisanId).where('unconfirmed_since', 'is not', null).forUpdate());
        if (!pending) return false;
        const r = await first(
          tx,
          qb
            .selectFrom('signup_confirmations')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('artisan_id', '=', artisanId)
            .where('created_at', '>=', new Date(cap.sinceMs)),
        );
        if ((r?.n ?? 0) >= cap.max) return false;
        await run(
          tx,
          qb.insertInto('signup_confirmations').values({
            artisan_id: artisanId,
            token_hash: confirmation.tokenHash,
            created_at: new Date(confirmation.createdMs),
            expires_at: new Date(confirmation.expiresMs),
          }),
        );
        return true;
      });
    },

    confirm(artisanId, tokenHash, nowMs) {
      return db.transaction(async (tx) => {
        const now = new Date(nowMs);
        // Used once: the UPDATE claims the row, a second use finds used_at set.
        const [taken] = await run(
          tx,
          qb
            .updateTable('signup_confirmations')
            .set({ used_at: now })
            .where('artisan_id', '=', artisanId)
            .where('token_hash', '=', tokenHash)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('artisan_id'),
        );
        if (!taken) return undefined;
        const [published] = await run(
          tx,
          qb.updateTable('artisans').set({ unconfirmed_since: null, updated_at: now }).where('id', '=', artisanId).where('unconfirmed_since', 'is not', null).returning('slug'),
        );
        if (!published?.slug) return undefined;
        // Any other link still out for this sign-up opens nothing now.
        await run(tx, qb.updateTable('signup_confirmations').set({ used_at: now }).where('artisan_id', '=', artisanId).where('used_at', 'is', null));
        const owner = await first(tx, qb.selectFrom('admin_users').select('email').where('artisan_id', '=', artisanId).orderBy('created_at').limit(1));
        return owner ? { signInEmail: owner.email, slug: published.slug } : undefined;
      });
    },

    async addInvitation(invitation) {
      await run(
        db,
        qb.insertInto('signup_invites').values({
          id: invitation.id,
          token_hash: invitation.tokenHash,
          email: invitation.email,
          operator_id: invitation.operatorId,
          created_at: new Date(invitation.createdMs),
          expires_at: new Date(invitation.expiresMs),
        }),
      );
    },

    async listInvitations({ limit, offset }) {
      const rows = await run(
        db,
        qb
          .selectFrom('signup_invites as i')
          .leftJoin('operator_users as o', 'o.id', 'i.operator_id')
          // The business it made, while it exists (a purged sign-up leaves the id only).
          .leftJoin('artisans as a', 'a.id', 'i.used_by_artisan_id')
          .select(['i.id', 'i.email', 'o.email as operator_email', 'i.created_at', 'i.expires_at', 'i.used_at', 'i.revoked_at', 'a.id as artisan_id', 'a.display_name'])
          .select(sql<number>`count(*) OVER ()::int`.as('total'))
          .orderBy('i.created_at', 'desc')
          .orderBy('i.id')
          .limit(limit)
          .offset(offset),
      );
      const total = rows[0]?.total ?? (offset === 0 ? 0 : ((await first(db, qb.selectFrom('signup_invites').select(sql<number>`count(*)::int`.as('n'))))?.n ?? 0));
      const ms = (d: Date | null): number | null => (d ? d.getTime() : null);
      return {
        total,
        invitations: rows.map((r) => ({
          id: r.id,
          email: r.email,
          operatorEmail: r.operator_email,
          createdMs: r.created_at.getTime(),
          expiresMs: r.expires_at.getTime(),
          usedMs: ms(r.used_at),
          revokedMs: ms(r.revoked_at),
          usedBy: r.artisan_id && r.display_name !== null ? { artisanId: r.artisan_id, displayName: r.display_name } : null,
        })),
      };
    },

    async revokeInvitation(id, nowMs) {
      // One statement: a sign-up taking the invitation at the same moment either finds it revoked or has used it.
      const [revoked] = await run(
        db,
        qb
          .updateTable('signup_invites')
          .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', sql<Date>`${new Date(nowMs)}::timestamptz`) }))
          .where('id', '=', id)
          .where('used_at', 'is', null)
          .returning('id'),
      );
      if (revoked) return 'revoked';
      return (await first(db, qb.selectFrom('signup_invites').select('id').where('id', '=', id))) ? 'used' : 'missing';
    },

    purgeUnconfirmed(beforeMs) {
      return db.transaction(async (tx) => {
        const gone = await run(tx, qb.selectFrom('artisans').select('id').where('unconfirmed_since', '<', new Date(beforeMs)).forUpdate());
        if (gone.length === 0) return 0;
        const ids = gone.map((g) => g.id);
        // Nothing else was made for an unconfirmed business: its owner could not sign in.
        await run(tx, qb.deleteFrom('admin_users').where('artisan_id', 'in', ids));
        await run(tx, qb.deleteFrom('artisans').where('id', 'in', ids).where('unconfirmed_since', 'is not', null));
        return ids.length;
      });
    },
  };
}
