import { sql, type Selectable } from 'kysely';
import type { BookingRecord } from '../../domain/booking.ts';
import { footprint } from '../../domain/intervals.ts';
import { qb } from './kysely.ts';
import type { Bookings } from './schema.ts';
import {
  storedAddress,
  storedAssignment,
  storedCancelledBy,
  storedCaptureMethod,
  storedChannel,
  storedDispute,
  storedJson,
  storedPaymentStatus,
  storedRefundPolicy,
  storedStatus,
} from './stored.ts';

/**
 * A booking row as every reader selects it: the row, the artisan's zone and the bounds of its
 * blocked range (epoch ms), from which the buffers are read back.
 */
export type BookingRow = Selectable<Bookings> & { timezone: string; blocked_from_ms: number; blocked_to_ms: number };

/** The one select of a booking row (alias `b`, the artisan `a`); callers add WHERE, ORDER BY, locks. */
export const selectBookings = () =>
  qb
    .selectFrom('bookings as b')
    .innerJoin('artisans as a', 'a.id', 'b.artisan_id')
    .selectAll('b')
    .select([
      'a.timezone',
      sql<number>`(extract(epoch FROM lower(b.blocked_range)) * 1000)::float8`.as('blocked_from_ms'),
      sql<number>`(extract(epoch FROM upper(b.blocked_range)) * 1000)::float8`.as('blocked_to_ms'),
    ]);

export function toBooking(r: BookingRow): BookingRecord {
  const booking: BookingRecord = {
    id: r.id,
    publicCode: r.public_code,
    artisanId: r.artisan_id,
    serviceId: r.service_id,
    serviceName: r.service_name,
    status: storedStatus(r.status),
    channel: storedChannel(r.channel),
    customer: { name: r.customer_name, ...(r.customer_email !== null ? { email: r.customer_email } : {}) },
    problemDescription: r.problem_description,
    startMs: r.starts_at.getTime(),
    endMs: r.ends_at.getTime(),
    durationMinutes: r.duration_minutes,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    priceCents: r.price_cents,
    depositRate: r.deposit_rate,
    depositCents: r.deposit_cents,
    paymentStatus: storedPaymentStatus(r.payment_status),
    paymentProvider: r.payment_provider,
    paymentIntentId: r.payment_intent_id,
    paymentMethodId: r.payment_method_id,
    refundCents: r.refund_cents,
    refundedCents: r.refunded_cents,
    refundPolicy: storedRefundPolicy(r.refund_policy),
    notifyEmail: r.notify_email,
    notifySms: r.notify_sms,
    timezone: r.timezone,
    holdExpiresMs: r.hold_expires_at ? r.hold_expires_at.getTime() : null,
    captureMethod: storedCaptureMethod(r.capture_method),
    refundCapCents: r.refund_cap_cents,
    dispute: r.disputed_at && r.dispute ? { openedMs: r.disputed_at.getTime(), ...storedDispute(r.dispute) } : null,
    cancelledBy: storedCancelledBy(r.cancelled_by),
    createdMs: r.created_at.getTime(),
    updatedMs: r.updated_at.getTime(),
  };
  if (r.customer_phone) booking.customer.phone = r.customer_phone;
  if (r.customer_address) booking.customer.address = storedAddress(r.customer_address);
  if (r.technician_id) booking.technicianId = r.technician_id;
  if (r.team_id) booking.teamId = r.team_id;
  if (r.assignment) booking.assignment = storedAssignment(r.assignment);
  // blocked_range = [start - before, end + after): the buffers are read back from it.
  booking.bufferBeforeMinutes = Math.round((booking.startMs - r.blocked_from_ms) / 60_000);
  booking.bufferAfterMinutes = Math.round((r.blocked_to_ms - booking.endMs) / 60_000);
  return booking;
}

/** The range a booking blocks (buffers included), as tstzrange text. */
export function blockedRange(b: BookingRecord): string {
  const { startMs, endMs } = footprint(b);
  return `[${new Date(startMs).toISOString()},${new Date(endMs).toISOString()})`;
}

const at = (epochMs: number): Date => new Date(epochMs);

/**
 * A booking as the columns of its row: the one list of them. booking_hold inserts this row
 * whole and booking_apply updates from it (jsonb_populate_record, src/adapters/db/functions);
 * test/booking-columns.test.ts checks it names every column of the table. Instants are Dates
 * (JSON.stringify writes them as ISO text), so the planned path reads it back with toBooking.
 */
export function bookingColumns(b: BookingRecord, cancellation?: { cancelledAtMs: number; reason: string | null }): Selectable<Bookings> {
  return {
    id: b.id, public_code: b.publicCode, artisan_id: b.artisanId, service_id: b.serviceId, service_name: b.serviceName,
    status: b.status, customer_name: b.customer.name, customer_email: b.customer.email ?? null, customer_phone: b.customer.phone ?? null,
    starts_at: at(b.startMs), ends_at: at(b.endMs), duration_minutes: b.durationMinutes, blocked_range: blockedRange(b),
    price_cents: b.priceCents, deposit_rate: b.depositRate, deposit_cents: b.depositCents, payment_status: b.paymentStatus,
    payment_provider: b.paymentProvider, payment_intent_id: b.paymentIntentId, payment_method_id: b.paymentMethodId,
    refund_cents: b.refundCents, refunded_cents: b.refundedCents, refund_policy: storedJson(b.refundPolicy),
    hold_expires_at: b.holdExpiresMs === null ? null : at(b.holdExpiresMs),
    notify_email: b.notifyEmail, notify_sms: b.notifySms, created_at: at(b.createdMs), updated_at: at(b.updatedMs),
    channel: b.channel, customer_address: b.customer.address ? storedJson(b.customer.address) : null, capture_method: b.captureMethod,
    cancelled_by: b.cancelledBy, cancelled_at: cancellation ? at(cancellation.cancelledAtMs) : null,
    cancellation_reason: cancellation?.reason ?? null, refund_cap_cents: b.refundCapCents,
    disputed_at: b.dispute ? at(b.dispute.openedMs) : null,
    dispute: b.dispute ? { reason: b.dispute.reason, amountCents: b.dispute.amountCents, status: b.dispute.status } : null,
    // Euros only (the column's CHECK, migration 0001); anonymised later, by the retention sweep or an erasure.
    currency: 'EUR', anonymized_at: null, problem_description: b.problemDescription,
    // Business plan (issue 20): who the booking is given to; kept through every transition.
    team_id: b.teamId ?? null, technician_id: b.technicianId ?? null,
    assignment: b.assignment ? storedJson(b.assignment) : null,
  };
}
