import { Temporal } from 'temporal-polyfill';
import type { Customer } from '../domain/booking.ts';
import { signDueVisitToken, verifyDueVisitToken } from '../domain/due-visit-token.ts';
import { instantToLocal } from '../domain/time.ts';
import { invitationLinkInvalid } from './due-visits.ts';
import type { InvitationLinks } from './maintenance-invitations.ts';
import type { Clock } from './ports/clock.ts';

/** A due visit as its invitation link shows it: what the booking page fills in. */
export interface InvitedVisitView {
  id: string;
  businessName: string;
  /** The business's zone (the days offered are its days). */
  timezone: string;
  serviceId: string;
  serviceName: string;
  /** Local date (AAAA-MM-JJ). */
  dueOn: string;
  customer: Customer;
}

export interface MaintenanceLinkStore {
  visit(artisanId: string, dueVisitId: string): Promise<InvitedVisitView | undefined>;
  /** Records the visit's customer's opt-out (every contact of theirs); false when the visit does not exist. */
  optOut(artisanId: string, dueVisitId: string, nowMs: number): Promise<boolean>;
}

/** The days the booking page offers first: a week either side of the due date, from today on. */
const DAYS_BEFORE = 7;
const DAYS_AFTER = 7;

/**
 * The two links of an invitation (issue 22 item 5), signed, with no sign-in: the business's
 * booking page opened on the visit (service, address and contacts filled in, on the days
 * around the due date) and the one-click opt-out. Both carry the same token.
 */
export function makeMaintenanceLinks(deps: {
  store: MaintenanceLinkStore;
  clock: Clock;
  secret: string;
  /** The business's booking page (its address: path prefix or host name). */
  pageOf: (artisanId: string) => Promise<string>;
  /** The instance's public address (PUBLIC_BASE_URL): the opt-out page is the instance's. */
  baseUrl: string;
}): InvitationLinks & {
  open(token: string): Promise<InvitedVisitView & { from: string; to: string }>;
  optOut(token: string): Promise<{ businessName: string }>;
} {
  const base = deps.baseUrl.replace(/\/+$/, '');
  const resolve = async (token: string): Promise<{ artisanId: string; visit: InvitedVisitView }> => {
    const check = verifyDueVisitToken(token, deps.secret);
    if (!check.ok) throw invitationLinkInvalid();
    const visit = await deps.store.visit(check.artisanId, check.dueVisitId);
    if (!visit) throw invitationLinkInvalid();
    return { artisanId: check.artisanId, visit };
  };
  return {
    async bookingUrl(artisanId, dueVisitId) {
      const page = await deps.pageOf(artisanId);
      return `${page}${page.includes('?') ? '&' : '?'}entretien=${signDueVisitToken(artisanId, dueVisitId, deps.secret)}`;
    },
    optOutUrl(artisanId, dueVisitId) {
      return `${base}/entretien/stop?jeton=${signDueVisitToken(artisanId, dueVisitId, deps.secret)}`;
    },
    async open(token) {
      const { visit } = await resolve(token);
      const today = Temporal.PlainDate.from(instantToLocal(deps.clock.now(), visit.timezone).date);
      const due = Temporal.PlainDate.from(visit.dueOn);
      const earliest = due.subtract({ days: DAYS_BEFORE });
      const from = Temporal.PlainDate.compare(earliest, today) < 0 ? today : earliest;
      const latest = due.add({ days: DAYS_AFTER });
      const to = Temporal.PlainDate.compare(latest, from) < 0 ? from.add({ days: DAYS_AFTER }) : latest;
      return { ...visit, from: from.toString(), to: to.toString() };
    },
    async optOut(token) {
      const { artisanId, visit } = await resolve(token);
      await deps.store.optOut(artisanId, visit.id, deps.clock.now());
      return { businessName: visit.businessName };
    },
  };
}
export type MaintenanceLinks = ReturnType<typeof makeMaintenanceLinks>;
