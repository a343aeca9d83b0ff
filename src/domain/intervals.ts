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

export function minuteRangesOverlap(a: MinuteRange, b: MinuteRange): boolean {
  return a.startMinutes < b.endMinutes && b.startMinutes < a.endMinutes;
}

/** Ranges sorted by start; returns the first pair that overlaps, if any. */
export function findOverlap<T extends MinuteRange>(ranges: readonly T[]): [T, T] | undefined {
  const sorted = [...ranges].sort((x, y) => x.startMinutes - y.startMinutes);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (minuteRangesOverlap(prev, cur)) return [prev, cur];
  }
  return undefined;
}
