import type { Address } from '../domain/address.ts';
import type { PlanCode } from '../domain/plans.ts';
import { planLimits } from '../domain/plans.ts';
import type { Clock } from './ports/clock.ts';
import type { Mailer, NotificationStore, SmsSender } from './ports/notifications.ts';

/** The outbox topic of invitations and their reminder (payload: { dueVisitId, step }). */
export const MAINTENANCE_TOPIC = 'maintenance.invite';

export type InvitationStep = 'invitation' | 'reminder';

/** One visit an invitation lists. */
export interface InvitedVisit {
  id: string;
  serviceId: string;
  serviceName: string;
  /** Local date (AAAA-MM-JJ). */
  dueOn: string;
  address?: Address;
  /** The completed booking the visit follows (the messages are filed under it). */
  previousBookingId: string;
}

/** What one invitation message says, to whom, for whom: the visits its job took. */
export interface InvitationBatch {
  step: InvitationStep;
  artisan: { id: string; displayName: string; email: string; phone: string | null; timezone: string; plan: PlanCode };
  customer: { name: string; email?: string; phone?: string };
  /** The customer asked for SMS on the booking the first visit follows. */
  smsConsent: boolean;
  /** Oldest due date first; never empty. */
  visits: InvitedVisit[];
}

export interface InvitationStore {
  /**
   * Takes, for this job, the visits its message lists, in one committed transaction, and
   * returns them; undefined when there is nothing to send. An invitation takes the customer's
   * visits whose invitation time has come and that no other job took; a reminder, those its
   * invitation listed and that are still neither booked nor closed. The same job again (a
   * retry) gets the same visits back; a visit another job took is never listed twice. Visits
   * of a customer who opted out are never listed, even on a retry. An invitation also
   * schedules its reminder (2 weeks later) in the same transaction.
   */
  claim(input: { artisanId: string; dueVisitId: string; step: InvitationStep; jobId: string; nowMs: number }): Promise<InvitationBatch | undefined>;
}

/** The French texts of an invitation (adapter). */
export interface InvitationTemplates {
  email(input: InvitationRender): { subject: string; text: string; html: string };
  sms(input: InvitationRender): string;
}

export interface InvitationRender {
  batch: InvitationBatch;
  /** The booking page, prefilled, for each visit (by visit id). */
  bookingUrls: Record<string, string>;
  optOutUrl: string;
}

export interface InvitationLinks {
  /** The business's booking page opened on this visit (service, address, days around the due date). */
  bookingUrl(artisanId: string, dueVisitId: string): Promise<string>;
  /** The one-click opt-out page of this visit's customer. */
  optOutUrl(artisanId: string, dueVisitId: string): string;
}

export type InvitationOutcome = { sent: string[]; skipped: string[]; nothing?: true };

/**
 * Sends one maintenance invitation or reminder job (issue 22 items 5 and 7). Exactly one
 * message per customer and step: the store hands each visit to one job only, and the job's
 * deliveries are recorded as they leave with Message-IDs derived from the job, as booking
 * notifications do (notify-booking.ts): a retried job skips what went, and a resend after a
 * crash between "sent" and "recorded" carries the same Message-ID.
 */
export function makeMaintenanceInvitations(deps: {
  store: InvitationStore;
  deliveries: Pick<NotificationStore, 'deliveredKeys' | 'recordDelivery'>;
  mailer: Mailer;
  sms: SmsSender;
  templates: InvitationTemplates;
  links: InvitationLinks;
  clock: Clock;
  messageIdDomain: string;
}) {
  return async function sendInvitation(job: { artisanId: string; id: string; payload: Record<string, unknown> }): Promise<InvitationOutcome> {
    const dueVisitId = typeof job.payload.dueVisitId === 'string' ? job.payload.dueVisitId : undefined;
    const step: InvitationStep = job.payload.step === 'reminder' ? 'reminder' : 'invitation';
    if (!dueVisitId) return { sent: [], skipped: [], nothing: true };
    const batch = await deps.store.claim({ artisanId: job.artisanId, dueVisitId, step, jobId: job.id, nowMs: deps.clock.now() });
    if (!batch) return { sent: [], skipped: [], nothing: true };

    const { artisan, customer } = batch;
    const first = batch.visits[0]!;
    const bookingUrls: Record<string, string> = {};
    for (const v of batch.visits) bookingUrls[v.id] = await deps.links.bookingUrl(artisan.id, v.id);
    const render: InvitationRender = { batch, bookingUrls, optOutUrl: deps.links.optOutUrl(artisan.id, first.id) };
    const kind = step === 'reminder' ? 'maintenance_reminder' : 'maintenance_invitation';
    const origin = { kind, recipientKind: 'customer', artisanId: artisan.id, bookingId: first.previousBookingId, outboxId: job.id } as const;

    const planned: { key: string; channel: 'email' | 'sms'; send(messageId: string): Promise<{ providerRef?: string }> }[] = [];
    if (customer.email) {
      const to = { name: customer.name, address: customer.email };
      planned.push({
        key: 'customer.email',
        channel: 'email',
        send: (messageId) => deps.mailer.send({ ...origin, messageId, to, sender: { name: artisan.displayName, replyTo: artisan.email }, ...deps.templates.email(render) }),
      });
    }
    if (customer.phone && batch.smsConsent && planLimits(artisan.plan).sms) {
      const to = customer.phone;
      planned.push({ key: 'customer.sms', channel: 'sms', send: (messageId) => deps.sms.send({ ...origin, messageId, to, text: deps.templates.sms(render) }) });
    }

    const done = await deps.deliveries.deliveredKeys(artisan.id, job.id);
    const outcome: InvitationOutcome = { sent: [], skipped: [] };
    const failures: string[] = [];
    for (const p of planned) {
      if (done.has(p.key)) {
        outcome.skipped.push(p.key);
        continue;
      }
      const messageId = `${job.id}.${p.key.replace('.', '-')}@${deps.messageIdDomain}`;
      try {
        const receipt = await p.send(messageId);
        await deps.deliveries.recordDelivery({
          artisanId: artisan.id,
          outboxId: job.id,
          key: p.key,
          channel: p.channel,
          messageId,
          providerRef: receipt.providerRef ?? null,
          bookingId: first.previousBookingId,
          sentMs: deps.clock.now(),
        });
        outcome.sent.push(p.key);
      } catch (error) {
        // The job is retried for the ones that failed only.
        failures.push(`${p.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
    return outcome;
  };
}

export type SendInvitation = ReturnType<typeof makeMaintenanceInvitations>;
