import { bookingNotFound } from '../domain/errors.ts';
import type { NotificationContext } from './ports/notifications.ts';
import type { BookingRecord } from '../domain/booking.ts';

/**
 * The customer's own `.ics` of one booking ("Ajouter à mon agenda"): the same identity check
 * as the lookup (code + e-mail, a wrong one answers as missing), and the same invitation the
 * confirmation e-mail carries, as a PUBLISH.
 */
export function makeBookingIcs(deps: {
  findBooking(input: { publicCode: string; email: string }): Promise<BookingRecord>;
  readContext(bookingId: string): Promise<NotificationContext | undefined>;
  render(ctx: NotificationContext, method: 'PUBLISH'): string;
}) {
  return async function bookingIcs(input: { publicCode: string; email: string }): Promise<string> {
    const booking = await deps.findBooking(input);
    const ctx = await deps.readContext(booking.id);
    if (!ctx) throw bookingNotFound();
    return deps.render(ctx, 'PUBLISH');
  };
}
