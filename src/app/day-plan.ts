import { minNoticeMs } from '../domain/service.ts';
import { Temporal } from 'temporal-polyfill';
import { resolveDaySchedule, type DaySchedule } from '../domain/schedule.ts';
import { computeSlots, summarizeOpening, type Occupation, type OpeningSummary, type Slot } from '../domain/slots.ts';
import { eligibleTechnicians, occupationsOf, unionSlots, type PlaceFilter } from '../domain/routing.ts';
import { ValidationError, slotNotOffered, type ErrorDetail } from '../domain/errors.ts';
import { parseLocalDate, parseLocalTime, todayIn } from '../domain/time.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { DayContext } from '../domain/day-context.ts';
import { addDays } from './creation-state.ts';

const DAY_MS = 86_400_000;

/**
 * What may overlap a local day, whatever the zone (offsets stay within ±14 h) and the
 * buffers (≤ 4 h): the UTC day before through the UTC day after.
 */
export function loadWindow(date: Temporal.PlainDate): { fromMs: number; toMs: number } {
  const utcMidnight = Date.UTC(date.year, date.month - 1, date.day);
  return { fromMs: utcMidnight - DAY_MS, toMs: utcMidnight + 2 * DAY_MS };
}

export async function readDay(store: BookingStore, artisanId: string, serviceId: string, date: Temporal.PlainDate): Promise<DayContext | undefined> {
  const { fromMs, toMs } = loadWindow(date);
  return store.readDayContext(artisanId, serviceId, fromMs, toMs);
}

export interface DayPlan {
  day: DaySchedule;
  opening: OpeningSummary | null;
  slots: Slot[];
  today: Temporal.PlainDate;
  lastBookableDate: Temporal.PlainDate;
}

/**
 * The slots one service offers on one local day, as the artisan's settings and time line say:
 * the one rule behind the day, the month view and creation. A business with technicians
 * (ctx.technicians, issue 20) offers the union of its eligible technicians' slots, each
 * computed by the same rule on that technician's own time line (routing.ts); `place` is where
 * the intervention is (needed when the business routes by zone).
 */
export function planDay(ctx: DayContext, date: Temporal.PlainDate, nowMs: number, ignoreBookingId?: string, place?: PlaceFilter): DayPlan {
  const { artisan, service } = ctx;
  const today = todayIn(artisan.timezone, nowMs);
  const lastBookableDate = addDays(today, artisan.bookingHorizonDays);
  const day = resolveDaySchedule(date, artisan.schedule);
  const slotsWith = (occupations: Occupation[]): Slot[] =>
    computeSlots({
      date,
      timeZone: artisan.timezone,
      day,
      stepMinutes: artisan.slotStepMinutes,
      durationMinutes: service.durationMinutes,
      bufferBeforeMinutes: service.bufferBeforeMinutes,
      bufferAfterMinutes: service.bufferAfterMinutes,
      occupations,
      notBeforeMs: nowMs + minNoticeMs(service, artisan),
      lastBookableDate,
      ignoreBookingId,
    });
  const slots =
    ctx.technicians.length === 0
      ? slotsWith(ctx.occupations)
      : unionSlots(eligibleTechnicians(ctx.technicians, place).map((t) => ({ id: t.id, slots: slotsWith(occupationsOf(ctx.occupations, t.id)) })));
  return { day, opening: summarizeOpening(day), slots, today, lastBookableDate };
}

/**
 * The times a service's rules offer on one local day, by start minute, whatever occupies the
 * day and whenever asked: no occupations, no minimum notice, no horizon (the caller checks
 * those). What a booking held first (HoldRequest.planned) is checked against; the database
 * decides overlaps with bookings and calendar blocks itself.
 */
export function offeredByRules(ctx: DayContext, date: Temporal.PlainDate): Map<number, Slot> {
  const { artisan, service } = ctx;
  const slots = computeSlots({
    date,
    timeZone: artisan.timezone,
    day: resolveDaySchedule(date, artisan.schedule),
    stepMinutes: artisan.slotStepMinutes,
    durationMinutes: service.durationMinutes,
    bufferBeforeMinutes: service.bufferBeforeMinutes,
    bufferAfterMinutes: service.bufferAfterMinutes,
    occupations: [],
    notBeforeMs: Number.NEGATIVE_INFINITY,
    lastBookableDate: date,
  });
  return new Map(slots.map((slot) => [slot.startMinutes, slot]));
}

/** Whether `date` lies between the artisan's today and the booking horizon, at `nowMs`. */
export function withinHorizon(ctx: DayContext, date: Temporal.PlainDate, nowMs: number): boolean {
  const today = todayIn(ctx.artisan.timezone, nowMs);
  return Temporal.PlainDate.compare(date, today) >= 0 && Temporal.PlainDate.compare(date, addDays(today, ctx.artisan.bookingHorizonDays)) <= 0;
}

/** Parses a requested local date and "HH:MM", adding per-field details for what is wrong. */
export function parseRequestedStart(
  input: { date: string; time: string },
  fields: { date: string; time: string },
  details: ErrorDetail[],
): { date?: Temporal.PlainDate; minutes?: number } {
  const date = parseLocalDate(input.date);
  if (!date) details.push({ field: fields.date, message: "La date n'existe pas ou n'est pas au format AAAA-MM-JJ." });
  const minutes = parseLocalTime(input.time);
  if (minutes === undefined) details.push({ field: fields.time, message: "L'heure doit être au format HH:MM." });
  return { date, minutes };
}

/**
 * The slot starting at `minutes` on the planned day. A date before today or past the horizon
 * is a VALIDATION_ERROR on `dateField`; a time the schedule does not offer is SLOT_NOT_OFFERED.
 * Whether the slot is free is left to the caller.
 */
export function findOfferedSlot(plan: DayPlan, date: Temporal.PlainDate, minutes: number, dateField: string): Slot {
  if (Temporal.PlainDate.compare(date, plan.today) < 0) throw new ValidationError([{ field: dateField, message: 'La date est déjà passée.' }]);
  if (Temporal.PlainDate.compare(date, plan.lastBookableDate) > 0) {
    throw new ValidationError([{ field: dateField, message: `Les réservations sont ouvertes jusqu'au ${plan.lastBookableDate.toString()}.` }]);
  }
  const slot = plan.slots.find((s) => s.startMinutes === minutes);
  if (!slot) throw slotNotOffered();
  return slot;
}
