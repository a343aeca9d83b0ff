import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { NotificationContext } from '../../app/ports/notifications.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';
import { encodeParamValue } from '../calendars/ical-text.ts';
import { formatAddress } from './french-format.ts';

/**
 * The booking as an iTIP message (RFC 5546): REQUEST on confirmation, reschedule and reminder
 * (SEQUENCE rises with each change, so the calendar replaces the older copy), CANCEL on
 * cancellation; PUBLISH for the file the customer downloads (GET /api/bookings/{code}/ics).
 * Times are UTC, so no VTIMEZONE is needed for any client to place it.
 */
export function buildCalendarInvite(ctx: NotificationContext, method: 'REQUEST' | 'CANCEL' | 'PUBLISH'): string {
  const { booking, artisan } = ctx;
  const cancelled = method === 'CANCEL' || booking.status === 'cancelled';
  const calendar = ical({
    prodId: { company: 'ArtisanConnect', product: 'reservations', language: 'FR' },
    method: method === 'CANCEL' ? ICalCalendarMethod.CANCEL : method === 'PUBLISH' ? ICalCalendarMethod.PUBLISH : ICalCalendarMethod.REQUEST,
  });
  calendar.createEvent({
    id: bookingUid(booking.id),
    sequence: ctx.sequence,
    stamp: new Date(booking.updatedMs),
    start: new Date(booking.startMs),
    end: new Date(booking.endMs),
    summary: `${booking.serviceName} - ${artisan.displayName}`,
    ...(booking.customer.address ? { location: formatAddress(booking.customer.address) } : {}),
    description: `Code de réservation : ${booking.publicCode}${artisan.phone ? `\nContact : ${artisan.phone}` : ''}`,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    // Names go into quoted parameters: RFC 6868, or a `"` would rewrite the attendee.
    organizer: { name: encodeParamValue(artisan.displayName), email: artisan.email },
    attendees: booking.customer.email ? [{ name: encodeParamValue(booking.customer.name), email: booking.customer.email }] : [],
  });
  return calendar.toString();
}
