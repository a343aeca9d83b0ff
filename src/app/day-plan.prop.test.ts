import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import type { DayContext } from '../domain/day-context.ts';
import { rankTechnicians, type Place, type TechnicianLoad, type TechnicianRoute, type ZoneEntry } from '../domain/routing.ts';
import type { Occupation } from '../domain/slots.ts';
import { planDay } from './day-plan.ts';

/*
 * Property tests of routing (issue 20): with random technicians (skills, zones), random
 * bookings and blocks (some a technician's, some the whole business's), the day's plan offers a
 * slot if and only if some eligible technician can take it, and names exactly those; the
 * assignment order only ever holds free technicians and follows the tie-break. The oracles are
 * written from the rules: a technician is free when nothing of theirs or of the business's
 * overlaps the slot with its buffers; a UTC zone keeps the wall clock out of the way.
 */

const MIN = 60_000;
const DATE = Temporal.PlainDate.from('2027-03-03'); // a Wednesday
const MIDNIGHT = Date.UTC(2027, 2, 3);
const NOW = Date.UTC(2027, 2, 1, 7);
const PLACE: Place = { postcode: '93200', communes: ['93066'], departements: ['93'] };
const ZONE_CHOICES: ZoneEntry[] = [
  { kind: 'postcode', code: '93200' },
  { kind: 'postcode', code: '75011' },
  { kind: 'commune', code: '93066' },
  { kind: 'commune', code: '75056' },
  { kind: 'departement', code: '93' },
  { kind: 'departement', code: '2A' },
];

const technicianArb = (id: string): fc.Arbitrary<TechnicianRoute> =>
  fc.record({
    id: fc.constant(id),
    // Few values: ties on every criterion come up often.
    priority: fc.constantFrom(0, 1),
    performs: fc.boolean(),
    zones: fc.subarray(ZONE_CHOICES),
    teamId: fc.constant(null),
  });

const occupationArb = (ids: string[]): fc.Arbitrary<Occupation> =>
  fc
    .record({
      start: fc.integer({ min: 8 * 60, max: 18 * 60 }),
      length: fc.integer({ min: 5, max: 120 }),
      owner: fc.option(fc.constantFrom(...ids), { nil: undefined }),
      kind: fc.constantFrom('booking', 'calendar'),
    })
    .map(({ start, length, owner, kind }) => ({
      startMs: MIDNIGHT + start * MIN,
      endMs: MIDNIGHT + (start + length) * MIN,
      blocker: kind === 'booking' ? { type: 'booking' as const, bookingPublicCode: `AC-${start}`, summary: 'x' } : { type: 'calendar' as const, providerId: 'ics', summary: 'x' },
      ...(owner ? { technicianId: owner } : {}),
    }));

function context(technicians: TechnicianRoute[], occupations: Occupation[], buffers: { before: number; after: number }): DayContext {
  return {
    service: {
      id: 'diag', artisanId: 'a', name: 'Diagnostic', description: null, durationMinutes: 30, basePriceCents: 4000, depositRate: 0.3, isActive: true,
      bufferBeforeMinutes: buffers.before, bufferAfterMinutes: buffers.after, refundPolicy: null, minNoticeMinutes: null, atCustomer: false, maintenanceIntervalMonths: null,
    },
    artisan: {
      id: 'a', timezone: 'UTC', plan: 'business', slotStepMinutes: 30, minNoticeMinutes: 0, bookingHorizonDays: 90, calendarSyncEnabled: false,
      schedule: {
        openingRules: [{ id: 'o', dayOfWeek: 3, startMinutes: 9 * 60, endMinutes: 17 * 60 }],
        breakRules: [],
        exceptions: [],
        closedOnPublicHolidays: false,
      },
    },
    occupations,
    technicians,
    phone: null,
  };
}

/** The oracle: who may take [start, start + 30 min) with its buffers. */
function freeFor(ctx: DayContext, startMs: number): string[] {
  const from = startMs - ctx.service.bufferBeforeMinutes * MIN;
  const to = startMs + (ctx.service.durationMinutes + ctx.service.bufferAfterMinutes) * MIN;
  const covers = (t: TechnicianRoute) =>
    t.zones.length === 0 ||
    t.zones.some((z) => (z.kind === 'postcode' ? z.code === PLACE.postcode : z.kind === 'commune' ? PLACE.communes.includes(z.code) : PLACE.departements.includes(z.code)));
  return ctx.technicians
    .filter((t) => t.performs && covers(t))
    .filter((t) => !ctx.occupations.some((o) => (o.technicianId === undefined || o.technicianId === t.id) && o.startMs < to && from < o.endMs))
    .map((t) => t.id);
}

const ids = ['t1', 't2', 't3', 't4'];
const dayArb = fc.record({
  technicians: fc.tuple(...ids.map(technicianArb)).chain((all) => fc.subarray(all, { minLength: 1 })),
  occupations: fc.array(occupationArb(ids), { maxLength: 10 }),
  before: fc.constantFrom(0, 15),
  after: fc.constantFrom(0, 30),
});

describe('routing a day (union over eligible technicians)', () => {
  it('a slot is offered iff some eligible technician is free for it, and exactly those are named', () => {
    fc.assert(
      fc.property(dayArb, ({ technicians, occupations, before, after }) => {
        const ctx = context(technicians, occupations, { before, after });
        const slots = planDay(ctx, DATE, NOW, undefined, PLACE).slots;
        const anyEligible = freeFor({ ...ctx, occupations: [] }, MIDNIGHT + 9 * 60 * MIN).length > 0;
        // The rules' times (09:00–16:30 every 30 min) are listed when someone is eligible.
        expect(slots.map((s) => s.time)).toEqual(anyEligible ? Array.from({ length: 16 }, (_, i) => `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`) : []);
        for (const slot of slots) {
          const free = freeFor(ctx, slot.startMs);
          expect(slot.available, slot.time).toBe(free.length > 0);
          expect(new Set(slot.freeTechnicianIds), slot.time).toEqual(new Set(free));
          if (!slot.available) expect(slot.blockedBy.length, slot.time).toBeGreaterThan(0);
          else expect(slot.blockedBy).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the assignment order holds only free technicians, follows the tie-break, and does not depend on the input order', () => {
    const loadArb = fc.record({ weekMinutes: fc.constantFrom(0, 30), lastBookingMs: fc.option(fc.constantFrom(1, 2), { nil: null, freq: 2 }) });
    fc.assert(
      fc.property(dayArb, fc.tuple(loadArb, loadArb, loadArb, loadArb), fc.nat(), ({ technicians, occupations, before, after }, loadList, seed) => {
        const ctx = context(technicians, occupations, { before, after });
        const loads = new Map<string, TechnicianLoad>(ids.map((id, i) => [id, loadList[i]!]));
        for (const slot of planDay(ctx, DATE, NOW, undefined, PLACE).slots.filter((s) => s.available)) {
          const free = technicians.filter((t) => slot.freeTechnicianIds!.includes(t.id));
          const { order, rule } = rankTechnicians(free, loads);
          expect(new Set(order.map((t) => t.id))).toEqual(new Set(freeFor(ctx, slot.startMs)));
          // Each comes before the next by the first criterion that tells them apart.
          const key = (t: TechnicianRoute) => [-t.priority, loads.get(t.id)!.weekMinutes, loads.get(t.id)!.lastBookingMs ?? -Infinity] as const;
          for (let i = 1; i < order.length; i++) {
            const [p, q] = [key(order[i - 1]!), key(order[i]!)];
            const at = p.findIndex((v, k) => v !== q[k]);
            if (at >= 0) expect(p[at]! < q[at]!).toBe(true);
            else expect(order[i - 1]!.id < order[i]!.id).toBe(true);
          }
          // The reason names the criterion that told the first two apart.
          const RULES = ['priority', 'week_minutes', 'last_booking'] as const;
          if (order.length === 1) expect(rule).toBe('only_free');
          else {
            const [p, q] = [key(order[0]!), key(order[1]!)];
            const at = p.findIndex((v, k) => v !== q[k]);
            expect(rule).toBe(at >= 0 ? RULES[at] : 'stable_order');
          }
          // Same inputs, same technician, whatever order they come in.
          const shuffled = [...free].sort((x, y) => ((x.id.charCodeAt(1) * 31 + seed) % 7) - ((y.id.charCodeAt(1) * 31 + seed) % 7));
          expect(rankTechnicians(shuffled, loads).order.map((t) => t.id)).toEqual(order.map((t) => t.id));
        }
      }),
      { numRuns: 200 },
    );
  });
});
