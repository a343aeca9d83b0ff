import type { Occupation, Slot, SlotBlocker } from './slots.ts';

/**
 * Routing a booking to a technician (issue 20, items 3, 4 and 6; decisions §12). Pure: the
 * day's plan computes each eligible technician's slots with the one slot rule (computeSlots)
 * on their own time line, and the union is what the business offers; creation picks among the
 * technicians free for the slot in one deterministic order.
 */

export type ZoneKind = 'postcode' | 'commune' | 'departement';

/** One entry of a technician's zone: a postcode, an INSEE commune code or a département code. */
export interface ZoneEntry {
  kind: ZoneKind;
  code: string;
}

/** A technician as routing sees them (day_rules' `technicians`). */
export interface TechnicianRoute {
  id: string;
  /** Higher first. */
  priority: number;
  /** Whether they perform the day's service (no skill listed: every service). */
  performs: boolean;
  /** No entry: they cover everywhere. */
  zones: ZoneEntry[];
  /** The team a booking given to them carries (their first team by name), null when none. */
  teamId: string | null;
}

/** Where the intervention takes place, as the official list places a postcode. */
export interface Place {
  postcode: string;
  /** INSEE codes of the communes (and municipal arrondissements) the postcode serves. */
  communes: readonly string[];
  departements: readonly string[];
}

/** Whether the business routes by zone: some technician has a zone, so a postcode is needed. */
export const usesZones = (technicians: readonly TechnicianRoute[]): boolean => technicians.some((t) => t.zones.length > 0);

/**
 * Where routing looks: a place, 'anywhere' (the business's own views without a postcode: every
 * technician who performs the service), or undefined (no postcode: only technicians without a zone).
 */
export type PlaceFilter = Place | 'anywhere' | undefined;

export function covers(t: TechnicianRoute, place: PlaceFilter): boolean {
  if (t.zones.length === 0 || place === 'anywhere') return true;
  if (!place) return false;
  return t.zones.some((z) =>
    z.kind === 'postcode' ? z.code === place.postcode : z.kind === 'commune' ? place.communes.includes(z.code) : place.departements.includes(z.code),
  );
}

/** Eligible: performs the service and covers the place. */
export const eligibleTechnicians = (technicians: readonly TechnicianRoute[], place: PlaceFilter): TechnicianRoute[] =>
  technicians.filter((t) => t.performs && covers(t, place));

/** What takes a technician's time: their own bookings and blocks, and the business's (no one named). */
export const occupationsOf = (occupations: readonly Occupation[], technicianId: string): Occupation[] =>
  occupations.filter((o) => o.technicianId === undefined || o.technicianId === technicianId);

/**
 * The business's slots from each eligible technician's: a time is listed when some technician's
 * rules list it, available when at least one of them is free (they are named in
 * `freeTechnicianIds`, in the order given), and otherwise blocked by every reason any of them has.
 */
export function unionSlots(perTechnician: readonly { id: string; slots: readonly Slot[] }[]): Slot[] {
  const byStart = new Map<number, Slot & { freeTechnicianIds: string[] }>();
  for (const { id, slots } of perTechnician) {
    for (const s of slots) {
      const merged = byStart.get(s.startMs) ?? { ...s, available: false, blockedBy: [], freeTechnicianIds: [] };
      byStart.set(s.startMs, merged);
      if (s.available) merged.freeTechnicianIds.push(id);
      else for (const b of s.blockedBy) if (!merged.blockedBy.some((k) => sameBlocker(k, b))) merged.blockedBy.push(b);
    }
  }
  const slots = [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
  for (const s of slots) {
    s.available = s.freeTechnicianIds.length > 0;
    if (s.available) s.blockedBy = [];
  }
  return slots;
}

const sameBlocker = (a: SlotBlocker, b: SlotBlocker): boolean =>
  a.type === b.type && a.providerId === b.providerId && a.bookingPublicCode === b.bookingPublicCode && a.summary === b.summary;

/** A technician's load, for the tie-break: booked minutes in the slot's week, start of their last booking before it. */
export interface TechnicianLoad {
  weekMinutes: number;
  lastBookingMs: number | null;
}

/** Which rule decided between the first two candidates ('only_free': there was one). */
export type AssignmentRule = 'only_free' | 'priority' | 'week_minutes' | 'last_booking' | 'stable_order';

export interface Ranking {
  order: TechnicianRoute[];
  rule: AssignmentRule;
}

/**
 * The free technicians in the order a booking tries them: priority (higher first), then the
 * fewest booked minutes that week, then the longest since their last booking (none: longest),
 * then their id. Same inputs, same order.
 */
export function rankTechnicians(free: readonly TechnicianRoute[], loads: ReadonlyMap<string, TechnicianLoad>): Ranking {
  const load = (t: TechnicianRoute): TechnicianLoad => loads.get(t.id) ?? { weekMinutes: 0, lastBookingMs: null };
  const steps: [AssignmentRule, (a: TechnicianRoute, b: TechnicianRoute) => number][] = [
    ['priority', (a, b) => b.priority - a.priority],
    ['week_minutes', (a, b) => load(a).weekMinutes - load(b).weekMinutes],
    ['last_booking', (a, b) => Math.sign((load(a).lastBookingMs ?? -Number.MAX_VALUE) - (load(b).lastBookingMs ?? -Number.MAX_VALUE))],
    ['stable_order', (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)],
  ];
  const compare = (a: TechnicianRoute, b: TechnicianRoute): number => {
    for (const [, step] of steps) {
      const c = step(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
  const order = [...free].sort(compare);
  const [first, second] = order;
  if (!first || !second) return { order, rule: 'only_free' };
  const rule = steps.find(([, step]) => step(first, second) !== 0)?.[0] ?? 'stable_order';
  return { order, rule };
}

const RULE_TEXT: Record<AssignmentRule, string> = {
  only_free: 'seul technicien compétent, couvrant la zone et libre sur ce créneau',
  priority: 'priorité la plus haute parmi les techniciens libres',
  week_minutes: 'à priorité égale, le moins de minutes réservées cette semaine',
  last_booking: 'à priorité et charge égales, le plus long délai depuis son dernier rendez-vous',
  stable_order: 'à égalité sur tous les critères, ordre fixe des membres',
};

/** The French sentence the back office shows for a rule. */
export const assignmentExplanation = (rule: AssignmentRule, candidates: number): string =>
  candidates > 1 ? `Attribué parmi ${candidates} techniciens libres : ${RULE_TEXT[rule]}.` : `Attribué : ${RULE_TEXT[rule]}.`;

/** What a routed booking stores about its assignment (bookings.assignment). */
export interface Assignment {
  technicianId: string;
  teamId: string | null;
  reason: AssignmentRule;
  explanation: string;
}
