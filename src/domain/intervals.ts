/** Half-open instant intervals [startMs, endMs): back-to-back intervals do not overlap. */
export interface Interval {
  startMs: number;
  endMs: number;
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.startMs < b.endMs && b.startMs < a.endMs;
}

/** Half-open wall-clock minute range [startMinutes, endMinutes) within one local day. */
export interface MinuteRange {
  startMinutes: number;
  endMinutes: number;
}

/** The time a booking takes from the artisan's day: [start - buffer before, end + buffer after). */
export function footprint(b: Interval & { bufferBeforeMinutes: number; bufferAfterMinutes: number }): Interval {
  return { startMs: b.startMs - b.bufferBeforeMinutes * 60_000, endMs: b.endMs + b.bufferAfterMinutes * 60_000 };
}
