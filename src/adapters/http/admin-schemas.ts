import { Type, type Static, type TSchema } from 'typebox';
import { SETTINGS_BOUNDS } from '../../domain/artisan-settings.ts';
import { PLAN_CODES } from '../../domain/plans.ts';
import { AvailabilityDto, DateString, Email, MULTILINE_TEXT, PRINTABLE, ServiceId, StringEnum } from './schemas.ts';

/** Schemas of the artisan's back office (/api/admin): input bounds match the database CHECKs. */

const nullableString = (options: Record<string, unknown> = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
const Minutes = Type.Integer({ minimum: 0, maximum: 1440, description: 'Minutes depuis 00:00 (510 = 08:30)' });
const MinuteRange = Type.Object({ startMinutes: Minutes, endMinutes: Minutes });
const DayOfWeek = Type.Integer({ minimum: 0, maximum: 6, description: '0 = dimanche … 6 = samedi' });
export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' });
const Plan = StringEnum(PLAN_CODES);
const bounded = (name: keyof typeof SETTINGS_BOUNDS, description: string) =>
  Type.Integer({ minimum: SETTINGS_BOUNDS[name].min, maximum: SETTINGS_BOUNDS[name].max, description });

const RuleInput = Type.Object({ dayOfWeek: DayOfWeek, startMinutes: Minutes, endMinutes: Minutes });
const RuleDto = Type.Object({ id: Type.String(), dayOfWeek: Type.Integer(), startMinutes: Type.Integer(), endMinutes: Type.Integer() });

export const ArtisanPatchBody = Type.Object({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: PRINTABLE })),
  trade: Type.Optional(nullableString({ maxLength: 80, pattern: PRINTABLE, description: 'Métier affiché (ex. « Plombier chauffagiste »), null pour le retirer' })),
  email: Type.Optional(Email),
  phone: Type.Optional(nullableString({ maxLength: 32, pattern: PRINTABLE, description: 'Numéro (français par défaut), null pour le retirer' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Fuseau IANA, ex. Europe/Paris' })),
  plan: Type.Optional(Plan),
  slotStepMinutes: Type.Optional(bounded('slotStepMinutes', 'Pas entre deux créneaux (minutes)')),
  minNoticeMinutes: Type.Optional(bounded('minNoticeMinutes', 'Délai de prévenance (minutes)')),
  bookingHorizonDays: Type.Optional(bounded('bookingHorizonDays', 'Horizon de réservation (jours)')),
  closedOnPublicHolidays: Type.Optional(Type.Boolean({ description: 'Fermé les jours fériés français' })),
  openingRules: Type.Optional(Type.Array(RuleInput, { maxItems: 70, description: "Remplace toutes les plages d'ouverture de la semaine" })),
  breakRules: Type.Optional(Type.Array(RuleInput, { maxItems: 70, description: 'Remplace toutes les pauses de la semaine' })),
  termsOfSale: Type.Optional(nullableString({ maxLength: 20000, description: 'Conditions générales de vente acceptées par le client à la réservation (texte)' })),
});

export const ArtisanDto = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  trade: nullableString(),
  email: Type.String(),
  phone: nullableString(),
  timezone: Type.String(),
  plan: Plan,
  slotStepMinutes: Type.Integer(),
  minNoticeMinutes: Type.Integer(),
  bookingHorizonDays: Type.Integer(),
  closedOnPublicHolidays: Type.Boolean(),
  openingRules: Type.Array(RuleDto),
  breakRules: Type.Array(RuleDto),
  termsOfSale: nullableString(),
  termsVersion: nullableString({ description: 'Version des conditions de vente (empreinte du texte), enregistrée avec le consentement' }),
  upcomingPublicHolidays: Type.Array(Type.Object({ date: Type.String(), name: Type.String(), closed: Type.Boolean() }), {
    description: "Jours fériés d'ici la fin de l'horizon, et s'ils sont fermés",
  }),
});

export const ExceptionBody = Type.Object({
  date: DateString,
  closed: Type.Optional(Type.Boolean({ description: 'true : jour fermé' })),
  ranges: Type.Optional(Type.Array(MinuteRange, { maxItems: 10, description: 'Horaires exceptionnels du jour' })),
});
export const ExceptionDto = Type.Object({ id: Type.String(), date: Type.String(), closed: Type.Boolean(), ranges: Type.Array(MinuteRange) });
export const DateRangeQuery = Type.Object({ from: Type.Optional(DateString), to: Type.Optional(DateString) });
export const IdParams = Type.Object({ id: Uuid });

/**
 * Named in the OpenAPI document (components.schemas, hence the front's generated `Schemas`
 * types): registered once with `app.addSchema` (SHARED_ADMIN_SCHEMAS) and used by reference.
 */
export const RefundPolicy = Type.Object(
  {
    tiers: Type.Array(
      Type.Object({
        minHoursBefore: Type.Number({ minimum: 0, maximum: 8760, description: "Annulation au moins tant d'heures avant le début" }),
        refundRate: Type.Number({ minimum: 0, maximum: 1, description: "Part de l'acompte remboursée" }),
      }),
      { maxItems: 10, description: "Paliers ; une annulation plus tardive que le dernier palier : l'acompte est conservé" },
    ),
  },
  { $id: 'RefundPolicy' },
);
/** A reference to a named schema, typed as the schema it points to. */
const refTo = <S extends TSchema>(schema: S) => Type.Unsafe<Static<S>>(Type.Ref(String((schema as { $id?: string }).$id)));
export const RefundPolicyRef = refTo(RefundPolicy);
// Inline rather than `anyOf: [ref, null]`, whose failed null branch would add a detail of its own.
const { $id: _policyId, ...policyFields } = RefundPolicy as typeof RefundPolicy & { $id: string };
const nullablePolicy = Type.Unsafe<Static<typeof RefundPolicy> | null>({
  ...policyFields,
  type: ['object', 'null'],
  description: 'Politique de remboursement ; null = la politique par défaut (`defaultRefundPolicy` de GET /api/admin/services)',
});
const serviceFields = {
  name: Type.String({ minLength: 1, maxLength: 120, pattern: PRINTABLE }),
  description: Type.Optional(nullableString({ maxLength: 2000, pattern: MULTILINE_TEXT })),
  durationMinutes: Type.Integer({ minimum: 5, maximum: 1440 }),
  basePriceCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  depositRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  isActive: Type.Optional(Type.Boolean({ description: 'false : archivée (plus proposée aux clients)' })),
  bufferBeforeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240, description: 'Temps bloqué avant (trajet)' })),
  bufferAfterMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240, description: 'Temps bloqué après (trajet)' })),
  refundPolicy: Type.Optional(nullablePolicy),
  minNoticeMinutes: Type.Optional(
    // null first: the body's type coercion would otherwise read null as the integer 0.
    Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 43_200 })], {
      description: 'Délai de prévenance de cette prestation en minutes (une urgence : 60) ; null = celui de l’entreprise',
    }),
  ),
  atCustomer: Type.Optional(
    Type.Boolean({ description: 'Intervention chez le client : la réservation exige l’adresse d’intervention et un téléphone (défaut : false)' }),
  ),
  maintenanceIntervalMonths: Type.Optional(
    // null first, as for minNoticeMinutes.
    Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 120 })], {
      description: 'Intervalle d’entretien en mois (entretien de chaudière : 12) ; le client peut demander qu’on lui propose le prochain. null ou 0 : aucun',
    }),
  ),
};
export const ServiceCreateBody = Type.Object({ id: Type.Optional(ServiceId), ...serviceFields });
export const ServicePatchBody = Type.Partial(Type.Object(serviceFields));
export const ServiceParams = Type.Object({ id: ServiceId });

export const AdminServiceDto = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: nullableString(),
    durationMinutes: Type.Integer(),
    basePriceCents: Type.Integer(),
    depositRate: Type.Number(),
    depositCents: Type.Integer(),
    isActive: Type.Boolean(),
    bufferBeforeMinutes: Type.Integer(),
    bufferAfterMinutes: Type.Integer(),
    refundPolicy: nullablePolicy,
    minNoticeMinutes: Type.Union([Type.Integer(), Type.Null()]),
    atCustomer: Type.Boolean({ description: 'Intervention chez le client : adresse et téléphone exigés à la réservation' }),
    maintenanceIntervalMonths: Type.Optional(Type.Integer({ description: 'Intervalle d’entretien en mois (absent : aucun)' })),
  },
  { $id: 'AdminService' },
);
export const AdminServiceRef = refTo(AdminServiceDto);
/** Added to the app once (app.addSchema) so routes can refer to them by name. */
export const SHARED_ADMIN_SCHEMAS = [RefundPolicy, AdminServiceDto];

/** An instant written with its offset, e.g. 2027-03-03T09:00:00+01:00 (also the API keys' expiry, the bookings' `updatedSince`). */
export const DATE_TIME_WITH_OFFSET = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';
const DateTimeWithOffset = Type.String({
  maxLength: 40,
  pattern: DATE_TIME_WITH_OFFSET,
  description: 'ISO 8601 avec décalage, ex. 2027-03-03T09:00:00+01:00',
});
export const BusyBlockBody = Type.Object({
  startDateTime: DateTimeWithOffset,
  endDateTime: DateTimeWithOffset,
  summary: Type.String({ minLength: 1, maxLength: 200, pattern: PRINTABLE }),
  memberId: Type.Optional(
    Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'Offre Business : le congé d’un technicien, qui ne bloque que lui ; absent : toute l’entreprise',
    }),
  ),
});
export const BusyBlockDto = Type.Object({
  id: Type.String(),
  providerId: Type.String({ description: 'manual : saisie à la main ; sinon le calendrier importé' }),
  source: StringEnum(['external'] as const),
  summary: Type.String(),
  startDateTime: Type.String(),
  endDateTime: Type.String(),
  deletable: Type.Boolean(),
  memberId: Type.Optional(Type.String({ description: 'Offre Business : le membre dont c’est le temps (absent : toute l’entreprise)' })),
});
export const BookingSummaryDto = Type.Object({
  publicCode: Type.String(),
  serviceName: Type.String(),
  customerName: Type.String(),
  status: Type.String(),
  startDateTime: Type.String(),
  endDateTime: Type.String(),
});

export const AdminAvailabilityQuery = Type.Object({ serviceId: ServiceId, date: DateString });
export const ExplainedAvailabilityDto = Type.Object({
  serviceId: Type.String(),
  date: Type.String(),
  timezone: Type.String(),
  opening: AvailabilityDto.properties.opening,
  slots: Type.Array(
    Type.Object({
      time: Type.String(),
      startDateTime: Type.String(),
      available: Type.Boolean(),
      blockedBy: Type.Array(
        Type.Object({
          type: StringEnum(['booking', 'calendar'] as const),
          providerId: Type.Optional(Type.String()),
          bookingPublicCode: Type.Optional(Type.String()),
          summary: Type.Optional(Type.String()),
        }),
      ),
    }),
  ),
});

const ADMIN_ERRORS: Record<number, string> = {
  400: 'Requête invalide (VALIDATION_ERROR avec details par champ)',
  401: 'Connexion requise (UNAUTHENTICATED)',
  404: 'Introuvable (SERVICE_NOT_FOUND, EXCEPTION_NOT_FOUND, BUSY_BLOCK_NOT_FOUND)',
  409: 'Conflit (EXCEPTION_EXISTS, SERVICE_ID_TAKEN, SERVICE_HAS_BOOKINGS)',
};

export const adminErrors = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse', { description: ADMIN_ERRORS[s] ?? 'Erreur' })]));
