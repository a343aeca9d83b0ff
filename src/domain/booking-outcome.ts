import { ConflictError } from './errors.ts';
import type { Outcome } from './booking-lifecycle.ts';

/**
 * The outcome of an appointment (issue 22): the rules the use case and the lists share.
 * Pure: the clock is passed in.
 */

/** A booking still not marked this long after its end shows in the "to close" list. */
export const CLOSE_WITHIN_MS = 48 * 3_600_000;

/** The outcome may be recorded from the appointment's start on, never before. */
export const outcomeRecordable = (startMs: number, nowMs: number): boolean => nowMs >= startMs;

/** The end the "to close" list compares with: bookings that ended before it and are still booked. */
export const toCloseEndedBefore = (nowMs: number): number => nowMs - CLOSE_WITHIN_MS;

export const bookingNotStarted = (): ConflictError =>
  new ConflictError('BOOKING_NOT_STARTED', "Ce rendez-vous n'a pas encore commencé : son issue pourra être enregistrée à partir de son heure de début.");

/** The booking has an outcome: nobody cancels, moves or marks it again. */
export const bookingClosed = (outcome: Outcome): ConflictError =>
  new ConflictError(
    'BOOKING_CLOSED',
    outcome === 'completed'
      ? "Cette intervention a déjà été réalisée : le rendez-vous ne peut plus être annulé ni déplacé."
      : "Ce rendez-vous est clos (client absent) : il ne peut plus être annulé ni déplacé, et l'acompte reste acquis.",
  );

export const cancelledNotRecordable = (): ConflictError =>
  new ConflictError('BOOKING_CANCELLED', "Cette réservation a été annulée : son issue ne peut pas être enregistrée.");
