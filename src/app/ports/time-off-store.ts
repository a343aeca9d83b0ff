import type { BookingSummary } from '../../domain/booking.ts';
import type { BusyBlockRecord } from '../../domain/busy-block.ts';
import type { Interval } from '../../domain/intervals.ts';

export interface TimeOffStore {
  /** Calendar and manual blocks overlapping [fromMs, toMs), by start. */
  listBlocks(artisanId: string, fromMs: number, toMs: number): Promise<BusyBlockRecord[]>;
  /** false when the block names a member the business does not have (nothing written). */
  insertManualBlock(block: BusyBlockRecord): Promise<boolean>;
  /** Deletes a manual block only (calendar blocks belong to their calendar); false when none. */
  deleteManualBlock(artisanId: string, id: string): Promise<boolean>;
  /** With `memberId`: that member's bookings and those given to nobody. */
  activeBookingsOverlapping(artisanId: string, interval: Interval, memberId?: string): Promise<BookingSummary[]>;
}
