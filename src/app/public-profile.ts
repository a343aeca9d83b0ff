import { AppError, NotFoundError, PolicyError } from '../domain/errors.ts';
import { planLimits, type PlanCode } from '../domain/plans.ts';
import type { RefundPolicy } from '../domain/refund-policy.ts';
import { termsVersion } from '../domain/terms.ts';
import { todayIn } from '../domain/time.ts';
import type { Clock } from './ports/clock.ts';

export interface PublicArtisanRow {
  id: string;
  displayName: string;
  trade: string | null;
  phone: string | null;
  timezone: string;
  plan: PlanCode;
  termsOfSale: string | null;
  /** The operator suspended the business: its pages take no booking. */
  suspended: boolean;
}

export interface ConsentRecord {
  acceptedMs: number;
  termsVersion: string | null;
  refundPolicy: RefundPolicy;
  /** « Me proposer le prochain entretien » ticked (issue 22). */
  nextVisit: boolean;
}

export interface PublicProfileStore {
  readArtisan(artisanId: string): Promise<PublicArtisanRow | undefined>;
  readConsent(artisanId: string, publicCode: string): Promise<ConsentRecord | undefined>;
}

export interface PublicProfile {
  displayName: string;
  trade: string | null;
  phone: string | null;
  timezone: string;
  /** The artisan's local date now (the pages never read the visitor's clock). */
  today: string;
  /** The service's clock, as an ISO instant: the page judges deadlines by it, not by the visitor's. */
  now: string;
  /** The plan lets customers ask for SMS (the booking form shows the choice only then). */
  smsOffered: boolean;
  /**
   * Deposits can be paid online. False with Stripe Connect while the business has no Stripe
   * account able to take card payments: the page then says to call it.
   */
  onlineDeposits: boolean;
  terms: { version: string; text: string } | null;
  /** The operator suspended the business: the page says so and takes no booking. */
  suspended: boolean;
}

/** What a suspended business's page and booking API say (with its phone, when it has one). */
export const businessSuspended = (phoneText: string | null): PolicyError =>
  new PolicyError(
    'BUSINESS_SUSPENDED',
    `Ce professionnel ne prend pas de réservation en ligne pour le moment.${phoneText ? ` Vous pouvez le joindre au ${phoneText}.` : ''}`,
  );

export const termsChanged = (): AppError =>
  new AppError('TERMS_CHANGED', 'Les conditions de vente ont changé depuis l’ouverture de la page : relisez-les et acceptez-les à nouveau.');

/** The booking page's view of the artisan, and the consent customers give when booking online. */
export function makePublicProfile(deps: { store: PublicProfileStore; clock: Clock; acceptsDeposits?: (artisanId: string) => Promise<boolean> }) {
  async function read(artisanId: string): Promise<PublicArtisanRow> {
    const artisan = await deps.store.readArtisan(artisanId);
    if (!artisan) throw new NotFoundError('ARTISAN_NOT_FOUND', 'Aucun artisan n’est encore configuré.');
    return artisan;
  }
  return {
    async profile(artisanId: string): Promise<PublicProfile> {
      const a = await read(artisanId);
      const version = termsVersion(a.termsOfSale);
      return {
        displayName: a.displayName,
        trade: a.trade,
        phone: a.phone,
        timezone: a.timezone,
        today: todayIn(a.timezone, deps.clock.now()).toString(),
        now: new Date(deps.clock.now()).toISOString(),
        smsOffered: planLimits(a.plan).sms,
        onlineDeposits: deps.acceptsDeposits ? await deps.acceptsDeposits(a.id) : true,
        terms: version && a.termsOfSale ? { version, text: a.termsOfSale } : null,
        suspended: a.suspended,
      };
    },
    readConsent: (artisanId: string, publicCode: string) => deps.store.readConsent(artisanId, publicCode),
  };
}

export type PublicProfileUseCases = ReturnType<typeof makePublicProfile>;
