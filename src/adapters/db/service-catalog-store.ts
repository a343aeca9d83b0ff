import type { ServiceCatalog, ServiceRecord } from '../../app/ports.ts';
import { AlreadyExistsError } from '../../app/ports.ts';
import { SERVICE_COLUMNS, toService } from './service-row.ts';
import { UNIQUE_VIOLATION, sqlState, type Database, type Queryable } from './database.ts';

const FOREIGN_KEY_VIOLATION = '23503';

const find = async (q: Queryable, artisanId: string, id: string, lock: boolean): Promise<ServiceRecord | undefined> => {
  const rows = await q.query(`SELECT ${SERVICE_COLUMNS} FROM services s WHERE s.artisan_id = $1 AND s.id = $2${lock ? ' FOR UPDATE' : ''}`, [artisanId, id]);
  return rows[0] ? toService(rows[0]) : undefined;
};

/** The artisan's services, archived ones included (the public list reads only active ones). */
export function makeServiceCatalogStore(db: Database): ServiceCatalog {
  return {
    async listServices(artisanId) {
      const rows = await db.query(`SELECT ${SERVICE_COLUMNS} FROM services s WHERE s.artisan_id = $1 ORDER BY s.sort_order, s.name`, [artisanId]);
      return rows.map(toService);
    },

    findService: (artisanId, id) => find(db, artisanId, id, false),

    async insertService(s) {
      try {
        await db.query(
          `INSERT INTO services (id, artisan_id, name, description, duration_minutes, base_price_cents, deposit_rate, is_active,
             buffer_before_minutes, buffer_after_minutes, refund_policy, sort_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb,
             (SELECT coalesce(max(sort_order), 0) + 1 FROM services WHERE artisan_id = $2))`,
          [
            s.id, s.artisanId, s.name, s.description, s.durationMinutes, s.basePriceCents, s.depositRate, s.isActive,
            s.bufferBeforeMinutes, s.bufferAfterMinutes, s.refundPolicy ? JSON.stringify(s.refundPolicy) : null,
          ],
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
        await q.query(
          `UPDATE services SET name = $3, description = $4, duration_minutes = $5, base_price_cents = $6, deposit_rate = $7,
             is_active = $8, buffer_before_minutes = $9, buffer_after_minutes = $10, refund_policy = $11::jsonb, updated_at = now()
           WHERE artisan_id = $1 AND id = $2`,
          [
            artisanId, id, s.name, s.description, s.durationMinutes, s.basePriceCents, s.depositRate, s.isActive,
            s.bufferBeforeMinutes, s.bufferAfterMinutes, s.refundPolicy ? JSON.stringify(s.refundPolicy) : null,
          ],
        );
        return s;
      }),

    deleteService: (artisanId, id) =>
      db.transaction(async (q) => {
        // The row lock conflicts with the key-share lock a booking insert takes on its service,
        // so no booking can appear between the check and the delete.
        if (!(await find(q, artisanId, id, true))) return 'not_found';
        const booked = await q.query(`SELECT 1 FROM bookings WHERE service_id = $1 LIMIT 1`, [id]);
        if (booked.length > 0) return 'has_bookings';
        try {
          await q.query(`DELETE FROM services WHERE artisan_id = $1 AND id = $2`, [artisanId, id]);
        } catch (error) {
          if (sqlState(error) === FOREIGN_KEY_VIOLATION) return 'has_bookings';
          throw error;
        }
        return 'deleted';
      }),
  };
}
