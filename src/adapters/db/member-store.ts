import { sql } from 'kysely';
import type { MemberRole } from '../../app/admin-auth.ts';
import type { Member, MemberStore, Team } from '../../app/members.ts';
import type { Database, Queryable } from './database.ts';
import { EXCLUSION_VIOLATION, UNIQUE_VIOLATION, sqlState } from './database.ts';
import { first, qb, run } from './kysely.ts';
import { storedPlan, storedStatus } from './stored.ts';
import { selectBookings, toBooking } from './booking-row.ts';
import { isStanding } from '../../domain/booking-lifecycle.ts';
import { reassignedEventOf } from '../../app/webhook-events.ts';

/** admin_users.role (CHECK admin_users_role_known, migration 0041). */
export const storedRole = (role: string): MemberRole => role as MemberRole;

const memberSelect = (artisanId: string) =>
  qb
    .selectFrom('admin_users as u')
    .select((eb) => [
      'u.id',
      'u.name',
      'u.email',
      'u.phone',
      'u.role',
      'u.active',
      'u.priority',
      'u.invited_at',
      'u.created_at',
      sql<boolean>`u.password_hash <> ''`.as('joined'),
      eb
        .selectFrom('team_members as tm')
        .select(sql<string[]>`coalesce(array_agg(tm.team_id ORDER BY tm.team_id), '{}')`.as('t'))
        .whereRef('tm.artisan_id', '=', 'u.artisan_id')
        .whereRef('tm.member_id', '=', 'u.id')
        .as('team_ids'),
    ])
    .where('u.artisan_id', '=', artisanId);

interface MemberRow {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  role: string;
  active: boolean;
  priority: number;
  invited_at: Date | null;
  created_at: Date;
  joined: boolean;
  team_ids: string[] | null;
}

const toMember = (r: MemberRow): Member => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  role: storedRole(r.role),
  active: r.active,
  priority: r.priority,
  joined: r.joined,
  invitedMs: r.invited_at?.getTime() ?? null,
  createdMs: r.created_at.getTime(),
  teamIds: r.team_ids ?? [],
});

const readMember = async (q: Queryable, artisanId: string, id: string) => {
  const r = await first(q, memberSelect(artisanId).where('u.id', '=', id));
  return r ? toMember(r) : undefined;
};

/** Locks the business row against a plan change meanwhile (the plan trigger updates it) and reads its plan. */
const lockPlan = async (q: Queryable, artisanId: string) =>
  first(q, qb.selectFrom('artisans').select(['plan', 'display_name']).where('id', '=', artisanId).forShare());

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Members (admin_users, migration 0041) and teams (migration 0042) of a business. */
export function makeMemberStore(db: Database): MemberStore {
  const listTeams = async (q: Queryable, artisanId: string, id?: string): Promise<Team[]> => {
    let query = qb
      .selectFrom('teams as t')
      .select((eb) => [
        't.id',
        't.name',
        't.created_at',
        eb
          .selectFrom('team_members as tm')
          .select(sql<string[]>`coalesce(array_agg(tm.member_id ORDER BY tm.member_id), '{}')`.as('m'))
          .whereRef('tm.artisan_id', '=', 't.artisan_id')
          .whereRef('tm.team_id', '=', 't.id')
          .as('member_ids'),
      ])
      .where('t.artisan_id', '=', artisanId)
      .orderBy('t.name')
      .orderBy('t.id');
    if (id) query = query.where('t.id', '=', id);
    const rows = await run(q, query);
    return rows.map((r) => ({ id: r.id, name: r.name, memberIds: r.member_ids ?? [], createdMs: r.created_at.getTime() }));
  };

  return {
    async list(artisanId) {
      // The owners first, then by name: the order the back office shows.
      const rows = await run(db, memberSelect(artisanId).orderBy(sql`u.role = 'owner'`, 'desc').orderBy('u.name').orderBy('u.id'));
      return rows.map(toMember);
    },

    get: (artisanId, id) => (UUID_RE.test(id) ? readMember(db, artisanId, id) : Promise.resolve(undefined)),

    async insert(m, nowMs) {
      try {
        return await db.transaction(async (tx) => {
          const business = await lockPlan(tx, m.artisanId);
          if (!business || storedPlan(business.plan) !== 'business') return 'plan' as const;
          const now = new Date(nowMs);
          await run(
            tx,
            qb.insertInto('admin_users').values({
              artisan_id: m.artisanId,
              id: m.id,
              email: m.email,
              // No password until the member opens their invitation: they cannot sign in before.
              password_hash: '',
              password_changed_at: now,
              created_at: now,
              invited_at: now,
              name: m.name,
              phone: m.phone,
              role: m.role,
              priority: m.priority,
            }),
          );
          return 'ok' as const;
        });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) return 'email-taken';
        throw error;
      }
    },

    async update(artisanId, id, patch, nowMs) {
      if (!UUID_RE.test(id)) return 'not-found';
      return db.transaction(async (tx) => {
        const business = await lockPlan(tx, artisanId);
        // The owners' rows are the lock: two changes at once cannot both remove the last owner.
        const owners = await run(
          tx,
          qb.selectFrom('admin_users').select(['id', 'active']).where('artisan_id', '=', artisanId).where('role', '=', 'owner').orderBy('id').forUpdate(),
        );
        const current = await first(tx, qb.selectFrom('admin_users').select(['role', 'active']).where('artisan_id', '=', artisanId).where('id', '=', id).forUpdate());
        if (!business || !current) return 'not-found' as const;
        const role = patch.role ?? storedRole(current.role);
        const active = patch.active ?? current.active;
        const ownerLeft = owners.some((o) => o.active && o.id !== id) || (role === 'owner' && active);
        if (!ownerLeft) return 'last-owner' as const;
        if (active && !current.active && role !== 'owner' && storedPlan(business.plan) !== 'business') return 'plan' as const;
        if (role !== 'owner' && storedPlan(business.plan) !== 'business' && current.role === 'owner') return 'plan' as const;
        await run(
          tx,
          qb
            .updateTable('admin_users')
            .set({
              ...(patch.name !== undefined ? { name: patch.name } : {}),
              ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
              ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
              role,
              active,
              ...(active !== current.active ? { deactivated_at: active ? null : new Date(nowMs) } : {}),
            })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', id),
        );
        // A deactivated member is signed out at once (their data, bookings and teams stay).
        if (!active) await run(tx, qb.deleteFrom('admin_sessions').where('artisan_id', '=', artisanId).where('user_id', '=', id));
        return (await readMember(tx, artisanId, id))!;
      });
    },

    async planOf(artisanId) {
      const r = await first(db, qb.selectFrom('artisans').select(['plan', 'display_name']).where('id', '=', artisanId));
      return r ? { plan: storedPlan(r.plan), displayName: r.display_name } : undefined;
    },

    async isAssigned(artisanId, memberId, publicCode) {
      const r = await first(
        db,
        qb.selectFrom('bookings').select('id').where('artisan_id', '=', artisanId).where('public_code', '=', publicCode).where('technician_id', '=', memberId),
      );
      return r !== undefined;
    },

    listTeams: (artisanId) => listTeams(db, artisanId),

    async saveTeam(artisanId, team, nowMs, create) {
      if (!create && !UUID_RE.test(team.id)) return 'not-found';
      if (team.memberIds.some((m) => !UUID_RE.test(m))) return 'member';
      try {
        return await db.transaction(async (tx) => {
          if (create) {
            await run(tx, qb.insertInto('teams').values({ artisan_id: artisanId, id: team.id, name: team.name, created_at: new Date(nowMs) }));
          } else {
            const [updated] = await run(tx, qb.updateTable('teams').set({ name: team.name }).where('artisan_id', '=', artisanId).where('id', '=', team.id).returning('id'));
            if (!updated) return 'not-found' as const;
            await run(tx, qb.deleteFrom('team_members').where('artisan_id', '=', artisanId).where('team_id', '=', team.id));
          }
          if (team.memberIds.length > 0) {
            const known = await run(tx, qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', 'in', team.memberIds));
            if (known.length !== team.memberIds.length) throw new MissingMember();
            await run(tx, qb.insertInto('team_members').values(team.memberIds.map((member_id) => ({ artisan_id: artisanId, team_id: team.id, member_id }))));
          }
          return (await listTeams(tx, artisanId, team.id))[0]!;
        });
      } catch (error) {
        if (error instanceof MissingMember) return 'member';
        if (sqlState(error) === UNIQUE_VIOLATION) return 'name-taken';
        throw error;
      }
    },

    async deleteTeam(artisanId, id) {
      if (!UUID_RE.test(id)) return false;
      return db.transaction(async (tx) => {
        await run(tx, qb.updateTable('bookings').set({ team_id: null }).where('artisan_id', '=', artisanId).where('team_id', '=', id));
        const rows = await run(tx, qb.deleteFrom('teams').where('artisan_id', '=', artisanId).where('id', '=', id).returning('id'));
        return rows.length > 0;
      });
    },

    async assign(artisanId, publicCode, to, nowMs) {
      if (to.technicianId !== null && !UUID_RE.test(to.technicianId)) return 'member';
      if (to.teamId !== null && !UUID_RE.test(to.teamId)) return 'team';
      return db.transaction(async (tx) => {
        const booking = await first(
          tx,
          qb.selectFrom('bookings').select(['id', 'technician_id', 'team_id', 'status']).where('artisan_id', '=', artisanId).where('public_code', '=', publicCode).forUpdate(),
        );
        if (!booking) return 'booking' as const;
        if (to.technicianId !== null) {
          const member = await first(
            tx,
            qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', '=', to.technicianId).where('active', '=', true),
          );
          if (!member) return 'member' as const;
        }
        if (to.teamId !== null) {
          const team = await first(tx, qb.selectFrom('teams').select('id').where('artisan_id', '=', artisanId).where('id', '=', to.teamId));
          if (!team) return 'team' as const;
        }
        await run(
          tx,
          qb
            .updateTable('bookings')
            .set({ technician_id: to.technicianId, team_id: to.teamId, updated_at: new Date(nowMs) })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', booking.id),
        ).catch((error: unknown) => {
          // bookings_no_overlap (migration 0054): that technician already has a booking then.
          throw sqlState(error) === EXCLUSION_VIOLATION ? new TechnicianBusy() : error;
        });
        await run(
          tx,
          qb.insertInto('booking_events').values({
            artisan_id: artisanId,
            booking_id: booking.id,
            type: 'assigned',
            actor: 'artisan',
            data: JSON.stringify({ technicianId: to.technicianId, teamId: to.teamId }),
          }),
        );
        // The business's integrations hear of a booking handed to someone else (issue 21), once per change.
        const changed = booking.technician_id !== to.technicianId || booking.team_id !== to.teamId;
        if (changed && isStanding(storedStatus(booking.status))) {
          const after = toBooking((await first(tx, selectBookings().where('b.artisan_id', '=', artisanId).where('b.id', '=', booking.id)))!);
          const event = reassignedEventOf({ technicianId: booking.technician_id, teamId: booking.team_id }, after, nowMs);
          await run(
            tx,
            qb.insertInto('outbox').values({ artisan_id: artisanId, id: sql<string>`gen_random_uuid()`, topic: event.topic, booking_id: booking.id, payload: JSON.stringify(event.payload), run_at: new Date(nowMs) }),
          );
        }
        return 'ok' as const;
      }).catch((error: unknown) => {
        if (error instanceof TechnicianBusy) return 'busy' as const;
        throw error;
      });
    },
  };
}

class TechnicianBusy extends Error {}
class MissingMember extends Error {}
