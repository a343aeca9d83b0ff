import type { TechnicianLoad } from '../../domain/routing.ts';
import type { BookingEvent, BookingRecord, Customer } from '../../domain/booking.ts';
import type { DayContext } from '../../domain/day-context.ts';
import type { Interval } from '../../domain/intervals.ts';
import type { ServiceRecord } from '../../domain/service.ts';

export interface OutboxMessage {
  topic: string;
  bookingId?: string;
  payload?: Record<string, unknown>;
  runAtMs?: number;
}

/** Writes that happen inside one transaction, all of one business's rows. */
export interface BookingTx {
  /** Re-reads and locks a booking for the rest of the transaction. */
  lockBooking(id: string): Promise<BookingRecord | undefined>;
  /** Saves the mutable fields (status, times, payment, cancellation); SlotTakenError on overlap. */
  updateBooking(booking: BookingRecord, cancellation?: { cancelledAtMs: number; reason: string | null }): Promise<void>;
  /** True when a busy block (calendar or manual) overlaps the interval. */
  /** With `technicianId`: only that member's blocks and the business's (no member) count. */
  busyBlockOverlaps(artisanId: string, interval: Interval, technicianId?: string): Promise<boolean>;
  /** Creates or moves the booking's own busy-block entry (source 'booking'). */
  putBookingBusyBlock(booking: BookingRecord): Promise<void>;
  removeBookingBusyBlock(bookingId: string): Promise<void>;
  enqueue(messages: OutboxMessage[]): Promise<void>;
  /** Cancels pending outbox rows of a booking for the given topics (e.g. reminders). */
  cancelPending(bookingId: string, topics: string[]): Promise<void>;
  /** Cancels the booking's pending rows of one topic (a later change replaces them); their payloads, oldest first. */
  supersedePending(bookingId: string, topic: string): Promise<Record<string, unknown>[]>;
  /** Marks pending outbox rows of a booking done (the work was carried out inline). */
  completePending(bookingId: string, topics: string[]): Promise<void>;
  appendEvent(event: BookingEvent): Promise<void>;
  /** The artisan's reminder lead time in hours (0: no reminder). */
  reminderHours(artisanId: string): Promise<number>;
}

export interface BookingStore {
  /** The business's active services; empty when there is no such business. */
  listActiveServices(artisanId: string): Promise<ServiceRecord[]>;
  /** Service, artisan settings and what occupies [fromMs, toMs): one query. */
  readDayContext(artisanId: string, serviceId: string, fromMs: number, toMs: number): Promise<DayContext | undefined>;
  /**
   * A booking's read step in one query: the day context as readDayContext gives it, the
   * service's calendars not synced since `staleMs` (and not leased), and the terms of sale
   * the customer's consent is checked against (undefined when there is no artisan at all).
   */
  readBookingContext(
    artisanId: string,
    serviceId: string,
    fromMs: number,
    toMs: number,
    calendars: { nowMs: number; staleMs: number },
  ): Promise<{
    ctx: DayContext | undefined;
    staleCalendars: { artisanId: string; id: string }[];
    terms: { text: string | null } | undefined;
    /** What the day's offered times depend on besides its occupations (migration 0024); HoldRequest.planned sends it back. */
    rulesStamp: string | null;
  }>;
  findBookingByCode(publicCode: string): Promise<BookingRecord | undefined>;
  /**
   * By the booking's id (a random UUID, unique on the instance): jobs and signed links carry it.
   * With `artisanId`, that business's booking only (a link followed under a business's address).
   */
  findBookingById(id: string, artisanId?: string): Promise<BookingRecord | undefined>;
  /** The live hold this very request took earlier (same customer, slot and payment method). */
  findOwnHold(q: {
    artisanId: string;
    serviceId: string;
    startMs: number;
    customer: Customer;
    paymentMethodId: string | null;
  }): Promise<BookingRecord | undefined>;
  /**
   * Routing's tie-break (src/domain/routing.ts, rankTechnicians): for each of the business's
   * technicians named, the minutes of their active bookings starting in [weekFromMs, weekToMs)
   * and the start of their latest active booking before `beforeMs` (absent: none).
   */
  technicianLoads(artisanId: string, technicianIds: readonly string[], q: { weekFromMs: number; weekToMs: number; beforeMs: number }): Promise<Map<string, TechnicianLoad>>;
  /** Holds whose payment never finished (the process died, the provider timed out). */
  findStaleHolds(nowMs: number, limit: number): Promise<BookingRecord[]>;
  /**
   * Bookings whose payment is not final, for the reconciliation job: holds with a known
   * PaymentIntent not touched since `quietSinceMs`, and holds ended (expired, declined) since
   * `endedSinceMs` whose intent could still succeed late.
   */
  findOpenPayments(q: { quietSinceMs: number; endedSinceMs: number; limit: number }): Promise<BookingRecord[]>;
  /** A transaction over one business's rows (the booking's `artisanId`). */
  transaction<T>(artisanId: string, fn: (tx: BookingTx) => Promise<T>): Promise<T>;
  /**
   * Takes the slot with a live hold in one round trip (one statement, its own transaction):
   * plan cap under the artisan's write lock, external busy blocks, capture strategy, the
   * booking and its history row, the consent and the Idempotency-Key's link when given.
   * Rejects with SlotTakenError (overlap) or DuplicateCodeError (public code taken).
   */
  holdSlot(request: HoldRequest): Promise<HoldOutcome>;
  /**
   * Runs fn against a transaction that only plans its writes, then applies them in one round
   * trip if the booking is still as `expected` (same status, updated time and intent).
   * `applied: false`, nothing written, when it changed meanwhile or fn needed a read the
   * plan cannot answer: the caller then runs the general transaction.
   */
  applyPlanned<T>(
    expected: BookingRecord,
    known: { reminderHours?: number },
    fn: (tx: BookingTx) => Promise<T>,
  ): Promise<{ applied: true; value: T } | { applied: false }>;
  /**
   * holdSlot, then, when held, `settle` with applyPlanned inside the same transaction: the hold
   * and its outcome commit together (one commit instead of two). Only for a booking with no
   * external call between the two (no deposit to ask a provider for): the hold must be durable
   * before a PaymentIntent can exist. `settled` is what settle answered; when the planned writes
   * could not be applied (settle answers undefined) the hold commits alone and the caller
   * settles it as after a provider call. Rejects as holdSlot does, with nothing written.
   */
  holdAndSettle<T>(
    request: HoldRequest,
    settle: (held: Extract<HoldOutcome, { outcome: 'held' }>, tx: Pick<BookingStore, 'applyPlanned'>) => Promise<T | undefined>,
  ): Promise<{ held: HoldOutcome; settled: T | undefined }>;
}

export interface HoldRequest {
  /** The booking to insert (status pending_payment); its captureMethod is decided by the store. */
  booking: BookingRecord;
  actor: string;
  /** True when the appointment is within a card authorisation's life (authorise-only possible). */
  withinAuthorization: boolean;
  cap: { limit: number; fromMs: number; toMs: number } | null;
  /** `nextVisit`: « Me proposer le prochain entretien » ticked (issue 22). */
  consent: { acceptedMs: number; termsVersion: string | null; nextVisit?: boolean } | null;
  idempotency: { scope: string; key: string } | null;
  /**
   * Set when the time was checked against a kept copy of the day's rules, not a fresh read:
   * the hold answers `stale` if that copy's rules stamp moved or, with `calendars`, a calendar
   * is due for its sync before a booking (not synced since `staleBeforeMs`, not leased at `nowMs`).
   */
  planned?: { rulesStamp: string; calendars?: { staleBeforeMs: number; nowMs: number } };
}

export type HoldOutcome =
  | { outcome: 'held'; captureMethod: 'automatic' | 'manual'; reminderHours: number }
  | { outcome: 'plan_limit' }
  /** `own`: the range is held by this very customer's live hold (same slot, details and payment method). */
  | { outcome: 'slot_taken'; own?: boolean }
  | { outcome: 'stale' }
  /** An online booking of a business the operator suspended (its phone, to say so). */
  | { outcome: 'suspended'; phone: string | null };

/** Raised by the store when the database's exclusion constraint refuses an overlap. */
export class SlotTakenError extends Error {
  constructor() {
    super('slot taken');
    this.name = 'SlotTakenError';
  }
}

/** Raised by the store when a generated public code collides with an existing one. */
export class DuplicateCodeError extends Error {
  constructor() {
    super('duplicate public code');
    this.name = 'DuplicateCodeError';
  }
}
