import type { makeGetAvailability, makeGetAvailabilityDays } from '../../app/get-availability.ts';
import type { PublicProfileUseCases } from '../../app/public-profile.ts';
import type { makeCreateBooking } from '../../app/create-booking.ts';
import type { makeCheckBookingFields } from '../../app/booking-fields.ts';
import type { makeCancelBooking, makeFindBooking, makeRescheduleBooking } from '../../app/manage-booking.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import type { makeConfirmPayment, makeResumeBooking } from '../../app/confirm-payment.ts';
import type { CustomerAccess } from '../../app/customer-access.ts';
import type { makeCreateBookingIdempotently } from '../../app/create-booking-idempotently.ts';

/** The use cases the HTTP adapter calls; built in main.ts (or a test) and handed in. */
export interface UseCases {
  /** A business's active services. */
  listServices(artisanId: string): Promise<ServiceRecord[]>;
  getAvailability: ReturnType<typeof makeGetAvailability>;
  getAvailabilityDays: ReturnType<typeof makeGetAvailabilityDays>;
  /** The booking page's view of the artisan; terms-of-sale consent. */
  publicProfile: PublicProfileUseCases;
  createBooking: ReturnType<typeof makeCreateBooking>;
  /** The booking's own field checks on a body the schema refused: every problem said at once. */
  checkBookingFields: ReturnType<typeof makeCheckBookingFields>;
  /** Booking creation under an Idempotency-Key: the first answer replayed, a dead request's hold resumed. */
  createBookingIdempotently: ReturnType<typeof makeCreateBookingIdempotently>;
  /** Code + e-mail, or a manage link's token: the one check of a customer's claim on a booking. */
  customerAccess: CustomerAccess;
  findBooking: ReturnType<typeof makeFindBooking>;
  cancelBooking: ReturnType<typeof makeCancelBooking>;
  rescheduleBooking: ReturnType<typeof makeRescheduleBooking>;
  /** Where a held booking's payment stands after 3-D Secure (applied to the booking). */
  confirmPayment: ReturnType<typeof makeConfirmPayment>;
  /** The outcome of the booking an Idempotency-Key's dead request made (undefined: start afresh). */
  resumeBooking: ReturnType<typeof makeResumeBooking>;
  /** The customer's own .ics of one booking (same identity check as findBooking). */
  bookingIcs(input: { publicCode: string; email: string }): Promise<string>;
  /** The artisan's private feed for a token, undefined when the token opens nothing. */
  /** The feed a token opens; with `business` (the address named one), only that business's. */
  calendarFeed(token: string, business?: string): Promise<string | undefined>;
  /** The booking a manage link's token opens (MANAGE_LINK_INVALID / MANAGE_LINK_EXPIRED otherwise), within `business` when given. */
  findBookingByToken(token: string, business?: string): Promise<BookingRecord>;
  /** The manage link of a booking (what its e-mails carry). */
  manageUrl(booking: BookingRecord): string;
}
