import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/adapters/db/database.ts';

/**
 * Puts the demo artisan's settings, weekly rules and services back as seeded (decisions §2),
 * for suites whose tests change them. Run after resetBookings (services some booking used
 * can only be deleted once the bookings are gone).
 */
export async function restoreDemoSettings(db: Database): Promise<void> {
  await db.transaction(async (q) => {
    const [artisan] = await q.query<{ id: string }>('SELECT id FROM artisans ORDER BY created_at LIMIT 1');
    const id = artisan!.id;
    await q.query(
      `UPDATE artisans SET display_name = 'Marc Dupont - Plomberie', email = 'marc.dupont@artisanconnect.test', phone = '+33612345678',
         timezone = 'Europe/Paris', plan = 'pro', slot_step_minutes = 30, min_notice_minutes = 120, booking_horizon_days = 90,
         closed_on_public_holidays = true WHERE id = $1`,
      [id],
    );
    await q.query('DELETE FROM schedule_rules WHERE artisan_id = $1', [id]);
    for (const day of [1, 2, 3, 4, 5]) {
      await q.query(
        `INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes) VALUES
           ($1, $3, 'opening', $4, 510, 1080), ($2, $3, 'break', $4, 720, 780)`,
        [randomUUID(), randomUUID(), id, day],
      );
    }
    await q.query(`DELETE FROM services WHERE id NOT IN ('diag', 'urgence', 'entretien-chaudiere')`);
    await q.query(
      `UPDATE services AS s SET name = v.name, description = v.description, duration_minutes = v.duration, base_price_cents = v.price,
         deposit_rate = v.rate, is_active = true, sort_order = v.sort, refund_policy = NULL, buffer_before_minutes = 0, buffer_after_minutes = 0,
         min_notice_minutes = v.notice, at_customer = v.home
       FROM (VALUES
         ('diag', 'Diagnostic et audit complet', 'Diagnostic plomberie avec rapport détaillé', 30, 4000, 0.3::float8, 1, NULL::int, false),
         ('urgence', 'Intervention urgente', 'Dépannage sous 2 heures', 45, 12000, 0.4::float8, 2, 60, false),
         ('entretien-chaudiere', 'Entretien de chaudière', 'Entretien annuel obligatoire avec attestation', 60, 9000, 0.3::float8, 3, NULL, true)
       ) AS v(id, name, description, duration, price, rate, sort, notice, home) WHERE s.id = v.id`,
    );
  });
}
