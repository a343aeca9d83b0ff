import type { Temporal } from 'temporal-polyfill';
import { overlaps, type Interval } from '../domain/intervals.ts';

/**
 * Everything booking creation keeps in memory between requests, in one place: what each
 * structure holds, its bound, what invalidates it, and its key.
 *
 * Why here (src/app) and not in the database adapter: two of them belong to the use case
 * (kept days, racing holds) and one to the domain's date arithmetic (shifted days); the
 * adapter's caches (day contexts, active services) are built from the same pieces, since an
 * adapter may depend on the application layer but not the other way round.
 *
 * | structure | owner | bound | invalidated by | key |
 * | --- | --- | --- | --- | --- |
 * | kept days | create-booking.ts | KEPT_DAYS entries, cleared when full | a hold planned on one refused (rules stamp moved, slot taken by a stale copy): that entry is dropped | `dayKey` |
 * | racing holds | create-booking.ts | one entry per booking being taken (removed when settled) | nothing to invalidate: an entry lives for one request | artisan id |
 * | day contexts | booking-store.ts | DAY_CACHE_SIZE entries, cleared when full | the artisan's data_version (each read sends the cached version; day_context_since answers "unchanged" or the new day) | `dayContextKey` |
 * | day rules | booking-store.ts | DAY_RULES_CACHE_SIZE entries, cleared when full | the artisan's rules_version (a day read sends the kept version; day_context_since leaves the rules out while it is current) | `dayRulesKey` |
 * | active services | booking-store.ts | SERVICES_CACHE_SIZE businesses, cleared when full | the business's data_version (active_services_since) | `servicesKey` |
 * | shared reads | fresh-reads.ts | one slot per key being read (removed when the read settles) | nothing: a caller always gets a read that began after it asked | the day context key / `servicesKey` |
 * | shifted days | day-plan.ts | SHIFTED_DAYS entries, cleared when full | nothing: a pure function of its key | `${date}+${days}` |
 *
 * Tenancy (several businesses on one instance): every key starts with the business's id.
 * Service ids are unique per business only, and one business's edits never invalidate
 * another's copy. Every structure is bounded whatever the number of businesses.
 */

/** Days whose rules a booking was checked against (create-booking's holdFromKept). */
export const KEPT_DAYS = 2_000;
/** Day contexts already read, with the artisan data_version they were read at (migration 0003). */
export const DAY_CACHE_SIZE = 2_000;
/**
 * A service's rules (the service, its business's settings and weekly rules), with the
 * rules_version they were read at (migration 0024): a day not read yet then costs only its
 * own rows. About 2 KB each; wider than DAY_CACHE_SIZE, so that a business's rules outlive
 * its days when many businesses are asked at random.
 */
export const DAY_RULES_CACHE_SIZE = 10_000;
/** Businesses whose active services are kept. */
export const SERVICES_CACHE_SIZE = 2_000;
/** `today + n days` answers remembered (asked by every availability request, same answer all day). */
export const SHIFTED_DAYS = 1_000;

export const dayKey = (artisanId: string, serviceId: string, date: Temporal.PlainDate): string =>
  `${artisanId}|${serviceId}|${date.toString()}`;
export const dayContextKey = (artisanId: string, serviceId: string, fromMs: number, toMs: number): string =>
  `${artisanId}|${serviceId}|${fromMs}|${toMs}`;
export const servicesKey = (artisanId: string): string => artisanId;
export const dayRulesKey = (artisanId: string, serviceId: string): string => `${artisanId}|${serviceId}`;

/**
 * A map that never holds more than `max` entries: when full, it is emptied before the next
 * insertion. The entries are cheap to read again and a full map means the working set is
 * wider than the bound: keeping recent ones would not make the hits more likely.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(readonly max: number) {}
  get size(): number {
    return this.#entries.size;
  }
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.max) this.#entries.clear();
    this.#entries.set(key, value);
  }
  clear(): void {
    this.#entries.clear();
  }
  delete(key: K): void {
    this.#entries.delete(key);
  }
}

/**
 * This process's bookings being taken, from their hold until the deposit is settled. A
 * request whose range overlaps one of them (another customer's) waits for its hold's answer:
 * if the hold took the slot, the request is refused then without asking the database, which
 * would refuse it too (the slot is held at that moment, while the request is in flight).
 * Requests racing for one slot then cost one hold, not one each.
 */
export interface HoldFlights {
  /** Whether an overlapping booking being taken holds the slot (resolves when its hold answers), if there is one. */
  overlapping(artisanId: string, range: Interval, email: string): Promise<boolean> | undefined;
  /** Registers a booking being taken: `took` once its hold holds the slot, `end` when it is settled or failed. */
  start(artisanId: string, range: Interval, email: string): { took(): void; end(): void };
  /** Bookings being taken now (all artisans). */
  readonly size: number;
}

/** Every hold asks the database (BOOKING_SHARE_RACING_HOLDS=false). */
export const NO_FLIGHTS: HoldFlights = { overlapping: () => undefined, start: () => ({ took: () => {}, end: () => {} }), size: 0 };

export function makeHoldFlights(): HoldFlights {
  const byArtisan = new Map<string, Set<{ range: Interval; email: string; answer: Promise<boolean> }>>();
  let size = 0;
  return {
    overlapping(artisanId, range, email) {
      for (const flight of byArtisan.get(artisanId) ?? []) {
        if (flight.email !== email && overlaps(flight.range, range)) return flight.answer;
      }
      return undefined;
    },
    start(artisanId, range, email) {
      let settle!: (held: boolean) => void;
      const flight = { range, email, answer: new Promise<boolean>((resolve) => (settle = resolve)) };
      let set = byArtisan.get(artisanId);
      if (!set) byArtisan.set(artisanId, (set = new Set()));
      set.add(flight);
      size += 1;
      let ended = false;
      return {
        took: () => settle(true),
        end: () => {
          if (ended) return;
          ended = true;
          size -= 1;
          set.delete(flight);
          if (set.size === 0) byArtisan.delete(artisanId);
          settle(false);
        },
      };
    },
    get size() {
      return size;
    },
  };
}

const shifted = new BoundedMap<string, Temporal.PlainDate>(SHIFTED_DAYS);

/** today + n days, remembered: asked on every availability request with the same answer all day. */
export function addDays(date: Temporal.PlainDate, days: number): Temporal.PlainDate {
  const key = `${date.toString()}+${days}`;
  let result = shifted.get(key);
  if (!result) {
    result = date.add({ days });
    shifted.set(key, result);
  }
  return result;
}
