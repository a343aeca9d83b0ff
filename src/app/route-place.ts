import { PolicyError, ValidationError } from '../domain/errors.ts';
import { phoneForReading } from '../domain/phone-format.ts';
import { eligibleTechnicians, usesZones, type PlaceFilter } from '../domain/routing.ts';
import type { DayContext } from '../domain/day-context.ts';
import type { FrenchPlaces } from './ports/places.ts';

/**
 * The day of a booking given to a technician, as that technician lives it (issue 20): a
 * customer's move keeps the technician, so the slots offered to move it are theirs alone,
 * wherever they cover (re-routing a move is not built). Unchanged for a booking given to nobody.
 */
export function onTechnicianLine(ctx: DayContext, technicianId: string | undefined): DayContext {
  if (!technicianId || ctx.technicians.length === 0) return ctx;
  return { ...ctx, technicians: ctx.technicians.filter((t) => t.id === technicianId) };
}

/**
 * Where a request's routing looks (issue 20, item 3), checked once for the day, the month view
 * and creation alike. A business that routes nothing (no technician) ignores the postcode. One
 * that routes by zone requires it from the public (`field` names it in the error), checks it
 * against the official list, and answers a postcode nobody covers with the business's phone
 * rather than an empty calendar. The business's own views without a postcode look everywhere.
 */
export function routePlace(
  ctx: DayContext,
  postcode: string | null | undefined,
  deps: { places?: FrenchPlaces | undefined },
  opts: { field: string; asArtisan?: boolean },
): PlaceFilter {
  if (ctx.technicians.length === 0) return undefined;
  const code = postcode?.replace(/\s+/g, '') || undefined;
  let place: PlaceFilter;
  if (!usesZones(ctx.technicians)) place = 'anywhere';
  else if (!code) {
    if (!opts.asArtisan) {
      throw new ValidationError(
        [{ field: opts.field, message: "Indiquez le code postal du lieu d'intervention : les disponibilités dépendent du technicien qui couvre votre commune." }],
        "Le code postal du lieu d'intervention est nécessaire pour afficher les disponibilités.",
      );
    }
    place = 'anywhere';
  } else {
    place = /^\d{5}$/.test(code) ? deps.places?.place(code) : undefined;
    if (!place) throw new ValidationError([{ field: opts.field, message: "Ce code postal n'existe pas : vérifiez les 5 chiffres." }]);
  }
  if (eligibleTechnicians(ctx.technicians, place).length > 0) return place;
  const phone = ctx.phone ? phoneForReading(ctx.phone) : null;
  const call = phone ? ` Appelez-nous au ${phone} : nous verrons ensemble comment vous aider.` : ' Contactez directement l’entreprise.';
  if (code && ctx.technicians.some((t) => t.performs)) {
    throw new PolicyError('POSTCODE_NOT_COVERED', `Nous n'intervenons pas au code postal ${code} pour cette prestation en réservation en ligne.${call}`);
  }
  throw new PolicyError('SERVICE_NOT_STAFFED', `Cette prestation ne peut pas être réservée en ligne pour le moment.${call}`);
}
