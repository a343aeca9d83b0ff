import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { easterSunday, frenchPublicHolidays, publicHolidayName } from './public-holidays.ts';

const d = (iso: string): Temporal.PlainDate => Temporal.PlainDate.from(iso);

describe('easterSunday', () => {
  it.each([
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'],
  ])('%i -> %s', (year, iso) => {
    expect(easterSunday(year).toString()).toBe(iso);
  });

  it('is always a Sunday between March 22 and April 25 (Gregorian limits)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 4099 }), (year) => {
        const easter = easterSunday(year);
        expect(easter.year).toBe(year);
        expect(easter.dayOfWeek).toBe(7); // ISO: 7 = Sunday
        expect(Temporal.PlainDate.compare(easter, Temporal.PlainDate.from({ year, month: 3, day: 22 }))).toBeGreaterThanOrEqual(0);
        expect(Temporal.PlainDate.compare(easter, Temporal.PlainDate.from({ year, month: 4, day: 25 }))).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('frenchPublicHolidays', () => {
  // The 11 metropolitan public holidays, computed by hand from Easter
  // (2026-04-05, 2027-03-28): Monday +1, Ascension +39, Whit Monday +50.
  const expected: Record<number, string[]> = {
    2026: [
      '2026-01-01',
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-08',
      '2026-05-14', // Ascension (Thursday)
      '2026-05-25', // Whit Monday
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ],
    2027: [
      '2027-01-01',
      '2027-03-29', // Easter Monday
      '2027-05-01',
      '2027-05-06', // Ascension (Thursday)
      '2027-05-08',
      '2027-05-17', // Whit Monday
      '2027-07-14',
      '2027-08-15',
      '2027-11-01',
      '2027-11-11',
      '2027-12-25',
    ],
  };

  it.each([2026, 2027])('lists exactly the 11 holidays of %i', (year) => {
    const days = [...frenchPublicHolidays(year).keys()].sort();
    expect(days).toEqual(expected[year]);
  });

  it.each([
    ['2026-04-06', 'Pâques'],
    ['2027-03-29', 'Pâques'],
    ['2026-05-14', 'Ascension'],
    ['2027-05-06', 'Ascension'],
    ['2026-05-25', 'Pentecôte'],
    ['2027-05-17', 'Pentecôte'],
    ['2026-07-14', 'nationale'],
    ['2027-12-25', 'Noël'],
  ])('names %s (contains %j)', (iso, fragment) => {
    expect(publicHolidayName(d(iso))).toContain(fragment);
  });

  it('Ascension is a Thursday and the Easter/Whit holidays are Mondays', () => {
    for (const year of [2024, 2025, 2026, 2027, 2028]) {
      const easter = easterSunday(year);
      const days = frenchPublicHolidays(year);
      expect(days.has(easter.add({ days: 1 }).toString())).toBe(true);
      expect(easter.add({ days: 1 }).dayOfWeek).toBe(1);
      expect(days.has(easter.add({ days: 39 }).toString())).toBe(true);
      expect(easter.add({ days: 39 }).dayOfWeek).toBe(4);
      expect(days.has(easter.add({ days: 50 }).toString())).toBe(true);
      expect(easter.add({ days: 50 }).dayOfWeek).toBe(1);
    }
  });

  it.each([
    '2026-04-03', // Good Friday: only a holiday in Alsace-Moselle
    '2026-12-26', // Saint-Étienne: Alsace-Moselle only
    '2026-04-07',
    '2027-03-30',
    '2027-05-05',
    '2027-06-01',
    '2027-11-02',
  ])('%s is not a public holiday', (iso) => {
    expect(publicHolidayName(d(iso))).toBeUndefined();
  });
});
