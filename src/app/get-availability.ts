import { minNoticeMs } from '../domain/service.ts';
import type { Temporal } from 'temporal-polyfill';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { OpeningSummary, Slot } from '../domain/slots.ts';
import { localDayBounds } from '../domain/time.ts';
import { loadWindow, planDay, readDay } from './day-plan.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { DayContext } from '../domain/day-context.ts';
import type { FrenchPlaces } from './ports/places.ts';
import { onTechnicianLine, routePlace } from './route-place.ts';

export interface Availability {
  serviceId: string;
  date: string;
  timezone: string;
  opening: OpeningSummary | null;
  slots: Slot[];
}

/**
 * The day's slots for a day context change only when the context does (the store hands back
 * the same object while the artisan's data_version is unchanged) or when time moves past the
 * first offered slot's notice limit or the end of the artisan's today (horizon, past days).
 * Until then the same Availability object is returned, and callers may keep what they derived
 * from it (the HTTP layer keeps its JSON).
 */
interface Computed {
  availability: Availability;
  validUntilMs: number;
}

function validUntil(ctx: DayContext, slots: readonly Slot[], todayEndMs: number): number {
  const noticeMs = minNoticeMs(ctx.service, ctx.artisan);
  let until = todayEndMs;
  for (const slot of slots) until = Math.min(until, slot.startMs - noticeMs);
  return until;
}

export function makeGetAvailability(deps: { store: BookingStore; clock: Clock; places?: FrenchPlaces }) {
  const computed = new WeakMap<DayContext, Map<string, Computed>>();
  /**
   * One business's service; its own view (`asArtisan`) also answers for an archived service.
   * `postcode`: where the intervention is, for a business that routes by zone (route-place.ts).
   */
  return async function getAvailability(input: {
    artisanId: string;
    serviceId: string;
    date: Temporal.PlainDate;
    asArtisan?: boolean;
    postcode?: string | null;
    /** A booking's own technician (moving it): their slots alone (route-place.ts, onTechnicianLine). */
    technicianId?: string;
  }): Promise<Availability> {
    const ctx = await readDay(deps.store, input.artisanId, input.serviceId, input.date);
    const visible = input.asArtisan === true || ctx?.service.isActive;
    if (!ctx || !visible) {
      throw new NotFoundError('SERVICE_NOT_FOUND', "Cette prestation n'existe pas ou n'est plus proposée.");
    }
    const place = input.technicianId ? 'anywhere' : routePlace(ctx, input.postcode, deps, { field: 'postcode', asArtisan: input.asArtisan });
    const now = deps.clock.now();
    const date = input.date.toString();
    // The answer depends on the place and technician only for a business that routes (they key it then).
    const key = ctx.technicians.length === 0 ? date : `${date} ${place === undefined || place === 'anywhere' ? '*' : place.postcode} ${input.technicianId ?? '*'}`;
    let byDate = computed.get(ctx);
    const known = byDate?.get(key);
    if (known && now < known.validUntilMs) return known.availability;
    const plan = planDay(onTechnicianLine(ctx, input.technicianId), input.date, now, undefined, place);
    const availability: Availability = {
      serviceId: ctx.service.id,
      date,
      timezone: ctx.artisan.timezone,
      opening: plan.opening,
      slots: plan.slots,
    };
    if (!byDate) computed.set(ctx, (byDate = new Map()));
    byDate.set(key, { availability, validUntilMs: validUntil(ctx, plan.slots, localDayBounds(plan.today, ctx.artisan.timezone).endMs) });
    return availability;
  };
}

/** The longest range one month-calendar request may ask (two months, any month lengths). */
export const MAX_CALENDAR_DAYS = 62;

export interface DaySummary {
  date: string;
  /** Free slots the day offers (0: nothing to book that day). */
  freeSlots: number;
  /** "HH:MM" of the day's first free slot, null when there is none. */
  firstFreeTime: string | null;
}

export interface AvailabilityDays {
  serviceId: string;
  timezone: string;
  from: string;
  to: string;
  days: DaySummary[];
}

/**
 * Each day's free-slot count and first free time over a range (the month calendar): ONE read
 * of the store for the whole range (service, settings, rules, exceptions and occupations of
 * the window), then the same pure day planning as the one-day availability, day by day.
 */
export function makeGetAvailabilityDays(deps: { store: BookingStore; clock: Clock; places?: FrenchPlaces }) {
  return async function getAvailabilityDays(input: {
    artisanId: string;
    serviceId: string;
    from: Temporal.PlainDate;
    to: Temporal.PlainDate;
    asArtisan?: boolean;
    postcode?: string | null;
    technicianId?: string;
  }): Promise<AvailabilityDays> {
    const span = input.from.until(input.to, { largestUnit: 'days' }).days + 1;
    if (span < 1) throw new ValidationError([{ field: 'to', message: 'La date de fin doit suivre la date de début.' }]);
    if (span > MAX_CALENDAR_DAYS) {
      throw new ValidationError([{ field: 'to', message: `La période demandée ne peut pas dépasser ${MAX_CALENDAR_DAYS} jours.` }]);
    }
    const ctx = await deps.store.readDayContext(input.artisanId, input.serviceId, loadWindow(input.from).fromMs, loadWindow(input.to).toMs);
    const visible = input.asArtisan === true || ctx?.service.isActive;
    if (!ctx || !visible) {
      throw new NotFoundError('SERVICE_NOT_FOUND', "Cette prestation n'existe pas ou n'est plus proposée.");
    }
    const place = input.technicianId ? 'anywhere' : routePlace(ctx, input.postcode, deps, { field: 'postcode', asArtisan: input.asArtisan });
    const line = onTechnicianLine(ctx, input.technicianId);
    const nowMs = deps.clock.now();
    const days: DaySummary[] = [];
    for (let date = input.from, i = 0; i < span; i++, date = date.add({ days: 1 })) {
      const free = planDay(line, date, nowMs, undefined, place).slots.filter((s) => s.available);
      days.push({ date: date.toString(), freeSlots: free.length, firstFreeTime: free[0]?.time ?? null });
    }
    return { serviceId: ctx.service.id, timezone: ctx.artisan.timezone, from: input.from.toString(), to: input.to.toString(), days };
  };
}
