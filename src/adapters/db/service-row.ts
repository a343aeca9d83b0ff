import type { ServiceRecord } from '../../app/ports.ts';

type Row = Record<string, unknown>;

/** The columns of a service row, read through the alias `s`. */
export const SERVICE_COLUMNS = `s.id, s.artisan_id, s.name, s.description, s.duration_minutes, s.base_price_cents, s.deposit_rate,
  s.is_active, s.buffer_before_minutes, s.buffer_after_minutes, s.refund_policy`;

/** One services row (or its JSON from day_context) -> the service record. */
export function toService(r: Row): ServiceRecord {
  return {
    id: r.id as string,
    artisanId: r.artisan_id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    durationMinutes: r.duration_minutes as number,
    basePriceCents: r.base_price_cents as number,
    depositRate: Number(r.deposit_rate),
    isActive: r.is_active as boolean,
    bufferBeforeMinutes: r.buffer_before_minutes as number,
    bufferAfterMinutes: r.buffer_after_minutes as number,
    refundPolicy: (r.refund_policy as ServiceRecord['refundPolicy']) ?? null,
  };
}
