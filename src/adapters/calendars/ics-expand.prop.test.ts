import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandCalendar } from './ics-expand.ts';

/**
 * Random weekly series over the DST changes: every expanded occurrence keeps its local
 * wall-clock time and weekday in its TZID. The oracle reads each instant back in the zone
 * with Intl (not Temporal, which the expansion uses) and counts weeks by calendar dates.
 */
const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Europe/London'] as const;

function localOf(ms: number, zone: string): { date: string; time: string; weekday: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, weekday: parts.weekday! };
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

describe('weekly series expansion (property)', () => {
  it('every occurrence keeps its local time and weekday, one week apart, across DST changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 364 }),
        // Local times outside the 01:00–03:59 band, where a DST gap or repeat can fall.
        fc.integer({ min: 4, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.integer({ min: 15, max: 60 }),
        fc.integer({ min: 2, max: 45 }),
        fc.boolean(),
        (zone, dayOfYear, hour, minute, durationMinutes, count, withVtimezone) => {
          const start = new Date(Date.UTC(2027, 0, 1 + dayOfYear));
          const date = `${start.getUTCFullYear()}${pad(start.getUTCMonth() + 1)}${pad(start.getUTCDate())}`;
          const endMinutes = hour * 60 + minute + durationMinutes;
          const endsNextDay = endMinutes >= 24 * 60;
          // An hour-long wall-clock duration is given as DURATION so it holds on DST days too.
          const ics = [
            'BEGIN:VCALENDAR',
            'VERSION:2.0',
            'PRODID:-//test//prop//EN',
            ...(withVtimezone && zone === 'Europe/Paris'
              ? ['BEGIN:VTIMEZONE', 'TZID:Europe/Paris', 'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT', 'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD', 'END:VTIMEZONE']
              : []),
            'BEGIN:VEVENT',
            'UID:series@test',
            'DTSTAMP:20261120T000000Z',
            `DTSTART;TZID=${zone}:${date}T${pad(hour)}${pad(minute)}00`,
            `DURATION:PT${durationMinutes}M`,
            `RRULE:FREQ=WEEKLY;COUNT=${count}`,
            'SUMMARY:Série',
            'END:VEVENT',
            'END:VCALENDAR',
          ].join('\r\n');
          const events = expandCalendar(ics, { fromMs: Date.parse('2026-12-01T00:00:00Z'), toMs: Date.parse('2029-01-01T00:00:00Z'), timezone: 'Europe/Paris', maxEvents: 1000 });
          expect(events).toHaveLength(count);
          const first = localOf(events[0]!.startMs, zone);
          expect(first.date.replace(/-/g, '')).toBe(date);
          events.forEach((e, i) => {
            const local = localOf(e.startMs, zone);
            expect(local.time).toBe(`${pad(hour)}:${pad(minute)}`);
            expect(local.weekday).toBe(first.weekday);
            expect(dayNumber(local.date) - dayNumber(first.date)).toBe(7 * i);
            if (!endsNextDay) expect(e.endMs - e.startMs).toBe(durationMinutes * 60_000);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
