import type { Clock } from './ports/clock.ts';
import { isBooked } from '../domain/booking-lifecycle.ts';
import type { Channel, EmailMessage, Mailer, MessageTemplates, NotificationContext, NotificationKind, NotificationStore, RecipientKind, SmsSender } from './ports/notifications.ts';
import type { ManageLinks } from './manage-link.ts';
import { TOPICS } from './booking-effects.ts';
import { planLimits } from '../domain/plans.ts';

export interface NotificationJob {
  id: string;
  topic: string;
  bookingId: string | null;
  payload: Record<string, unknown>;
}

export type NotifyOutcome = { sent: string[]; skipped: string[]; stale?: string };

const KIND_BY_TOPIC: Record<string, NotificationKind> = {
  [TOPICS.confirmed]: 'confirmed',
  [TOPICS.cancelled]: 'cancelled',
  [TOPICS.rescheduled]: 'rescheduled',
  [TOPICS.reminder]: 'reminder',
  [TOPICS.latePaymentRefunded]: 'payment_refunded',
};

export const NOTIFICATION_TOPICS = Object.keys(KIND_BY_TOPIC);
/** The message an outbox topic sends (confirmed, reminder…), or undefined for other topics. */
export const notificationKindOf = (topic: string): NotificationKind | undefined => KIND_BY_TOPIC[topic];


/** Why a job's messages no longer make sense (the booking moved on since it was written). */
function staleness(kind: NotificationKind, ctx: NotificationContext, job: NotificationJob, nowMs: number): string | undefined {
  const { booking } = ctx;
  if (kind === 'cancelled') return booking.status === 'cancelled' ? undefined : 'booking not cancelled';
  if (kind === 'payment_refunded') return undefined; // about money returned: always worth saying
  if (!isBooked(booking.status)) return 'booking no longer active';
  if (kind === 'reminder' && job.payload.startMs !== booking.startMs) return 'booking moved since the reminder was scheduled';
  // A move's message describes that move; a later move wrote its own (folding this one's "from").
  if (kind === 'rescheduled' && typeof job.payload.startMs === 'number' && job.payload.startMs !== booking.startMs) return 'booking moved again since';
  // A message delayed past the appointment (long outage, late retry) would only confuse.
  if (booking.startMs <= nowMs) return 'appointment already started';
  return undefined;
}

interface Planned {
  key: string;
  channel: Channel;
  recipientKind: RecipientKind;
  send(messageId: string): Promise<{ providerRef?: string }>;
}

/**
 * Sends the messages of one outbox job (confirmation, cancellation, reschedule, reminder) to
 * the customer and the artisan. At least once, never twice on purpose: each delivery is
 * recorded as it leaves, and a retried job (a later message failed, or the worker died before
 * marking the job done) skips what is recorded. Each message's id is derived from the job and
 * recipient, so even a resend after a crash between "sent" and "recorded" is recognisable.
 */
export function makeNotifyBooking(deps: {
  store: NotificationStore;
  mailer: Mailer;
  sms: SmsSender;
  templates: MessageTemplates;
  links: Pick<ManageLinks, 'urlFor'>;
  clock: Clock;
  /** The domain part of Message-IDs (from MAIL_FROM). */
  messageIdDomain: string;
}) {
  return async function notifyBooking(job: NotificationJob): Promise<NotifyOutcome> {
    const kind = KIND_BY_TOPIC[job.topic];
    if (!kind || !job.bookingId) return { sent: [], skipped: [], stale: 'not a booking notification' };
    const ctx = await deps.store.readContext(job.bookingId);
    if (!ctx) return { sent: [], skipped: [], stale: 'booking not found' };
    const stale = staleness(kind, ctx, job, deps.clock.now());
    if (stale) return { sent: [], skipped: [], stale };

    const { booking, artisan } = ctx;
    const manageUrl = deps.links.urlFor(booking);
    const previousStartMs = typeof job.payload.previousStartMs === 'number' ? job.payload.previousStartMs : undefined;
    const refundedBeforeCents = typeof job.payload.refundedBeforeCents === 'number' ? job.payload.refundedBeforeCents : undefined;
    const cancellationReason = typeof job.payload.reason === 'string' ? job.payload.reason : undefined;
    const input = { kind, ctx, manageUrl, previousStartMs, refundedBeforeCents, cancellationReason };
    const origin = { kind, artisanId: booking.artisanId, bookingId: booking.id, outboxId: job.id };
    const invite = (): EmailMessage['ics'] => {
      if (kind === 'payment_refunded') return undefined; // no appointment to put in a calendar
      const method = kind === 'cancelled' ? 'CANCEL' : 'REQUEST';
      return { method, content: deps.templates.calendarInvite(ctx, method) };
    };

    const planned: Planned[] = [];
    const email = booking.customer.email;
    // A phone booking may have no e-mail: confirmed by SMS, or not at all.
    if (booking.notifyEmail && email) {
      planned.push({
        key: 'customer.email',
        channel: 'email',
        recipientKind: 'customer',
        send: (messageId) =>
          deps.mailer.send({
            ...origin,
            recipientKind: 'customer',
            messageId,
            to: { name: booking.customer.name, address: email },
            sender: { name: artisan.displayName, replyTo: artisan.email },
            ...deps.templates.customerEmail(input),
            ics: invite(),
          }),
      });
    }
    if (booking.notifySms && booking.customer.phone && planLimits(artisan.plan).sms) {
      const phone = booking.customer.phone;
      planned.push({
        key: 'customer.sms',
        channel: 'sms',
        recipientKind: 'customer',
        send: (messageId) => deps.sms.send({ ...origin, recipientKind: 'customer', messageId, to: phone, text: deps.templates.customerSms(input) }),
      });
    }
    // The artisan is not told about what they did themselves (a phone booking, their own cancellation or move).
    const ownDoing =
      (kind === 'confirmed' && booking.channel === 'phone') ||
      (kind === 'cancelled' && (booking.cancelledBy === 'artisan' || job.payload.by === 'artisan')) ||
      (kind === 'rescheduled' && job.payload.by === 'artisan');
    const forArtisan = artisan.notifyArtisanEmail && !ownDoing ? deps.templates.artisanEmail(input) : undefined;
    if (forArtisan) {
      planned.push({
        key: 'artisan.email',
        channel: 'email',
        recipientKind: 'artisan',
        send: (messageId) =>
          deps.mailer.send({ ...origin, recipientKind: 'artisan', messageId, to: { name: artisan.displayName, address: artisan.email }, ...forArtisan, ics: invite() }),
      });
    }

    // The SMS alert, chosen in the settings, only on a plan with SMS.
    const artisanSms = artisan.notifyArtisanSms && artisan.phone && planLimits(artisan.plan).sms && !ownDoing ? deps.templates.artisanSms(input) : undefined;
    if (artisanSms && artisan.phone) {
      const phone = artisan.phone;
      planned.push({
        key: 'artisan.sms',
        channel: 'sms',
        recipientKind: 'artisan',
        send: (messageId) => deps.sms.send({ ...origin, recipientKind: 'artisan', messageId, to: phone, text: artisanSms }),
      });
    }

    const done = await deps.store.deliveredKeys(booking.artisanId, job.id);
    const outcome: NotifyOutcome = { sent: [], skipped: [] };
    const failures: string[] = [];
    // The job's messages leave together (customer e-mail, SMS, artisan e-mail): each is
    // recorded as soon as it is accepted, and one failing does not stop the others.
    await Promise.all(
      planned.map(async (p) => {
        if (done.has(p.key)) {
          outcome.skipped.push(p.key);
          return;
        }
        const messageId = `${job.id}.${p.key.replace('.', '-')}@${deps.messageIdDomain}`;
        try {
          const receipt = await p.send(messageId);
          await deps.store.recordDelivery({
            artisanId: booking.artisanId,
            outboxId: job.id,
            key: p.key,
            channel: p.channel,
            messageId,
            providerRef: receipt.providerRef ?? null,
            bookingId: booking.id,
            sentMs: deps.clock.now(),
          });
          outcome.sent.push(p.key);
        } catch (error) {
          // The job is retried for the ones that failed only.
          failures.push(`${p.key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    const order = (keys: string[]) => planned.map((p) => p.key).filter((k) => keys.includes(k));
    outcome.sent = order(outcome.sent);
    outcome.skipped = order(outcome.skipped);
    if (failures.length > 0) throw new Error(failures.join('; '));
    return outcome;
  };
}

export type NotifyBooking = ReturnType<typeof makeNotifyBooking>;
