import type { ErrorDetail } from './errors.ts';
import type { PlanCode } from './plans.ts';
import type { WeeklyRule, WeeklySchedule } from './schedule.ts';
import { canonicalTimeZone } from './time.ts';

/** Bounds of the artisan's booking settings (the database CHECKs hold the same or wider). */
export const SETTINGS_BOUNDS = {
  slotStepMinutes: { min: 5, max: 240 },
  minNoticeMinutes: { min: 0, max: 43_200 },
  bookingHorizonDays: { min: 1, max: 730 },
} as const;

export function checkBound(name: keyof typeof SETTINGS_BOUNDS, value: number | undefined, details: ErrorDetail[]): void {
  if (value === undefined) return;
  const { min, max } = SETTINGS_BOUNDS[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    details.push({ field: name, message: `La valeur doit être un nombre entier entre ${min} et ${max}.` });
  }
}

/**
 * An IANA zone name (Europe/Paris, UTC): fixed offsets like +01:00 know nothing of DST.
 * Returns the name as IANA spells it (`europe/paris` -> `Europe/Paris`), the one to store.
 */
export function checkTimeZone(zone: string | undefined, details: ErrorDetail[]): string | undefined {
  if (zone === undefined) return undefined;
  const canonical = /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) ? canonicalTimeZone(zone) : undefined;
  if (!canonical) details.push({ field: 'timezone', message: "Ce fuseau horaire n'existe pas (exemple attendu : Europe/Paris)." });
  return canonical;
}

export interface ArtisanSettings {
  id: string;
  timezone: string;
  plan: PlanCode;
  slotStepMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  calendarSyncEnabled: boolean;
  schedule: WeeklySchedule;
}

/** The artisan's own settings as the back office shows and edits them. */
export interface ArtisanProfile {
  id: string;
  displayName: string;
  /** The trade shown with the name ("Plombier chauffagiste"), null when not given. */
  trade: string | null;
  email: string;
  phone: string | null;
  timezone: string;
  plan: PlanCode;
  slotStepMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  closedOnPublicHolidays: boolean;
  openingRules: WeeklyRule[];
  breakRules: WeeklyRule[];
  /** The artisan's terms of sale, accepted by the customer when booking online. */
  termsOfSale: string | null;
}

/** What a settings change writes; absent fields stay, a rule list replaces the whole weekly set. */
export type ArtisanPatch = Partial<Omit<ArtisanProfile, 'id'>>;

export type DepositCapture = 'capture' | 'authorize';
