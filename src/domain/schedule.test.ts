import { describe, it, expect } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { resolveDaySchedule, type WeeklyRule, type WeeklySchedule } from './schedule.ts';
import { summarizeOpening } from './slots.ts';

const d = (iso: string): Temporal.PlainDate => Temporal.PlainDate.from(iso);

let nextId = 0;
const rule = (dayOfWeek: number, startMinutes: number, endMinutes: number): WeeklyRule => ({
  id: `r${++nextId}`,
  dayOfWeek,
  startMinutes,
  endMinutes,
});

/** The demo artisan of decisions §2: Monday–Friday 08:30–18:00, break 12:00–13:00. */
function demoSchedule(overrides: Partial<WeeklySchedule> = {}): WeeklySchedule {
  return {
    openingRules: [1, 2, 3, 4, 5].map((dow) => rule(dow, 510, 1080)),
    breakRules: [1, 2, 3, 4, 5].map((dow) => rule(dow, 720, 780)),
    exceptions: [],
    closedOnPublicHolidays: true,
    ...overrides,
  };
}

// Weekdays worked out by hand: 2026-01-01 is a Thursday.
describe('resolveDaySchedule: weekly rules (0 = Sunday)', () => {
  it.each(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09'])('weekday %s is open 08:30–18:00 with the lunch break', (iso) => {
    expect(resolveDaySchedule(d(iso), demoSchedule())).toEqual({
      ranges: [{ startMinutes: 510, endMinutes: 1080 }],
      breaks: [{ startMinutes: 720, endMinutes: 780 }],
    });
  });

  it.each(['2026-01-03', '2026-01-04'])('weekend day %s is closed by the weekly rules', (iso) => {
    expect(resolveDaySchedule(d(iso), demoSchedule())).toEqual({ ranges: [], breaks: [], closedReason: 'weekly' });
  });

  it('dayOfWeek 0 is Sunday and 6 is Saturday; 7 matches no day', () => {
    const schedule = demoSchedule({
      openingRules: [rule(0, 600, 660), rule(6, 540, 600), rule(7, 0, 1440)],
      breakRules: [],
    });
    expect(resolveDaySchedule(d('2026-01-04'), schedule).ranges).toEqual([{ startMinutes: 600, endMinutes: 660 }]); // Sunday
    expect(resolveDaySchedule(d('2026-01-10'), schedule).ranges).toEqual([{ startMinutes: 540, endMinutes: 600 }]); // Saturday
    expect(resolveDaySchedule(d('2026-01-05'), schedule)).toEqual({ ranges: [], breaks: [], closedReason: 'weekly' }); // Monday
  });

  it('sorts several ranges and breaks of the day by start and leaves other days out', () => {
    const schedule = demoSchedule({
      openingRules: [rule(3, 840, 1080), rule(3, 480, 720), rule(4, 0, 1440)],
      breakRules: [rule(3, 960, 975), rule(3, 600, 615), rule(2, 700, 800)],
    });
    expect(resolveDaySchedule(d('2026-01-07'), schedule)).toEqual({
      ranges: [
        { startMinutes: 480, endMinutes: 720 },
        { startMinutes: 840, endMinutes: 1080 },
      ],
      breaks: [
        { startMinutes: 600, endMinutes: 615 },
        { startMinutes: 960, endMinutes: 975 },
      ],
    });
  });

  it('returns plain minute ranges (no rule ids or days leak out)', () => {
    const day = resolveDaySchedule(d('2026-01-05'), demoSchedule());
    for (const r of [...day.ranges, ...day.breaks]) expect(Object.keys(r).sort()).toEqual(['endMinutes', 'startMinutes']);
  });
});

describe('resolveDaySchedule: dated exceptions', () => {
  it('a closed exception closes an otherwise open day', () => {
    const schedule = demoSchedule({ exceptions: [{ id: 'x1', date: '2026-01-07', closed: true, ranges: [] }] });
    expect(resolveDaySchedule(d('2026-01-07'), schedule)).toEqual({ ranges: [], breaks: [], closedReason: 'exception' });
    // the exception only touches its own date
    expect(resolveDaySchedule(d('2026-01-08'), schedule).ranges).toEqual([{ startMinutes: 510, endMinutes: 1080 }]);
  });

  it('special hours replace the weekly ranges and drop the weekly breaks', () => {
    const schedule = demoSchedule({
      exceptions: [
        {
          id: 'x1',
          date: '2026-01-07',
          closed: false,
          ranges: [
            { startMinutes: 840, endMinutes: 960 },
            { startMinutes: 600, endMinutes: 720 },
          ],
        },
      ],
    });
    expect(resolveDaySchedule(d('2026-01-07'), schedule)).toEqual({
      ranges: [
        { startMinutes: 600, endMinutes: 720 },
        { startMinutes: 840, endMinutes: 960 },
      ],
      breaks: [],
    });
  });

  it('special hours open a day the weekly rules keep closed (Saturday)', () => {
    const schedule = demoSchedule({
      exceptions: [{ id: 'x1', date: '2026-01-10', closed: false, ranges: [{ startMinutes: 540, endMinutes: 720 }] }],
    });
    expect(resolveDaySchedule(d('2026-01-10'), schedule)).toEqual({ ranges: [{ startMinutes: 540, endMinutes: 720 }], breaks: [] });
  });

  it('an exception on a public holiday wins over the holiday closure', () => {
    const schedule = demoSchedule({
      exceptions: [{ id: 'x1', date: '2026-05-01', closed: false, ranges: [{ startMinutes: 540, endMinutes: 720 }] }],
    });
    expect(resolveDaySchedule(d('2026-05-01'), schedule)).toEqual({ ranges: [{ startMinutes: 540, endMinutes: 720 }], breaks: [] });
  });
});

describe('resolveDaySchedule: French public holidays', () => {
  // All weekdays, so the demo schedule would be open on them.
  it.each([
    '2026-05-01', // Friday, Fête du Travail
    '2026-07-14', // Tuesday
    '2026-04-06', // Easter Monday
    '2026-05-14', // Ascension (Thursday)
    '2026-05-25', // Whit Monday
    '2027-03-29', // Easter Monday
    '2027-11-01', // Monday, Toussaint
    '2027-11-11', // Thursday
  ])('%s is closed when closedOnPublicHolidays is true', (iso) => {
    expect(resolveDaySchedule(d(iso), demoSchedule({ closedOnPublicHolidays: true }))).toEqual({
      ranges: [],
      breaks: [],
      closedReason: 'public_holiday',
    });
  });

  it.each(['2026-05-01', '2026-07-14', '2027-03-29', '2027-11-01'])('%s follows the weekly rules when closedOnPublicHolidays is false', (iso) => {
    expect(resolveDaySchedule(d(iso), demoSchedule({ closedOnPublicHolidays: false }))).toEqual({
      ranges: [{ startMinutes: 510, endMinutes: 1080 }],
      breaks: [{ startMinutes: 720, endMinutes: 780 }],
    });
  });

  it('an ordinary weekday is open whatever the holiday setting', () => {
    for (const closedOnPublicHolidays of [true, false]) {
      expect(resolveDaySchedule(d('2026-05-04'), demoSchedule({ closedOnPublicHolidays })).ranges).toEqual([
        { startMinutes: 510, endMinutes: 1080 },
      ]);
    }
  });
});

describe('summarizeOpening (decisions §4)', () => {
  it('is null for a closed day', () => {
    expect(summarizeOpening({ ranges: [], breaks: [], closedReason: 'weekly' })).toBeNull();
    expect(summarizeOpening({ ranges: [], breaks: [], closedReason: 'public_holiday' })).toBeNull();
    expect(summarizeOpening({ ranges: [], breaks: [{ startMinutes: 720, endMinutes: 780 }] })).toBeNull();
  });

  it('one range and one break: the contract shape, without ranges/breaks arrays', () => {
    expect(
      summarizeOpening({ ranges: [{ startMinutes: 510, endMinutes: 1080 }], breaks: [{ startMinutes: 720, endMinutes: 780 }] }),
    ).toStrictEqual({ startMinutes: 510, endMinutes: 1080, breakStartMinutes: 720, breakEndMinutes: 780 });
  });

  it('no break: breakStartMinutes and breakEndMinutes are null', () => {
    expect(summarizeOpening({ ranges: [{ startMinutes: 540, endMinutes: 720 }], breaks: [] })).toStrictEqual({
      startMinutes: 540,
      endMinutes: 720,
      breakStartMinutes: null,
      breakEndMinutes: null,
    });
  });

  it('several ranges: first start, last end, and the ranges and breaks arrays', () => {
    const ranges = [
      { startMinutes: 480, endMinutes: 720 },
      { startMinutes: 840, endMinutes: 1080 },
    ];
    expect(summarizeOpening({ ranges, breaks: [] })).toStrictEqual({
      startMinutes: 480,
      endMinutes: 1080,
      breakStartMinutes: null,
      breakEndMinutes: null,
      ranges,
      breaks: [],
    });
  });

  it('several breaks: the first break in the summary, and both arrays', () => {
    const ranges = [{ startMinutes: 480, endMinutes: 1080 }];
    const breaks = [
      { startMinutes: 600, endMinutes: 615 },
      { startMinutes: 720, endMinutes: 780 },
    ];
    expect(summarizeOpening({ ranges, breaks })).toStrictEqual({
      startMinutes: 480,
      endMinutes: 1080,
      breakStartMinutes: 600,
      breakEndMinutes: 615,
      ranges,
      breaks,
    });
  });

  it('summarizes a resolved day end to end', () => {
    const schedule = demoSchedule({
      openingRules: [rule(3, 840, 1080), rule(3, 480, 720)],
      breakRules: [rule(3, 960, 975)],
    });
    expect(summarizeOpening(resolveDaySchedule(d('2026-01-07'), schedule))).toStrictEqual({
      startMinutes: 480,
      endMinutes: 1080,
      breakStartMinutes: 960,
      breakEndMinutes: 975,
      ranges: [
        { startMinutes: 480, endMinutes: 720 },
        { startMinutes: 840, endMinutes: 1080 },
      ],
      breaks: [{ startMinutes: 960, endMinutes: 975 }],
    });
    expect(summarizeOpening(resolveDaySchedule(d('2026-01-04'), schedule))).toBeNull();
  });
});
