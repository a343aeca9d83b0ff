import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { BoundedMap, DAY_CACHE_SIZE, KEPT_DAYS, SHIFTED_DAYS, addDays, dayContextKey, dayKey, makeHoldFlights, servicesKey } from './creation-state.ts';

const range = (startMin: number, endMin: number) => ({ startMs: startMin * 60_000, endMs: endMin * 60_000 });

describe('BoundedMap', () => {
  it('never holds more than its bound: full, it is emptied before a new key goes in', () => {
    const map = new BoundedMap<string, number>(3);
    for (const k of ['a', 'b', 'c']) map.set(k, 1);
    expect(map.size).toBe(3);
    map.set('a', 2); // a key already there is replaced, nothing dropped
    expect(map.size).toBe(3);
    expect(map.get('a')).toBe(2);
    map.set('d', 1);
    expect(map.size).toBe(1);
    expect(map.get('a')).toBeUndefined();
    expect(map.get('d')).toBe(1);
  });

  it('drops one entry on demand (a kept day whose hold was refused)', () => {
    const map = new BoundedMap<string, number>(KEPT_DAYS);
    map.set(dayKey('a1', 'diag', Temporal.PlainDate.from('2027-03-03')), 1);
    map.delete('a1|diag|2027-03-03');
    expect(map.size).toBe(0);
  });

  it('the bounds are the documented ones', () => {
    expect([KEPT_DAYS, DAY_CACHE_SIZE, SHIFTED_DAYS]).toEqual([2_000, 2_000, 1_000]);
  });
});

describe('keys', () => {
  it('a kept day is a business, a service and a local date; a day context, a business, a service and an instant window', () => {
    // Two businesses may both have a `diag` service: their keys differ.
    expect(dayKey('a1', 'diag', Temporal.PlainDate.from('2027-03-03'))).toBe('a1|diag|2027-03-03');
    expect(dayKey('a2', 'diag', Temporal.PlainDate.from('2027-03-03'))).not.toBe(dayKey('a1', 'diag', Temporal.PlainDate.from('2027-03-03')));
    expect(dayContextKey('a1', 'diag', 1, 2)).toBe('a1|diag|1|2');
    expect(servicesKey('a1')).not.toBe(servicesKey('a2'));
  });
});

describe('HoldFlights', () => {
  it("another customer's overlapping request waits for the first hold; it ends with the request", async () => {
    const flights = makeHoldFlights();
    const first = flights.start('artisan-1', range(540, 600), 'a@example.com');
    expect(flights.size).toBe(1);
    const waiting = flights.overlapping('artisan-1', range(570, 630), 'b@example.com');
    expect(waiting).toBeDefined();
    first.took();
    await expect(waiting).resolves.toBe(true);
    first.end();
    expect(flights.size).toBe(0);
    expect(flights.overlapping('artisan-1', range(570, 630), 'b@example.com')).toBeUndefined();
  });

  it('is per artisan, ignores the same customer and ranges that do not overlap', () => {
    const flights = makeHoldFlights();
    const f = flights.start('artisan-1', range(540, 600), 'a@example.com');
    expect(flights.overlapping('artisan-2', range(540, 600), 'b@example.com')).toBeUndefined();
    expect(flights.overlapping('artisan-1', range(540, 600), 'a@example.com')).toBeUndefined();
    expect(flights.overlapping('artisan-1', range(600, 660), 'b@example.com')).toBeUndefined();
    f.end();
  });

  it('a request that failed frees the slot for the waiters; ending twice counts once', async () => {
    const flights = makeHoldFlights();
    const f = flights.start('artisan-1', range(540, 600), 'a@example.com');
    const waiting = flights.overlapping('artisan-1', range(540, 600), 'b@example.com');
    f.end();
    f.end();
    await expect(waiting).resolves.toBe(false);
    expect(flights.size).toBe(0);
  });
});

describe('addDays', () => {
  it('answers date + n days, the same object while remembered', () => {
    const today = Temporal.PlainDate.from('2027-03-28');
    const later = addDays(today, 60);
    expect(later.toString()).toBe('2027-05-27');
    expect(addDays(today, 60)).toBe(later);
  });
});
