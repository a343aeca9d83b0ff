import type { ArtisanPatch, ArtisanProfile } from '../../domain/artisan-settings.ts';
import type { ScheduleException } from '../../domain/schedule.ts';

export interface SettingsStore {
  readArtisan(artisanId: string): Promise<ArtisanProfile | undefined>;
  /**
   * In one transaction with the artisan row locked: `decide` sees the current settings and
   * returns the change (or throws, and nothing is written). Returns the settings after it.
   */
  updateArtisan(artisanId: string, decide: (current: ArtisanProfile) => ArtisanPatch): Promise<ArtisanProfile>;
  /** Exceptions dated from `from` (inclusive) to `to` (inclusive, when given), by date. */
  listExceptions(artisanId: string, from: string, to?: string): Promise<ScheduleException[]>;
  /** AlreadyExistsError when the artisan already has an exception on that date. */
  insertException(artisanId: string, exception: ScheduleException): Promise<void>;
  deleteException(artisanId: string, id: string): Promise<boolean>;
}
