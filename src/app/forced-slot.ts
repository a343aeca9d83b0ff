import { Temporal } from 'temporal-polyfill';
import { AppError, ConflictError, ValidationError } from '../domain/errors.ts';
import { footprint, overlaps } from '../domain/intervals.ts';
import { durationForReading, hourMinute } from '../domain/reading-format.ts';
import { minNoticeMs } from '../domain/service.ts';
import type { Slot } from '../domain/slots.ts';
import { formatMinutes, wallClockToInstant } from '../domain/time.ts';
import type { DayContext } from '../domain/day-context.ts';
import type { DayPlan } from './day-plan.ts';

/**
 * A time the artisan places a booking at although the booking page does not offer it (a
 * phone booking at 7 h 30 for a regular customer): the reason it is not offered, said to the
 * artisan before they confirm, and the slot itself. Never over another booking or a calendar
 * event: the database's hold refuses an overlap whatever is forced (booking_hold, the
 * exclusion constraint on bookings.blocked_range).
 */

const at = (minutes: number): string => hourMinute(Math.floor(minutes / 60), minutes % 60);
const CLOSED: Record<string, string> = {
  weekly: 'vous êtes fermé ce jour-là',
  exception: 'ce jour est fermé (fermeture exceptionnelle)',
  public_holiday: 'c’est un jour férié, fermé',
};

/** Why the schedule does not offer `minutes` on `date` (lower-case French, for the artisan). */
export function whyNotOffered(ctx: DayContext, plan: DayPlan, date: Temporal.PlainDate, minutes: number, startMs: number, nowMs: number): string {
  const { artisan, service } = ctx;
  if (Temporal.PlainDate.compare(date, plan.lastBookableDate) > 0) return `c’est au-delà de l’horizon de réservation (jusqu’au ${plan.lastBookableDate.toLocaleString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' })})`;
  const day = plan.day;
  if (day.ranges.length === 0) return CLOSED[day.closedReason ?? 'weekly'] ?? CLOSED.weekly!;
  const end = minutes + service.durationMinutes;
  const range = day.ranges.find((r) => minutes >= r.startMinutes && minutes < r.endMinutes);
  const hours = day.ranges.map((r) => `${at(r.startMinutes)} – ${at(r.endMinutes)}`).join(', ');
  if (!range) return `c’est en dehors de vos horaires d’ouverture (${hours})`;
  if (end > range.endMinutes) return `l’intervention (${durationForReading(service.durationMinutes)}) finirait après ${at(range.endMinutes)}, en dehors de vos horaires`;
  const pause = day.breaks.find((b) => minutes < b.endMinutes && end > b.startMinutes);
  if (pause) return `c’est pendant votre pause (${at(pause.startMinutes)} – ${at(pause.endMinutes)})`;
  if (startMs < nowMs + minNoticeMs(service, artisan)) return `c’est dans le délai de prévenance (${durationForReading((service.minNoticeMinutes ?? artisan.minNoticeMinutes))} avant un rendez-vous)`;
  if ((minutes - range.startMinutes) % artisan.slotStepMinutes !== 0) return `c’est entre deux créneaux de la page (un créneau toutes les ${durationForReading(artisan.slotStepMinutes)})`;
  return 'cette heure n’est pas proposée sur votre page';
}

/** 400 SLOT_NOT_OFFERED for the artisan, with the reason and the way to place it anyway. */
export function notOfferedToArtisan(reason: string): AppError {
  return new AppError('SLOT_NOT_OFFERED', `Cette heure n’est pas proposée à la réservation : ${reason}. Vous pouvez la placer quand même (« Placer quand même à cette heure »).`, [
    { field: 'time', message: `Non proposée : ${reason}.` },
  ]);
}

/** The slot at `minutes` on `date`, whatever the schedule says; refused only in the past or in a clock change's gap. */
export function forcedSlot(ctx: DayContext, date: Temporal.PlainDate, minutes: number, nowMs: number): Slot {
  const zone = ctx.artisan.timezone;
  const startMs = wallClockToInstant(date, minutes, zone);
  if (startMs === undefined) throw new ValidationError([{ field: 'time', message: 'Cette heure n’existe pas ce jour-là (changement d’heure).' }]);
  if (startMs < nowMs) throw new ValidationError([{ field: 'time', message: 'Cette heure est déjà passée.' }]);
  const endMs = startMs + ctx.service.durationMinutes * 60_000;
  return { time: formatMinutes(minutes), startMinutes: minutes, startMs, endMs, available: true, blockedBy: [] };
}

/** The forced time overlaps a booking or a calendar event: a clear 409, naming the booking when known. */
export function forcedOverlap(ctx: DayContext, slot: Slot): ConflictError {
  const taken = footprint({ startMs: slot.startMs, endMs: slot.endMs, bufferBeforeMinutes: ctx.service.bufferBeforeMinutes, bufferAfterMinutes: ctx.service.bufferAfterMinutes });
  const other = ctx.occupations.find((o) => overlaps(taken, o))?.blocker;
  const what = other?.bookingPublicCode ? `le rendez-vous ${other.bookingPublicCode}` : other?.type === 'calendar' ? 'un événement de votre agenda' : 'un autre rendez-vous';
  return new ConflictError(
    'SLOT_UNAVAILABLE',
    `Impossible de placer ce rendez-vous à cette heure : il chevaucherait ${what}. Un rendez-vous ne peut jamais en chevaucher un autre ; choisissez une autre heure.`,
  );
}

