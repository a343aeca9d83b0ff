import ICAL from 'ical.js';
import { Temporal } from 'temporal-polyfill';
import { findIana } from 'windows-iana';
import { CalendarError } from '../../app/ports/calendars.ts';
import type { ExternalEvent } from '../../app/ports/calendars.ts';

/**
 * iCalendar text -> the busy intervals it holds over a window, with ical.js doing the
 * parsing and the recurrence expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides).
 *
 * Time zones: a VTIMEZONE in the file is honoured as written (ical.js reads it). A TZID
 * without one is resolved to an IANA zone (itself, a Windows name such as "Romance Standard
 * Time", or a prefixed id like "/mozilla.org/…/Europe/Paris") and its offsets come from
 * Temporal's time zone data; anything else is refused, never read as UTC. Floating times
 * and all-day dates are read in the artisan's zone.
 */

export interface ExpandOptions {
  fromMs: number;
  toMs: number;
  /** The artisan's IANA zone: floating times and all-day events are local to it. */
  timezone: string;
  /** Most occurrences kept; more is an error (a runaway feed). */
  maxEvents: number;
}

/** Iterations of one series before giving up on reaching the window (a daily series from 1970). */
const MAX_ITERATIONS_PER_SERIES = 50_000;
/** An override may move an occurrence into the window from a little after it. */
const OVERRIDE_MARGIN_MS = 31 * 86_400_000;

/** An ical.js zone whose offsets are Temporal's for one IANA zone. */
class IanaZone extends ICAL.Timezone {
  constructor(
    tzid: string,
    readonly iana: string,
  ) {
    super({ tzid });
  }
  override utcOffset(tt: ICAL.Time): number {
    return zonedOf(tt, this.iana).offsetNanoseconds / 1e9;
  }
}

const zonedOf = (t: ICAL.Time, zone: string): Temporal.ZonedDateTime =>
  Temporal.PlainDateTime.from({ year: t.year, month: t.month, day: t.day, hour: t.isDate ? 0 : t.hour, minute: t.isDate ? 0 : t.minute, second: t.isDate ? 0 : t.second }).toZonedDateTime(zone, {
    disambiguation: 'compatible',
  });

function isIana(zone: string): boolean {
  try {
    Temporal.Now.zonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

/** The IANA zone a TZID names, when it names one. */
export function resolveTzid(tzid: string): string | undefined {
  const id = tzid.trim().replace(/^"|"$/g, '');
  if (isIana(id)) return id;
  const windows = findIana(id);
  if (windows && windows.length > 0 && isIana(windows[0]!)) return windows[0];
  const suffix = /([A-Za-z_]+\/[A-Za-z0-9_+-]+(?:\/[A-Za-z_]+)?)$/.exec(id)?.[1];
  if (suffix && isIana(suffix)) return suffix;
  return undefined;
}

// Zones are registered once, globally, under the TZID text: every registration of one text
// maps it to the same IANA rules, so imports running side by side cannot disagree.
const registered = new Set<string>();
function ensureZone(tzid: string): boolean {
  if (registered.has(tzid)) return true;
  const iana = resolveTzid(tzid);
  if (!iana) return false;
  ICAL.TimezoneService.register(new IanaZone(tzid, iana), tzid);
  registered.add(tzid);
  return true;
}

function parseRoots(text: string): ICAL.Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch {
    throw new CalendarError("Le calendrier reçu n'est pas un fichier iCalendar valide.");
  }
  // Several VCALENDARs in one text (CalDAV objects joined) come back as a list.
  const list = Array.isArray(parsed) && Array.isArray(parsed[0]) ? (parsed as unknown[]) : [parsed];
  const roots = list.map((j) => new ICAL.Component(j as unknown[]));
  if (roots.some((r) => r.name !== 'vcalendar')) throw new CalendarError("Le calendrier reçu n'est pas un fichier iCalendar valide.");
  return roots;
}

/** Every TZID the events use must be defined in the file or resolvable: else the import fails. */
function checkZones(root: ICAL.Component): void {
  const inFile = new Set(root.getAllSubcomponents('vtimezone').map((z) => String(z.getFirstPropertyValue('tzid'))));
  // ical.js looks a TZID up in the file's own cache first; one it has no VTIMEZONE for is
  // searched again through every component of the file for each time value (quadratic on a
  // 5,000-event calendar), so the resolved zones are put in that cache once.
  const cache = (root as unknown as { _timezoneCache?: Map<string, ICAL.Timezone> })._timezoneCache;
  const primed = new Set<string>();
  for (const event of root.getAllSubcomponents('vevent')) {
    for (const prop of event.getAllProperties()) {
      const tzid = prop.getParameter('tzid');
      if (typeof tzid !== 'string' || inFile.has(tzid) || primed.has(tzid)) continue;
      if (ensureZone(tzid)) {
        cache?.set(tzid, ICAL.TimezoneService.get(tzid));
        primed.add(tzid);
      } else {
        throw new CalendarError(
          `Fuseau horaire inconnu dans le calendrier : « ${tzid.slice(0, 80)} ». L'événement ne peut pas être placé sans risque d'erreur d'horaire ; corrigez son fuseau dans l'agenda d'origine.`,
        );
      }
    }
  }
}

function toMs(t: ICAL.Time, artisanZone: string): number {
  if (t.isDate || t.zone === ICAL.Timezone.localTimezone || !t.zone) return zonedOf(t, artisanZone).epochMilliseconds;
  if (t.zone instanceof IanaZone) return zonedOf(t, t.zone.iana).epochMilliseconds;
  return t.toUnixTime() * 1000;
}

const blocksTime = (c: ICAL.Component): boolean =>
  String(c.getFirstPropertyValue('status') ?? '').toUpperCase() !== 'CANCELLED' &&
  String(c.getFirstPropertyValue('transp') ?? '').toUpperCase() !== 'TRANSPARENT';

const summaryOf = (c: ICAL.Component): string => String(c.getFirstPropertyValue('summary') ?? '').trim().slice(0, 200);

/** One calendar text -> its busy occurrences overlapping [fromMs, toMs), by start. */
export function expandCalendar(text: string, options: ExpandOptions): ExternalEvent[] {
  const out: ExternalEvent[] = [];
  const push = (uid: string, component: ICAL.Component, start: ICAL.Time, end: ICAL.Time | null): void => {
    if (!blocksTime(component)) return;
    const startMs = toMs(start, options.timezone);
    // No DTEND: a date lasts the day, a date-time is an instant (blocks nothing).
    const endMs = end ? toMs(end, options.timezone) : start.isDate ? toMs(start, options.timezone) + 86_400_000 : startMs;
    if (endMs <= startMs || endMs <= options.fromMs || startMs >= options.toMs) return;
    if (out.length >= options.maxEvents) {
      throw new CalendarError(`Le calendrier contient trop d'événements sur la période synchronisée (plus de ${options.maxEvents}).`);
    }
    out.push({ uid, startMs, endMs, summary: summaryOf(component), allDay: start.isDate });
  };

  for (const root of parseRoots(text)) {
    checkZones(root);
    const byUid = new Map<string, { master?: ICAL.Component; overrides: ICAL.Component[] }>();
    for (const vevent of root.getAllSubcomponents('vevent')) {
      const uid = String(vevent.getFirstPropertyValue('uid') ?? '');
      const entry = byUid.get(uid) ?? { overrides: [] };
      if (vevent.hasProperty('recurrence-id')) entry.overrides.push(vevent);
      else entry.master = vevent;
      byUid.set(uid, entry);
    }
    for (const [uid, { master, overrides }] of byUid) {
      try {
        if (!master) {
          // Overrides without their series (a CalDAV server handing out instances only).
          for (const o of overrides) {
            const e = new ICAL.Event(o, { exceptions: [] });
            push(uid, o, e.startDate, e.endDate);
          }
          continue;
        }
        // Overrides are given: left to find them, ical.js scans every event of the file for each one.
        const event = new ICAL.Event(master, { strictExceptions: false, exceptions: overrides });
        if (!event.startDate) continue;
        if (!event.isRecurring()) {
          push(uid, master, event.startDate, master.hasProperty('dtend') || master.hasProperty('duration') ? event.endDate : null);
          continue;
        }
        // A cancelled series blocks nothing, overrides included.
        if (String(master.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
        const iterator = event.iterator();
        for (let i = 0, next = iterator.next(); next && i < MAX_ITERATIONS_PER_SERIES; i++, next = iterator.next()) {
          if (toMs(next, options.timezone) >= options.toMs + OVERRIDE_MARGIN_MS) break;
          const details = event.getOccurrenceDetails(next);
          push(uid, details.item.component, details.startDate, details.endDate);
        }
      } catch (error) {
        if (error instanceof CalendarError) throw error;
        throw new CalendarError(`Un événement du calendrier est illisible (${summaryOf(master ?? overrides[0]!).slice(0, 60) || uid.slice(0, 60)}).`);
      }
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}
