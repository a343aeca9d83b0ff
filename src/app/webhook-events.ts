import type { LifecycleEvent, Transition } from '../domain/booking-lifecycle.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { OutboxMessage } from './ports/booking-store.ts';

/**
 * The events a business's integrations receive (issue 21), derived from booking lifecycle
 * transitions. applyTransition (booking-transitions.ts) is the one place every booking change
 * passes through, whatever the path (customer code and e-mail, manage link, back office, API,
 * Stripe webhook, job): it writes the event to the outbox in the change's own transaction, so
 * there is exactly one event per change and none without its change.
 */
export const WEBHOOK_EVENT_TYPES = [
  'booking.created',
  'booking.confirmed',
  'booking.rescheduled',
  'booking.cancelled',
  'booking.reassigned',
  'booking.completed',
  'booking.no_show',
  'payment.refunded',
  'payment.disputed',
  'message.failed',
  'calendar.sync_failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event "send a test event" sends to one endpoint (never in the catch-up feed). */
export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * Outbox topics: the event as written with its change, one delivery to one endpoint, and the
 * e-mail telling the business an endpoint was turned off.
 */
export const WEBHOOK_TOPICS = { event: 'webhook.event', deliver: 'webhook.deliver', disabled: 'webhook.disabled' } as const;

/** Who cancelled, in the integrator's words: the customer, the business, or the service itself. */
export type CancelActor = 'customer' | 'business' | 'system';

/**
 * The customer's details, kept out of the outbox row (erasing a customer must reach them): the
 * fan-out reads them from the booking row when it renders the event.
 */
export type PersonalFields = 'customer' | 'problemDescription';
export type BookingWithoutPersonal = Omit<BookingRecord, PersonalFields>;

/** What the outbox row of an event carries: the booking after the change, and what the change was. */
export interface WebhookEventPayload {
  type: WebhookEventType;
  occurredMs: number;
  booking: BookingWithoutPersonal;
  /** booking.rescheduled: where the booking was before the move. */
  previous?: { startMs: number; endMs: number };
  /** booking.reassigned: who had the booking before (the booking carries who has it now). */
  previousAssignment?: { technicianId: string | null; teamId: string | null };
  /** booking.cancelled (its reason, personal too, is read from the booking row with the customer). */
  cancellation?: { actor: CancelActor };
  /** message.failed: which message to the customer and the business could not be sent. */
  message?: { kind: string; attempts: number };
  /** booking.cancelled: the refund decided; payment.refunded: what the provider gave back. */
  refund?: { depositCents: number; decidedCents?: number; amountCents?: number; totalRefundedCents: number; outcome: RefundOutcome };
}

/**
 * `none`: nothing to give back (no deposit, or none refunded by the policy); `pending`: the
 * refund is decided and the provider is asked (a payment.refunded follows); `refunded`: given back.
 */
export type RefundOutcome = 'none' | 'pending' | 'refunded';

const actorOf = (b: BookingRecord): CancelActor => (b.cancelledBy === 'customer' ? 'customer' : b.cancelledBy === 'artisan' ? 'business' : 'system');

/** The booking without the customer's details, as an event's outbox row carries it. */
function withoutPersonal(b: BookingRecord): BookingWithoutPersonal {
  const { customer: _customer, problemDescription: _problem, ...booking } = b;
  return booking;
}

/**
 * payment.disputed: the customer's bank opened a chargeback (Stripe's charge.dispute.created).
 * Not a lifecycle step (the booking keeps its status): written by the one place that records
 * the dispute, in its transaction, the first time only.
 */
export function disputeEventOf(disputed: BookingRecord, nowMs: number): OutboxMessage {
  const payload: WebhookEventPayload = { type: 'payment.disputed', occurredMs: nowMs, booking: withoutPersonal(disputed) };
  return { topic: WEBHOOK_TOPICS.event, bookingId: disputed.id, payload: payload as unknown as Record<string, unknown> };
}

/**
 * booking.reassigned: the office handed a booking to another technician or team (issue 20). Not
 * a lifecycle step: written by the one place that changes the assignment, in its transaction,
 * only when the technician or the team changed.
 */
export function reassignedEventOf(before: { technicianId: string | null; teamId: string | null }, after: BookingRecord, nowMs: number): OutboxMessage {
  const payload: WebhookEventPayload = { type: 'booking.reassigned', occurredMs: nowMs, booking: withoutPersonal(after), previousAssignment: before };
  return { topic: WEBHOOK_TOPICS.event, bookingId: after.id, payload: payload as unknown as Record<string, unknown> };
}

/**
 * message.failed, written with the outbox job that went dead (a confirmation, a reminder… that
 * every retry failed to send). It names the booking; the fan-out reads the booking as it is
 * then (the job carries no copy of it). The SMTP or SMS provider's error stays out: it may
 * quote an address.
 */
export interface MessageFailedPayload {
  type: 'message.failed';
  occurredMs: number;
  bookingId: string;
  message: { kind: string; attempts: number };
}

export function messageFailedEventOf(job: { bookingId: string; kind: string; attempts: number }, nowMs: number): OutboxMessage {
  const payload: MessageFailedPayload = { type: 'message.failed', occurredMs: nowMs, bookingId: job.bookingId, message: { kind: job.kind, attempts: job.attempts } };
  return { topic: WEBHOOK_TOPICS.event, bookingId: job.bookingId, payload: payload as unknown as Record<string, unknown> };
}

/**
 * calendar.sync_failed: a connected calendar stopped syncing (its first failure since it last
 * worked, or since it was connected): written with the failure. Later failures of the same run
 * say nothing more; a sync that works again, then fails, is a new event.
 */
export interface CalendarSyncFailedPayload {
  type: 'calendar.sync_failed';
  occurredMs: number;
  calendar: { id: string; name: string; providerId: string };
  error: string;
}

export function calendarSyncFailedEventOf(calendar: CalendarSyncFailedPayload['calendar'], error: string, nowMs: number): OutboxMessage {
  const payload: CalendarSyncFailedPayload = { type: 'calendar.sync_failed', occurredMs: nowMs, calendar, error };
  return { topic: WEBHOOK_TOPICS.event, payload: payload as unknown as Record<string, unknown> };
}

/** The event a transition makes, if any (holds that never became bookings make none). */
export function webhookEventOf(before: BookingRecord, t: Transition<BookingRecord>, event: LifecycleEvent, nowMs: number): OutboxMessage | undefined {
  const after = t.booking;
  const base = { occurredMs: nowMs, booking: withoutPersonal(after) };
  let payload: WebhookEventPayload | undefined;
  switch (event.type) {
    case 'payment_succeeded':
      // A booking confirmed at once is created; one that waited for 3-D Secure is confirmed.
      payload = { ...base, type: t.from === 'awaiting_authentication' ? 'booking.confirmed' : 'booking.created' };
      break;
    case 'moved':
      payload = { ...base, type: 'booking.rescheduled', previous: { startMs: before.startMs, endMs: before.endMs } };
      break;
    case 'cancelled':
    case 'payment_voided': {
      const decided = after.refundCents;
      const outcome: RefundOutcome = decided <= 0 ? 'none' : after.refundedCents >= decided ? 'refunded' : 'pending';
      payload = {
        ...base,
        type: 'booking.cancelled',
        cancellation: { actor: actorOf(after) },
        refund: { depositCents: after.depositCents, decidedCents: decided, totalRefundedCents: after.refundedCents, outcome },
      };
      break;
    }
    case 'completed':
    case 'no_show':
      // The outcome the business recorded after the appointment (issue 22).
      payload = { ...base, type: event.type === 'completed' ? 'booking.completed' : 'booking.no_show' };
      break;
    case 'deposit_settled':
    case 'refund_recorded':
    case 'late_payment_succeeded':
      if (after.refundedCents > before.refundedCents) {
        payload = {
          ...base,
          type: 'payment.refunded',
          refund: { depositCents: after.depositCents, amountCents: after.refundedCents - before.refundedCents, totalRefundedCents: after.refundedCents, outcome: 'refunded' },
        };
      }
      break;
    default:
      break;
  }
  return payload && { topic: WEBHOOK_TOPICS.event, bookingId: after.id, payload: payload as unknown as Record<string, unknown> };
}
