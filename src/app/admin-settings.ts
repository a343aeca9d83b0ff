import { Temporal } from 'temporal-polyfill';
import { checkBound, checkTimeZone, type ArtisanPatch, type ArtisanProfile } from '../domain/artisan-settings.ts';
import { NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { frenchPublicHolidays } from '../domain/public-holidays.ts';
import { normalizeEmail } from '../domain/public-code.ts';
import { checkWeeklyRules, type WeeklyRuleInput } from '../domain/schedule-rules.ts';
import type { WeeklyRule } from '../domain/schedule.ts';
import { todayIn } from '../domain/time.ts';
import { normalizePhone } from './customer-input.ts';
import type { Clock } from './ports/clock.ts';
import type { PlanCode } from '../domain/plans.ts';
import type { Randomness } from './ports/randomness.ts';
import type { SettingsStore } from './ports/settings-store.ts';

export interface ArtisanSettingsInput {
  displayName?: string;
  trade?: string | null;
  email?: string;
  phone?: string | null;
  timezone?: string;
  plan?: PlanCode;
  slotStepMinutes?: number;
  minNoticeMinutes?: number;
  bookingHorizonDays?: number;
  closedOnPublicHolidays?: boolean;
  openingRules?: WeeklyRuleInput[];
  breakRules?: WeeklyRuleInput[];
  termsOfSale?: string | null;
}

export interface PublicHolidayView {
  date: string;
  name: string;
  /** Closed for bookings: the artisan closes on public holidays and no exception reopens the day. */
  closed: boolean;
}

export interface ArtisanSettingsView {
  profile: ArtisanProfile;
  upcomingPublicHolidays: PublicHolidayView[];
}

export const artisanNotFound = (): NotFoundError => new NotFoundError('ARTISAN_NOT_FOUND', 'Compte artisan introuvable.');

export function makeArtisanSettings(deps: { settings: SettingsStore; clock: Clock; random: Randomness }) {
  /** French public holidays from today to the end of the booking horizon, as the artisan will see them. */
  async function upcomingHolidays(profile: ArtisanProfile): Promise<PublicHolidayView[]> {
    const today = todayIn(profile.timezone, deps.clock.now());
    const last = today.add({ days: profile.bookingHorizonDays });
    const exceptions = await deps.settings.listExceptions(profile.id, today.toString(), last.toString());
    const reopened = new Set(exceptions.filter((e) => !e.closed && e.ranges.length > 0).map((e) => e.date));
    const closedByException = new Set(exceptions.filter((e) => e.closed || e.ranges.length === 0).map((e) => e.date));
    const holidays: PublicHolidayView[] = [];
    for (let year = today.year; year <= last.year; year++) {
      for (const [date, name] of frenchPublicHolidays(year)) {
        const day = Temporal.PlainDate.from(date);
        if (Temporal.PlainDate.compare(day, today) < 0 || Temporal.PlainDate.compare(day, last) > 0) continue;
        const closed = closedByException.has(date) || (profile.closedOnPublicHolidays && !reopened.has(date));
        holidays.push({ date, name, closed });
      }
    }
    return holidays.sort((a, b) => a.date.localeCompare(b.date));
  }

  async function view(profile: ArtisanProfile): Promise<ArtisanSettingsView> {
    return { profile, upcomingPublicHolidays: await upcomingHolidays(profile) };
  }

  return {
    async get(artisanId: string): Promise<ArtisanSettingsView> {
      const profile = await deps.settings.readArtisan(artisanId);
      if (!profile) throw artisanNotFound();
      return view(profile);
    },

    async update(artisanId: string, input: ArtisanSettingsInput): Promise<ArtisanSettingsView> {
      const details: ErrorDetail[] = [];
      const patch = normalizeScalars(input, details);
      if (details.length > 0) throw new ValidationError(details);
      const profile = await deps.settings.updateArtisan(artisanId, (current) => {
        if (!input.openingRules && !input.breakRules) return patch;
        const openingRules = input.openingRules ? withIds(input.openingRules, deps.random) : current.openingRules;
        const breakRules = input.breakRules ? withIds(input.breakRules, deps.random) : current.breakRules;
        const ruleDetails = checkWeeklyRules(openingRules, breakRules);
        if (ruleDetails.length > 0) throw new ValidationError(ruleDetails);
        return { ...patch, ...(input.openingRules ? { openingRules } : {}), ...(input.breakRules ? { breakRules } : {}) };
      });
      return view(profile);
    },
  };
}

function withIds(rules: WeeklyRuleInput[], random: Randomness): WeeklyRule[] {
  return rules.map((r) => ({ id: random.uuid(), dayOfWeek: r.dayOfWeek, startMinutes: r.startMinutes, endMinutes: r.endMinutes }));
}

/** Everything but the rules: trimmed, normalised (e-mail lower case, phone E.164), bounded. */
function normalizeScalars(input: ArtisanSettingsInput, details: ErrorDetail[]): ArtisanPatch {
  const patch: ArtisanPatch = {};
  if (input.displayName !== undefined) {
    patch.displayName = input.displayName.trim().replace(/\s+/g, ' ');
    if (!patch.displayName) details.push({ field: 'displayName', message: 'Le nom affiché est obligatoire.' });
  }
  if (input.trade !== undefined) patch.trade = input.trade?.trim().replace(/\s+/g, ' ') || null;
  if (input.email !== undefined) patch.email = normalizeEmail(input.email);
  if (input.phone !== undefined) {
    const raw = input.phone?.trim();
    if (!raw) patch.phone = null;
    else {
      const phone = normalizePhone(raw);
      if (phone) patch.phone = phone;
      else details.push({ field: 'phone', message: "Le numéro de téléphone n'est pas valide." });
    }
  }
  const timezone = checkTimeZone(input.timezone, details);
  if (timezone !== undefined) patch.timezone = timezone;
  if (input.plan !== undefined) patch.plan = input.plan;
  checkBound('slotStepMinutes', input.slotStepMinutes, details);
  checkBound('minNoticeMinutes', input.minNoticeMinutes, details);
  checkBound('bookingHorizonDays', input.bookingHorizonDays, details);
  if (input.slotStepMinutes !== undefined) patch.slotStepMinutes = input.slotStepMinutes;
  if (input.minNoticeMinutes !== undefined) patch.minNoticeMinutes = input.minNoticeMinutes;
  if (input.bookingHorizonDays !== undefined) patch.bookingHorizonDays = input.bookingHorizonDays;
  if (input.closedOnPublicHolidays !== undefined) patch.closedOnPublicHolidays = input.closedOnPublicHolidays;
  // Line breaks of the terms are kept; trailing spaces and an empty text are not.
  if (input.termsOfSale !== undefined) patch.termsOfSale = input.termsOfSale?.replace(/[ \t]+$/gm, '').trim() || null;
  return patch;
}
