import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandCalendar } from '../src/adapters/calendars/ics-expand.ts';

/**
 * The expansion of real-shaped exports (Google, Outlook, iCloud), read in the artisan's zone
 * (Europe/Paris). Expected instants are written by hand in UTC: Paris is UTC+1 until
 * 2027-03-28 02:00 and after 2027-10-31 03:00, UTC+2 in between; New York is UTC-5 until
 * 2027-03-14.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/calendars/${name}`, import.meta.url), 'utf8');
const YEAR = { fromMs: Date.parse('2027-01-01T00:00:00Z'), toMs: Date.parse('2028-01-01T00:00:00Z'), timezone: 'Europe/Paris', maxEvents: 10_000 };
const utc = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const spans = (events: { startMs: number; endMs: number }[]) => events.map((e) => `${utc(e.startMs)}/${utc(e.endMs)}`);

describe('ICS expansion (ical.js) of calendar exports', () => {
  const google = expandCalendar(fixture('google.ics'), YEAR);
  const byUid = (uid: string) => google.filter((e) => e.uid === uid);

  it('a single event with its VTIMEZONE', () => {
    expect(spans(byUid('dentiste-0001@google.com'))).toEqual(['2027-03-03T09:00:00Z/2027-03-03T10:00:00Z']);
  });

  it('a weekly series keeps 14:00 Paris across both DST changes, without its EXDATEs (TZID and UTC), with its override moved', () => {
    const tennis = spans(byUid('tennis-weekly@google.com'));
    expect(tennis).toHaveLength(38); // 40 occurrences, two excluded
    expect(tennis.slice(0, 5)).toEqual([
      '2027-03-02T13:00:00Z/2027-03-02T14:00:00Z',
      '2027-03-09T13:00:00Z/2027-03-09T14:00:00Z',
      // 03-16 excluded (EXDATE;TZID), 03-23 moved to 16:00 by its RECURRENCE-ID override
      '2027-03-23T15:00:00Z/2027-03-23T16:00:00Z',
      '2027-03-30T12:00:00Z/2027-03-30T13:00:00Z',
      // 04-06 excluded (EXDATE in UTC: 12:00Z is 14:00 summer time)
      '2027-04-13T12:00:00Z/2027-04-13T13:00:00Z',
    ]);
    expect(tennis).toContain('2027-10-26T12:00:00Z/2027-10-26T13:00:00Z');
    expect(tennis).toContain('2027-11-02T13:00:00Z/2027-11-02T14:00:00Z');
    expect(tennis.at(-1)).toBe('2027-11-30T13:00:00Z/2027-11-30T14:00:00Z');
  });

  it('all-day events cover whole local days, end exclusive; a multi-day event every day it covers', () => {
    expect(spans(byUid('rtt-0001@google.com'))).toEqual(['2027-03-04T23:00:00Z/2027-03-05T23:00:00Z']);
    expect(spans(byUid('salon-0001@google.com'))).toEqual(['2027-03-07T23:00:00Z/2027-03-10T23:00:00Z']);
  });

  it('free and cancelled events block nothing; New York and floating times are placed right', () => {
    expect(byUid('free-0001@google.com')).toEqual([]);
    expect(byUid('cancelled-0001@google.com')).toEqual([]);
    expect(spans(byUid('ny-call-0001@google.com'))).toEqual(['2027-03-04T15:00:00Z/2027-03-04T15:30:00Z']);
    expect(spans(byUid('floating-0001@google.com'))).toEqual(['2027-03-04T10:00:00Z/2027-03-04T10:30:00Z']);
  });

  it('Outlook: the Windows zone "Romance Standard Time" (its VTIMEZONE) and "W. Europe Standard Time" (none given)', () => {
    const outlook = expandCalendar(fixture('outlook.ics'), YEAR);
    const weekly = spans(outlook.filter((e) => e.summary === 'Réunion de chantier'));
    expect(weekly.slice(0, 5)).toEqual([
      '2027-03-02T08:00:00Z/2027-03-02T09:00:00Z',
      '2027-03-09T08:00:00Z/2027-03-09T09:00:00Z',
      '2027-03-16T08:00:00Z/2027-03-16T09:00:00Z',
      '2027-03-23T08:00:00Z/2027-03-23T09:00:00Z',
      // 03-30 excluded
      '2027-04-06T07:00:00Z/2027-04-06T08:00:00Z',
    ]);
    expect(weekly.slice(-3)).toEqual([
      '2027-10-26T07:00:00Z/2027-10-26T08:00:00Z',
      '2027-11-02T08:00:00Z/2027-11-02T09:00:00Z',
      '2027-11-09T08:00:00Z/2027-11-09T09:00:00Z',
    ]);
    expect(spans(outlook.filter((e) => e.summary.startsWith('Visite client')))).toEqual(['2027-03-03T14:00:00Z/2027-03-03T15:00:00Z']);
    expect(outlook.filter((e) => e.summary.startsWith('Disponible'))).toEqual([]);
  });

  it('iCloud: a fortnightly series with a UTC EXDATE, and an all-day event', () => {
    const icloud = expandCalendar(fixture('icloud.ics'), { ...YEAR, toMs: Date.parse('2027-04-30T00:00:00Z') });
    expect(spans(icloud)).toEqual([
      '2027-03-01T15:30:00Z/2027-03-01T16:30:00Z',
      '2027-03-11T23:00:00Z/2027-03-12T23:00:00Z',
      // 03-15 excluded; 03-29 after the change: 16:30 summer time
      '2027-03-29T14:30:00Z/2027-03-29T15:30:00Z',
      '2027-04-12T14:30:00Z/2027-04-12T15:30:00Z',
      '2027-04-26T14:30:00Z/2027-04-26T15:30:00Z',
    ]);
  });

  it('keeps only what overlaps the window, and refuses a runaway calendar', () => {
    const march = expandCalendar(fixture('google.ics'), { ...YEAR, fromMs: Date.parse('2027-03-03T09:30:00Z'), toMs: Date.parse('2027-03-04T00:00:00Z') });
    expect(march.map((e) => e.summary)).toEqual(['Dentiste']);
    expect(() => expandCalendar(fixture('google.ics'), { ...YEAR, maxEvents: 10 })).toThrow(/trop d'événements/);
  });

  it('an unknown TZID is an error naming it, never read as UTC', () => {
    expect(() => expandCalendar(fixture('unknown-tzid.ics'), YEAR)).toThrow(/Fuseau horaire inconnu.*Mars\/Olympus_Mons/);
  });

  it('text that is not iCalendar is refused in French', () => {
    expect(() => expandCalendar('<html>Connexion requise</html>', YEAR)).toThrow(/n'est pas un fichier iCalendar valide/);
  });
});
