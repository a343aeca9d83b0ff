import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import type { ExternalEvent, ImportWindow, RemoteItem } from '../../app/ports/calendars.ts';
import { bookingUid } from '../../domain/calendar-uid.ts';
import { expandCalendar } from './ics-expand.ts';

/** What is kept of a Google event between incremental reads (events.list with singleEvents=false). */
export interface GoogleItem {
  id: string;
  status?: string;
  summary?: string;
  transparency?: string;
  start?: { dateTime?: string; date?: string; timeZone?: string };
  end?: { dateTime?: string; date?: string; timeZone?: string };
  /** RRULE, EXRULE, RDATE and EXDATE lines (RFC 5545), on a recurring series' master. */
  recurrence?: string[];
  /** On an exception: its series, and the start the occurrence had in it. */
  recurringEventId?: string;
  originalStartTime?: { dateTime?: string; date?: string; timeZone?: string };
}

type GoogleTime = NonNullable<GoogleItem['start']>;

/** Google event ids are base32hex (a–v, 0–9): a booking's UUID without dashes is one. */
export const bookingIdOfEventId = (id: string): string | undefined =>
  /^[0-9a-f]{32}$/.test(id) ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}` : undefined;

/** A Google time as an iCalendar property: a date, a wall-clock time in the series' zone, or UTC. */
function timeProperty(name: string, t: GoogleTime, zone: string | undefined): ICAL.Property {
  const prop = new ICAL.Property(name);
  if (t.date) {
    const d = Temporal.PlainDate.from(t.date);
    prop.setValue(ICAL.Time.fromData({ year: d.year, month: d.month, day: d.day, isDate: true }));
    return prop;
  }
  const ms = Date.parse(t.dateTime ?? '');
  if (!zone) {
    prop.setValue(ICAL.Time.fromJSDate(new Date(ms), true));
    return prop;
  }
  const local = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
  prop.setParameter('tzid', zone);
  prop.setValue(ICAL.Time.fromData({ year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second }));
  return prop;
}

/**
 * Google's events (series masters with their RRULE/EXDATE lines, exceptions, single events)
 * rewritten as one iCalendar text and expanded by ical.js like any other calendar, so the
 * same recurrence, zone and all-day rules apply. A cancelled occurrence of a series is an
 * EXDATE; an exception whose series is not kept blocks nothing (its series was deleted).
 */
export function expandGoogleItems(items: RemoteItem[], window: ImportWindow, maxEvents: number): ExternalEvent[] {
  const all = items.map((i) => i.data as GoogleItem);
  const masters = new Map(all.filter((e) => !e.recurringEventId && e.status !== 'cancelled').map((e) => [e.id, e]));
  const root = new ICAL.Component('vcalendar');
  root.addPropertyWithValue('version', '2.0');
  root.addPropertyWithValue('prodid', '-//ArtisanConnect//Google import//FR');
  const uidOf = (id: string): string => {
    const own = bookingIdOfEventId(id);
    return own ? bookingUid(own) : id;
  };
  const vevent = (e: GoogleItem, uid: string, zone: string | undefined): ICAL.Component => {
    const v = new ICAL.Component('vevent');
    v.addPropertyWithValue('uid', uid);
    v.addPropertyWithValue('summary', (e.summary ?? '').slice(0, 200));
    if (e.start) v.addProperty(timeProperty('dtstart', e.start, e.start.date ? undefined : zone));
    if (e.end) v.addProperty(timeProperty('dtend', e.end, e.end.date ? undefined : zone));
    if (e.transparency === 'transparent') v.addPropertyWithValue('transp', 'TRANSPARENT');
    return v;
  };
  const series = new Map<string, ICAL.Component>();
  for (const master of masters.values()) {
    if (!master.start || !master.end) continue;
    const recurring = (master.recurrence?.length ?? 0) > 0;
    const zone = recurring ? master.start.timeZone : undefined;
    const v = vevent(master, uidOf(master.id), zone);
    for (const line of master.recurrence ?? []) v.addProperty(ICAL.Property.fromString(line));
    root.addSubcomponent(v);
    series.set(master.id, v);
  }
  for (const e of all) {
    const master = e.recurringEventId ? masters.get(e.recurringEventId) : undefined;
    if (!master || !e.originalStartTime || !master.start) continue;
    const zone = master.start.timeZone;
    const recurrenceId = timeProperty(e.status === 'cancelled' ? 'exdate' : 'recurrence-id', e.originalStartTime, e.originalStartTime.date ? undefined : zone);
    if (e.status === 'cancelled') {
      series.get(master.id)?.addProperty(recurrenceId);
      continue;
    }
    if (!e.start || !e.end) continue;
    const v = vevent(e, uidOf(master.id), zone);
    v.addProperty(recurrenceId);
    root.addSubcomponent(v);
  }
  return expandCalendar(root.toString(), { fromMs: window.fromMs, toMs: window.toMs, timezone: window.timezone, maxEvents });
}

/**
 * Kept events over before the window starts: single events and moved occurrences that ended,
 * cancelled occurrences of a start gone by. Series masters stay (their end is in their RRULE).
 */
export function pastGoogleItems(items: RemoteItem[], window: ImportWindow): string[] {
  const at = (t: GoogleTime | undefined): number => (t ? Date.parse(t.dateTime ?? `${t.date}T23:59:59Z`) : Number.NaN);
  // A day of margin: an all-day event's date is read in the artisan's zone.
  const before = window.fromMs - 86_400_000;
  return items
    .filter(({ data }) => {
      const e = data as GoogleItem;
      if (e.recurrence?.length) return false;
      const end = e.status === 'cancelled' ? at(e.originalStartTime) : at(e.end);
      return end < before;
    })
    .map((i) => i.id);
}
