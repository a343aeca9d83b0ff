import type { Selectable } from 'kysely';
import type { ServiceRecord } from '../../domain/service.ts';
import type { DB } from './schema.ts';

/** The columns of a service row, read through the alias `s`. */
export const SERVICE_COLUMNS = [
  's.id',
  's.artisan_id',
  's.name',
  's.description',
  's.duration_minutes',
  's.base_price_cents',
  's.deposit_rate',
  's.is_active',
  's.buffer_before_minutes',
  's.buffer_after_minutes',
  's.refund_policy',
  's.min_notice_minutes',
  's.at_customer',
  's.maintenance_interval_months',
] as const;

export type ServiceRow = Pick<
  Selectable<DB['services']>,
  | 'id'
  | 'artisan_id'
  | 'name'
  | 'description'
  | 'duration_minutes'
  | 'base_price_cents'
  | 'deposit_rate'
  | 'is_active'
  | 'buffer_before_minutes'
  | 'buffer_after_minutes'
  | 'refund_policy'
  | 'min_notice_minutes'
  | 'at_customer'
  | 'maintenance_interval_months'
>;

/** Written by the catalog store from a `ServiceRecord['refundPolicy']`, read back as one. */
const storedRefundPolicy = (v: ServiceRow['refund_policy']): ServiceRecord['refundPolicy'] => v as ServiceRecord['refundPolicy'];

/** One services row -> the service record. */
export function serviceFromRow(r: ServiceRow): ServiceRecord {
  return {
    id: r.id,
    artisanId: r.artisan_id,
    name: r.name,
    description: r.description,
    durationMinutes: r.duration_minutes,
    basePriceCents: r.base_price_cents,
    depositRate: r.deposit_rate,
    isActive: r.is_active,
    bufferBeforeMinutes: r.buffer_before_minutes,
    bufferAfterMinutes: r.buffer_after_minutes,
    refundPolicy: storedRefundPolicy(r.refund_policy ?? null),
    minNoticeMinutes: r.min_notice_minutes ?? null,
    atCustomer: r.at_customer,
    // Absent from the day context's JSON (booking does not need it): null there.
    maintenanceIntervalMonths: r.maintenance_interval_months ?? null,
  };
}

/**
 * The same row as JSON, from the day_context function (migration 0002 builds it from these very
 * columns, with their JSON types): the untyped boundary, narrowed once.
 */
export function toService(json: Record<string, unknown>): ServiceRecord {
  return serviceFromRow(json as unknown as ServiceRow);
}
