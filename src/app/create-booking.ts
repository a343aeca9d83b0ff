import { minNoticeMs } from '../domain/service.ts';
import { Temporal } from 'temporal-polyfill';
import { forcedOverlap, forcedSlot, notOfferedToArtisan, whyNotOffered } from './forced-slot.ts';
import {
  ConflictError,
  NotFoundError,
  PolicyError,
  ValidationError,
  serviceNotFound,
  slotUnavailable,
  type ErrorDetail,
} from '../domain/errors.ts';
import { depositCents } from '../domain/money.ts';
import { generatePublicCode } from '../domain/public-code.ts';
import { DEFAULT_REFUND_POLICY } from '../domain/refund-policy.ts';
import { applyKnownOutcome, applyPaymentOutcome, authorizeDeposit, bookingOrRefusal, type AppliedOutcome } from './payment-outcome.ts';
import { checkAtCustomer, checkSmsPhone, normalizeCustomer, normalizeProblemDescription } from './customer-input.ts';
import { findOfferedSlot, loadWindow, offeredByRules, parseRequestedStart, planDay, readDay, withinHorizon } from './day-plan.ts';
import type { Slot } from '../domain/slots.ts';
import { businessSuspended, termsChanged } from './public-profile.ts';
import { phoneForReading } from '../domain/phone-format.ts';
import { termsVersion } from '../domain/terms.ts';
import type { Address } from '../domain/address.ts';
import { planLimits } from '../domain/plans.ts';
import { localDayBounds, localMonthBounds, weekOf } from '../domain/time.ts';
import { assignmentExplanation, rankTechnicians, type Assignment } from '../domain/routing.ts';
import { routePlace } from './route-place.ts';
import type { FrenchPlaces } from './ports/places.ts';
import { footprint } from '../domain/intervals.ts';
import { BoundedMap, KEPT_DAYS, NO_FLIGHTS, dayKey, makeHoldFlights, type HoldFlights } from './creation-state.ts';
import { DuplicateCodeError, SlotTakenError, type BookingStore, type HoldRequest } from './ports/booking-store.ts';
import type { BookingRecord, Customer } from '../domain/booking.ts';
import type { Clock } from './ports/clock.ts';
import type { DayContext } from '../domain/day-context.ts';
import type { PaymentProvider } from './ports/payments.ts';
import type { Randomness } from './ports/randomness.ts';

export interface CreateBookingInput {
  /** The business booked (from the page's address, or the signed-in artisan's). */
  artisanId: string;
  serviceId: string;
  date: string;
  time: string;
  /** `email` is optional for a booking the artisan takes (then a phone is required); the public API requires it. */
  customer: { name: string; email?: string | null; phone?: string | null; address?: Address | null };
  /** "Décrivez le problème": optional free text for the artisan. */
  problemDescription?: string | null;
  notifications?: { email?: boolean; sms?: boolean };
  paymentMethodId?: string;
}

/** A booking the artisan takes themselves (phone): same slot rules, deposit optional, no plan cap. */
export interface ArtisanBookingOptions {
  actor: string;
  /** false: no deposit is asked (amount 0); true: the deposit is charged like online. */
  collectDeposit: boolean;
  /**
   * Place the booking at this time although the page does not offer it (outside hours, in a
   * break, off the grid, within the notice, past the horizon) once the artisan was told why
   * (SLOT_NOT_OFFERED's details). Never over another booking: the database still refuses that.
   */
  force?: boolean;
}

/** A booking made, or held while the customer completes a 3-D Secure challenge. */
export interface CreateBookingResult {
  booking: BookingRecord;
  challenge: { clientSecret: string; holdExpiresMs: number } | null;
}

/** Stripe card authorisations last about 7 days: appointments further out are captured at booking. */
export const MAX_AUTHORIZATION_MS = 7 * 86_400_000;

export interface CreateBookingDeps {
  store: BookingStore;
  payments: PaymentProvider;
  clock: Clock;
  random: Randomness;
  /** How long a slot stays held while the deposit is being authorised. */
  holdMinutes: number;
  /** Requests racing for one slot wait for the first one's hold (HoldFlights); default true. */
  shareRacingHolds?: boolean;
  /**
   * Stripe Connect: refuses (DEPOSIT_NOT_ONLINE) a deposit for a business whose own Stripe
   * account cannot take one yet. Unset: every business can (own keys, simulated payments).
   */
  checkOnlineDeposits?: (artisanId: string) => Promise<void>;
  /** The official list of places, for a business that routes by zone (route-place.ts). */
  places?: FrenchPlaces;
  /** Calendars not synced for `staleMs` are synced before the booking is taken (bounded by sync itself). */
  calendars?: { staleMs: number; sync: (stale: { artisanId: string; id: string }[]) => Promise<void> };
}

/** The terms the customer accepted must be the artisan's current ones. */
function checkTerms(terms: { text: string | null } | undefined, accepted: { termsVersion: string | null }): void {
  if (!terms) throw new NotFoundError('ARTISAN_NOT_FOUND', 'Aucun artisan n’est encore configuré.');
  if (termsVersion(terms.text) !== accepted.termsVersion) throw termsChanged();
}

const CODE_ATTEMPTS = 5;

export function makeCreateBooking(deps: CreateBookingDeps) {
  /** Days whose rules a booking was checked against, by service and date (holdFromKept). */
  const keptDays = new BoundedMap<string, KeptDay>(KEPT_DAYS);
  const flights = deps.shareRacingHolds === false ? NO_FLIGHTS : makeHoldFlights();
  return async function createBooking(
    input: CreateBookingInput,
    byArtisan?: ArtisanBookingOptions,
    hooks: CreateBookingHooks = {},
  ): Promise<CreateBookingResult> {
    const details: ErrorDetail[] = [];
    const { date, minutes } = parseRequestedStart(input, { date: 'date', time: 'time' }, details);
    const customer = normalizeCustomer(input.customer, details, 'customer', { emailOptional: byArtisan !== undefined });
    const problemDescription = normalizeProblemDescription(input.problemDescription, details);
    const notifySms = input.notifications?.sms ?? false;
    if (notifySms) checkSmsPhone(customer, details);
    if (input.notifications?.email === true && !customer.email && !details.some((d) => d.field === 'customer.email')) {
      details.push({ field: 'customer.email', message: 'Une adresse e-mail est nécessaire pour envoyer la confirmation par e-mail.' });
    }
    if (details.length > 0 || !date || minutes === undefined) {
      if (hooks.consent || !byArtisan) {
        const read = await deps.store.readBookingContext(input.artisanId, input.serviceId, 0, 0, { nowMs: 0, staleMs: 0 });
        // Stale terms are said first, as when the terms are checked before anything else.
        if (hooks.consent) checkTerms(read.terms, hooks.consent);
        // Every field at once: what a visit at home requires too, not in a second round.
        if (!byArtisan && read.ctx?.service.isActive && read.ctx.service.atCustomer) checkAtCustomer(customer, details);
      }
      throw new ValidationError(details);
    }

    const keptKey = dayKey(input.artisanId, input.serviceId, date);
    // Hold first: the day's rules were read before and the hold confirms they still hold.
    const kept = keptDays.get(keptKey);
    if (kept) {
      const fast = await holdFromKept(deps, kept, { input, date, minutes, customer, problemDescription, notifySms, byArtisan, hooks, flights });
      if (fast) return fast;
      keptDays.delete(keptKey);
    }

    // One read: the day, the calendars to sync first, the terms of sale.
    const { fromMs, toMs } = loadWindow(date);
    const read = await deps.store.readBookingContext(input.artisanId, input.serviceId, fromMs, toMs, {
      nowMs: deps.clock.now(),
      staleMs: deps.calendars?.staleMs ?? 0,
    });
    if (hooks.consent) checkTerms(read.terms, hooks.consent);
    let ctx = read.ctx;
    if (deps.calendars && read.staleCalendars.length > 0) {
      // A calendar not synced for an interval is synced first (for a bounded time), then the day read again.
      await deps.calendars.sync(read.staleCalendars);
      ctx = await readDay(deps.store, input.artisanId, input.serviceId, date);
    } else if (ctx && read.rulesStamp !== null && ctx.technicians.length === 0) {
      // Not for a business that routes: which technician is free is decided on a fresh read.
      keptDays.set(keptKey, { ctx, terms: read.terms, rulesStamp: read.rulesStamp, date, offered: undefined });
    }
    if (!ctx || !ctx.service.isActive) throw serviceNotFound();
    if (!byArtisan && ctx.service.atCustomer) {
      checkAtCustomer(customer, details);
      if (details.length > 0) throw new ValidationError(details);
    }
    const place = routePlace(ctx, customer.address?.postalCode, deps, { field: 'customer.address.postalCode', asArtisan: byArtisan !== undefined });
    const now = deps.clock.now();
    const plan = planDay(ctx, date, now, undefined, place);
    if (byArtisan) {
      const offered = plan.slots.find((s) => s.startMinutes === minutes);
      if (!offered && Temporal.PlainDate.compare(date, plan.today) >= 0) {
        const slot = forcedSlot(ctx, date, minutes, now);
        if (!byArtisan.force) throw notOfferedToArtisan(whyNotOffered(ctx, plan, date, minutes, slot.startMs, now));
        // The hold decides overlaps (bookings and calendar events), forced or not.
        try {
          const held = await holdNew(deps, { input, ctx, slot, customer, problemDescription, notifySms, byArtisan, hooks, now, flights });
          if (held) return held;
        } catch (error) {
          if (!(error instanceof ConflictError && error.code === 'SLOT_UNAVAILABLE')) throw error;
        }
        throw forcedOverlap(ctx, slot);
      }
    }
    const slot = findOfferedSlot(plan, date, minutes, 'date');
    if (!slot.available) {
      // The customer retrying after "payment unavailable": their own hold still holds the
      // slot. Resume it (same booking, same idempotency key) instead of refusing them.
      const own = await deps.store.findOwnHold({
        artisanId: ctx.artisan.id,
        serviceId: ctx.service.id,
        startMs: slot.startMs,
        customer,
        paymentMethodId: input.paymentMethodId ?? null,
      });
      if (own) {
        await hooks.onHold?.(own.id);
        return chargeAndConfirm(deps, own);
      }
      throw slotUnavailable();
    }
    if (slot.freeTechnicianIds) {
      return holdRouted(deps, { input, ctx, slot, customer, problemDescription, notifySms, byArtisan, hooks, now, flights }, date, slot.freeTechnicianIds);
    }
    const held = await holdNew(deps, { input, ctx, slot, customer, problemDescription, notifySms, byArtisan, hooks, now, flights });
    if (!held) throw byArtisan?.force ? forcedOverlap(ctx, slot) : slotUnavailable();
    return held;
  };
}

/**
 * A business that routes (issue 20, item 6): the booking goes to one of the eligible
 * technicians free for the slot, tried in the tie-break's order (rankTechnicians). The database
 * decides (booking_hold, bookings_no_overlap per technician): when another request took that
 * technician first, the next one is tried, so two customers with two free technicians both get
 * one, and the last free technician goes to one of two racing customers.
 */
async function holdRouted(
  deps: CreateBookingDeps,
  q: Omit<HoldQuery, 'assignment'>,
  date: Temporal.PlainDate,
  freeIds: readonly string[],
): Promise<CreateBookingResult> {
  const { ctx, slot } = q;
  const free = ctx.technicians.filter((t) => freeIds.includes(t.id));
  const { monday, sunday } = weekOf(date);
  const loads = await deps.store.technicianLoads(ctx.artisan.id, free.map((t) => t.id), {
    weekFromMs: localDayBounds(monday, ctx.artisan.timezone).startMs,
    weekToMs: localDayBounds(sunday, ctx.artisan.timezone).endMs,
    beforeMs: slot.startMs,
  });
  const { order } = rankTechnicians(free, loads);
  for (let i = 0; i < order.length; i++) {
    const t = order[i]!;
    // The reason among those still free when this one is tried.
    const { rule } = rankTechnicians(order.slice(i), loads);
    const assignment: Assignment = { technicianId: t.id, teamId: t.teamId, reason: rule, explanation: assignmentExplanation(rule, order.length - i) };
    try {
      const held = await holdNew(deps, { ...q, assignment });
      if (held) return held;
    } catch (error) {
      if (!(error instanceof ConflictError && error.code === 'SLOT_UNAVAILABLE')) throw error;
    }
  }
  throw slotUnavailable();
}

/**
 * The booking held on a kept copy of the day's rules, in one round trip: the time must be
 * one the rules offer, within notice and horizon; the hold itself refuses overlaps and
 * answers `stale` when the rules moved. Undefined: the caller reads the day and decides
 * (rules changed, terms to check again, time not offered, the customer's own hold to resume).
 */
async function holdFromKept(
  deps: CreateBookingDeps,
  kept: KeptDay,
  q: Omit<HoldQuery, 'ctx' | 'slot' | 'now'> & { date: Temporal.PlainDate; minutes: number },
): Promise<CreateBookingResult | undefined> {
  const { ctx } = kept;
  if (!ctx.service.isActive || ctx.technicians.length > 0) return undefined;
  // A visit at home without its address or phone: refused on a fresh read of the service.
  if (!q.byArtisan && ctx.service.atCustomer && (!q.customer.phone || !q.customer.address)) return undefined;
  if (q.hooks.consent && (!kept.terms || termsVersion(kept.terms.text) !== q.hooks.consent.termsVersion)) return undefined;
  const now = deps.clock.now();
  if (!withinHorizon(ctx, q.date, now)) return undefined;
  kept.offered ??= offeredByRules(ctx, kept.date);
  const slot = kept.offered.get(q.minutes);
  if (!slot || slot.startMs < now + minNoticeMs(ctx.service, ctx.artisan)) return undefined;
  const planned = {
    rulesStamp: kept.rulesStamp,
    ...(deps.calendars ? { calendars: { staleBeforeMs: now - deps.calendars.staleMs, nowMs: now } } : {}),
  };
  return holdNew(deps, { ...q, ctx, slot, now, planned });
}

/** A day whose rules a booking was checked against, kept for the holds that follow (holdFromKept). */
interface KeptDay {
  ctx: DayContext;
  terms: { text: string | null } | undefined;
  rulesStamp: string;
  date: Temporal.PlainDate;
  /** The rules' times, computed on first use. */
  offered: Map<number, Slot> | undefined;
}

interface HoldQuery {
  input: CreateBookingInput;
  ctx: DayContext;
  slot: Slot;
  customer: Customer;
  problemDescription: string | null;
  notifySms: boolean;
  byArtisan: ArtisanBookingOptions | undefined;
  hooks: CreateBookingHooks;
  now: number;
  planned?: HoldRequest['planned'];
  flights: HoldFlights;
  /** The technician the booking is given to (a business that routes), and why. */
  assignment?: Assignment;
}

/**
 * Holds the slot for a new booking and charges the deposit. Undefined when a hold planned on
 * a kept copy (`planned`) must be decided by a fresh read instead (stale rules, or the range
 * held by this customer's own hold).
 */
async function holdNew(deps: CreateBookingDeps, q: HoldQuery): Promise<CreateBookingResult | undefined> {
  const { input, ctx, slot, customer, problemDescription, notifySms, byArtisan, hooks, now } = q;
  const { service, artisan } = ctx;
  const waived = byArtisan?.collectDeposit === false;
  if (!waived && deps.checkOnlineDeposits && depositCents(service.basePriceCents, service.depositRate) > 0) await deps.checkOnlineDeposits(artisan.id);
  const booking: BookingRecord = {
    id: deps.random.uuid(),
    publicCode: '',
    artisanId: artisan.id,
    serviceId: service.id,
    serviceName: service.name,
    status: 'pending_payment',
    channel: byArtisan ? 'phone' : 'online',
    customer,
    problemDescription,
    startMs: slot.startMs,
    endMs: slot.endMs,
    durationMinutes: service.durationMinutes,
    bufferBeforeMinutes: service.bufferBeforeMinutes,
    bufferAfterMinutes: service.bufferAfterMinutes,
    priceCents: service.basePriceCents,
    depositRate: waived ? 0 : service.depositRate,
    depositCents: waived ? 0 : depositCents(service.basePriceCents, service.depositRate),
    paymentStatus: 'pending',
    paymentProvider: waived ? null : deps.payments.name,
    paymentIntentId: null,
    paymentMethodId: input.paymentMethodId ?? null,
    refundCents: 0,
    refundedCents: 0,
    refundPolicy: service.refundPolicy ?? DEFAULT_REFUND_POLICY,
    // No e-mail (a phone booking): confirmed by SMS, or not at all.
    notifyEmail: customer.email !== undefined && (input.notifications?.email ?? true),
    // Asked for on a starter plan: accepted, e-mail only, and the response says so (README).
    notifySms: notifySms && planLimits(artisan.plan).sms,
    timezone: artisan.timezone,
    holdExpiresMs: now + deps.holdMinutes * 60_000,
    captureMethod: 'automatic',
    refundCapCents: null,
    dispute: null,
    cancelledBy: null,
    createdMs: now,
    updatedMs: now,
    ...(q.assignment
      ? { technicianId: q.assignment.technicianId, ...(q.assignment.teamId ? { teamId: q.assignment.teamId } : {}), assignment: q.assignment }
      : {}),
  };

  const range = footprint(booking);
  // Tells this customer's own retries from another customer's racing request.
  const who = customer.email ?? `phone:${customer.phone ?? ''}`;
  // Requests race for one time line: the business's, or one technician's.
  const line = q.assignment ? `${artisan.id}|${q.assignment.technicianId}` : artisan.id;
  const racing = q.flights.overlapping(line, range, who);
  if (racing && (await racing)) throw slotUnavailable();
  // Online bookings count against the plan's monthly cap; the artisan's own do not.
  const monthlyCap = byArtisan ? null : planLimits(artisan.plan).monthlyBookings;
  const month = monthlyCap === null ? null : localMonthBounds(now, artisan.timezone);
  const flight = q.flights.start(line, range, who);
  // One commit or two. With no deposit to ask a provider for (none asked, or waived by the
  // artisan), nothing external stands between the hold and its outcome: both are written in one
  // transaction (BookingStore.holdAndSettle, the same booking_hold and booking_apply), one WAL
  // flush instead of two. With a deposit the hold commits first, alone: it must be durable
  // before a PaymentIntent can exist, so that a crash after the provider call leaves a hold that
  // the stale-hold recovery settles with the same idempotency key (depositIdempotencyKey), never
  // a charge without its booking. Then the outcome commits (docs/benchmarks.md, session 10).
  const settleNow =
    booking.depositCents === 0
      ? async (h: { captureMethod: 'automatic' | 'manual'; reminderHours: number }, tx: Pick<BookingStore, 'applyPlanned'>) => {
          booking.captureMethod = h.captureMethod;
          // No provider call for a zero deposit: authorizeDeposit answers at once.
          const result = await authorizeDeposit(deps.payments, booking);
          return applyKnownOutcome(tx, { booking, reminderHours: h.reminderHours }, result, deps.clock.now(), byArtisan?.actor ?? 'system');
        }
      : undefined;
  let held: { reminderHours: number; settled?: AppliedOutcome } | undefined;
  try {
    held = await holdSlot(
      deps,
      booking,
      {
        planned: q.planned,
        actor: byArtisan?.actor ?? 'customer',
        cap: monthlyCap === null || !month ? null : { limit: monthlyCap, fromMs: month.startMs, toMs: month.endMs },
        // Kept with the booking, in the same transaction: a booking never exists without the consent it was made with.
        consent: hooks.consent ? { acceptedMs: now, termsVersion: hooks.consent.termsVersion, ...(hooks.consent.nextVisit ? { nextVisit: true } : {}) } : null,
        // The request's Idempotency-Key remembers the hold: a retry after a crash resumes it.
        idempotency: hooks.idempotency ?? null,
      },
      settleNow,
    );
  } finally {
    if (!held) flight.end();
  }
  if (!held) return undefined;
  flight.took();
  try {
    if (held.settled) return bookingResult(deps, held.settled);
    return await chargeAndConfirm(deps, booking, byArtisan?.actor, { booking, reminderHours: held.reminderHours });
  } finally {
    flight.end();
  }
}

export interface CreateBookingHooks {
  /** Called when an earlier attempt's hold is resumed instead of taking a new one. */
  onHold?: (bookingId: string) => Promise<void>;
  /** The terms of sale the customer accepted (checked by the caller), recorded with the hold. */
  consent?: { termsVersion: string | null; nextVisit?: boolean };
  /** The Idempotency-Key record to link to the hold, in the hold's own transaction. */
  idempotency?: { scope: string; key: string };
}

export const planLimitReached = (): PolicyError =>
  new PolicyError(
    'PLAN_LIMIT_REACHED',
    "Ce professionnel ne prend plus de réservation en ligne ce mois-ci. Merci de le contacter directement par téléphone ou par e-mail.",
  );

/**
 * Takes the slot with a live hold, in one round trip (BookingStore.holdSlot): the database
 * refuses any overlapping active booking, and the plan cap is counted after the artisan's
 * write lock, so concurrent requests cannot overshoot.
 */
async function holdSlot(
  deps: CreateBookingDeps,
  booking: BookingRecord,
  opts: Pick<HoldRequest, 'actor' | 'cap' | 'consent' | 'idempotency' | 'planned'>,
  /** Settles the hold in its own transaction (no provider call between them): BookingStore.holdAndSettle. */
  settle?: (held: { captureMethod: 'automatic' | 'manual'; reminderHours: number }, tx: Pick<BookingStore, 'applyPlanned'>) => Promise<AppliedOutcome | undefined>,
): Promise<{ reminderHours: number; settled?: AppliedOutcome } | undefined> {
  for (let attempt = 1; ; attempt++) {
    booking.publicCode = generatePublicCode((n) => deps.random.bytes(n));
    try {
      const request: HoldRequest = {
        ...opts,
        booking,
        withinAuthorization: booking.startMs - booking.createdMs <= MAX_AUTHORIZATION_MS,
      };
      let settled: AppliedOutcome | undefined;
      let held;
      if (settle) ({ held, settled } = await deps.store.holdAndSettle(request, settle));
      else held = await deps.store.holdSlot(request);
      if (held.outcome === 'plan_limit') throw planLimitReached();
      if (held.outcome === 'suspended') throw businessSuspended(held.phone ? phoneForReading(held.phone) : null);
      if (held.outcome === 'stale' || (held.outcome === 'slot_taken' && held.own && opts.planned)) return undefined;
      if (held.outcome === 'slot_taken') throw slotUnavailable();
      // Fixed at the hold, so that a repeated authorisation asks the provider the very same thing.
      booking.captureMethod = held.captureMethod;
      return { reminderHours: held.reminderHours, ...(settled ? { settled } : {}) };
    } catch (error) {
      if (error instanceof SlotTakenError) throw slotUnavailable();
      if (error instanceof DuplicateCodeError && attempt < CODE_ATTEMPTS) continue;
      throw error;
    }
  }
}

/**
 * Authorises the deposit, then confirms or releases the hold (or keeps it for a 3-D Secure
 * challenge). The provider call uses the booking id as idempotency key, so the stale-hold
 * recovery and a customer's retry can repeat it safely.
 */
export async function chargeAndConfirm(
  deps: Pick<CreateBookingDeps, 'store' | 'payments' | 'clock'>,
  booking: BookingRecord,
  actor = 'system',
  /** The hold as this request just wrote it: the outcome is then applied in one round trip. */
  known?: { booking: BookingRecord; reminderHours?: number },
): Promise<CreateBookingResult> {
  // An unreachable provider leaves the hold; the recovery settles it with the same key.
  const result = await authorizeDeposit(deps.payments, booking);
  return bookingResult(deps, await applyPaymentOutcome(deps, booking, result, actor, known));
}

/** The booking made (or held for a 3-D Secure challenge), or the refusal the outcome says. */
function bookingResult(deps: Pick<CreateBookingDeps, 'clock'>, outcome: AppliedOutcome): CreateBookingResult {
  const applied = bookingOrRefusal(outcome);
  const challenge =
    applied.booking.status === 'awaiting_authentication' && applied.clientSecret
      ? { clientSecret: applied.clientSecret, holdExpiresMs: applied.booking.holdExpiresMs ?? deps.clock.now() }
      : null;
  return { booking: applied.booking, challenge };
}
