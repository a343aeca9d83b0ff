import { transition, type LifecycleEvent, type Transition } from '../domain/booking-lifecycle.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingTx } from './ports/booking-store.ts';
import { webhookEventOf } from './webhook-events.ts';

/**
 * Applies one lifecycle transition to a locked booking inside the caller's transaction:
 * saves the booking after it and appends the history row. The caller writes the effects the
 * transition names (busy block, outbox rows, deposit settlement). The integrations' event
 * (webhook-events.ts) is written here, once for every path that changes a booking. Throws
 * ForbiddenTransitionError, writing nothing, when the booking's status does not allow it.
 */
export async function applyTransition(
  tx: BookingTx,
  booking: BookingRecord,
  event: LifecycleEvent,
  history: { nowMs: number; actor: string; type?: string; data?: Record<string, unknown>; cancellation?: { reason: string | null } },
): Promise<Transition<BookingRecord>> {
  const t = transition(booking, event);
  const next: BookingRecord = { ...t.booking, updatedMs: history.nowMs };
  await tx.updateBooking(next, history.cancellation ? { cancelledAtMs: history.nowMs, reason: history.cancellation.reason } : undefined);
  await tx.appendEvent({ bookingId: next.id, type: history.type ?? event.type, actor: history.actor, data: history.data });
  const integrationEvent = webhookEventOf(booking, { ...t, booking: next }, event, history.nowMs);
  if (integrationEvent) await tx.enqueue([integrationEvent]);
  return { ...t, booking: next };
}
