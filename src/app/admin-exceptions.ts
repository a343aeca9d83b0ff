import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import type { MinuteRange } from '../domain/intervals.ts';
import { checkDayRanges } from '../domain/schedule-rules.ts';
import type { ScheduleException } from '../domain/schedule.ts';
import { parseLocalDate, todayIn } from '../domain/time.ts';
import { artisanNotFound } from './admin-settings.ts';
import { AlreadyExistsError } from './ports/already-exists-error.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';
import type { SettingsStore } from './ports/settings-store.ts';

export interface ExceptionInput {
  date: string;
  closed?: boolean;
  ranges?: MinuteRange[];
}

/**
 * Dated exceptions: a closed day or special hours. One per date: a second one on the same
 * date is a 409 (delete the first to change it), so a retried request never silently
 * replaces what the artisan set.
 */
export function makeScheduleExceptions(deps: { settings: SettingsStore; clock: Clock; random: Randomness }) {
  async function today(artisanId: string): Promise<string> {
    const profile = await deps.settings.readArtisan(artisanId);
    if (!profile) throw artisanNotFound();
    return todayIn(profile.timezone, deps.clock.now()).toString();
  }

  return {
    /** From `from` (default: today in the artisan's zone) to `to` when given. */
    async list(artisanId: string, range: { from?: string; to?: string }): Promise<ScheduleException[]> {
      const details: ErrorDetail[] = [];
      if (range.from !== undefined && !parseLocalDate(range.from)) details.push({ field: 'from', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." });
      if (range.to !== undefined && !parseLocalDate(range.to)) details.push({ field: 'to', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." });
      if (details.length > 0) throw new ValidationError(details);
      return deps.settings.listExceptions(artisanId, range.from ?? (await today(artisanId)), range.to);
    },

    async create(artisanId: string, input: ExceptionInput): Promise<ScheduleException> {
      const details: ErrorDetail[] = [];
      const date = parseLocalDate(input.date);
      if (!date) details.push({ field: 'date', message: "La date n'existe pas ou n'est pas au format AAAA-MM-JJ." });
      else if (input.date < (await today(artisanId))) details.push({ field: 'date', message: 'La date est déjà passée.' });
      const ranges = input.ranges ?? [];
      const closed = input.closed === true;
      if (closed && ranges.length > 0) {
        details.push({ field: 'ranges', message: 'Un jour fermé ne peut pas avoir de plages horaires.' });
      } else if (!closed && ranges.length === 0) {
        details.push({ field: 'ranges', message: 'Indiquez les plages horaires du jour, ou « closed: true » pour un jour fermé.' });
      }
      checkDayRanges(ranges, 'ranges', details);
      if (details.length > 0) throw new ValidationError(details);
      const exception: ScheduleException = {
        id: deps.random.uuid(),
        date: input.date,
        closed,
        ranges: [...ranges].sort((a, b) => a.startMinutes - b.startMinutes).map((r) => ({ startMinutes: r.startMinutes, endMinutes: r.endMinutes })),
      };
      try {
        await deps.settings.insertException(artisanId, exception);
      } catch (error) {
        if (error instanceof AlreadyExistsError) {
          throw new ConflictError('EXCEPTION_EXISTS', `Une exception existe déjà le ${input.date}. Supprimez-la avant d'en enregistrer une autre.`);
        }
        throw error;
      }
      return exception;
    },

    async remove(artisanId: string, id: string): Promise<void> {
      if (!(await deps.settings.deleteException(artisanId, id))) {
        throw new NotFoundError('EXCEPTION_NOT_FOUND', 'Cette exception est introuvable.');
      }
    },
  };
}
