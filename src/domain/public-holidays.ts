import { Temporal } from 'temporal-polyfill';

/**
 * French (metropolitan) public holidays, computed for any year: fixed dates plus the
 * three that follow Easter. Alsace-Moselle's extra days are not included.
 */
export function frenchPublicHolidays(year: number): Map<string, string> {
  const easter = easterSunday(year);
  const fixed: [number, number, string][] = [
    [1, 1, "Jour de l'an"],
    [5, 1, 'Fête du Travail'],
    [5, 8, 'Victoire 1945'],
    [7, 14, 'Fête nationale'],
    [8, 15, 'Assomption'],
    [11, 1, 'Toussaint'],
    [11, 11, 'Armistice 1918'],
    [12, 25, 'Noël'],
  ];
  const days = new Map<string, string>();
  for (const [month, day, name] of fixed) days.set(Temporal.PlainDate.from({ year, month, day }).toString(), name);
  days.set(easter.add({ days: 1 }).toString(), 'Lundi de Pâques');
  days.set(easter.add({ days: 39 }).toString(), 'Ascension');
  days.set(easter.add({ days: 50 }).toString(), 'Lundi de Pentecôte');
  return days;
}

const byYear = new Map<number, Map<string, string>>();

export function publicHolidayName(date: Temporal.PlainDate): string | undefined {
  let days = byYear.get(date.year);
  if (!days) {
    days = frenchPublicHolidays(date.year);
    byYear.set(date.year, days);
  }
  return days.get(date.toString());
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): Temporal.PlainDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Temporal.PlainDate.from({ year, month, day });
}
