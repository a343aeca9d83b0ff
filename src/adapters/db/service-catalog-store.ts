import { sql } from 'kysely';
import type { ServiceCatalog } from '../../app/ports/service-catalog.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import { AlreadyExistsError } from '../../app/ports/already-exists-error.ts';
import { SERVICE_COLUMNS, serviceFromRow } from './service-row.ts';
import { UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';

const FOREIGN_KEY_VIOLATION = '23503';

const services = () => qb.selectFrom('services as s').select(SERVICE_COLUMNS);

const find = async (q: Queryable, artisanId: string, id: string, lock: boolean): Promise<ServiceRecord | undefined> => {
  const select = services().where('s.artisan_id', '=', artisanId).where('s.id', '=', id);
  const r = await first(q, lock ? select.forUpdate() : select);
  return r ? serviceFromRow(r) : undefined;
};

/** The service record's columns, as written. */
const columns = (s: ServiceRecord) => ({
  name: s.name,
  description: s.description,
  duration_minutes: s.durationMinutes,
  base_price_cents: s.basePriceCents,
  deposit_rate: s.depositRate,
  is_active: s.isActive,
  buffer_before_minutes: s.bufferBeforeMinutes,
  buffer_after_minutes: s.bufferAfterMinutes,
  refund_policy: s.refundPolicy ? JSON.stringify(s.refundPolicy) : null,
  min_notice_minutes: s.minNoticeMinutes,
  at_customer: s.atCustomer,
  maintenance_interval_months: s.maintenanceIntervalMonths,
});

/** The artisan's services, archived ones included (the public list reads only active ones). */
export function makeServiceCatalogStore(db: Database): ServiceCatalog {
  return {
    async listServices(artisanId) {
      const rows = await run(db, services().where('s.artisan_id', '=', artisanId).orderBy('s.sort_order').orderBy('s.name'));
      return rows.map(serviceFromRow);
    },

    findService: (artisanId, id) => find(db, artisanId, id, false),

    async insertService(s) {
      try {
        await run(
          db,
          qb.insertInto('services').values({
            id: s.id,
            artisan_id: s.artisanId,
            ...columns(s),
            sort_order: qb
              .selectFrom('services')
              .select(sql<number>`coalesce(max(sort_order), 0) + 1`.as('next'))
              .where('artisan_id', '=', s.artisanId),
          }),
        );
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw new AlreadyExistsError();
        throw error;
      }
    },

    updateService: (artisanId, id, decide) =>
      db.transaction(async (q) => {
        const current = await find(q, artisanId, id, true);
        if (!current) return undefined;
        const s = decide(current);
        await run(
          q,
          qb
            .updateTable('services')
            .set({ ...columns(s), updated_at: sql<Date>`now()` })
            .where('artisan_id', '=', artisanId)
            .where('id', '=', id),
        );
        return s;
      }),

    deleteService: (artisanId, id) =>
      db.transaction(async (q) => {
        // The row lock conflicts with the key-share lock a booking insert takes on its service,
        // so no booking can appear between the check and the delete.
        if (!(await find(q, artisanId, id, true))) return 'not_found';
        const booked = await run(q, qb.selectFrom('bookings').select(sql<number>`1`.as('one')).where('artisan_id', '=', artisanId).where('service_id', '=', id).limit(1));
        if (booked.length > 0) return 'has_bookings';
        try {
          await run(q, qb.deleteFrom('services').where('artisan_id', '=', artisanId).where('id', '=', id));
        } catch (error) {
          if (sqlState(error) === FOREIGN_KEY_VIOLATION) return 'has_bookings';
          throw error;
        }
        return 'deleted';
      }),
  };
}
