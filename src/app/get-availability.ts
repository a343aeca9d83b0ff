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
  /** The artisan's own view (`asArtisan`) also answers for an archived service, and only for their services. */
  return async function getAvailability(input: { serviceId: string; date: Temporal.PlainDate; asArtisan?: string }): Promise<Availability> {
    const ctx = await readDay(deps.store, input.serviceId, input.date);
    const visible = input.asArtisan === undefined ? ctx?.service.isActive : ctx?.artisan.id === input.asArtisan;
    if (!ctx || !visible) {
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
