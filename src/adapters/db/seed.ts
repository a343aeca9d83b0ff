import type { Database } from './database.ts';
import { lock } from './migrate.ts';

export interface SeedResult {
  seeded: boolean;
  artisanEmail: string;
}

const DEMO_EMAIL = 'marc.dupont@artisanconnect.test';
const WEEKDAYS = [1, 2, 3, 4, 5];

/**
 * Seeds the demo artisan of decisions §2 on an empty database: Marc Dupont, plumber in
 * Paris, open Monday–Friday 08:30–18:00 with a 12:00–13:00 break, and the contract's two
 * services with their ids and values. Runs under the migration lock, so it happens once.
 */
/** The demo artisan's terms of sale (editable with PATCH /api/admin/artisan `termsOfSale`). */
export const DEMO_TERMS = [
  'Conditions générales de vente — Marc Dupont - Plomberie',
  '1. Le prix indiqué pour chaque prestation est un prix TTC, déplacement compris dans Paris.',
  "2. L'acompte est prélevé à la réservation et déduit du montant dû le jour de l'intervention.",
  "3. Annulation : l'acompte est remboursé selon les conditions d'annulation indiquées lors de la réservation.",
  "4. Toute pièce remplacée fait l'objet d'un devis accepté par le client avant l'intervention.",
].join('\n');

export async function seedDemo(db: Database, uuid: () => string): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await lock(tx);
    const existing = await tx.query<{ email: string }>('SELECT email FROM artisans LIMIT 1');
    if (existing[0]) return { seeded: false, artisanEmail: existing[0].email };
    const artisanId = uuid();
    await tx.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan, slot_step_minutes, min_notice_minutes, booking_horizon_days, trade, terms_of_sale)
       VALUES ($1, 'Marc Dupont - Plomberie', $2, '+33612345678', 'Europe/Paris', 'pro', 30, 120, 90, 'Plombier chauffagiste', $3)`,
      [artisanId, DEMO_EMAIL, DEMO_TERMS],
    );
    for (const day of WEEKDAYS) {
      await tx.query(
        `INSERT INTO schedule_rules (id, artisan_id, kind, day_of_week, start_minutes, end_minutes) VALUES
           ($1, $3, 'opening', $4, 510, 1080), ($2, $3, 'break', $4, 720, 780)`,
        [uuid(), uuid(), artisanId, day],
      );
    }
    await tx.query(
      `INSERT INTO services (id, artisan_id, name, description, duration_minutes, base_price_cents, deposit_rate, sort_order, min_notice_minutes, at_customer) VALUES
         ('diag', $1, 'Diagnostic et audit complet', 'Diagnostic plomberie avec rapport détaillé', 30, 4000, 0.3, 1, NULL, false),
         ('urgence', $1, 'Intervention urgente', 'Dépannage sous 2 heures', 45, 12000, 0.4, 2, 60, false),
         ('entretien-chaudiere', $1, 'Entretien de chaudière', 'Entretien annuel obligatoire avec attestation', 60, 9000, 0.3, 3, NULL, true)`,
      [artisanId],
    );
    return { seeded: true, artisanEmail: DEMO_EMAIL };
  });
}
