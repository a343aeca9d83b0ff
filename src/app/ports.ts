import type { Address } from '../domain/address.ts';
import type { BookingStatus, PaymentStatus } from '../domain/booking-lifecycle.ts';
import type { Interval } from '../domain/intervals.ts';
import type { CancelledBy, RefundPolicy } from '../domain/refund-policy.ts';
import type { ScheduleException, WeeklyRule, WeeklySchedule } from '../domain/schedule.ts';
import type { Occupation } from '../domain/slots.ts';

/** What the use cases need from the outside world. Adapters implement these; main wires them. */

export interface Clock {
  now(): number;
}

/** Where use cases report what they cannot hand back to a caller (pino's signature). */
export interface ErrorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Randomness {
  uuid(): string;
  bytes(n: number): Uint8Array;
}

export type { BookingStatus, PaymentStatus } from '../domain/booking-lifecycle.ts';
export type PlanCode = 'starter' | 'pro' | 'business';

export interface ArtisanSettings {
  id: string;
  timezone: string;
  plan: PlanCode;
  slotStepMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  calendarSyncEnabled: boolean;
  schedule: WeeklySchedule;
}

export interface ServiceRecord {
  id: string;
  artisanId: string;
  name: string;
  description: string | null;
  durationMinutes: number;
  basePriceCents: number;
  depositRate: number;
  isActive: boolean;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  refundPolicy: RefundPolicy | null;
}

/** Everything availability and booking need for one service on one day: one round trip. */
export interface DayContext {
  service: ServiceRecord;
  artisan: ArtisanSettings;
  occupations: Occupation[];
}

export interface Customer {
  name: string;
  email: string;
  phone?: string;
  /** Where the intervention takes place; shown to the artisan and to the customer only. */
  address?: Address;
}

/** Online (public API) or taken by the artisan, e.g. on the phone. */
export type BookingChannel = 'online' | 'phone';

export interface BookingRecord {
  id: string;
  publicCode: string;
  artisanId: string;
  serviceId: string;
  serviceName: string;
  status: BookingStatus;
  channel: BookingChannel;
  customer: Customer;
  startMs: number;
  endMs: number;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  priceCents: number;
  depositRate: number;
  depositCents: number;
  paymentStatus: PaymentStatus;
  paymentProvider: string | null;
  paymentIntentId: string | null;
  paymentMethodId: string | null;
  refundCents: number;
  /** What the provider has given back so far (refunds, the released part of an authorisation). */
  refundedCents: number;
  refundPolicy: RefundPolicy;
  notifyEmail: boolean;
  notifySms: boolean;
  timezone: string;
  holdExpiresMs: number | null;
  /** How the deposit is taken: captured at once, or authorised and captured at the start. */
  captureMethod: 'automatic' | 'manual' | null;
  /** The most a customer cancellation refunds (terms kept from a move made late); null: the policy alone. */
  refundCapCents: number | null;
  /** A chargeback opened by the card holder, flagged for the artisan. */
  dispute: BookingDispute | null;
  cancelledBy: CancelledBy | 'system' | null;
  createdMs: number;
  updatedMs: number;
}

export interface BookingDispute {
  openedMs: number;
  reason: string;
  amountCents: number;
  status: string;
}

export interface OutboxMessage {
  topic: string;
  bookingId?: string;
  payload?: Record<string, unknown>;
  runAtMs?: number;
}

export interface BookingEvent {
  bookingId: string;
  type: string;
  actor: string;
  data?: Record<string, unknown>;
}

/** Writes that happen inside one transaction. */
export interface BookingTx {
  /** Re-reads and locks a booking for the rest of the transaction. */
  lockBooking(id: string): Promise<BookingRecord | undefined>;
  /** Saves the mutable fields (status, times, payment, cancellation); SlotTakenError on overlap. */
  updateBooking(booking: BookingRecord, cancellation?: { cancelledAtMs: number; reason: string | null }): Promise<void>;
  /** True when a busy block (calendar or manual) overlaps the interval. */
  busyBlockOverlaps(artisanId: string, interval: Interval): Promise<boolean>;
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

export type DepositCapture = 'capture' | 'authorize';

/** The artisan's capture strategy, as the back office reads and sets it. */
export interface PaymentSettingsStore {
  read(artisanId: string): Promise<DepositCapture>;
  write(artisanId: string, capture: DepositCapture): Promise<void>;
}

export interface BookingStore {
  listActiveServices(): Promise<ServiceRecord[]>;
  /** Service, artisan settings and what occupies [fromMs, toMs): one query. */
  readDayContext(serviceId: string, fromMs: number, toMs: number): Promise<DayContext | undefined>;
  /**
   * A booking's read step in one query: the day context as readDayContext gives it, the
   * service's calendars not synced since `staleMs` (and not leased), and the terms of sale
   * the customer's consent is checked against (undefined when there is no artisan at all).
   */
  readBookingContext(
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
  findBookingById(id: string): Promise<BookingRecord | undefined>;
  /** The live hold this very request took earlier (same customer, slot and payment method). */
  findOwnHold(q: {
    artisanId: string;
    serviceId: string;
    startMs: number;
    customer: Customer;
    paymentMethodId: string | null;
  }): Promise<BookingRecord | undefined>;
  /** Holds whose payment never finished (the process died, the provider timed out). */
  findStaleHolds(nowMs: number, limit: number): Promise<BookingRecord[]>;
  /**
   * Bookings whose payment is not final, for the reconciliation job: holds with a known
   * PaymentIntent not touched since `quietSinceMs`, and holds ended (expired, declined) since
   * `endedSinceMs` whose intent could still succeed late.
   */
  findOpenPayments(q: { quietSinceMs: number; endedSinceMs: number; limit: number }): Promise<BookingRecord[]>;
  transaction<T>(fn: (tx: BookingTx) => Promise<T>): Promise<T>;
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
}

export interface HoldRequest {
  /** The booking to insert (status pending_payment); its captureMethod is decided by the store. */
  booking: BookingRecord;
  actor: string;
  /** True when the appointment is within a card authorisation's life (authorise-only possible). */
  withinAuthorization: boolean;
  cap: { limit: number; fromMs: number; toMs: number } | null;
  consent: { acceptedMs: number; termsVersion: string | null } | null;
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
  | { outcome: 'stale' };

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

export interface DepositRequest {
  idempotencyKey: string;
  amountCents: number;
  currency: 'EUR';
  paymentMethodId?: string;
  description: string;
  metadata: Record<string, string>;
  /** `automatic`: captured at once; `manual`: authorised only, captured later (or released). */
  captureMethod?: 'automatic' | 'manual';
}

/** Where a deposit stands at the provider (a PaymentIntent's status, in the app's words). */
export type DepositResult =
  | {
      outcome: 'succeeded';
      paymentIntentId: string;
      paymentStatus: 'authorized' | 'captured';
      /**
       * The money the intent holds (authorised) or took (captured) and its currency (ISO 4217,
       * upper case), when the provider said: checked against the booking's deposit before it
       * confirms anything.
       */
      amount?: { cents: number; currency: string };
      /** What the provider has refunded on it so far, when it said (its charge's amount_refunded). */
      refundedCents?: number;
    }
  /** 3-D Secure: the customer must authenticate (Stripe.js `handleNextAction` with the client secret). */
  | { outcome: 'requires_action'; paymentIntentId: string; clientSecret: string }
  /** Refused by the bank, or the authentication failed; `declineCode` is the provider's reason. */
  | { outcome: 'declined'; paymentIntentId: string | null; declineCode: string }
  /** Cancelled at the provider (e.g. the hold expired): nothing was charged. */
  | { outcome: 'canceled'; paymentIntentId: string }
  /** Still being processed by the provider: ask again later. */
  | { outcome: 'processing'; paymentIntentId: string };

export interface SettlementRequest {
  idempotencyKey: string;
  paymentIntentId: string;
  /** What the deposit was before: an authorisation is released or partly captured, a capture refunded. */
  currentStatus: 'authorized' | 'captured';
  depositCents: number;
  /** What to give back now: released from an authorisation, or refunded from a capture. */
  refundCents: number;
}

/** A payment service provider. Network failures reject with PaymentUnavailableError. */
export interface PaymentProvider {
  readonly name: 'stripe' | 'other';
  /** Creates and confirms the deposit's PaymentIntent (idempotent on the key). */
  authorizeDeposit(request: DepositRequest): Promise<DepositResult>;
  /** Re-reads a PaymentIntent (after a 3-D Secure challenge, a lost webhook, a crash). */
  retrieveDeposit(paymentIntentId: string): Promise<DepositResult>;
  /** Cancels a PaymentIntent not captured yet; answers where it ended (it may have succeeded first). */
  cancelDeposit(paymentIntentId: string, idempotencyKey: string): Promise<DepositResult>;
  /** Captures an authorised deposit in full (scheduled capture). */
  captureDeposit(request: { paymentIntentId: string; idempotencyKey: string }): Promise<void>;
  /** Rejects with SettlementRefusedError when the provider will never accept it as asked. */
  settleDeposit(request: SettlementRequest): Promise<{ paymentStatus: 'captured' | 'refunded' }>;
}

/**
 * The provider refused a settlement for good (a refund larger than what is left, a charge
 * already refunded, an intent no longer capturable): asking again would fail again. The
 * caller reconciles with where the provider stands instead.
 */
export class SettlementRefusedError extends Error {
  constructor(
    readonly code: string,
    cause?: unknown,
  ) {
    super(`payment provider refused the settlement (${code})`, { cause });
    this.name = 'SettlementRefusedError';
  }
}

export class PaymentUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('payment provider unavailable', { cause });
    this.name = 'PaymentUnavailableError';
  }
}

/** The artisan's own settings as the back office shows and edits them. */
export interface ArtisanProfile {
  id: string;
  displayName: string;
  /** The trade shown with the name ("Plombier chauffagiste"), null when not given. */
  trade: string | null;
  email: string;
  phone: string | null;
  timezone: string;
  plan: PlanCode;
  slotStepMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  closedOnPublicHolidays: boolean;
  openingRules: WeeklyRule[];
  breakRules: WeeklyRule[];
  /** The artisan's terms of sale, accepted by the customer when booking online. */
  termsOfSale: string | null;
}

/** What a settings change writes; absent fields stay, a rule list replaces the whole weekly set. */
export type ArtisanPatch = Partial<Omit<ArtisanProfile, 'id'>>;

export interface SettingsStore {
  readArtisan(artisanId: string): Promise<ArtisanProfile | undefined>;
  /**
   * In one transaction with the artisan row locked: `decide` sees the current settings and
   * returns the change (or throws, and nothing is written). Returns the settings after it.
   */
  updateArtisan(artisanId: string, decide: (current: ArtisanProfile) => ArtisanPatch): Promise<ArtisanProfile>;
  /** Exceptions dated from `from` (inclusive) to `to` (inclusive, when given), by date. */
  listExceptions(artisanId: string, from: string, to?: string): Promise<ScheduleException[]>;
  /** AlreadyExistsError when the artisan already has an exception on that date. */
  insertException(artisanId: string, exception: ScheduleException): Promise<void>;
  deleteException(artisanId: string, id: string): Promise<boolean>;
}

export interface ServiceCatalog {
  /** Every service of the artisan, archived ones included. */
  listServices(artisanId: string): Promise<ServiceRecord[]>;
  findService(artisanId: string, id: string): Promise<ServiceRecord | undefined>;
  /** AlreadyExistsError when the id is taken. */
  insertService(service: ServiceRecord): Promise<void>;
  /** Like updateArtisan: `decide` sees the locked row; undefined when there is no such service. */
  updateService(artisanId: string, id: string, decide: (current: ServiceRecord) => ServiceRecord): Promise<ServiceRecord | undefined>;
  /** Deletes a service no booking ever referenced. */
  deleteService(artisanId: string, id: string): Promise<'deleted' | 'has_bookings' | 'not_found'>;
}

/** A busy block the artisan sees: imported from a calendar, or time off entered by hand. */
export interface BusyBlockRecord {
  id: string;
  artisanId: string;
  providerId: string;
  summary: string;
  startMs: number;
  endMs: number;
}

/** An active booking as the artisan needs it to move it (time off laid over it). */
export interface BookingSummary {
  publicCode: string;
  serviceName: string;
  customerName: string;
  status: BookingStatus;
  startMs: number;
  endMs: number;
}

export interface TimeOffStore {
  /** Calendar and manual blocks overlapping [fromMs, toMs), by start. */
  listBlocks(artisanId: string, fromMs: number, toMs: number): Promise<BusyBlockRecord[]>;
  insertManualBlock(block: BusyBlockRecord): Promise<void>;
  /** Deletes a manual block only (calendar blocks belong to their calendar); false when none. */
  deleteManualBlock(artisanId: string, id: string): Promise<boolean>;
  activeBookingsOverlapping(artisanId: string, interval: Interval): Promise<BookingSummary[]>;
}

/** Raised by a store when a unique key (date of an exception, service id) is already used. */
export class AlreadyExistsError extends Error {
  constructor() {
    super('already exists');
    this.name = 'AlreadyExistsError';
  }
}
