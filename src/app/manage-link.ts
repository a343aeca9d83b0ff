import { AppError, bookingNotFound } from '../domain/errors.ts';
import { signManageToken, verifyManageToken } from '../domain/manage-token.ts';
import { isVisible } from '../domain/booking-lifecycle.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';

const DAY = 86_400_000;

export interface ManageLinks {
  /** `${PUBLIC_BASE_URL}/gerer?token=…`, valid until `ttlDays` after the appointment. */
  urlFor(booking: Pick<BookingRecord, 'id' | 'startMs'>): string;
  /**
   * The booking a token opens; French 4xx errors for a tampered or expired token. `within`: the
   * business whose address the link was followed under; another's booking is then not found.
   */
  resolve(token: string, within?: string): Promise<BookingRecord>;
}

export const manageLinkInvalid = (): AppError =>
  new AppError('MANAGE_LINK_INVALID', "Ce lien de gestion n'est pas valide. Utilisez le lien reçu par e-mail ou votre code de réservation et votre e-mail.");
export const manageLinkExpired = (): AppError =>
  new AppError('MANAGE_LINK_EXPIRED', 'Ce lien de gestion a expiré. Retrouvez votre réservation avec son code et votre adresse e-mail.');

export function makeManageLinks(deps: {
  store: BookingStore;
  clock: Clock;
  secret: string;
  /** Keys links were signed with before (still accepted until their links expire; never used to sign). */
  previousSecrets?: string[];
  baseUrl: string;
  ttlDays: number;
}): ManageLinks {
  const verify = (token: string, now: number) => {
    let check = verifyManageToken(token, deps.secret, now);
    for (const previous of deps.previousSecrets ?? []) {
      if (check.ok || check.reason !== 'bad_signature') break;
      check = verifyManageToken(token, previous, now);
    }
    return check;
  };
  const base = deps.baseUrl.replace(/\/+$/, '');
  return {
    urlFor(booking) {
      // Valid from now until well after the appointment, whatever its date: a link in an old
      // e-mail keeps working after a reschedule (same booking), and dies some time after.
      const expiresMs = Math.max(booking.startMs, deps.clock.now()) + deps.ttlDays * DAY;
      return `${base}/gerer?token=${signManageToken(booking.id, expiresMs, deps.secret)}`;
    },
    async resolve(token, within) {
      const check = verify(token.trim(), deps.clock.now());
      if (!check.ok) throw check.reason === 'expired' ? manageLinkExpired() : manageLinkInvalid();
      const booking = await deps.store.findBookingById(check.bookingId, within);
      if (!booking || !isVisible(booking.status)) throw bookingNotFound();
      return booking;
    },
  };
}
