import { DEFAULT_REFUND_POLICY, decideRefund } from '../../domain/refund-policy.ts';
import type { Availability } from '../../app/get-availability.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import { depositCents } from '../../domain/money.ts';
import { formatInstant, instantToLocal } from '../../domain/time.ts';
import { isHold, isOutcome } from '../../domain/booking-lifecycle.ts';
import type { CreateBookingResult } from '../../app/create-booking.ts';

/** 201 with the booking, or 202 with it and the 3-D Secure step to complete (PAYMENT-CONTRACT.md). */
export function presentCreated(created: CreateBookingResult, provider: 'stripe' | 'simulated') {
  const booking = presentBooking(created.booking);
  if (!created.challenge) return { status: 201 as const, body: { booking } };
  return {
    status: 202 as const,
    body: {
      booking,
      payment: {
        status: 'requires_action' as const,
        clientSecret: created.challenge.clientSecret,
        provider,
        holdExpiresAt: new Date(created.challenge.holdExpiresMs).toISOString(),
      },
    },
  };
}

/** Entities -> the contract's DTOs (plus the existing front's names, decisions §5). */

export function presentService(s: ServiceRecord) {
  return {
    id: s.id,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    durationMinutes: s.durationMinutes,
    basePriceCents: s.basePriceCents,
    depositRate: s.depositRate,
    depositCents: depositCents(s.basePriceCents, s.depositRate),
    isActive: s.isActive,
    refundPolicy: s.refundPolicy ?? DEFAULT_REFUND_POLICY,
    atCustomer: s.atCustomer,
    // Only when set: a service without one answers as before.
    ...(s.maintenanceIntervalMonths !== null ? { maintenanceIntervalMonths: s.maintenanceIntervalMonths } : {}),
  };
}

/** Public view: each blocker's type only, and the provider for calendars (decisions §4). */
export function presentAvailability(a: Availability) {
  return {
    serviceId: a.serviceId,
    date: a.date,
    timezone: a.timezone,
    opening: a.opening,
    slots: a.slots.map((s) => ({
      time: s.time,
      available: s.available,
      blockedBy: s.blockedBy.map((b) => (b.type === 'calendar' ? { type: b.type, providerId: b.providerId } : { type: b.type })),
    })),
  };
}

/** The intervention address is shown only to the customer's own lookup and to the artisan. */
export function presentBooking(b: BookingRecord, options: { withAddress?: boolean; nowMs?: number } = {}) {
  const local = instantToLocal(b.startMs, b.timezone);
  return {
    publicCode: b.publicCode,
    // A slot held while the payment completes is "pending" to the customer.
    // An appointment with an outcome was confirmed and took place (or not): `outcome` says which.
    status: isHold(b.status) ? ('pending' as const) : isOutcome(b.status) ? ('confirmed' as const) : (b.status as 'confirmed' | 'cancelled' | 'rescheduled'),
    serviceId: b.serviceId,
    serviceName: b.serviceName,
    startDateTime: formatInstant(b.startMs, b.timezone),
    endDateTime: formatInstant(b.endMs, b.timezone),
    date: local.date,
    time: local.time,
    durationMinutes: b.durationMinutes,
    priceCents: b.priceCents,
    customer: {
      name: b.customer.name,
      ...(b.customer.email ? { email: b.customer.email } : {}),
      ...(b.customer.phone ? { phone: b.customer.phone } : {}),
      ...(options.withAddress && b.customer.address ? { address: b.customer.address } : {}),
    },
    deposit: {
      amountCents: b.depositCents,
      currency: 'EUR' as const,
      rate: b.depositRate,
      paymentStatus: b.paymentStatus,
      paymentProvider: (b.paymentProvider as 'stripe' | 'other' | null) ?? null,
      paymentIntentId: b.paymentIntentId,
      refundedCents: b.refundedCents,
    },
    notifications: { email: b.notifyEmail, sms: b.notifySms },
    createdAt: formatInstant(b.createdMs, b.timezone),
    updatedAt: formatInstant(b.updatedMs, b.timezone),
    // The customer's own lookup: the policy and what cancelling now would refund.
    ...(options.nowMs !== undefined
      ? {
          refundPolicy: b.refundPolicy,
          cancellationRefund: decideRefund({ policy: b.refundPolicy, depositCents: b.depositCents, cancelledBy: 'customer', startMs: b.startMs, nowMs: options.nowMs }),
        }
      : {}),
    // Only once recorded: a booking without an outcome answers exactly as before.
    ...(isOutcome(b.status) ? { outcome: b.status } : {}),
  };
}
