import type { Temporal } from 'temporal-polyfill';
import { NotFoundError } from '../domain/errors.ts';
import type { OpeningSummary, Slot } from '../domain/slots.ts';
import { planDay, readDay } from './day-plan.ts';
import type { BookingStore, Clock } from './ports.ts';

export interface Availability {
  serviceId: string;
  date: string;
  timezone: string;
  opening: OpeningSummary | null;
  slots: Slot[];
}

export function makeGetAvailability(deps: { store: BookingStore; clock: Clock }) {
  /** `includeArchived`: the artisan's own view also answers for an archived service. */
  return async function getAvailability(input: { serviceId: string; date: Temporal.PlainDate; includeArchived?: boolean }): Promise<Availability> {
    const ctx = await readDay(deps.store, input.serviceId, input.date);
    if (!ctx || (!ctx.service.isActive && !input.includeArchived)) {
      throw new NotFoundError('SERVICE_NOT_FOUND', "Cette prestation n'existe pas ou n'est plus proposée.");
    }
    const plan = planDay(ctx, input.date, deps.clock.now());
    return {
      serviceId: ctx.service.id,
      date: input.date.toString(),
      timezone: ctx.artisan.timezone,
      opening: plan.opening,
      slots: plan.slots,
    };
  };
}
