import ical from 'ical-generator';
import type { ExportedEvent } from '../../app/calendar-ports.ts';
import type { BookingRecord } from '../../app/ports.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';
import { formatAddress } from '../notify/french-format.ts';

/**
 * A booking as an event of the artisan's own calendar (CalDAV object): who, where, the code.
 * No METHOD, organizer or attendees, so no server mails an invitation to the customer; times
 * in UTC; the UID is the booking's for its whole life. SEQUENCE follows the booking's changes.
 */
export function renderBookingEvent(booking: BookingRecord, sequence: number): ExportedEvent {
  const calendar = ical({ prodId: { company: 'ArtisanConnect', product: 'reservations', language: 'FR' } });
  const c = booking.customer;
  const lines = [
    `Client : ${c.name}`,
    ...(c.phone ? [`Téléphone : ${c.phone}`] : []),
    `E-mail : ${c.email}`,
    ...(c.address ? [`Adresse : ${formatAddress(c.address)}`] : []),
    `Code de réservation : ${booking.publicCode}`,
  ];
  calendar.createEvent({
    id: bookingUid(booking.id),
    sequence,
    stamp: new Date(booking.updatedMs),
    start: new Date(booking.startMs),
    end: new Date(booking.endMs),
    summary: `${booking.serviceName} - ${c.name}`,
    description: lines.join('\n'),
    ...(c.address ? { location: formatAddress(c.address) } : {}),
  });
  return { bookingId: booking.id, uid: bookingUid(booking.id), ics: calendar.toString(), startMs: booking.startMs, endMs: booking.endMs };
}
