import { Temporal } from 'temporal-polyfill';
import { footprint, overlaps, type Interval, type MinuteRange } from './intervals.ts';
import type { DaySchedule } from './schedule.ts';
import { formatMinutes, makeDayClock, type DayClock } from './time.ts';

/** Why a slot is taken. Public responses keep only `type` (and `providerId`). */
export interface SlotBlocker {
  type: 'booking' | 'calendar';
  providerId?: string;
  bookingPublicCode?: string;
  summary?: string;
}

/** Something that occupies the artisan's time line: an active booking or a busy block. */
export interface Occupation extends Interval {
  blocker: SlotBlocker;
  /** Set for a booking, so a reschedule can ignore the booking being moved. */
  bookingId?: string;
  /** The technician whose time it takes (Business plan); absent: the whole business's. */
  technicianId?: string;
}

export interface SlotQuery {
  date: Temporal.PlainDate;
  timeZone: string;
  day: DaySchedule;
  stepMinutes: number;
  durationMinutes: number;
  /** Time the artisan needs before/after the intervention (travel); blocks like the booking. */
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  occupations: readonly Occupation[];
  /** Earliest instant a slot may start (now + minimum notice). */
  notBeforeMs: number;
  /** Last local date that may be booked (today + horizon). */
  lastBookableDate: Temporal.PlainDate;
  /** Booking to leave out of the conflicts (rescheduling onto itself). */
  ignoreBookingId?: string;
}

export interface Slot {
  time: string;
  startMinutes: number;
  startMs: number;
  endMs: number;
  available: boolean;
  blockedBy: SlotBlocker[];
  /** A routed business (src/domain/routing.ts): the eligible technicians free for the slot. */
  freeTechnicianIds?: string[];
}

const MINUTE = 60_000;

/**
 * The slots offered on one local day. Candidates run from each opening range's start,
 * every step, while they end within the range; a candidate that overlaps a break, falls in
 * a DST gap, starts before the minimum notice or lies past the horizon is omitted. The rest
 * are listed, unavailable when an occupation overlaps the slot's footprint (with its buffers).
 */
export function computeSlots(q: SlotQuery): Slot[] {
  if (Temporal.PlainDate.compare(q.date, q.lastBookableDate) > 0) return [];
  const durationMs = q.durationMinutes * MINUTE;
  const buffers = { bufferBeforeMinutes: q.bufferBeforeMinutes ?? 0, bufferAfterMinutes: q.bufferAfterMinutes ?? 0 };
  const clock = makeDayClock(q.date, q.timeZone);
  const breaks = q.day.breaks.map((b) => toInstants(clock, b));
  const occupations = q.ignoreBookingId ? q.occupations.filter((o) => o.bookingId !== q.ignoreBookingId) : q.occupations;
  const slots: Slot[] = [];
  const seen = new Set<number>();
  for (const range of q.day.ranges) {
    const rangeEndMs = clock.boundary(range.endMinutes);
    for (let minutes = range.startMinutes; minutes < range.endMinutes; minutes += q.stepMinutes) {
      const startMs = clock.instant(minutes);
      if (startMs === undefined) continue;
      const endMs = startMs + durationMs;
      if (endMs > rangeEndMs) break;
      if (seen.has(startMs)) continue;
      const slot: Interval = { startMs, endMs };
      if (breaks.some((b) => overlaps(slot, b))) continue;
      if (startMs < q.notBeforeMs) continue;
      seen.add(startMs);
      const taken = footprint({ startMs, endMs, ...buffers });
      const blockedBy = occupations.filter((o) => overlaps(taken, o)).map((o) => o.blocker);
      slots.push({ time: formatMinutes(minutes), startMinutes: minutes, startMs, endMs, available: blockedBy.length === 0, blockedBy });
    }
  }
  return slots.sort((a, b) => a.startMs - b.startMs);
}

function toInstants(clock: DayClock, r: MinuteRange): Interval {
  return { startMs: clock.boundary(r.startMinutes), endMs: clock.boundary(r.endMinutes) };
}

/** The day's opening summary in the contract's shape (decisions §4). */
export interface OpeningSummary {
  startMinutes: number;
  endMinutes: number;
  breakStartMinutes: number | null;
  breakEndMinutes: number | null;
  ranges?: MinuteRange[];
  breaks?: MinuteRange[];
}

export function summarizeOpening(day: DaySchedule): OpeningSummary | null {
  const first = day.ranges[0];
  const last = day.ranges[day.ranges.length - 1];
  if (!first || !last) return null;
  const firstBreak = day.breaks[0];
  const summary: OpeningSummary = {
    startMinutes: first.startMinutes,
    endMinutes: last.endMinutes,
    breakStartMinutes: firstBreak?.startMinutes ?? null,
    breakEndMinutes: firstBreak?.endMinutes ?? null,
  };
  if (day.ranges.length > 1 || day.breaks.length > 1) {
    summary.ranges = day.ranges;
    summary.breaks = day.breaks;
  }
  return summary;
}
