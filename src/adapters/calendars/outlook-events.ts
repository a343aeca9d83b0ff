import { Temporal } from 'temporal-polyfill';
import { findIana } from 'windows-iana';
import type { ExternalEvent } from '../../app/ports/calendars.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';

/** Marks the events this service writes, with the booking's id as value (a named extended property). */
export const BOOKING_PROPERTY = 'String {2f1c7a52-8d43-4f0e-9d1b-6a1e0b7c3a91} Name artisanConnectBookingId';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface GraphTime {
  dateTime?: string;
  timeZone?: string;
}
export interface GraphEvent {
  id?: string;
  iCalUId?: string;
  subject?: string;
  isAllDay?: boolean;
  isCancelled?: boolean;
  showAs?: string;
  start?: GraphTime;
  end?: GraphTime;
  singleValueExtendedProperties?: { id: string; value: string }[];
  /** Set by this service on the events it creates (the booking's id). */
  transactionId?: string;
}

/** Graph gives IANA or Windows zone names ("Romance Standard Time"); both are read. */
function zoneOf(name: string | undefined, fallback: string): string {
  if (!name) return fallback;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(name);
    return name;
  } catch {
    return findIana(name)[0] ?? fallback;
  }
}

const plainDateTime = (value: string): Temporal.PlainDateTime => Temporal.PlainDateTime.from(value.replace(/Z$/, '').slice(0, 23));

/** One occurrence (calendarView gives series expanded) as a busy interval, or nothing. */
export function occurrence(item: GraphEvent, zone: string, ownBooking: string | undefined): ExternalEvent | undefined {
  if (item.isCancelled || item.showAs === 'free') return undefined;
  if (!item.start?.dateTime || !item.end?.dateTime) return undefined;
  let startMs: number;
  let endMs: number;
  if (item.isAllDay) {
    // The local day(s), in the artisan's zone.
    startMs = plainDateTime(item.start.dateTime).toPlainDate().toZonedDateTime({ timeZone: zone }).epochMilliseconds;
    endMs = plainDateTime(item.end.dateTime).toPlainDate().toZonedDateTime({ timeZone: zone }).epochMilliseconds;
  } else {
    startMs = plainDateTime(item.start.dateTime).toZonedDateTime(zoneOf(item.start.timeZone, 'UTC')).epochMilliseconds;
    endMs = plainDateTime(item.end.dateTime).toZonedDateTime(zoneOf(item.end.timeZone, 'UTC')).epochMilliseconds;
  }
  if (endMs <= startMs) return undefined;
  const own = ownBooking ?? item.singleValueExtendedProperties?.find((p) => p.id === BOOKING_PROPERTY)?.value ?? (UUID.test(item.transactionId ?? '') ? item.transactionId : undefined);
  return { uid: own ? bookingUid(own) : (item.iCalUId ?? item.id ?? ''), startMs, endMs, summary: (item.subject ?? '').slice(0, 200), allDay: Boolean(item.isAllDay) };
}

/** What is kept of an event between delta rounds: what `occurrence` reads. */
export const keep = (e: GraphEvent): GraphEvent => ({
  id: e.id,
  ...(e.iCalUId ? { iCalUId: e.iCalUId } : {}),
  ...(e.subject ? { subject: e.subject.slice(0, 200) } : {}),
  ...(e.isAllDay ? { isAllDay: true } : {}),
  ...(e.isCancelled ? { isCancelled: true } : {}),
  ...(e.showAs ? { showAs: e.showAs } : {}),
  ...(e.start ? { start: e.start } : {}),
  ...(e.end ? { end: e.end } : {}),
  ...(e.transactionId ? { transactionId: e.transactionId } : {}),
});
