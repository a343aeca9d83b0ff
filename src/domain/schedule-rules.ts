import type { ErrorDetail } from './errors.ts';
import type { MinuteRange } from './intervals.ts';
import { formatMinutes } from './time.ts';

/** A weekly rule as the artisan sends it (ids are given by the server). */
export interface WeeklyRuleInput extends MinuteRange {
  dayOfWeek: number;
}

const DAY_MINUTES = 1440;
const label = (r: MinuteRange): string => `${formatMinutes(r.startMinutes)}–${formatMinutes(r.endMinutes)}`;

/** One minute range of a local day: 0 <= start < end <= 1440, whole minutes. */
export function checkRange(r: MinuteRange, field: string, details: ErrorDetail[]): boolean {
  const before = details.length;
  if (!Number.isInteger(r.startMinutes) || r.startMinutes < 0 || r.startMinutes >= DAY_MINUTES) {
    details.push({ field: `${field}.startMinutes`, message: "L'heure de début doit être comprise entre 0 (00:00) et 1439 (23:59)." });
  }
  if (!Number.isInteger(r.endMinutes) || r.endMinutes <= 0 || r.endMinutes > DAY_MINUTES) {
    details.push({ field: `${field}.endMinutes`, message: "L'heure de fin doit être comprise entre 1 (00:01) et 1440 (24:00)." });
  }
  if (details.length === before && r.startMinutes >= r.endMinutes) {
    details.push({ field: `${field}.endMinutes`, message: "L'heure de fin doit être après l'heure de début." });
  }
  return details.length === before;
}

/**
 * Ranges of one day must not overlap (back-to-back is fine): an overlap is nearly always a
 * typing mistake, and the artisan should see it rather than have it merged silently.
 */
function checkNoOverlap(ranges: { range: MinuteRange; field: string }[], details: ErrorDetail[]): void {
  const sorted = [...ranges].sort((a, b) => a.range.startMinutes - b.range.startMinutes);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.range.startMinutes < prev.range.endMinutes) {
      const later = [prev, cur].sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }))[1]!;
      const other = later === cur ? prev : cur;
      details.push({ field: later.field, message: `Cette plage (${label(later.range)}) chevauche une autre plage du même jour (${label(other.range)}).` });
    }
  }
}

/** Dated exception or any list of ranges for one day: each valid, no overlap. */
export function checkDayRanges(ranges: readonly MinuteRange[], field: string, details: ErrorDetail[]): void {
  const valid = ranges.map((range, i) => ({ range, field: `${field}.${i}` })).filter((r) => checkRange(r.range, r.field, details));
  checkNoOverlap(valid, details);
}

function checkRuleSet(rules: readonly WeeklyRuleInput[], field: string, details: ErrorDetail[]) {
  const valid: { range: WeeklyRuleInput; field: string }[] = [];
  rules.forEach((rule, i) => {
    const f = `${field}.${i}`;
    let ok = checkRange(rule, f, details);
    if (!Number.isInteger(rule.dayOfWeek) || rule.dayOfWeek < 0 || rule.dayOfWeek > 6) {
      details.push({ field: `${f}.dayOfWeek`, message: 'Le jour doit être compris entre 0 (dimanche) et 6 (samedi).' });
      ok = false;
    }
    if (ok) valid.push({ range: rule, field: f });
  });
  for (let day = 0; day <= 6; day++) checkNoOverlap(valid.filter((r) => r.range.dayOfWeek === day), details);
  return valid;
}

/**
 * The whole weekly set: opening ranges and breaks each valid and not overlapping their own
 * kind on the same day, and every break inside one opening range of its day (a break on a
 * closed day or across closing time means nothing, so it is refused rather than kept).
 */
export function checkWeeklyRules(openingRules: readonly WeeklyRuleInput[], breakRules: readonly WeeklyRuleInput[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const openings = checkRuleSet(openingRules, 'openingRules', details);
  const breaks = checkRuleSet(breakRules, 'breakRules', details);
  for (const b of breaks) {
    const inside = openings.some(
      (o) => o.range.dayOfWeek === b.range.dayOfWeek && o.range.startMinutes <= b.range.startMinutes && b.range.endMinutes <= o.range.endMinutes,
    );
    if (!inside) {
      details.push({ field: b.field, message: `La pause (${label(b.range)}) doit se situer dans une plage d'ouverture du même jour.` });
    }
  }
  return details;
}
