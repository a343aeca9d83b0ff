import type { ArtisanSettings } from './artisan-settings.ts';
import type { ServiceRecord } from './service.ts';
import type { Occupation } from './slots.ts';

/** Everything availability and booking need for one service on one day: one round trip. */
export interface DayContext {
  service: ServiceRecord;
  artisan: ArtisanSettings;
  occupations: Occupation[];
}
