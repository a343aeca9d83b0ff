import { NotFoundError, ValidationError, bookingNotFound } from '../domain/errors.ts';
import { customerKey, type CustomerRef } from '../domain/customer-ref.ts';
import { normalizeEmail, normalizePublicCode } from '../domain/public-code.ts';
import type { BookingRecord } from '../domain/booking.ts';
import { normalizePhone } from './customer-input.ts';
import { phoneDigitsOf } from './phone-search.ts';
import type { CustomerStore, KnownCustomer } from './ports/customer-store.ts';

/** The artisan's customers: found while typing, their file (visits, amounts, outcomes) and private notes. */

export const NOTE_MAX_LENGTH = 4000;

/** An e-mail and/or a phone as typed (query or body) -> normalised; 400 when neither is usable. */
export function customerRefFrom(input: { email?: string; phone?: string }): { email?: string; phone?: string; ref: CustomerRef } {
  const email = input.email?.trim() ? normalizeEmail(input.email) : undefined;
  let phone: string | undefined;
  if (input.phone?.trim()) {
    phone = normalizePhone(input.phone);
    if (!phone) throw new ValidationError([{ field: 'phone', message: "Le numéro de téléphone n'est pas valide." }]);
  }
  const ref = email !== undefined ? { email } : phone !== undefined ? { phone } : undefined;
  if (!ref) throw new ValidationError([{ field: 'email', message: 'Indiquez l’e-mail ou le téléphone du client.' }]);
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}), ref };
}

const cleanNote = (body: string | null | undefined): string | null => {
  const text = body?.replace(/\r\n/g, '\n').trim() ?? '';
  if (text.length > NOTE_MAX_LENGTH) throw new ValidationError([{ field: 'note', message: `La note est limitée à ${NOTE_MAX_LENGTH} caractères.` }]);
  return text.length > 0 ? text : null;
};

export function makeCustomers(deps: { store: CustomerStore; clock: { now(): number }; findBooking: (artisanId: string, code: string) => Promise<BookingRecord> }) {
  const { store } = deps;
  return {
    /** Past customers matching what the artisan types (name, e-mail or phone in any common format), latest first. */
    async lookup(artisanId: string, query: string, limit = 8): Promise<KnownCustomer[]> {
      const text = query.trim();
      if (text.length < 2) return [];
      const phoneDigits = phoneDigitsOf(text);
      return store.lookup(artisanId, { text, ...(phoneDigits ? { phoneDigits } : {}) }, limit);
    },

    /**
     * A customer's file: every booking with the same e-mail or the same phone, split into the
     * visits to come and the past ones (cancelled included, with their refunds), and the note.
     */
    async file(artisanId: string, who: { email?: string; phone?: string }) {
      const { email, phone, ref } = customerRefFrom(who);
      const bookings = await store.bookingsOf(artisanId, { ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
      if (bookings.length === 0) throw new NotFoundError('CUSTOMER_NOT_FOUND', 'Aucun rendez-vous n’est enregistré pour ce client.');
      const now = deps.clock.now();
      const latest = bookings[bookings.length - 1]!;
      const key = customerKey(ref);
      return {
        customer: { name: latest.customer.name, email: email ?? latest.customer.email, phone: phone ?? latest.customer.phone, address: latest.customer.address },
        key,
        note: await store.readCustomerNote(artisanId, key),
        upcoming: bookings.filter((b) => b.endMs > now),
        past: bookings.filter((b) => b.endMs <= now).reverse(),
        timezone: latest.timezone,
      };
    },

    async readBookingNote(artisanId: string, booking: BookingRecord): Promise<string | null> {
      return store.readBookingNote(artisanId, booking.id);
    },

    async writeBookingNote(artisanId: string, code: string, body: string | null): Promise<string | null> {
      if (!normalizePublicCode(code)) throw bookingNotFound();
      const booking = await deps.findBooking(artisanId, code);
      const note = cleanNote(body);
      await store.writeBookingNote(artisanId, booking.id, note, deps.clock.now());
      return note;
    },

    async writeCustomerNote(artisanId: string, who: { email?: string; phone?: string }, body: string | null): Promise<string | null> {
      const { email, phone, ref } = customerRefFrom(who);
      const known = await store.bookingsOf(artisanId, { ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
      if (known.length === 0) throw new NotFoundError('CUSTOMER_NOT_FOUND', 'Aucun rendez-vous n’est enregistré pour ce client.');
      const note = cleanNote(body);
      await store.writeCustomerNote(artisanId, customerKey(ref), note, deps.clock.now());
      return note;
    },
  };
}

export type Customers = ReturnType<typeof makeCustomers>;
