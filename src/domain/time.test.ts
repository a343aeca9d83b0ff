import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import {
  boundaryToInstant,
  contractDayOfWeek,
  formatInstant,
  formatMinutes,
  instantToLocal,
  isValidTimeZone,
  localDayBounds,
  parseLocalDate,
  parseLocalTime,
  todayIn,
  wallClockToInstant,
  localMonthBounds,
  localDaysFormatter,
} from './time.ts';

// Expected instants are written by hand from the tz rules:
// Europe/Paris: CET +01:00, CEST +02:00; 2027-03-28 02:00 -> 03:00, 2027-10-31 03:00 -> 02:00.
// America/New_York: EST -05:00, EDT -04:00; 2027-03-14 02:00 -> 03:00, 2027-11-07 02:00 -> 01:00.
// Australia/Lord_Howe: +10:30 standard, +11:00 summer; 2027-04-04 02:00 -> 01:30, 2027-10-03 02:00 -> 02:30.
const PARIS = 'Europe/Paris';
const utc = (iso: string): number => Date.parse(iso);
const d = (iso: string): Temporal.PlainDate => Temporal.PlainDate.from(iso);
const hm = (h: number, m = 0): number => h * 60 + m;

describe('parseLocalDate', () => {
  it.each(['2025-01-05', '2024-02-29', '2027-12-31', '2028-02-29'])('accepts %s', (text) => {
    expect(parseLocalDate(text)?.toString()).toBe(text);
  });

  it.each([
    '2025-02-30', // impossible day (decisions §5)
    '2025-02-29', // not a leap year
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-01-00',
    '2025-1-5', // not zero-padded
    '2025-01-5',
    '25-01-05',
    '2025/01/05',
    '2025-01-05T09:00',
    ' 2025-01-05',
    '2025-01-05 ',
    '',
    'demain',
  ])('rejects %j', (text) => {
    expect(parseLocalDate(text)).toBeUndefined();
  });
});

describe('parseLocalTime', () => {
  it.each([
    ['00:00', 0],
    ['08:30', 510],
    ['09:00', 540],
    ['12:00', 720],
    ['13:00', 780],
    ['18:00', 1080],
    ['23:59', 1439],
  ])('parses %s as %i minutes', (text, minutes) => {
    expect(parseLocalTime(text)).toBe(minutes);
  });

  it.each(['24:00', '25:00', '9:00', '09:60', '09:5', '0900', '09:00:00', ' 09:00', '09:00 ', '', '9h00', '-1:00'])(
    'rejects %j',
    (text) => {
      expect(parseLocalTime(text)).toBeUndefined();
    },
  );

  it('round-trips with formatMinutes for every minute of the day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), (minutes) => {
        const text = formatMinutes(minutes);
        expect(text).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        expect(parseLocalTime(text)).toBe(minutes);
      }),
    );
  });
});

describe('formatMinutes', () => {
  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [510, '08:30'],
    [720, '12:00'],
    [1439, '23:59'],
  ])('formats %i as %s', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus_Mons', 'Paris', 'Europe/Pariss', ''])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe('wallClockToInstant', () => {
  it.each([
    // ordinary days
    ['2025-01-15', hm(9), PARIS, '2025-01-15T08:00:00Z'],
    ['2025-07-15', hm(9), PARIS, '2025-07-15T07:00:00Z'],
    ['2027-01-15', hm(9), 'Asia/Kolkata', '2027-01-15T03:30:00Z'],
    ['2027-01-15', hm(9), 'UTC', '2027-01-15T09:00:00Z'],
    ['2027-01-15', 0, PARIS, '2027-01-14T23:00:00Z'],
    ['2027-01-15', 1440, PARIS, '2027-01-15T23:00:00Z'], // 24:00 is the next midnight
    // Paris spring forward: around the gap
    ['2027-03-28', hm(1, 59), PARIS, '2027-03-28T00:59:00Z'],
    ['2027-03-28', hm(3), PARIS, '2027-03-28T01:00:00Z'],
    ['2027-03-28', hm(9), PARIS, '2027-03-28T07:00:00Z'],
    // Paris fall back: ambiguous times resolve to the first occurrence (+02:00)
    ['2027-10-31', hm(1), PARIS, '2027-10-30T23:00:00Z'],
    ['2027-10-31', hm(2), PARIS, '2027-10-31T00:00:00Z'],
    ['2027-10-31', hm(2, 30), PARIS, '2027-10-31T00:30:00Z'],
    ['2027-10-31', hm(2, 59), PARIS, '2027-10-31T00:59:00Z'],
    ['2027-10-31', hm(3), PARIS, '2027-10-31T02:00:00Z'],
    ['2027-10-31', hm(9), PARIS, '2027-10-31T08:00:00Z'],
    // New York
    ['2027-03-14', hm(3), 'America/New_York', '2027-03-14T07:00:00Z'],
    ['2027-11-07', hm(1, 30), 'America/New_York', '2027-11-07T05:30:00Z'],
    // Lord Howe (30-minute shift)
    ['2027-10-03', hm(1, 59), 'Australia/Lord_Howe', '2027-10-02T15:29:00Z'],
    ['2027-10-03', hm(2, 30), 'Australia/Lord_Howe', '2027-10-02T15:30:00Z'],
    ['2027-04-04', hm(1, 45), 'Australia/Lord_Howe', '2027-04-03T14:45:00Z'],
  ])('%s + %i min in %s is %s', (date, minutes, zone, iso) => {
    expect(wallClockToInstant(d(date), minutes, zone)).toBe(utc(iso));
  });

  it.each([
    ['2027-03-28', hm(2), PARIS],
    ['2027-03-28', hm(2, 30), PARIS],
    ['2027-03-28', hm(2, 59), PARIS],
    ['2027-03-14', hm(2, 30), 'America/New_York'],
    ['2027-10-03', hm(2), 'Australia/Lord_Howe'],
    ['2027-10-03', hm(2, 15), 'Australia/Lord_Howe'],
  ])('%s + %i min does not exist in %s (spring-forward gap)', (date, minutes, zone) => {
    expect(wallClockToInstant(d(date), minutes, zone)).toBeUndefined();
  });
});

describe('boundaryToInstant', () => {
  it('is the plain instant for an existing wall-clock time', () => {
    expect(boundaryToInstant(d('2027-03-27'), hm(18), PARIS)).toBe(utc('2027-03-27T17:00:00Z'));
    expect(boundaryToInstant(d('2027-03-28'), hm(18), PARIS)).toBe(utc('2027-03-28T16:00:00Z'));
    expect(boundaryToInstant(d('2027-03-28'), hm(1, 30), PARIS)).toBe(utc('2027-03-28T00:30:00Z'));
  });

  it('maps a time inside the spring-forward gap to the instant the gap ends (03:00+02:00)', () => {
    // Documented contract: "a wall-clock time inside a gap maps to the instant the gap ends".
    // 02:00 and 02:30 never show on Paris clocks on 2027-03-28; the clock jumps at 01:00Z.
    expect(boundaryToInstant(d('2027-03-28'), hm(2), PARIS)).toBe(utc('2027-03-28T01:00:00Z'));
    expect(boundaryToInstant(d('2027-03-28'), hm(2, 30), PARIS)).toBe(utc('2027-03-28T01:00:00Z'));
  });
});

describe('formatInstant', () => {
  it.each([
    ['2025-01-15T08:00:00Z', PARIS, '2025-01-15T09:00:00+01:00'], // contract example
    ['2027-03-27T08:00:00Z', PARIS, '2027-03-27T09:00:00+01:00'],
    ['2027-03-28T07:00:00Z', PARIS, '2027-03-28T09:00:00+02:00'],
    ['2027-03-29T07:00:00Z', PARIS, '2027-03-29T09:00:00+02:00'],
    ['2027-10-30T07:00:00Z', PARIS, '2027-10-30T09:00:00+02:00'],
    ['2027-10-31T08:00:00Z', PARIS, '2027-10-31T09:00:00+01:00'],
    ['2027-10-31T00:30:00Z', PARIS, '2027-10-31T02:30:00+02:00'],
    ['2027-10-31T01:30:00Z', PARIS, '2027-10-31T02:30:00+01:00'],
    ['2027-01-15T03:30:00Z', 'Asia/Kolkata', '2027-01-15T09:00:00+05:30'],
    ['2027-01-15T09:00:00Z', 'UTC', '2027-01-15T09:00:00+00:00'],
    ['2027-01-15T09:00:00.999Z', 'UTC', '2027-01-15T09:00:00+00:00'],
  ])('%s in %s is %s', (iso, zone, expected) => {
    expect(formatInstant(utc(iso), zone)).toBe(expected);
  });
});

describe('instantToLocal', () => {
  it.each([
    ['2027-03-27T08:00:00Z', PARIS, '2027-03-27', '09:00'],
    ['2027-03-28T01:00:00Z', PARIS, '2027-03-28', '03:00'],
    ['2027-10-31T00:30:00Z', PARIS, '2027-10-31', '02:30'],
    ['2027-10-31T01:30:00Z', PARIS, '2027-10-31', '02:30'],
    ['2027-03-27T23:30:00Z', PARIS, '2027-03-28', '00:30'],
    ['2027-03-27T23:30:00Z', 'America/New_York', '2027-03-27', '19:30'],
  ])('%s in %s is %s %s', (iso, zone, date, time) => {
    expect(instantToLocal(utc(iso), zone)).toEqual({ date, time });
  });
});

describe('todayIn', () => {
  it('reads "today" in the artisan zone, not in UTC', () => {
    const now = utc('2027-03-27T23:30:00Z');
    expect(todayIn(PARIS, now).toString()).toBe('2027-03-28');
    expect(todayIn('UTC', now).toString()).toBe('2027-03-27');
    expect(todayIn('America/New_York', now).toString()).toBe('2027-03-27');
    expect(todayIn('Asia/Kolkata', utc('2027-03-27T18:29:00Z')).toString()).toBe('2027-03-27');
    expect(todayIn('Asia/Kolkata', utc('2027-03-27T18:30:00Z')).toString()).toBe('2027-03-28');
  });
});

describe('contractDayOfWeek (0 = Sunday … 6 = Saturday)', () => {
  it.each([
    ['2026-01-04', 0], // Sunday
    ['2026-01-05', 1], // Monday
    ['2026-01-06', 2],
    ['2026-01-07', 3],
    ['2026-01-01', 4], // Thursday
    ['2026-01-09', 5],
    ['2026-01-10', 6], // Saturday
    ['2027-03-28', 0], // Easter Sunday 2027
    ['2027-03-29', 1], // Easter Monday 2027
  ])('%s -> %i', (date, dow) => {
    expect(contractDayOfWeek(d(date))).toBe(dow);
  });
});

describe('localDayBounds', () => {
  it.each([
    ['2027-03-27', PARIS, '2027-03-26T23:00:00Z', '2027-03-27T23:00:00Z', 24],
    ['2027-03-28', PARIS, '2027-03-27T23:00:00Z', '2027-03-28T22:00:00Z', 23],
    ['2027-10-31', PARIS, '2027-10-30T22:00:00Z', '2027-10-31T23:00:00Z', 25],
    ['2027-10-03', 'Australia/Lord_Howe', '2027-10-02T13:30:00Z', '2027-10-03T13:00:00Z', 23.5],
  ])('%s in %s spans [%s, %s) = %d h', (date, zone, start, end, hours) => {
    const bounds = localDayBounds(d(date), zone);
    expect(bounds).toEqual({ startMs: utc(start), endMs: utc(end) });
    expect((bounds.endMs - bounds.startMs) / 3_600_000).toBe(hours);
  });
});

describe('localMonthBounds', () => {
  it('gives the local calendar month in the zone, across a DST change', () => {
    // 00:30 on 1 March in Paris is still February in UTC.
    const bounds = localMonthBounds(Date.parse('2027-02-28T23:30:00Z'), 'Europe/Paris');
    expect(new Date(bounds.startMs).toISOString()).toBe('2027-02-28T23:00:00.000Z');
    // March ends in summer time (+02:00).
    expect(new Date(bounds.endMs).toISOString()).toBe('2027-03-31T22:00:00.000Z');
  });

  it('handles December to January and a zone ahead of UTC by more than a day boundary', () => {
    const bounds = localMonthBounds(Date.parse('2027-12-31T12:00:00Z'), 'Pacific/Auckland');
    // 01:00 on 1 January 2028 in Auckland (+13:00): the month is January 2028.
    expect(new Date(bounds.startMs).toISOString()).toBe('2027-12-31T11:00:00.000Z');
    expect(new Date(bounds.endMs).toISOString()).toBe('2028-01-31T11:00:00.000Z');
  });
});

describe('localDaysFormatter', () => {
  it('formats the week of the spring change in Paris, on both sides of it and past its end', () => {
    const f = localDaysFormatter(d('2027-03-22'), 7, PARIS);
    expect(f(utc('2027-03-21T23:30:00Z'))).toEqual({ iso: '2027-03-22T00:30:00+01:00', date: '2027-03-22', time: '00:30' });
    expect(f(utc('2027-03-24T08:00:00Z'))).toEqual({ iso: '2027-03-24T09:00:00+01:00', date: '2027-03-24', time: '09:00' });
    expect(f(utc('2027-03-28T00:30:00Z'))).toEqual({ iso: '2027-03-28T01:30:00+01:00', date: '2027-03-28', time: '01:30' });
    expect(f(utc('2027-03-28T01:30:00Z'))).toEqual({ iso: '2027-03-28T03:30:00+02:00', date: '2027-03-28', time: '03:30' });
    expect(f(utc('2027-03-28T22:15:00Z'))).toEqual({ iso: '2027-03-29T00:15:00+02:00', date: '2027-03-29', time: '00:15' });
    expect(f(utc('2027-03-21T22:59:59Z'))).toEqual({ iso: '2027-03-21T23:59:59+01:00', date: '2027-03-21', time: '23:59' });
  });

  it('property: gives what Temporal gives, for instants in and around the days, in zones with and without summer time', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham'];
    const origin = d('2027-01-01');
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 720 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: -2 * 1440, max: 12 * 1440 }), fc.integer({ min: 0, max: 59 }), (zone, offsetDays, days, minute, second) => {
        const from = origin.add({ days: offsetDays });
        const at = from.toZonedDateTime({ timeZone: zone }).epochMilliseconds + minute * 60_000 + second * 1000;
        const zoned = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);
        expect(localDaysFormatter(from, days, zone)(at)).toEqual({
          iso: zoned.toString({ timeZoneName: 'never', smallestUnit: 'second' }),
          date: zoned.toPlainDate().toString(),
          time: `${String(zoned.hour).padStart(2, '0')}:${String(zoned.minute).padStart(2, '0')}`,
        });
      }),
      { numRuns: 300 },
    );
  });
});
