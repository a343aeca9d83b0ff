import type { Temporal } from 'temporal-polyfill';
import { NotFoundError } from '../domain/errors.ts';
import type { OpeningSummary, Slot } from '../domain/slots.ts';
import { localDayBounds } from '../domain/time.ts';
import { planDay, readDay } from './day-plan.ts';
import type { BookingStore, Clock, DayContext } from './ports.ts';

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
  const noticeMs = ctx.artisan.minNoticeMinutes * 60_000;
  let until = todayEndMs;
  for (const slot of slots) until = Math.min(until, slot.startMs - noticeMs);
  return until;
}

export function makeGetAvailability(deps: { store: BookingStore; clock: Clock }) {
  const computed = new WeakMap<DayContext, Map<string, Computed>>();
  /** The artisan's own view (`asArtisan`) also answers for an archived service, and only for their services. */
  return async function getAvailability(input: { serviceId: string; date: Temporal.PlainDate; asArtisan?: string }): Promise<Availability> {
    const ctx = await readDay(deps.store, input.serviceId, input.date);
    const visible = input.asArtisan === undefined ? ctx?.service.isActive : ctx?.artisan.id === input.asArtisan;
    if (!ctx || !visible) {
      throw new NotFoundError('SERVICE_NOT_FOUND', "Cette prestation n'existe pas ou n'est plus proposée.");
    }
    const now = deps.clock.now();
    const date = input.date.toString();
    let byDate = computed.get(ctx);
    const known = byDate?.get(date);
    if (known && now < known.validUntilMs) return known.availability;
    const plan = planDay(ctx, input.date, now);
    const availability: Availability = {
      serviceId: ctx.service.id,
      date,
      timezone: ctx.artisan.timezone,
      opening: plan.opening,
      slots: plan.slots,
    };
    if (!byDate) computed.set(ctx, (byDate = new Map()));
    byDate.set(date, { availability, validUntilMs: validUntil(ctx, plan.slots, localDayBounds(plan.today, ctx.artisan.timezone).endMs) });
    return availability;
  };
}
