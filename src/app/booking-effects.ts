import type { BookingRecord } from '../domain/booking.ts';
import type { BookingTx, OutboxMessage } from './ports/booking-store.ts';

/**
 * The outbox rows each booking change writes in its own transaction. Workers (notifications,
 * calendar export, deposit settlement) consume them; none of them runs inside a request.
 */
export const TOPICS = {
  confirmed: 'notify.booking_confirmed',
  cancelled: 'notify.booking_cancelled',
  rescheduled: 'notify.booking_rescheduled',
  reminder: 'notify.reminder',
  calendar: 'calendar.booking_changed',
  settle: 'payment.settle',
  /** Capture of an authorised-only deposit, due when the appointment starts. */
  capture: 'payment.capture',
  /** Retries cancelling the PaymentIntent of a hold that expired while the provider was unreachable. */
  voidPayment: 'payment.void',
  /** A provider event (webhook) to process. */
  webhook: 'payment.webhook',
  /** The customer is told a payment that came after their hold expired is refunded. */
  latePaymentRefunded: 'notify.late_payment_refunded',
} as const;

const HOUR = 3_600_000;

function reminder(booking: BookingRecord, nowMs: number, hoursBefore: number): OutboxMessage[] {
  if (hoursBefore <= 0) return [];
  const runAtMs = booking.startMs - hoursBefore * HOUR;
  return runAtMs > nowMs ? [{ topic: TOPICS.reminder, bookingId: booking.id, runAtMs, payload: { startMs: booking.startMs } }] : [];
}

/** The lead time given, else the artisan's setting (reminder_hours_before, 24 by default). */
const leadHours = async (tx: BookingTx, booking: BookingRecord, given: number | undefined): Promise<number> =>
  given ?? (await tx.reminderHours(booking.artisanId));

export async function recordConfirmed(tx: BookingTx, booking: BookingRecord, nowMs: number, reminderHours?: number): Promise<void> {
  await tx.putBookingBusyBlock(booking);
  await tx.enqueue([
    { topic: TOPICS.confirmed, bookingId: booking.id },
    { topic: TOPICS.calendar, bookingId: booking.id, payload: { change: 'created' } },
    ...reminder(booking, nowMs, await leadHours(tx, booking, reminderHours)),
  ]);
}

export async function recordRescheduled(
  tx: BookingTx,
  booking: BookingRecord,
  previousStartMs: number,
  nowMs: number,
  reminderHours?: number,
  by: 'customer' | 'artisan' = 'customer',
): Promise<void> {
  await tx.putBookingBusyBlock(booking);
  await tx.cancelPending(booking.id, [TOPICS.reminder]);
  // Several moves before the worker runs make one message saying what truly changed: from the
  // start the earliest unsent one moved away from, to where the booking is now (none at all
  // when it is back where it was). Its from/to are captured here, so it describes its change.
  const superseded = await tx.supersedePending(booking.id, TOPICS.rescheduled);
  const firstFrom = superseded.find((p) => typeof p.previousStartMs === 'number')?.previousStartMs as number | undefined;
  const fromMs = firstFrom ?? previousStartMs;
  // `by`: the artisan is not told about a move they made themselves (only if every folded move was theirs).
  const byAll = superseded.some((p) => p.by === 'customer') ? 'customer' : by;
  await tx.enqueue([
    ...(fromMs === booking.startMs ? [] : [{ topic: TOPICS.rescheduled, bookingId: booking.id, payload: { previousStartMs: fromMs, startMs: booking.startMs, by: byAll } }]),
    { topic: TOPICS.calendar, bookingId: booking.id, payload: { change: 'moved' } },
    ...reminder(booking, nowMs, await leadHours(tx, booking, reminderHours)),
  ]);
}

/** `reason`: the artisan's words for the customer ("Motif (facultatif, transmis au client)"), carried to the messages. */
/** `by`: 'artisan' when the artisan recorded it (theirs, or the customer's by phone): they are not alerted of it. */
export async function recordCancelled(tx: BookingTx, booking: BookingRecord, settleAtMs: number | null, reason?: string, by?: 'artisan'): Promise<void> {
  await tx.removeBookingBusyBlock(booking.id);
  await tx.cancelPending(booking.id, [TOPICS.reminder, TOPICS.capture]);
  const messages: OutboxMessage[] = [
    // What was refunded before the cancellation: the message tells it apart from the refund it makes.
    { topic: TOPICS.cancelled, bookingId: booking.id, payload: { refundedBeforeCents: booking.refundedCents, ...(reason ? { reason } : {}), ...(by ? { by } : {}) } },
    { topic: TOPICS.calendar, bookingId: booking.id, payload: { change: 'cancelled' } },
  ];
  if (settleAtMs !== null) messages.push({ topic: TOPICS.settle, bookingId: booking.id, runAtMs: settleAtMs });
  await tx.enqueue(messages);
}
