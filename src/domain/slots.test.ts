import { describe, it, expect } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import type { MinuteRange } from './intervals.ts';
import type { DaySchedule } from './schedule.ts';
import { computeSlots, type Occupation, type Slot, type SlotQuery } from './slots.ts';
import { formatInstant } from './time.ts';

// Every expected value below is derived by hand from decisions §3–§4:
// Europe/Paris is +01:00 in winter and +02:00 in summer; 2027-03-28 jumps 02:00 -> 03:00
// (at 01:00Z), 2027-10-31 falls back 03:00 -> 02:00 (at 01:00Z).
const PARIS = 'Europe/Paris';
const MIN = 60_000;
const HOUR = 60 * MIN;
const FAR_PAST = Date.parse('2000-01-01T00:00:00Z');
const utc = (iso: string): number => Date.parse(iso);
const d = (iso: string): Temporal.PlainDate => Temporal.PlainDate.from(iso);
const hm = (h: number, m = 0): number => h * 60 + m;
const range = (startMinutes: number, endMinutes: number): MinuteRange => ({ startMinutes, endMinutes });

/** Demo artisan day (decisions §2): 08:30–18:00, break 12:00–13:00. */
const DEMO_DAY: DaySchedule = { ranges: [range(510, 1080)], breaks: [range(720, 780)] };
/** Tuesday 2027-06-15, summer time (+02:00): local 09:00 is 07:00Z. */
const TUESDAY = '2027-06-15';

function query(overrides: Partial<SlotQuery> = {}): SlotQuery {
  return {
    date: d(TUESDAY),
    timeZone: PARIS,
    day: DEMO_DAY,
    stepMinutes: 30,
    durationMinutes: 30,
    occupations: [],
    notBeforeMs: FAR_PAST,
    lastBookableDate: d('2030-12-31'),
    ...overrides,
  };
}

const times = (slots: Slot[]): string[] => slots.map((s) => s.time);
const bySlotTime = (slots: Slot[], time: string): Slot => {
  const slot = slots.find((s) => s.time === time);
  if (!slot) throw new Error(`no slot at ${time}`);
  return slot;
};
/** An occupation on TUESDAY between two local (summer, +02:00) times. */
function busy(from: string, to: string, extra: Partial<Occupation> = {}): Occupation {
  return {
    startMs: utc(`${TUESDAY}T${from}:00+02:00`),
    endMs: utc(`${TUESDAY}T${to}:00+02:00`),
    blocker: { type: 'calendar', providerId: 'google' },
    ...extra,
  };
}

describe('computeSlots: the slot grid (decisions §4)', () => {
  it('demo day, 30-min service: every 30 min from 08:30, the lunch break left out', () => {
    const slots = computeSlots(query());
    expect(times(slots)).toEqual([
      '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30', // 11:30–12:00 touches the break: allowed
      '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30', // 17:30–18:00 ends at closing
    ]);
    expect(slots.every((s) => s.available && s.blockedBy.length === 0)).toBe(true);
  });

  it('demo day, 45-min service: a slot must end by the break and by closing time', () => {
    const slots = computeSlots(query({ durationMinutes: 45 }));
    // 11:30–12:15 overlaps the break; 17:30–18:15 ends after 18:00.
    expect(times(slots)).toEqual([
      '08:30', '09:00', '09:30', '10:00', '10:30', '11:00',
      '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00',
    ]);
  });

  it('gives instants, startMinutes and real durations for each slot', () => {
    const slot = bySlotTime(computeSlots(query({ durationMinutes: 45 })), '09:00');
    expect(slot.startMinutes).toBe(540);
    expect(slot.startMs).toBe(utc('2027-06-15T07:00:00Z'));
    expect(slot.endMs).toBe(utc('2027-06-15T07:45:00Z'));
    expect(formatInstant(slot.startMs, PARIS)).toBe('2027-06-15T09:00:00+02:00');
  });

  it('runs the grid from each range start, while start + duration <= range end', () => {
    const day: DaySchedule = { ranges: [range(hm(9), hm(10, 40)), range(hm(14, 10), hm(15, 30))], breaks: [] };
    const slots = computeSlots(query({ day, stepMinutes: 20, durationMinutes: 30 }));
    // 09:00..10:00 (10:20 + 30 = 10:50 > 10:40); then from 14:10: 14:10, 14:30, 14:50 (15:10 + 30 > 15:30)
    expect(times(slots)).toEqual(['09:00', '09:20', '09:40', '10:00', '14:10', '14:30', '14:50']);
  });

  it('a service longer than the range gives no slot', () => {
    expect(computeSlots(query({ day: { ranges: [range(hm(9), hm(10))], breaks: [] }, durationMinutes: 90 }))).toEqual([]);
  });

  it('a closed day gives no slot', () => {
    expect(computeSlots(query({ day: { ranges: [], breaks: [], closedReason: 'weekly' } }))).toEqual([]);
  });

  it('adjacent ranges: the boundary start is offered once', () => {
    const day: DaySchedule = { ranges: [range(hm(8), hm(10)), range(hm(10), hm(12))], breaks: [] };
    expect(times(computeSlots(query({ day, stepMinutes: 60, durationMinutes: 60 })))).toEqual(['08:00', '09:00', '10:00', '11:00']);
  });

  it('overlapping ranges never produce the same start twice', () => {
    const day: DaySchedule = { ranges: [range(hm(9), hm(11)), range(hm(10), hm(12))], breaks: [] };
    expect(times(computeSlots(query({ day, stepMinutes: 60, durationMinutes: 60 })))).toEqual(['09:00', '10:00', '11:00']);
  });

  it('several breaks each remove the slots overlapping them', () => {
    const day: DaySchedule = { ranges: [range(hm(8), hm(12))], breaks: [range(hm(9), hm(9, 15)), range(hm(10, 45), hm(11))] };
    // 08:30–09:00 ends as the first break starts; 11:00 starts as the second one ends.
    expect(times(computeSlots(query({ day, stepMinutes: 30, durationMinutes: 30 })))).toEqual([
      '08:00', '08:30', '09:30', '10:00', '11:00', '11:30',
    ]);
  });
});

describe('computeSlots: occupations (half-open intervals)', () => {
  it('a booking blocks the slots it overlaps; back-to-back slots stay available', () => {
    const booking = busy('10:00', '10:30', { blocker: { type: 'booking', bookingPublicCode: 'AC-AB12CD', summary: 'Jean' }, bookingId: 'bk-1' });
    const slots = computeSlots(query({ occupations: [booking] }));
    expect(bySlotTime(slots, '10:00')).toMatchObject({ available: false, blockedBy: [booking.blocker] });
    expect(bySlotTime(slots, '09:30')).toMatchObject({ available: true, blockedBy: [] });
    expect(bySlotTime(slots, '10:30')).toMatchObject({ available: true, blockedBy: [] });
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['10:00']);
  });

  it('a 45-min service is blocked by a booking that starts before it ends', () => {
    const booking = busy('10:00', '10:30', { blocker: { type: 'booking' } });
    const slots = computeSlots(query({ durationMinutes: 45, occupations: [booking] }));
    // 09:30–10:15 overlaps 10:00–10:30; 09:00–09:45 does not; 10:30 starts as it ends.
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['09:30', '10:00']);
  });

  it('a calendar busy block blocks every slot it touches, and blocked slots are still listed', () => {
    const block = busy('14:00', '15:30', { blocker: { type: 'calendar', providerId: 'google', summary: 'Dentiste' } });
    const slots = computeSlots(query({ occupations: [block] }));
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['14:00', '14:30', '15:00']);
    expect(bySlotTime(slots, '14:30').blockedBy).toEqual([{ type: 'calendar', providerId: 'google', summary: 'Dentiste' }]);
    expect(times(slots)).toHaveLength(17);
  });

  it('lists every blocker of a slot', () => {
    const a = busy('09:00', '10:00', { blocker: { type: 'booking', bookingPublicCode: 'AC-AAAAAA' }, bookingId: 'bk-a' });
    const b = busy('09:15', '09:45', { blocker: { type: 'calendar', providerId: 'outlook' } });
    const slot = bySlotTime(computeSlots(query({ occupations: [a, b] })), '09:00');
    expect(slot.available).toBe(false);
    expect(slot.blockedBy).toHaveLength(2);
    expect(slot.blockedBy).toEqual(expect.arrayContaining([a.blocker, b.blocker]));
  });

  it('occupations that are not minute-aligned still overlap by the instant', () => {
    const block: Occupation = { startMs: utc('2027-06-15T07:59:59.999Z'), endMs: utc('2027-06-15T08:00:00.001Z'), blocker: { type: 'calendar' } };
    const slots = computeSlots(query({ occupations: [block] }));
    // 09:59:59.999–10:00:00.001 local touches both 09:30–10:00 and 10:00–10:30
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['09:30', '10:00']);
  });

  it('an occupation on another day blocks nothing', () => {
    const yesterday: Occupation = { startMs: utc('2027-06-14T07:00:00Z'), endMs: utc('2027-06-14T16:00:00Z'), blocker: { type: 'booking' } };
    expect(computeSlots(query({ occupations: [yesterday] })).every((s) => s.available)).toBe(true);
  });

  it('buffers widen the footprint to [start - before, end + after)', () => {
    const booking = busy('10:00', '10:30', { blocker: { type: 'booking' } });
    const slots = computeSlots(query({ occupations: [booking], bufferBeforeMinutes: 30, bufferAfterMinutes: 15 }));
    // slot s is blocked when s - 30 < 10:30 and 10:00 < s + 30 + 15, i.e. 09:15 < s < 11:00
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['09:30', '10:00', '10:30']);
    expect(bySlotTime(slots, '09:00').available).toBe(true); // footprint ends 09:45
    expect(bySlotTime(slots, '11:00').available).toBe(true); // footprint starts 10:30, back-to-back
  });
});

describe('computeSlots: rescheduling ignores the booking being moved', () => {
  const own = busy('10:00', '10:30', { blocker: { type: 'booking', bookingPublicCode: 'AC-OWN123' }, bookingId: 'bk-own' });
  const other = busy('11:00', '11:30', { blocker: { type: 'booking', bookingPublicCode: 'AC-OTHER1' }, bookingId: 'bk-other' });
  const block = busy('14:00', '14:30', { blocker: { type: 'calendar' } });

  it('the booking’s own slot is available; other bookings and busy blocks still count', () => {
    const slots = computeSlots(query({ occupations: [own, other, block], ignoreBookingId: 'bk-own' }));
    expect(bySlotTime(slots, '10:00').available).toBe(true);
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['11:00', '14:00']);
  });

  it('without ignoreBookingId the booking blocks its slot', () => {
    const slots = computeSlots(query({ occupations: [own, other, block] }));
    expect(slots.filter((s) => !s.available).map((s) => s.time)).toEqual(['10:00', '11:00', '14:00']);
  });
});

describe('computeSlots: minimum notice and horizon (decisions §3)', () => {
  it('omits slots starting before notBeforeMs; a slot starting exactly then is offered', () => {
    const slots = computeSlots(query({ notBeforeMs: utc('2027-06-15T10:00:00+02:00') }));
    expect(times(slots)[0]).toBe('10:00');
    expect(times(slots)).toHaveLength(17 - 3);
  });

  it('one millisecond later, the 10:00 slot is gone', () => {
    const slots = computeSlots(query({ notBeforeMs: utc('2027-06-15T10:00:00+02:00') + 1 }));
    expect(times(slots)[0]).toBe('10:30');
  });

  it('now + 120 min of notice at 09:10 local: first slot 11:30', () => {
    const now = utc('2027-06-15T09:10:00+02:00');
    expect(times(computeSlots(query({ notBeforeMs: now + 120 * MIN })))[0]).toBe('11:30');
  });

  it('a notice ending after closing time leaves nothing', () => {
    expect(computeSlots(query({ notBeforeMs: utc('2027-06-15T17:31:00+02:00') }))).toEqual([]);
  });

  it('the last bookable date is still offered; the day after gives []', () => {
    expect(computeSlots(query({ lastBookableDate: d(TUESDAY) }))).toHaveLength(17);
    expect(computeSlots(query({ lastBookableDate: d('2027-06-14') }))).toEqual([]);
    expect(computeSlots(query({ lastBookableDate: d('2026-06-14') }))).toEqual([]);
  });
});

describe('computeSlots: DST in Europe/Paris (decisions §3)', () => {
  it.each([
    ['2027-03-27', '+01:00', '2027-03-27T08:00:00Z'],
    ['2027-03-28', '+02:00', '2027-03-28T07:00:00Z'],
    ['2027-03-29', '+02:00', '2027-03-29T07:00:00Z'],
    ['2027-10-30', '+02:00', '2027-10-30T07:00:00Z'],
    ['2027-10-31', '+01:00', '2027-10-31T08:00:00Z'],
    ['2027-11-01', '+01:00', '2027-11-01T08:00:00Z'],
  ])('%s: the 08:30–18:00 day is unchanged and 09:00 carries %s', (date, offset, instant) => {
    const slots = computeSlots(query({ date: d(date) }));
    expect(times(slots)).toEqual(times(computeSlots(query())));
    const nine = bySlotTime(slots, '09:00');
    expect(nine.startMs).toBe(utc(instant));
    expect(formatInstant(nine.startMs, PARIS)).toBe(`${date}T09:00:00${offset}`);
    expect(formatInstant(nine.endMs, PARIS)).toBe(`${date}T09:30:00${offset}`);
    for (const s of slots) expect(s.endMs - s.startMs).toBe(30 * MIN);
  });

  it('2027-03-28, night range 00:00–06:00: 02:00 does not exist and is not offered', () => {
    const slots = computeSlots(query({ date: d('2027-03-28'), day: { ranges: [range(0, hm(6))], breaks: [] }, stepMinutes: 60, durationMinutes: 60 }));
    expect(times(slots)).toEqual(['00:00', '01:00', '03:00', '04:00', '05:00']);
    expect(slots.map((s) => formatInstant(s.startMs, PARIS))).toEqual([
      '2027-03-28T00:00:00+01:00',
      '2027-03-28T01:00:00+01:00',
      '2027-03-28T03:00:00+02:00',
      '2027-03-28T04:00:00+02:00',
      '2027-03-28T05:00:00+02:00',
    ]);
    // every slot lasts 60 real minutes: 01:00 (+01:00) ends at 03:00 (+02:00)
    for (const s of slots) expect(s.endMs - s.startMs).toBe(HOUR);
    expect(formatInstant(bySlotTime(slots, '01:00').endMs, PARIS)).toBe('2027-03-28T03:00:00+02:00');
  });

  it('2027-10-31, night range 00:00–06:00: 02:00 is offered once, at its first occurrence (+02:00)', () => {
    const slots = computeSlots(query({ date: d('2027-10-31'), day: { ranges: [range(0, hm(6))], breaks: [] }, stepMinutes: 60, durationMinutes: 60 }));
    expect(times(slots)).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00', '05:00']);
    expect(slots.map((s) => formatInstant(s.startMs, PARIS))).toEqual([
      '2027-10-31T00:00:00+02:00',
      '2027-10-31T01:00:00+02:00',
      '2027-10-31T02:00:00+02:00',
      '2027-10-31T03:00:00+01:00',
      '2027-10-31T04:00:00+01:00',
      '2027-10-31T05:00:00+01:00',
    ]);
    expect(bySlotTime(slots, '02:00').startMs).toBe(utc('2027-10-31T00:00:00Z'));
    for (const s of slots) expect(s.endMs - s.startMs).toBe(HOUR);
  });

  it('2027-10-31, every 30 min: each local time appears once, sorted by instant', () => {
    const slots = computeSlots(query({ date: d('2027-10-31'), day: { ranges: [range(0, hm(6))], breaks: [] }, stepMinutes: 30, durationMinutes: 30 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '03:30', '04:00', '04:30', '05:00', '05:30']);
    expect(formatInstant(bySlotTime(slots, '02:30').startMs, PARIS)).toBe('2027-10-31T02:30:00+02:00');
    for (let i = 1; i < slots.length; i++) expect(slots[i]!.startMs).toBeGreaterThan(slots[i - 1]!.startMs);
  });

  it('2027-10-31, range 01:00–04:00 spans 4 real hours', () => {
    const day: DaySchedule = { ranges: [range(hm(1), hm(4))], breaks: [] };
    // 01:00+02:00 = 2027-10-30T23:00Z; 04:00+01:00 = 2027-10-31T03:00Z
    const four = computeSlots(query({ date: d('2027-10-31'), day, stepMinutes: 60, durationMinutes: 240 }));
    expect(times(four)).toEqual(['01:00']);
    expect(four[0]!.startMs).toBe(utc('2027-10-30T23:00:00Z'));
    expect(formatInstant(four[0]!.endMs, PARIS)).toBe('2027-10-31T04:00:00+01:00');
    // 3-hour service: 01:00 (ends 03:00+01:00) and 02:00 (+02:00, ends 04:00+01:00); 03:00 would end at 06:00
    expect(times(computeSlots(query({ date: d('2027-10-31'), day, stepMinutes: 60, durationMinutes: 180 })))).toEqual(['01:00', '02:00']);
    expect(computeSlots(query({ date: d('2027-10-31'), day, stepMinutes: 60, durationMinutes: 241 }))).toEqual([]);
  });

  it('2027-03-28, range 01:00–04:00 spans only 2 real hours', () => {
    const day: DaySchedule = { ranges: [range(hm(1), hm(4))], breaks: [] };
    const two = computeSlots(query({ date: d('2027-03-28'), day, stepMinutes: 60, durationMinutes: 120 }));
    expect(times(two)).toEqual(['01:00']);
    expect(formatInstant(two[0]!.endMs, PARIS)).toBe('2027-03-28T04:00:00+02:00');
    expect(computeSlots(query({ date: d('2027-03-28'), day, stepMinutes: 60, durationMinutes: 180 }))).toEqual([]);
  });

  it('2027-10-31: an occupation during the second 02:00–03:00 hour does not block the first', () => {
    const secondHour: Occupation = { startMs: utc('2027-10-31T01:00:00Z'), endMs: utc('2027-10-31T02:00:00Z'), blocker: { type: 'calendar' } };
    const slots = computeSlots(query({ date: d('2027-10-31'), day: { ranges: [range(0, hm(6))], breaks: [] }, stepMinutes: 60, durationMinutes: 60, occupations: [secondHour] }));
    // 02:00+02:00 ends at 01:00Z (back-to-back); 03:00+01:00 starts at 02:00Z (back-to-back)
    expect(slots.every((s) => s.available)).toBe(true);
  });

  it('2027-03-28: a range closing at 02:30 (inside the gap) closes when the clock jumps to 03:00', () => {
    // 02:30 never shows on the clock; from 03:00+02:00 (01:00Z) on, the wall clock is past
    // closing time. 01:30+01:00 + 60 min ends at 03:30+02:00: outside the opening hours.
    const slots = computeSlots(query({ date: d('2027-03-28'), day: { ranges: [range(0, hm(2, 30))], breaks: [] }, stepMinutes: 30, durationMinutes: 60 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00']);
    for (const s of slots) expect(s.endMs).toBeLessThanOrEqual(utc('2027-03-28T01:00:00Z'));
  });

  it('2027-10-31: a range closing at 02:30 (a time that occurs twice) closes at its first occurrence', () => {
    // 02:00+02:00 + 60 min ends at 02:00+01:00: on the way the wall clock shows 02:30–02:59,
    // past closing time. 01:30 (+02:00) ends exactly at 02:30 (+02:00) and is offered.
    const slots = computeSlots(query({ date: d('2027-10-31'), day: { ranges: [range(0, hm(2, 30))], breaks: [] }, stepMinutes: 30, durationMinutes: 60 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '01:30']);
    for (const s of slots) expect(s.endMs).toBeLessThanOrEqual(utc('2027-10-31T00:30:00Z'));
  });

  it('2027-03-28: a break ending at 02:30 (inside the gap) is over when the clock jumps to 03:00', () => {
    // Break 01:30–02:30: the clock shows 01:59 then 03:00, already past the end of the break,
    // so the 03:00 slot (03:00–03:30 on the wall clock) overlaps no break and is listed.
    const day: DaySchedule = { ranges: [range(0, hm(6))], breaks: [range(hm(1, 30), hm(2, 30))] };
    const slots = computeSlots(query({ date: d('2027-03-28'), day, stepMinutes: 30, durationMinutes: 30 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '03:00', '03:30', '04:00', '04:30', '05:00', '05:30']);
  });

  it('2027-03-28: a break from 02:30 (inside the gap) to 04:00 covers 03:00–04:00 on the wall clock', () => {
    // The clock jumps from 02:00 to 03:00, and 03:00–04:00 lies inside the 02:30–04:00 break.
    const day: DaySchedule = { ranges: [range(0, hm(6))], breaks: [range(hm(2, 30), hm(4))] };
    const slots = computeSlots(query({ date: d('2027-03-28'), day, stepMinutes: 30, durationMinutes: 30 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '01:30', '04:00', '04:30', '05:00', '05:30']);
  });

  it('2027-10-31: a break from 02:00 (a time that occurs twice) removes the 02:00 slot', () => {
    // Local times that occur twice are read as their first occurrence (decisions §3):
    // the 02:00 slot (+02:00) shows 02:00–02:30 on the wall clock, inside the 02:00–02:30 break.
    const day: DaySchedule = { ranges: [range(0, hm(6))], breaks: [range(hm(2), hm(2, 30))] };
    const slots = computeSlots(query({ date: d('2027-10-31'), day, stepMinutes: 30, durationMinutes: 30 }));
    expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '01:30', '02:30', '03:00', '03:30', '04:00', '04:30', '05:00', '05:30']);
  });
});
