import type { ArtisanSettings } from './artisan-settings.ts';
import type { ServiceRecord } from './service.ts';
import type { Occupation } from './slots.ts';
import type { TechnicianRoute } from './routing.ts';

/** Everything availability and booking need for one service on one day: one round trip. */
export interface DayContext {
  service: ServiceRecord;
  artisan: ArtisanSettings;
  occupations: Occupation[];
  /**
   * The business's active technicians (Business plan, issue 20); empty when it routes nothing:
   * then the day is the business's one time line, exactly as before.
   */
  technicians: TechnicianRoute[];
  /** The business's phone, said to a customer whose postcode nobody covers. */
  phone: string | null;
}
