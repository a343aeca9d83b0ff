import { NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import type { ZoneEntry, ZoneKind } from '../domain/routing.ts';
import { memberNotFound } from './members.ts';
import type { FrenchPlaces } from './ports/places.ts';

/**
 * A member's skills (the services they perform) and zones (issue 20, items 1 and 3), set by the
 * owner or the office. Zones are checked against the official list (FrenchPlaces): a postcode
 * some commune has, an INSEE commune code, a département (2A/2B and overseas included).
 */
export interface MemberRoutingView {
  memberId: string;
  skills: string[];
  zones: ZoneEntry[];
}

export interface MemberRoutingStore {
  /** undefined when the business has no such member. */
  get(artisanId: string, memberId: string): Promise<MemberRoutingView | undefined>;
  /**
   * Replaces both lists in one transaction: 'member' when the business has no such member,
   * `unknownServices` when some service id is not the business's (nothing written then).
   */
  set(artisanId: string, view: MemberRoutingView): Promise<'ok' | 'member' | { unknownServices: string[] }>;
  /**
   * Gives a connected calendar to a member (null: back to the business): its busy blocks, those
   * imported and those to come, then block only that member. What of them was not found.
   */
  setCalendarMember(artisanId: string, calendarId: string, memberId: string | null): Promise<'ok' | 'calendar' | 'member'>;
}

const SHAPES: Record<ZoneKind, RegExp> = {
  postcode: /^\d{5}$/,
  commune: /^(\d{5}|2[AB]\d{3})$/,
  departement: /^(\d{2,3}|2[AB])$/,
};
const WHAT: Record<ZoneKind, string> = {
  postcode: "Ce code postal n'existe pas dans la liste officielle.",
  commune: "Ce code INSEE ne correspond à aucune commune de la liste officielle.",
  departement: "Ce département n'existe pas (01 à 95, 2A, 2B, 971 à 976…).",
};

export function makeMemberRouting(deps: { store: MemberRoutingStore; places: FrenchPlaces }) {
  return {
    async get(artisanId: string, memberId: string): Promise<MemberRoutingView> {
      const view = await deps.store.get(artisanId, memberId);
      if (!view) throw memberNotFound();
      return view;
    },

    async set(artisanId: string, memberId: string, input: { skills: string[]; zones: ZoneEntry[] }): Promise<MemberRoutingView> {
      const details: ErrorDetail[] = [];
      const zones: ZoneEntry[] = [];
      input.zones.forEach((z, i) => {
        const code = z.code.replace(/\s+/g, '').toUpperCase();
        if (!SHAPES[z.kind].test(code) || !deps.places.exists(z.kind, code)) details.push({ field: `zones[${i}].code`, message: WHAT[z.kind] });
        else if (!zones.some((k) => k.kind === z.kind && k.code === code)) zones.push({ kind: z.kind, code });
      });
      const skills = [...new Set(input.skills.map((s) => s.trim()))];
      if (details.length > 0) throw new ValidationError(details);
      const view = { memberId, skills, zones };
      const outcome = await deps.store.set(artisanId, view);
      if (outcome === 'member') throw memberNotFound();
      if (outcome !== 'ok') {
        throw new ValidationError(
          outcome.unknownServices.map((id) => ({ field: `skills[${input.skills.findIndex((s) => s.trim() === id)}]`, message: "Cette prestation n'existe pas dans votre catalogue." })),
        );
      }
      return (await deps.store.get(artisanId, memberId))!;
    },

    /** A member's own calendar: it blocks only them (another business's ids answer as missing). */
    async setCalendarMember(artisanId: string, calendarId: string, memberId: string | null): Promise<void> {
      const outcome = await deps.store.setCalendarMember(artisanId, calendarId, memberId);
      if (outcome === 'member') throw memberNotFound();
      if (outcome === 'calendar') throw new NotFoundError('CALENDAR_NOT_FOUND', 'Ce calendrier connecté est introuvable.');
    },
  };
}

export type MemberRouting = ReturnType<typeof makeMemberRouting>;
