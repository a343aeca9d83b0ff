import { describe, expect, it } from 'vitest';
import { checkDayRanges, checkRange, checkWeeklyRules, type WeeklyRuleInput } from './schedule-rules.ts';
import type { ErrorDetail } from './errors.ts';

const r = (dayOfWeek: number, startMinutes: number, endMinutes: number): WeeklyRuleInput => ({ dayOfWeek, startMinutes, endMinutes });
const fields = (details: ErrorDetail[]): string[] => details.map((d) => d.field);

describe('checkRange: one range of a local day', () => {
  it.each([
    [0, 1440, []],
    [510, 1080, []],
    [0, 1, []],
    [1439, 1440, []],
    [600, 600, ['x.endMinutes']],
    [700, 600, ['x.endMinutes']],
    [-1, 600, ['x.startMinutes']],
    [1440, 1440, ['x.startMinutes']],
    [600, 1441, ['x.endMinutes']],
    [600.5, 700, ['x.startMinutes']],
    [0, 0, ['x.endMinutes']],
  ])('[%s, %s) -> %j', (startMinutes, endMinutes, expected) => {
    const details: ErrorDetail[] = [];
    expect(checkRange({ startMinutes, endMinutes }, 'x', details)).toBe(expected.length === 0);
    expect(fields(details)).toEqual(expected);
    for (const d of details) expect(d.message).toMatch(/heure/);
  });
});

describe('checkDayRanges: ranges of one day', () => {
  it.each([
    ['two separate ranges', [[480, 720], [840, 1080]], []],
    ['back-to-back ranges', [[480, 720], [720, 1080]], []],
    ['overlap: reported on the later one in the list', [[480, 730], [720, 1080]], ['ranges.1']],
    ['overlap given out of order', [[720, 1080], [480, 730]], ['ranges.1']],
    ['one range inside another', [[480, 1080], [600, 700]], ['ranges.1']],
    ['inverted and overlapping: only the inversion (it has no meaning to overlap)', [[700, 600], [480, 1080]], ['ranges.0.endMinutes']],
  ])('%s', (_name, ranges, expected) => {
    const details: ErrorDetail[] = [];
    checkDayRanges(ranges.map(([startMinutes, endMinutes]) => ({ startMinutes: startMinutes!, endMinutes: endMinutes! })), 'ranges', details);
    expect(fields(details)).toEqual(expected);
  });

  it('says which ranges overlap, in HH:MM', () => {
    const details: ErrorDetail[] = [];
    checkDayRanges([{ startMinutes: 480, endMinutes: 730 }, { startMinutes: 720, endMinutes: 1080 }], 'ranges', details);
    expect(details[0]!.message).toBe('Cette plage (12:00–18:00) chevauche une autre plage du même jour (08:00–12:10).');
  });
});

describe('checkWeeklyRules: the whole weekly set', () => {
  const demoOpen = [1, 2, 3, 4, 5].map((d) => r(d, 510, 1080));
  const demoBreaks = [1, 2, 3, 4, 5].map((d) => r(d, 720, 780));

  it.each([
    ['the demo week', demoOpen, demoBreaks, []],
    ['several ranges a day, a break in each', [r(3, 480, 720), r(3, 840, 1080)], [r(3, 600, 615), r(3, 960, 975)], []],
    ['the same hours on different days do not overlap', [r(1, 480, 720), r(2, 480, 720)], [], []],
    ['no rules at all (closed every day)', [], [], []],
    ['a break that fills its opening range', [r(0, 600, 660)], [r(0, 600, 660)], []],
    ['overlapping openings on one day', [r(1, 480, 720), r(1, 700, 1080)], [], ['openingRules.1']],
    ['overlapping breaks on one day', demoOpen, [r(1, 720, 780), r(1, 750, 800)], ['breakRules.1']],
    ['inverted opening', [r(2, 1080, 510)], [], ['openingRules.0.endMinutes']],
    ['day 7 does not exist', [r(7, 510, 1080)], [], ['openingRules.0.dayOfWeek']],
    ['negative day', [r(-1, 510, 1080)], [], ['openingRules.0.dayOfWeek']],
    ['end past midnight', [r(1, 510, 1500)], [], ['openingRules.0.endMinutes']],
    ['a break on a closed day', demoOpen, [r(6, 720, 780)], ['breakRules.0']],
    ['a break across closing time', demoOpen, [r(1, 1050, 1110)], ['breakRules.0']],
    ['a break between two ranges (already closed)', [r(3, 480, 720), r(3, 840, 1080)], [r(3, 700, 850)], ['breakRules.0']],
    ['an inverted break is reported once', demoOpen, [r(1, 780, 720)], ['breakRules.0.endMinutes']],
  ])('%s', (_name, openingRules, breakRules, expected) => {
    const details = checkWeeklyRules(openingRules, breakRules);
    expect(fields(details)).toEqual(expected);
    for (const d of details) expect(d.message).toMatch(/[éèà]|jour|plage|pause|heure/);
  });
});
