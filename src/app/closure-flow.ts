import { Temporal } from 'temporal-polyfill';
import { AppError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import type { BookingSummary } from '../domain/booking.ts';
import type { BusyBlockRecord } from '../domain/busy-block.ts';
import { isBooked } from '../domain/booking-lifecycle.ts';
import type { MinuteRange } from '../domain/intervals.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { ScheduleException } from '../domain/schedule.ts';
import { instantToLocal, localDayBounds, parseInstant, parseLocalDate, parseLocalTime, todayIn } from '../domain/time.ts';
import type { makeScheduleExceptions } from './admin-exceptions.ts';
import { artisanNotFound } from './admin-settings.ts';
import type { makeGetAvailability, makeGetAvailabilityDays } from './get-availability.ts';
import type { makeCancelBooking, makeRescheduleBooking } from './manage-booking.ts';
import type { Clock } from './ports/clock.ts';
import type { SettingsStore } from './ports/settings-store.ts';
import type { TimeOffStore } from './ports/time-off-store.ts';
import type { makeTimeOff } from './time-off.ts';

/** A closed day or special hours on one date, or days off (a period): the two ways to close. */
export type ClosureInput =
  | { date: string; closed?: boolean; ranges?: MinuteRange[] }
  | { startDateTime: string; endDateTime: string; summary: string };

export type BookingAction = 'keep' | 'move' | 'cancel';

/** What the artisan chose for one booking the closure falls on. */
export interface BookingDecision {
  publicCode: string;
  action: BookingAction;
  /** For `move`: the new local date and time (one of the proposals, or any free time). */
  newDate?: string;
  newTime?: string;
  /** For `cancel`: the reason given to the customer. */
  reason?: string;
}

export interface Proposal {
  date: string;
  time: string;
  startMs: number;
}

export interface ConcernedBooking extends BookingSummary {
  /** The next free times for the same service outside the closure (first ones differ between bookings). */
  proposals: Proposal[];
}

export interface DecisionOutcome {
  publicCode: string;
  action: BookingAction;
  done: boolean;
  /** Moved: the new start. */
  startMs?: number;
  /** Cancelled: what the customer gets back. */
  refundCents?: number;
  /** Not done: why (a French message). */
  error?: { code: string; message: string };
}

const PROPOSALS = 3;
const SEARCH_DAYS = 21;

/**
 * One flow for closing (issue 23 item 2): before saving a closed day, special hours or days off,
 * the bookings it falls on are listed with the next free times; saving applies what the artisan
 * chose for each one (keep; move, telling the customer; cancel with a full refund, telling the
 * customer) through the same move and cancellation as everywhere else.
 */
export function makeClosureFlow(deps: {
  settings: SettingsStore;
  timeOffStore: TimeOffStore;
  exceptions: ReturnType<typeof makeScheduleExceptions>;
  timeOff: ReturnType<typeof makeTimeOff>;
  getAvailability: ReturnType<typeof makeGetAvailability>;
  getAvailabilityDays: ReturnType<typeof makeGetAvailabilityDays>;
  cancelBooking: ReturnType<typeof makeCancelBooking>;
  rescheduleBooking: ReturnType<typeof makeRescheduleBooking>;
  clock: Clock;
}) {
  /** The instants the closure covers, and whether a booking inside them still fits (special hours). */
  async function windowOf(artisanId: string, input: ClosureInput) {
    const profile = await deps.settings.readArtisan(artisanId);
    if (!profile) throw artisanNotFound();
    const zone = profile.timezone;
    const details: ErrorDetail[] = [];
    if ('date' in input) {
      const date = parseLocalDate(input.date);
      if (!date) throw new ValidationError([{ field: 'date', message: "La date n'existe pas ou n'est pas au format AAAA-MM-JJ." }]);
      const { startMs, endMs } = localDayBounds(date, zone);
      const ranges = input.closed === true ? [] : (input.ranges ?? []);
      const minutesOf = (ms: number) => parseLocalTime(instantToLocal(ms, zone).time) ?? 0;
      // Special hours keep the bookings lying wholly inside one of the new ranges.
      const fits = (b: BookingSummary) => ranges.some((r) => minutesOf(b.startMs) >= r.startMinutes && (b.endMs >= endMs ? 1440 : minutesOf(b.endMs)) <= r.endMinutes);
      return { zone, startMs, endMs, fits, excludesDay: input.date };
    }
    const startMs = parseInstant(input.startDateTime);
    const endMs = parseInstant(input.endDateTime);
    const message = 'Date et heure ISO 8601 avec décalage attendues (années 1900 à 2999), ex. 2027-03-03T09:00:00+01:00.';
    if (startMs === undefined) details.push({ field: 'startDateTime', message });
    if (endMs === undefined) details.push({ field: 'endDateTime', message });
    if (startMs !== undefined && endMs !== undefined && endMs <= startMs) details.push({ field: 'endDateTime', message: 'La fin doit être après le début.' });
    if (details.length > 0 || startMs === undefined || endMs === undefined) throw new ValidationError(details);
    return { zone, startMs, endMs, fits: () => false, excludesDay: undefined };
  }

  async function concerned(artisanId: string, w: Awaited<ReturnType<typeof windowOf>>): Promise<BookingSummary[]> {
    const overlapping = await deps.timeOffStore.activeBookingsOverlapping(artisanId, { startMs: w.startMs, endMs: w.endMs });
    return overlapping.filter((b) => isBooked(b.status) && b.startMs > deps.clock.now() && !w.fits(b));
  }

  /** The next free times for the booking's service, outside the closure and away from `avoid`. */
  async function proposalsFor(artisanId: string, b: BookingSummary, w: Awaited<ReturnType<typeof windowOf>>, avoid: Proposal[]): Promise<Proposal[]> {
    const today = todayIn(w.zone, deps.clock.now());
    const own = Temporal.PlainDate.from(instantToLocal(b.startMs, w.zone).date);
    const from = Temporal.PlainDate.compare(own, today) > 0 ? own : today;
    const found: Proposal[] = [];
    try {
      const days = await deps.getAvailabilityDays({ artisanId, serviceId: b.serviceId, from, to: from.add({ days: SEARCH_DAYS - 1 }), asArtisan: true });
      for (const day of days.days) {
        if (day.freeSlots === 0 || day.date === w.excludesDay) continue;
        const slots = (await deps.getAvailability({ artisanId, serviceId: b.serviceId, date: Temporal.PlainDate.from(day.date), asArtisan: true })).slots;
        for (const s of slots) {
          if (!s.available || (s.startMs < w.endMs && s.endMs > w.startMs)) continue;
          // The first choice of an earlier booking is not offered again as this one's first.
          if (found.length === 0 && avoid.some((a) => a.startMs === s.startMs)) continue;
          found.push({ date: day.date, time: s.time, startMs: s.startMs });
          if (found.length >= PROPOSALS) return found;
        }
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error; // a service removed since: nothing to propose
    }
    return found;
  }

  function checkDecisions(decisions: BookingDecision[], concernedCodes: Set<string>): Map<string, BookingDecision> {
    const details: ErrorDetail[] = [];
    const byCode = new Map<string, BookingDecision>();
    decisions.forEach((d, i) => {
      const code = normalizePublicCode(d.publicCode);
      if (!code || !concernedCodes.has(code)) {
        details.push({ field: `bookings.${i}.publicCode`, message: `La réservation ${d.publicCode} n'est pas concernée par cette fermeture.` });
      } else if (byCode.has(code)) {
        details.push({ field: `bookings.${i}.publicCode`, message: `La réservation ${code} a déjà un choix.` });
      } else byCode.set(code, d);
      if (d.action === 'move' && (!d.newDate || !d.newTime)) {
        details.push({ field: `bookings.${i}.newDate`, message: 'Indiquez la date et l’heure où déplacer ce rendez-vous.' });
      }
    });
    if (details.length > 0) throw new ValidationError(details);
    return byCode;
  }

  async function apply(artisanId: string, b: BookingSummary, d: BookingDecision | undefined, actor: string): Promise<DecisionOutcome> {
    const action = d?.action ?? 'keep';
    const base = { publicCode: b.publicCode, action };
    try {
      if (action === 'move') {
        const moved = await deps.rescheduleBooking({ publicCode: b.publicCode, artisanId, newDate: d!.newDate!, newTime: d!.newTime!, actor });
        return { ...base, done: true, startMs: moved.startMs };
      }
      if (action === 'cancel') {
        const reason = d?.reason?.trim() || undefined;
        const { refund } = await deps.cancelBooking({ publicCode: b.publicCode, artisanId, cancelledBy: 'artisan', actor, reason });
        return { ...base, done: true, refundCents: refund.refundCents };
      }
      return { ...base, done: true };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { ...base, done: false, error: { code: error.code, message: error.message } };
    }
  }

  return {
    /** The bookings the closure would fall on, each with the next free times to move it to. */
    async preview(artisanId: string, input: ClosureInput): Promise<{ timezone: string; bookings: ConcernedBooking[] }> {
      const w = await windowOf(artisanId, input);
      const list = await concerned(artisanId, w);
      const firstChoices: Proposal[] = [];
      const bookings: ConcernedBooking[] = [];
      for (const b of list) {
        const proposals = await proposalsFor(artisanId, b, w, firstChoices);
        if (proposals[0]) firstChoices.push(proposals[0]);
        bookings.push({ ...b, proposals });
      }
      return { timezone: w.zone, bookings };
    },

    /**
     * Saves the closure, then applies each choice (a booking left out is kept). A move or a
     * cancellation that fails (the time was taken meanwhile) is reported, not thrown: the
     * closure and the other choices stand.
     */
    async save(
      artisanId: string,
      input: { closure: ClosureInput; bookings?: BookingDecision[] },
      actor: string,
    ): Promise<{ timezone: string; exception?: ScheduleException; busyBlock?: BusyBlockRecord; outcomes: DecisionOutcome[] }> {
      const w = await windowOf(artisanId, input.closure);
      const before = await concerned(artisanId, w);
      const decisions = checkDecisions(input.bookings ?? [], new Set(before.map((b) => b.publicCode)));
      const c = input.closure;
      const saved = 'date' in c
        ? { exception: await deps.exceptions.create(artisanId, c) }
        : { busyBlock: (await deps.timeOff.create(artisanId, c)).block };
      const outcomes: DecisionOutcome[] = [];
      for (const b of await concerned(artisanId, w)) outcomes.push(await apply(artisanId, b, decisions.get(b.publicCode), actor));
      return { timezone: w.zone, ...saved, outcomes };
    },
  };
}

export type ClosureFlow = ReturnType<typeof makeClosureFlow>;
