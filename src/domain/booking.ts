import type { Address } from './address.ts';
import type { Assignment } from './routing.ts';
import type { BookingStatus, PaymentStatus } from './booking-lifecycle.ts';
import type { CancelledBy, RefundPolicy } from './refund-policy.ts';

/** A booking as the use cases read and write it, and the shapes that travel with it. */

export interface Customer {
  name: string;
  /**
   * Always there online; a booking the artisan takes (on the phone) may have none: it is then
   * confirmed by SMS or not at all, and cannot be looked up by code + e-mail.
   */
  email?: string;
  phone?: string;
  /** Where the intervention takes place; shown to the artisan and to the customer only. */
  address?: Address;
}

/** Online (public API) or taken by the artisan, e.g. on the phone. */
export type BookingChannel = 'online' | 'phone';

export interface BookingRecord {
  id: string;
  /** The member and team the booking is given to (Business plan, issue 20); absent when none. */
  technicianId?: string;
  teamId?: string;
  /** Why a routed booking went to its technician (stored at creation; src/domain/routing.ts). */
  assignment?: Assignment;
  publicCode: string;
  artisanId: string;
  serviceId: string;
  serviceName: string;
  status: BookingStatus;
  channel: BookingChannel;
  customer: Customer;
  /** "Décrivez le problème": the customer's own words for the artisan; null when none. */
  problemDescription: string | null;
  startMs: number;
  endMs: number;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  priceCents: number;
  depositRate: number;
  depositCents: number;
  paymentStatus: PaymentStatus;
  paymentProvider: string | null;
  paymentIntentId: string | null;
  paymentMethodId: string | null;
  refundCents: number;
  /** What the provider has given back so far (refunds, the released part of an authorisation). */
  refundedCents: number;
  refundPolicy: RefundPolicy;
  notifyEmail: boolean;
  notifySms: boolean;
  timezone: string;
  holdExpiresMs: number | null;
  /** How the deposit is taken: captured at once, or authorised and captured at the start. */
  captureMethod: 'automatic' | 'manual' | null;
  /** The most a customer cancellation refunds (terms kept from a move made late); null: the policy alone. */
  refundCapCents: number | null;
  /** A chargeback opened by the card holder, flagged for the artisan. */
  dispute: BookingDispute | null;
  cancelledBy: CancelledBy | 'system' | null;
  createdMs: number;
  updatedMs: number;
}

export interface BookingDispute {
  openedMs: number;
  reason: string;
  amountCents: number;
  status: string;
}

export interface BookingEvent {
  bookingId: string;
  type: string;
  actor: string;
  data?: Record<string, unknown>;
}

/** An active booking as the artisan needs it to move it (time off laid over it). */
export interface BookingSummary {
  publicCode: string;
  serviceId: string;
  serviceName: string;
  customerName: string;
  status: BookingStatus;
  startMs: number;
  endMs: number;
}
