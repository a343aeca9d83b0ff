import ical, { type ICalCalendar } from 'ical-generator';
import type { ExportedEvent } from '../../app/ports/calendars.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';
import { formatAddress } from '../notify/french-format.ts';

const PROD_ID = { company: 'ArtisanConnect', product: 'reservations', language: 'FR' } as const;

/**
 * A booking as an event of the artisan's own calendar (CalDAV object, private feed): who,
 * where, the code. No organizer or attendees, so no server mails an invitation to the
 * customer; times in UTC; the UID is the booking's for its whole life; SEQUENCE is its revision.
 */
function fieldsOf(booking: BookingRecord): { summary: string; description: string; location?: string } {
  const c = booking.customer;
  const lines = [
    `Client : ${c.name}`,
    ...(c.phone ? [`Téléphone : ${c.phone}`] : []),
    ...(c.email ? [`E-mail : ${c.email}`] : []),
    ...(c.address ? [`Adresse : ${formatAddress(c.address)}`] : []),
    `Code de réservation : ${booking.publicCode}`,
  ];
  return { summary: `${booking.serviceName} - ${c.name}`, description: lines.join('\n'), ...(c.address ? { location: formatAddress(c.address) } : {}) };
}

function addBookingEvent(calendar: ICalCalendar, booking: BookingRecord, sequence: number): void {
  calendar.createEvent({
    id: bookingUid(booking.id),
    sequence,
    stamp: new Date(booking.updatedMs),
    start: new Date(booking.startMs),
    end: new Date(booking.endMs),
    ...fieldsOf(booking),
  });
}

export function renderBookingEvent(booking: BookingRecord, sequence: number): ExportedEvent {
  const calendar = ical({ prodId: PROD_ID });
  addBookingEvent(calendar, booking, sequence);
  return { bookingId: booking.id, uid: bookingUid(booking.id), ics: calendar.toString(), ...fieldsOf(booking), startMs: booking.startMs, endMs: booking.endMs };
}

/** The private feed: every booked appointment, refreshed by the calendar app every few hours. */
export function renderFeed(entries: { booking: BookingRecord; sequence: number }[]): string {
  const calendar = ical({ prodId: PROD_ID, name: 'Rendez-vous ArtisanConnect', ttl: 15 * 60 });
  for (const { booking, sequence } of entries) addBookingEvent(calendar, booking, sequence);
  return calendar.toString();
}
