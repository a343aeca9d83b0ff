import type { Database } from './database.ts';
import type { PlanCode } from '../../domain/plans.ts';
import type { RefundPolicy } from '../../domain/refund-policy.ts';
import type { ConsentRecord, PublicArtisanRow, PublicProfileStore } from '../../app/public-profile.ts';

/**
 * What the booking page shows of the artisan (the service books for one artisan: the first
 * one created), and the consents customers gave when booking online.
 */
export function makePublicProfileStore(db: Database): PublicProfileStore {
  return {
    async readArtisan(): Promise<PublicArtisanRow | undefined> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT id, display_name, trade, phone, timezone, plan, terms_of_sale FROM artisans ORDER BY created_at, id LIMIT 1`,
      );
      const a = rows[0];
      if (!a) return undefined;
      return {
        id: a.id as string,
        displayName: a.display_name as string,
        trade: (a.trade as string | null) ?? null,
        phone: (a.phone as string | null) ?? null,
        timezone: a.timezone as string,
        plan: a.plan as PlanCode,
        termsOfSale: (a.terms_of_sale as string | null) ?? null,
      };
    },
    async readConsent(artisanId: string, publicCode: string): Promise<ConsentRecord | undefined> {
      const rows = await db.query<{ accepted_at: string | Date; terms_version: string | null; refund_policy: RefundPolicy | string }>(
        `SELECT c.accepted_at, c.terms_version, c.refund_policy FROM booking_consents c JOIN bookings b ON b.id = c.booking_id
          WHERE c.artisan_id = $1 AND b.public_code = $2`,
        [artisanId, publicCode],
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        acceptedMs: new Date(r.accepted_at).getTime(),
        termsVersion: r.terms_version,
        refundPolicy: typeof r.refund_policy === 'string' ? (JSON.parse(r.refund_policy) as RefundPolicy) : r.refund_policy,
      };
    },
  };
}
