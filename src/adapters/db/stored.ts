import type { BookingChannel, BookingDispute } from '../../domain/booking.ts';
import type { Address } from '../../domain/address.ts';
import type { BookingStatus, PaymentStatus } from '../../domain/booking-lifecycle.ts';
import type { PlanCode } from '../../domain/plans.ts';
import type { CancelledBy, RefundPolicy } from '../../domain/refund-policy.ts';
import type { Json } from './schema.ts';
import type { Assignment } from '../../domain/routing.ts';

/**
 * Text columns that hold one of our own unions, read back as that union. The column's CHECK
 * constraint (or the only code that writes it) guarantees the value: one narrowing per union, here.
 */
export const storedPlan = (plan: string): PlanCode => plan as PlanCode;

/** bookings.status (CHECK in migration 0001, widened by later ones to BOOKING_STATUSES). */
export const storedStatus = (status: string): BookingStatus => status as BookingStatus;
/** bookings.payment_status (CHECK, PAYMENT_STATUSES). */
export const storedPaymentStatus = (status: string): PaymentStatus => status as PaymentStatus;
/** bookings.channel (CHECK: 'online' | 'phone'). */
export const storedChannel = (channel: string): BookingChannel => channel as BookingChannel;
/** bookings.capture_method (CHECK: 'automatic' | 'manual'). */
export const storedCaptureMethod = (method: string | null): 'automatic' | 'manual' | null => method as 'automatic' | 'manual' | null;
/** bookings.cancelled_by: only the booking lifecycle writes it. */
export const storedCancelledBy = (by: string | null): CancelledBy | 'system' | null => by as CancelledBy | 'system' | null;

/**
 * JSON columns written by one piece of code from one type (bookingColumns / makeTx), read back
 * as that type.
 */
export const storedRefundPolicy = (v: Json): RefundPolicy => v as unknown as RefundPolicy;
export const storedAddress = (v: Json): Address => v as unknown as Address;
export const storedAssignment = (v: Json): Assignment => v as unknown as Assignment;
export const storedDispute = (v: Json): Omit<BookingDispute, 'openedMs'> => v as unknown as Omit<BookingDispute, 'openedMs'>;
/** Outbox payloads and booking event data are the JSON objects their writer recorded. */
export const storedObject = (v: Json): Record<string, unknown> => v as Record<string, unknown>;
/**
 * The other way: one of our plain-data records (numbers, strings, arrays of them) written to a
 * JSON column. TypeScript cannot see an interface as a JSON value (no index signature).
 */
export const storedJson = (v: object): Json => v as unknown as Json;
