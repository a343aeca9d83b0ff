import type { Place, ZoneKind } from '../../domain/routing.ts';

/** The official list of French communes, postcodes and départements (zones, issue 20 item 3). */
export interface FrenchPlaces {
  /** Where a postcode lies (its communes and départements); undefined when no commune has it. */
  place(postcode: string): Place | undefined;
  /** Whether `code` is a known postcode, INSEE commune code or département code. */
  exists(kind: ZoneKind, code: string): boolean;
}
