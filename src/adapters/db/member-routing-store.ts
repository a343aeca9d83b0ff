import type { MemberRoutingStore, MemberRoutingView } from '../../app/member-routing.ts';
import type { ZoneKind } from '../../domain/routing.ts';
import type { Database, Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** member_zones.kind (CHECK in migration 0054). */
const storedZoneKind = (kind: string): ZoneKind => kind as ZoneKind;

async function read(q: Queryable, artisanId: string, memberId: string): Promise<MemberRoutingView | undefined> {
  const member = await first(q, qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', '=', memberId));
  if (!member) return undefined;
  const skills = await run(q, qb.selectFrom('member_skills').select('service_id').where('artisan_id', '=', artisanId).where('member_id', '=', memberId).orderBy('service_id'));
  const zones = await run(
    q,
    qb.selectFrom('member_zones').select(['kind', 'code']).where('artisan_id', '=', artisanId).where('member_id', '=', memberId).orderBy('kind').orderBy('code'),
  );
  return { memberId, skills: skills.map((s) => s.service_id), zones: zones.map((z) => ({ kind: storedZoneKind(z.kind), code: z.code })) };
}

/** Skills and zones of a business's members (migration 0054). */
export function makeMemberRoutingStore(db: Database): MemberRoutingStore {
  return {
    get: (artisanId, memberId) => (UUID_RE.test(memberId) ? read(db, artisanId, memberId) : Promise.resolve(undefined)),

    async set(artisanId, view) {
      if (!UUID_RE.test(view.memberId)) return 'member';
      return db.transaction(async (tx) => {
        const member = await first(
          tx,
          qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', '=', view.memberId).forUpdate(),
        );
        if (!member) return 'member' as const;
        if (view.skills.length > 0) {
          const known = await run(tx, qb.selectFrom('services').select('id').where('artisan_id', '=', artisanId).where('id', 'in', view.skills));
          const unknownServices = view.skills.filter((id) => !known.some((k) => k.id === id));
          if (unknownServices.length > 0) return { unknownServices };
        }
        await run(tx, qb.deleteFrom('member_skills').where('artisan_id', '=', artisanId).where('member_id', '=', view.memberId));
        await run(tx, qb.deleteFrom('member_zones').where('artisan_id', '=', artisanId).where('member_id', '=', view.memberId));
        if (view.skills.length > 0) {
          await run(tx, qb.insertInto('member_skills').values(view.skills.map((service_id) => ({ artisan_id: artisanId, member_id: view.memberId, service_id }))));
        }
        if (view.zones.length > 0) {
          await run(tx, qb.insertInto('member_zones').values(view.zones.map((z) => ({ artisan_id: artisanId, member_id: view.memberId, kind: z.kind, code: z.code }))));
        }
        return 'ok' as const;
      });
    },

    async setCalendarMember(artisanId, calendarId, memberId) {
      if (!UUID_RE.test(calendarId)) return 'calendar';
      if (memberId !== null && !UUID_RE.test(memberId)) return 'member';
      return db.transaction(async (tx) => {
        if (memberId !== null) {
          const member = await first(tx, qb.selectFrom('admin_users').select('id').where('artisan_id', '=', artisanId).where('id', '=', memberId));
          if (!member) return 'member' as const;
        }
        const [calendar] = await run(
          tx,
          qb.updateTable('calendar_connections').set({ member_id: memberId }).where('artisan_id', '=', artisanId).where('id', '=', calendarId).returning('id'),
        );
        if (!calendar) return 'calendar' as const;
        await run(
          tx,
          qb.updateTable('busy_blocks').set({ member_id: memberId }).where('artisan_id', '=', artisanId).where('calendar_connection_id', '=', calendarId),
        );
        return 'ok' as const;
      });
    },
  };
}
