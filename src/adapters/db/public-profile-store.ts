import type { Database } from './database.ts';
import type { RefundPolicy } from '../../domain/refund-policy.ts';
import type { ConsentRecord, PublicArtisanRow, PublicProfileStore } from '../../app/public-profile.ts';
import { first, qb } from './kysely.ts';
import { storedPlan } from './stored.ts';

/** What a business's booking page shows of it, and the consents customers gave when booking online. */
export function makePublicProfileStore(db: Database): PublicProfileStore {
  return {
    async readArtisan(artisanId): Promise<PublicArtisanRow | undefined> {
      const a = await first(
        db,
        qb
          .selectFrom('artisans')
          .select(['id', 'display_name', 'trade', 'phone', 'timezone', 'plan', 'terms_of_sale', 'suspended_at'])
          .where('id', '=', artisanId),
      );
      if (!a) return undefined;
      return {
        id: a.id,
        displayName: a.display_name,
        trade: a.trade,
        phone: a.phone,
        timezone: a.timezone,
        plan: storedPlan(a.plan),
        termsOfSale: a.terms_of_sale,
        suspended: a.suspended_at !== null,
      };
    },
    async readConsent(artisanId: string, publicCode: string): Promise<ConsentRecord | undefined> {
      const r = await first(
        db,
        qb
          .selectFrom('booking_consents as c')
          .innerJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'c.artisan_id').onRef('b.id', '=', 'c.booking_id'))
          .select(['c.accepted_at', 'c.terms_version', 'c.refund_policy', 'c.next_visit'])
          .where('c.artisan_id', '=', artisanId)
          .where('b.public_code', '=', publicCode),
      );
      if (!r) return undefined;
      return {
        acceptedMs: r.accepted_at.getTime(),
        termsVersion: r.terms_version,
        // jsonb, in the shape booking_hold wrote.
        refundPolicy: (typeof r.refund_policy === 'string' ? JSON.parse(r.refund_policy) : r.refund_policy) as RefundPolicy,
        nextVisit: r.next_visit,
      };
    },
  };
}
