import { NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { localDayBounds, parseInstant, parseLocalDate, todayIn } from '../domain/time.ts';
import { artisanNotFound } from './admin-settings.ts';
import type { BookingSummary } from '../domain/booking.ts';
import type { BusyBlockRecord } from '../domain/busy-block.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';
import type { SettingsStore } from './ports/settings-store.ts';
import type { TimeOffStore } from './ports/time-off-store.ts';
import { memberNotFound } from './members.ts';

export const MANUAL_PROVIDER = 'manual';
const MAX_BLOCK_DAYS = 366;
const DAY_MS = 86_400_000;

export interface TimeOffInput {
  startDateTime: string;
  endDateTime: string;
  summary: string;
  /** A technician's own time off (issue 20): it blocks only them. */
  memberId?: string;
}

/**
 * Time off entered by hand: a busy block of provider "manual" that blocks slots like a
 * calendar event. Laying it over existing bookings is allowed (the artisan decides), and
 * the answer lists those bookings so they can be moved or cancelled.
 */
export function makeTimeOff(deps: { settings: SettingsStore; timeOff: TimeOffStore; clock: Clock; random: Randomness }) {
  async function zoneOf(artisanId: string): Promise<{ timezone: string; horizonDays: number }> {
    const profile = await deps.settings.readArtisan(artisanId);
    if (!profile) throw artisanNotFound();
    return { timezone: profile.timezone, horizonDays: profile.bookingHorizonDays };
  }

  return {
    /** Blocks overlapping the local days from..to (default: today to the end of the horizon). */
    async list(artisanId: string, range: { from?: string; to?: string }): Promise<{ timezone: string; blocks: BusyBlockRecord[] }> {
      const { timezone, horizonDays } = await zoneOf(artisanId);
      const details: ErrorDetail[] = [];
      const today = todayIn(timezone, deps.clock.now());
      const from = range.from === undefined ? today : parseLocalDate(range.from);
      const to = range.to === undefined ? today.add({ days: horizonDays }) : parseLocalDate(range.to);
      if (!from) details.push({ field: 'from', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." });
      if (!to) details.push({ field: 'to', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." });
      if (from && to && from.until(to).sign < 0) details.push({ field: 'to', message: 'La date de fin doit suivre la date de début.' });
      if (details.length > 0 || !from || !to) throw new ValidationError(details);
      const blocks = await deps.timeOff.listBlocks(artisanId, localDayBounds(from, timezone).startMs, localDayBounds(to, timezone).endMs);
      return { timezone, blocks };
    },

    async create(
      artisanId: string,
      input: TimeOffInput,
    ): Promise<{ timezone: string; block: BusyBlockRecord; overlappingBookings: BookingSummary[] }> {
      const details: ErrorDetail[] = [];
      const startMs = parseInstant(input.startDateTime);
      const endMs = parseInstant(input.endDateTime);
      const offsetMessage = 'Date et heure ISO 8601 avec décalage attendues (années 1900 à 2999), ex. 2027-03-03T09:00:00+01:00.';
      if (startMs === undefined) details.push({ field: 'startDateTime', message: offsetMessage });
      if (endMs === undefined) details.push({ field: 'endDateTime', message: offsetMessage });
      if (startMs !== undefined && endMs !== undefined) {
        if (endMs <= startMs) details.push({ field: 'endDateTime', message: 'La fin doit être après le début.' });
        else if (endMs - startMs > MAX_BLOCK_DAYS * DAY_MS) {
          details.push({ field: 'endDateTime', message: `Une indisponibilité dure au plus ${MAX_BLOCK_DAYS} jours.` });
        }
      }
      const summary = input.summary.trim().replace(/\s+/g, ' ');
      if (!summary) details.push({ field: 'summary', message: "L'intitulé est obligatoire." });
      if (details.length > 0 || startMs === undefined || endMs === undefined) throw new ValidationError(details);
      const { timezone } = await zoneOf(artisanId);
      const block: BusyBlockRecord = { id: deps.random.uuid(), artisanId, providerId: MANUAL_PROVIDER, summary, startMs, endMs, ...(input.memberId ? { memberId: input.memberId } : {}) };
      // Another business's member answers as a missing one.
      if (!(await deps.timeOff.insertManualBlock(block))) throw memberNotFound();
      const overlappingBookings = await deps.timeOff.activeBookingsOverlapping(artisanId, { startMs, endMs }, block.memberId);
      return { timezone, block, overlappingBookings };
    },

    async remove(artisanId: string, id: string): Promise<void> {
      if (!(await deps.timeOff.deleteManualBlock(artisanId, id))) {
        throw new NotFoundError('BUSY_BLOCK_NOT_FOUND', "Cette indisponibilité est introuvable (seules celles saisies à la main peuvent être supprimées ici).");
      }
    },
  };
}
