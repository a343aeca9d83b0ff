import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { failedDeliveries, failedMessageTexts, type FailedKind } from '../domain/failed-message.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { Clock } from './ports/clock.ts';

/** A notification job that failed (for good, or so far and to be tried again), as stored. */
export interface FailedJobRow {
  id: string;
  topic: string;
  status: 'dead' | 'pending';
  attempts: number;
  lastError: string | null;
  runAtMs: number;
  publicCode: string;
  customerName: string;
  bookingStartMs: number;
}

export interface FailedMessageStore {
  /** The artisan's notification jobs that failed: one booking's, or those of bookings not over at `endsAfterMs`. */
  list(artisanId: string, filter: { publicCode?: string; endsAfterMs?: number; limit: number }): Promise<FailedJobRow[]>;
  /** Sends it again now (a dead one gets a new series of tries); false when it is not the artisan's or not failed. */
  retryNow(artisanId: string, id: string, nowMs: number): Promise<boolean>;
}

const KIND_BY_TOPIC: Record<string, FailedKind> = {
  'notify.booking_confirmed': 'confirmed',
  'notify.booking_cancelled': 'cancelled',
  'notify.booking_rescheduled': 'rescheduled',
  'notify.reminder': 'reminder',
  'notify.late_payment_refunded': 'payment_refunded',
};
export const FAILED_MESSAGE_TOPICS = Object.keys(KIND_BY_TOPIC);

export interface FailedMessage {
  id: string;
  bookingCode: string;
  customerName: string;
  bookingStartMs: number;
  kind: FailedKind;
  /** French sentences, one per message that could not be sent. */
  texts: string[];
  /** `dead`: the automatic tries are over; `retrying`: another one is planned at `nextAttemptMs`. */
  state: 'dead' | 'retrying';
  nextAttemptMs?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The messages that could not be sent, shown where the artisan looks (the booking, the agenda)
 * in French, with a retry; the technical error stays in the log and the messages screen.
 */
export function makeFailedMessages(deps: { store: FailedMessageStore; clock: Clock }) {
  const present = (r: FailedJobRow): FailedMessage => {
    const kind = KIND_BY_TOPIC[r.topic] ?? 'confirmed';
    return {
      id: r.id,
      bookingCode: r.publicCode,
      customerName: r.customerName,
      bookingStartMs: r.bookingStartMs,
      kind,
      texts: failedMessageTexts(kind, failedDeliveries(r.lastError), r.customerName),
      state: r.status === 'dead' ? 'dead' : 'retrying',
      ...(r.status === 'dead' ? {} : { nextAttemptMs: r.runAtMs }),
    };
  };
  return {
    /** One booking's (`bookingCode`), or else those of every booking not over yet. */
    async list(artisanId: string, filter: { bookingCode?: string }): Promise<FailedMessage[]> {
      let publicCode: string | undefined;
      if (filter.bookingCode !== undefined) {
        publicCode = normalizePublicCode(filter.bookingCode);
        if (!publicCode) throw new ValidationError([{ field: 'bookingCode', message: 'Le code de réservation doit avoir la forme AC-XXXXXX.' }]);
      }
      const rows = await deps.store.list(artisanId, publicCode ? { publicCode, limit: 50 } : { endsAfterMs: deps.clock.now(), limit: 50 });
      return rows.map(present);
    },
    async retry(artisanId: string, id: string): Promise<void> {
      if (!UUID_RE.test(id) || !(await deps.store.retryNow(artisanId, id, deps.clock.now()))) {
        throw new NotFoundError('FAILED_MESSAGE_NOT_FOUND', "Ce message n'est pas en échec (il est peut-être déjà reparti).");
      }
    },
  };
}

export type FailedMessages = ReturnType<typeof makeFailedMessages>;
