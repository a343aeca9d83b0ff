import type { BookingSummary } from '../../domain/booking.ts';
import type { BusyBlockRecord } from '../../domain/busy-block.ts';
import type { Interval } from '../../domain/intervals.ts';

export interface TimeOffStore {
  /** Calendar and manual blocks overlapping [fromMs, toMs), by start. */
  listBlocks(artisanId: string, fromMs: number, toMs: number): Promise<BusyBlockRecord[]>;
  insertManualBlock(block: BusyBlockRecord): Promise<void>;
  /** Deletes a manual block only (calendar blocks belong to their calendar); false when none. */
  deleteManualBlock(artisanId: string, id: string): Promise<boolean>;
  activeBookingsOverlapping(artisanId: string, interval: Interval): Promise<BookingSummary[]>;
}
