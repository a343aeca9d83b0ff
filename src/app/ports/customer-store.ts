import type { Address } from '../../domain/address.ts';
import type { BookingRecord } from '../../domain/booking.ts';

/** What a customer lookup matches: free text (name, e-mail) and, when the query reads as part of a phone number, its digits. */
export interface CustomerMatch {
  text: string;
  /** Digits of a phone number without its trunk or international prefix (phone-search.ts). */
  phoneDigits?: string;
}

/** A past customer as the new-booking form offers them: their latest details. */
export interface KnownCustomer {
  name: string;
  email: string | null;
  phone: string | null;
  address: Address | null;
  /** Local date (the artisan's zone) of their latest booking, AAAA-MM-JJ. */
  lastVisitDate: string;
  visits: number;
}

/** The artisan's customers (from their bookings) and private notes; every call is scoped to one artisan. */
export interface CustomerStore {
  /** Distinct customers (by e-mail, or phone without one) whose visible bookings match, latest first; erased customers excluded. */
  lookup(artisanId: string, match: CustomerMatch, limit: number): Promise<KnownCustomer[]>;
  /** Every visible booking with this e-mail or this phone, by start. */
  bookingsOf(artisanId: string, who: { email?: string; phone?: string }): Promise<BookingRecord[]>;
  readBookingNote(artisanId: string, bookingId: string): Promise<string | null>;
  /** Writes the note; null or empty deletes it. */
  writeBookingNote(artisanId: string, bookingId: string, body: string | null, nowMs: number): Promise<void>;
  readCustomerNote(artisanId: string, customerKey: string): Promise<string | null>;
  writeCustomerNote(artisanId: string, customerKey: string, body: string | null, nowMs: number): Promise<void>;
}
