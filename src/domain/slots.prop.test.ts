import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import type { MinuteRange } from './intervals.ts';
import { computeSlots, type Occupation, type SlotBlocker, type SlotQuery } from './slots.ts';

/*
 * Property tests of computeSlots against decisions §3–§4. The oracles below are written
 * from the rules with Temporal directly; they do not reuse time.ts or intervals.ts.
 */

const MIN = 60_000;
const FAR_PAST = Date.parse('2000-01-01T00:00:00Z');
const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'] as const;
type Zone = (typeof ZONES)[number];

/** Transition days 2026–2028, worked out from each zone's rules. */
const DST_DAYS: Record<Zone, string[]> = {
  // last Sunday of March / October
  'Europe/Paris': ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2028-03-26', '2028-10-29'],
  // second Sunday of March / first Sunday of November
  'America/New_York': ['2026-03-08', '2026-11-01', '2027-03-14', '2027-11-07', '2028-03-12', '2028-11-05'],
  // first Sunday of April (back 30 min) / first Sunday of October (forward 30 min)
  'Australia/Lord_Howe': ['2026-04-05', '2026-10-04', '2027-04-04', '2027-10-03', '2028-04-02', '2028-10-01'],
  'Asia/Kolkata': [],
  UTC: [],
};

// ---------------------------------------------------------------- oracles

const zoned = (ms: number, zone: string): Temporal.ZonedDateTime => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
const pad = (n: number): string => String(n).padStart(2, '0');
const hhmm = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const localMidnight = (date: Temporal.PlainDate, zone: string): number => date.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
/** Half-open intervals [a0, a1) and [b0, b1); an empty interval overlaps nothing. */
const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1;

/**
 * The first instant at which the wall clock of `zone` shows `date` + `minutes` or later:
 * the time itself when it exists (its first occurrence when it occurs twice, decisions §3),
 * and the moment the clock jumps over it when it falls in a spring-forward gap. An opening
 * range or a break from a to b is read on the wall clock as [clockReaches(a), clockReaches(b)).
 */
function clockReaches(date: Temporal.PlainDate, minutes: number, zone: string): number {
  const local = date.toPlainDateTime().add({ minutes });
  const first = local.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (first.toPlainDateTime().equals(local)) return first.epochMilliseconds;
  // In a gap, 'earlier' lands before the jump (where the clock still shows less): take the jump.
  const jump = first.getTimeZoneTransition('next');
  if (!jump) throw new Error('a gap without a transition');
  return jump.epochMilliseconds;
}

function activeOccupations(q: SlotQuery): readonly Occupation[] {
  return q.ignoreBookingId ? q.occupations.filter((o) => o.bookingId !== q.ignoreBookingId) : q.occupations;
}

function expectSameBlockers(actual: SlotBlocker[], expected: SlotBlocker[]): void {
  expect(actual).toHaveLength(expected.length);
  const count = new Map<SlotBlocker, number>();
  for (const b of expected) count.set(b, (count.get(b) ?? 0) + 1);
  for (const b of actual) {
    expect(count.get(b) ?? 0).toBeGreaterThan(0);
    count.set(b, count.get(b)! - 1);
  }
}

// ---------------------------------------------------------------- generators

const DAY0 = Temporal.PlainDate.from('2026-01-01');
const anyDate = fc.integer({ min: 0, max: 365 * 3 }).map((n) => DAY0.add({ days: n })); // 2026-01-01 … 2028-12-31

function dateArb(zone: Zone): fc.Arbitrary<Temporal.PlainDate> {
  const dst = DST_DAYS[zone].map((iso) => Temporal.PlainDate.from(iso));
  if (dst.length === 0) return anyDate;
  return fc.oneof(
    { arbitrary: anyDate, weight: 2 },
    { arbitrary: fc.constantFrom(...dst), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom(...dst), fc.constantFrom(-1, 1)).map(([day, k]) => day.add({ days: k })), weight: 1 },
  );
}

/** Minute marks, biased towards the night hours where the transitions happen. */
const mark = fc.oneof(
  fc.integer({ min: 0, max: 288 }).map((n) => n * 5),
  fc.integer({ min: 0, max: 60 }).map((n) => n * 5), // 00:00–05:00
  fc.constantFrom(0, 60, 90, 105, 120, 135, 150, 165, 180, 210, 240, 510, 720, 780, 1080, 1440),
);

const PRESET_RANGES: MinuteRange[][] = [
  [{ startMinutes: 510, endMinutes: 1080 }],
  [
    { startMinutes: 510, endMinutes: 720 },
    { startMinutes: 780, endMinutes: 1080 },
  ],
  [{ startMinutes: 0, endMinutes: 360 }],
  [{ startMinutes: 0, endMinutes: 1440 }],
  [{ startMinutes: 60, endMinutes: 240 }],
  [
    { startMinutes: 90, endMinutes: 150 },
    { startMinutes: 150, endMinutes: 300 },
    { startMinutes: 600, endMinutes: 1200 },
  ],
];

/** 1–3 sorted, non-overlapping opening ranges (adjacent allowed). */
const rangesArb: fc.Arbitrary<MinuteRange[]> = fc.oneof(
  { arbitrary: fc.constantFrom(...PRESET_RANGES), weight: 1 },
  {
    arbitrary: fc
      .integer({ min: 1, max: 3 })
      .chain((n) => fc.array(mark, { minLength: 2 * n, maxLength: 2 * n }))
      .map((points) => {
        const sorted = [...points].sort((a, b) => a - b);
        const ranges: MinuteRange[] = [];
        for (let i = 0; i + 1 < sorted.length; i += 2) {
          if (sorted[i]! < sorted[i + 1]!) ranges.push({ startMinutes: sorted[i]!, endMinutes: sorted[i + 1]! });
        }
        return ranges;
      })
      .filter((ranges) => ranges.length > 0),
    weight: 3,
  },
);

const breakStart = fc.oneof(mark, fc.integer({ min: 12, max: 36 }).map((n) => n * 5)); // extra weight on 01:00–03:00
const breakArb: fc.Arbitrary<MinuteRange> = fc
  .tuple(breakStart, fc.integer({ min: 1, max: 36 }).map((n) => n * 5))
  .map(([start, length]) => ({ startMinutes: Math.min(start, 1435), endMinutes: Math.min(1440, Math.min(start, 1435) + length) }));
const breaksArb = fc.array(breakArb, { maxLength: 2 }).map((bs) => [...bs].sort((a, b) => a.startMinutes - b.startMinutes));

const blockerArb: fc.Arbitrary<SlotBlocker> = fc.record(
  {
    type: fc.constantFrom<SlotBlocker['type']>('booking', 'calendar'),
    providerId: fc.constantFrom('google', 'outlook', 'apple'),
    bookingPublicCode: fc.stringMatching(/^AC-[A-Z0-9]{6}$/),
    summary: fc.string({ maxLength: 12 }),
  },
  { requiredKeys: ['type'] },
);

function occupationArb(dayStartMs: number): fc.Arbitrary<Occupation> {
  return fc
    .record({
      offset: fc.integer({ min: -36, max: 324 }).map((n) => n * 5), // from 3 h before to 3 h after the day
      length: fc.integer({ min: 1, max: 60 }).map((n) => n * 5),
      jitter: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: -59_999, max: 59_999 }), weight: 1 }),
      blocker: blockerArb,
      bookingId: fc.option(fc.constantFrom('bk-1', 'bk-2', 'bk-3'), { nil: undefined }),
    })
    .map(({ offset, length, jitter, blocker, bookingId }) => {
      const startMs = dayStartMs + offset * MIN + jitter;
      const occupation: Occupation = { startMs, endMs: startMs + length * MIN, blocker };
      if (bookingId !== undefined) occupation.bookingId = bookingId;
      return occupation;
    });
}

interface Case {
  zone: Zone;
  query: SlotQuery;
}

function caseArb(zoneArb: fc.Arbitrary<Zone>, dates: (zone: Zone) => fc.Arbitrary<Temporal.PlainDate>, opts: { breaks?: boolean } = {}): fc.Arbitrary<Case> {
  return zoneArb.chain((zone) =>
    dates(zone).chain((date) => {
      const dayStartMs = localMidnight(date, zone);
      return fc
        .record({
          ranges: rangesArb,
          breaks: opts.breaks === false ? fc.constant([] as MinuteRange[]) : breaksArb,
          step: fc.constantFrom(10, 15, 20, 30, 60),
          duration: fc.constantFrom(15, 30, 45, 60, 90, 120),
          bufferBefore: fc.option(fc.constantFrom(0, 10, 15, 30), { nil: undefined }),
          bufferAfter: fc.option(fc.constantFrom(0, 10, 15, 30), { nil: undefined }),
          occupations: fc.array(occupationArb(dayStartMs), { maxLength: 6 }),
          notBefore: fc.oneof(fc.constant(FAR_PAST), fc.integer({ min: 0, max: 1500 * MIN }).map((x) => dayStartMs + x)),
          horizonDays: fc.integer({ min: 0, max: 100 }),
          ignore: fc.option(fc.constantFrom('bk-1', 'bk-2', 'bk-3', 'bk-none'), { nil: undefined }),
        })
        .map((p) => {
          const query: SlotQuery = {
            date,
            timeZone: zone,
            day: { ranges: p.ranges, breaks: p.breaks },
            stepMinutes: p.step,
            durationMinutes: p.duration,
            occupations: p.occupations,
            notBeforeMs: p.notBefore,
            lastBookableDate: date.add({ days: p.horizonDays }),
          };
          if (p.bufferBefore !== undefined) query.bufferBeforeMinutes = p.bufferBefore;
          if (p.bufferAfter !== undefined) query.bufferAfterMinutes = p.bufferAfter;
          if (p.ignore !== undefined) query.ignoreBookingId = p.ignore;
          return { zone, query };
        });
    }),
  );
}

const anyCase = caseArb(fc.constantFrom(...ZONES), dateArb);
const RUNS = { numRuns: 300 };

const describeCase = (c: Case): string =>
  JSON.stringify({
    zone: c.zone,
    date: c.query.date.toString(),
    day: c.query.day,
    step: c.query.stepMinutes,
    duration: c.query.durationMinutes,
  });

// ---------------------------------------------------------------- properties

describe('computeSlots properties (random schedules, zones and dates, DST days included)', () => {
  it('the DST fixture days really are transition days (and the days around them are not)', () => {
    for (const zone of ZONES) {
      for (const iso of DST_DAYS[zone]) {
        const day = Temporal.PlainDate.from(iso);
        expect(day.toZonedDateTime({ timeZone: zone }).hoursInDay, `${zone} ${iso}`).not.toBe(24);
        expect(day.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).hoursInDay).toBe(24);
        expect(day.subtract({ days: 1 }).toZonedDateTime({ timeZone: zone }).hoursInDay).toBe(24);
      }
    }
  });

  it('each slot starts on the grid of one opening range, at that wall-clock time, and ends by the time the clock reaches the range end', () => {
    fc.assert(
      fc.property(anyCase, (c) => {
        const { query: q, zone } = c;
        for (const slot of computeSlots(q)) {
          const ctx = `${describeCase(c)} slot ${slot.time}`;
          // the start is the wall-clock time it claims, on the requested date, at its first occurrence
          const z = zoned(slot.startMs, zone);
          expect(z.toPlainDate().equals(q.date), ctx).toBe(true);
          expect(z.hour * 60 + z.minute, ctx).toBe(slot.startMinutes);
          expect(z.second * 1000 + z.millisecond, ctx).toBe(0);
          expect(slot.time, ctx).toBe(hhmm(slot.startMinutes));
          const local = q.date.toPlainDateTime().add({ minutes: slot.startMinutes });
          expect(local.toZonedDateTime(zone, { disambiguation: 'earlier' }).epochMilliseconds, ctx).toBe(slot.startMs);
          // inside one range, on its grid
          const home = q.day.ranges.find(
            (r) =>
              slot.startMinutes >= r.startMinutes &&
              slot.startMinutes < r.endMinutes &&
              (slot.startMinutes - r.startMinutes) % q.stepMinutes === 0 &&
              slot.startMs >= clockReaches(q.date, r.startMinutes, zone) &&
              slot.endMs <= clockReaches(q.date, r.endMinutes, zone),
          );
          expect(home, ctx).toBeDefined();
        }
      }),
      RUNS,
    );
  });

  it('each slot lasts the service duration in real minutes and starts at or after notBeforeMs', () => {
    fc.assert(
      fc.property(anyCase, ({ query: q }) => {
        for (const slot of computeSlots(q)) {
          expect(slot.endMs - slot.startMs).toBe(q.durationMinutes * MIN);
          expect(slot.startMs).toBeGreaterThanOrEqual(q.notBeforeMs);
        }
      }),
      RUNS,
    );
  });

  it('slots are sorted by start instant, with no start instant (or local time) twice', () => {
    fc.assert(
      fc.property(anyCase, ({ query: q }) => {
        const slots = computeSlots(q);
        for (let i = 1; i < slots.length; i++) expect(slots[i]!.startMs).toBeGreaterThan(slots[i - 1]!.startMs);
        expect(new Set(slots.map((s) => s.time)).size).toBe(slots.length);
      }),
      RUNS,
    );
  });

  it('no slot overlaps a break on the wall clock', () => {
    fc.assert(
      fc.property(anyCase, (c) => {
        const { query: q, zone } = c;
        for (const slot of computeSlots(q)) {
          for (const b of q.day.breaks) {
            const from = clockReaches(q.date, b.startMinutes, zone);
            const to = clockReaches(q.date, b.endMinutes, zone);
            const ctx = `${describeCase(c)} slot ${slot.time} vs break ${hhmm(b.startMinutes)}–${hhmm(b.endMinutes)}`;
            expect(overlaps(slot.startMs, slot.endMs, from, to), ctx).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('available is true exactly when no occupation overlaps [start - bufferBefore, end + bufferAfter); blockedBy lists exactly those', () => {
    fc.assert(
      fc.property(anyCase, ({ query: q }) => {
        const before = (q.bufferBeforeMinutes ?? 0) * MIN;
        const after = (q.bufferAfterMinutes ?? 0) * MIN;
        const occupations = activeOccupations(q);
        for (const slot of computeSlots(q)) {
          const hits = occupations.filter((o) => overlaps(slot.startMs - before, slot.endMs + after, o.startMs, o.endMs));
          expect(slot.available).toBe(hits.length === 0);
          expectSameBlockers(slot.blockedBy, hits.map((o) => o.blocker));
        }
      }),
      RUNS,
    );
  });

  it('ignoreBookingId behaves as if that booking’s occupations were not there', () => {
    fc.assert(
      fc.property(anyCase, fc.constantFrom('bk-1', 'bk-2', 'bk-3'), ({ query: q }, id) => {
        const withIgnore = computeSlots({ ...q, ignoreBookingId: id });
        const withoutBooking = computeSlots({ ...q, ignoreBookingId: undefined, occupations: q.occupations.filter((o) => o.bookingId !== id) });
        expect(withIgnore).toEqual(withoutBooking);
        // ignoring only ever frees slots, it never blocks or removes one
        const plain = computeSlots({ ...q, ignoreBookingId: undefined });
        expect(withIgnore.map((s) => s.startMs)).toEqual(plain.map((s) => s.startMs));
        withIgnore.forEach((s, i) => {
          if (!plain[i]!.available) return;
          expect(s.available).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('occupations change availability only, never which slots are listed', () => {
    fc.assert(
      fc.property(anyCase, ({ query: q }) => {
        const free = computeSlots({ ...q, occupations: [] });
        expect(free.every((s) => s.available && s.blockedBy.length === 0)).toBe(true);
        expect(computeSlots(q).map((s) => [s.time, s.startMs])).toEqual(free.map((s) => [s.time, s.startMs]));
      }),
      RUNS,
    );
  });

  it('a date after lastBookableDate gives no slot', () => {
    fc.assert(
      fc.property(anyCase, fc.integer({ min: 1, max: 400 }), ({ query: q }, late) => {
        expect(computeSlots({ ...q, lastBookableDate: q.date.subtract({ days: late }) })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('computeSlots completeness on ordinary (24-hour) days', () => {
  const ordinaryDate = (zone: Zone): fc.Arbitrary<Temporal.PlainDate> =>
    anyDate.filter((date) => date.toZonedDateTime({ timeZone: zone }).hoursInDay === 24);

  /** Every grid start of every range whose end fits, by plain minute arithmetic. */
  function expectedStarts(q: SlotQuery, dayStartMs: number): [string, number][] {
    const out: [string, number][] = [];
    for (const r of q.day.ranges) {
      for (let s = r.startMinutes; s + q.durationMinutes <= r.endMinutes; s += q.stepMinutes) {
        if (q.day.breaks.some((b) => overlaps(s, s + q.durationMinutes, b.startMinutes, b.endMinutes))) continue;
        const startMs = dayStartMs + s * MIN;
        if (startMs < q.notBeforeMs) continue;
        out.push([hhmm(s), startMs]);
      }
    }
    return out.sort((a, b) => a[1] - b[1]);
  }

  it('no breaks, notBefore far in the past: every grid start whose end fits the range is returned', () => {
    fc.assert(
      fc.property(caseArb(fc.constantFrom(...ZONES), ordinaryDate, { breaks: false }), ({ query, zone }) => {
        const q: SlotQuery = { ...query, notBeforeMs: FAR_PAST, lastBookableDate: query.date };
        const dayStartMs = localMidnight(q.date, zone);
        const expected = expectedStarts(q, dayStartMs);
        expect(computeSlots(q).map((s) => [s.time, s.startMs])).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('with breaks and minimum notice: exactly the grid starts that fit, miss the breaks and respect the notice', () => {
    fc.assert(
      fc.property(caseArb(fc.constantFrom(...ZONES), ordinaryDate), ({ query, zone }) => {
        const q: SlotQuery = { ...query, lastBookableDate: query.date };
        const dayStartMs = localMidnight(q.date, zone);
        const expected = expectedStarts(q, dayStartMs);
        const slots = computeSlots(q);
        expect(slots.map((s) => [s.time, s.startMs])).toEqual(expected);
        for (const s of slots) expect(s.endMs).toBe(s.startMs + q.durationMinutes * MIN);
      }),
      RUNS,
    );
  });
});
