import type { BookingRecord } from '../domain/booking.ts';
import type { Clock } from './ports/clock.ts';

export interface FeedState {
  generation: number;
  createdMs: number;
  rotatedMs: number | null;
  lastReadMs: number | null;
}

export interface FeedStore {
  /** The artisan's feed, created (generation 1) when there is none. */
  ensure(artisanId: string, nowMs: number, hashOf: (generation: number) => string): Promise<FeedState>;
  /** A new generation: the previous address stops working. */
  rotate(artisanId: string, nowMs: number, hashOf: (generation: number) => string): Promise<FeedState>;
  /**
   * Whose feed a token hash opens (and records the read); with `business`, only that
   * business's (another's token opens nothing and is not recorded as read).
   */
  artisanOf(tokenHash: string, nowMs: number, business?: string): Promise<string | undefined>;
  /** Booked appointments ending after fromMs, with their revision (iCalendar SEQUENCE). */
  bookings(artisanId: string, fromMs: number): Promise<{ booking: BookingRecord; sequence: number }[]>;
}

/** Derives feed tokens (keyed by the service's secret) and hashes them for storage. */
export interface FeedTokens {
  tokenFor(artisanId: string, generation: number): string;
  hash(token: string): string;
}

const PAST_DAYS = 30;

/**
 * The artisan's private feed: a URL any calendar app subscribes to, listing every booked
 * appointment (service, customer contact, address, code). The token is not stored, only its
 * hash; the URL is derived again when the artisan asks for it, and rotating it ends the old one.
 * The URL is under the business's own address (issue 19); read under another business's
 * address, a token opens nothing. Read under the instance's bare address (addresses handed
 * out before businesses had their own), the token alone says whose feed it is.
 */
export function makeCalendarFeed(deps: {
  store: FeedStore;
  tokens: FeedTokens;
  /** Where the business's own paths start (domain/business-address.ts's `base`), without a trailing slash. */
  baseOf(artisanId: string): Promise<string>;
  clock: Clock;
  render(entries: { booking: BookingRecord; sequence: number }[]): string;
}) {
  const view = async (artisanId: string, state: FeedState) => ({
    url: `${await deps.baseOf(artisanId)}/api/calendar/${deps.tokens.tokenFor(artisanId, state.generation)}.ics`,
    ...state,
  });
  const hashOf = (artisanId: string) => (generation: number) => deps.tokens.hash(deps.tokens.tokenFor(artisanId, generation));
  return {
    async get(artisanId: string) {
      return view(artisanId, await deps.store.ensure(artisanId, deps.clock.now(), hashOf(artisanId)));
    },
    async rotate(artisanId: string) {
      return view(artisanId, await deps.store.rotate(artisanId, deps.clock.now(), hashOf(artisanId)));
    },
    /** The feed's text, or undefined for a token that opens nothing (or another business's than `business`). */
    async read(token: string, business?: string): Promise<string | undefined> {
      const artisanId = await deps.store.artisanOf(deps.tokens.hash(token), deps.clock.now(), business);
      if (!artisanId) return undefined;
      return deps.render(await deps.store.bookings(artisanId, deps.clock.now() - PAST_DAYS * 86_400_000));
    },
  };
}

export type CalendarFeed = ReturnType<typeof makeCalendarFeed>;
