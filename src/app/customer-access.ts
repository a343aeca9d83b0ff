import { ValidationError, bookingNotFound } from '../domain/errors.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { BookingRecord } from '../domain/booking.ts';

/**
 * How a customer proves that the booking in a request is theirs: its code with their e-mail,
 * or a manage link's token (which names the booking itself). This is the one place that rule
 * is written; every customer route goes through it.
 */
export interface CustomerProof {
  email?: string;
  token?: string;
}

/** Code + e-mail to check, or the booking a token already opened (and checked). */
export type CustomerClaim =
  | { publicCode: string; email: string; booking?: undefined }
  /** A token names the booking itself; `email` is absent for a phone booking taken without one. */
  | { publicCode: string; email?: string; booking: BookingRecord };

export interface CustomerAccess {
  /**
   * What the request claims, without reading the booking when it comes with an e-mail (the use
   * case it is handed to checks code + e-mail itself). A token is checked here: one for another
   * booking than the code in the path answers exactly as an unknown code.
   */
  claim(publicCode: string, proof: CustomerProof): Promise<CustomerClaim>;
  /** The booking itself, checked either way. */
  booking(publicCode: string, proof: CustomerProof): Promise<BookingRecord>;
}

export function makeCustomerAccess(deps: {
  findBooking(input: { publicCode: string; email: string }): Promise<BookingRecord>;
  resolveToken(token: string): Promise<BookingRecord>;
}): CustomerAccess {
  const claim = async (publicCode: string, proof: CustomerProof): Promise<CustomerClaim> => {
    if (proof.token !== undefined) {
      const booking = await deps.resolveToken(proof.token);
      if (booking.publicCode !== normalizePublicCode(publicCode)) throw bookingNotFound();
      return { publicCode: booking.publicCode, ...(booking.customer.email ? { email: booking.customer.email } : {}), booking };
    }
    if (proof.email === undefined) throw new ValidationError([{ field: 'email', message: 'Ce champ est obligatoire.' }]);
    return { publicCode, email: proof.email };
  };
  return {
    claim,
    async booking(publicCode, proof) {
      const claimed = await claim(publicCode, proof);
      return claimed.booking ?? deps.findBooking(claimed);
    },
  };
}
