import type { RefundPolicy } from './refund-policy.ts';

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
  /** Minimum notice for this service, in minutes; null: the business's (`minNoticeMinutes` of its settings). */
  minNoticeMinutes: number | null;
  /** "Intervention chez le client": a booking needs the intervention address and a phone. */
  atCustomer: boolean;
  /** A maintenance interval in months (a boiler service: 12): its bookings may bring the next visit; null: none. */
  maintenanceIntervalMonths: number | null;
}

/**
 * How long before its start a slot of this service can still be booked: the service's own
 * minimum notice, else the business's. The one rule, for availability and for booking.
 */
export function minNoticeMs(service: Pick<ServiceRecord, 'minNoticeMinutes'>, artisan: { minNoticeMinutes: number }): number {
  return (service.minNoticeMinutes ?? artisan.minNoticeMinutes) * 60_000;
}
