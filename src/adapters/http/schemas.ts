import { Type, type Static, type TSchema } from 'typebox';
import { EMAIL_PATTERN } from '../../domain/public-code.ts';

/** Request and response schemas: they validate input, shape output and generate OpenAPI. */

/**
 * A string enum as `{type:'string', enum}` and a nullable object as `{type:['object','null']}`:
 * response serialisation compiles these to plain checks, where `anyOf` (TypeBox unions)
 * would run a schema validator on every response.
 */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
const nullable = <S extends TSchema>(schema: S) => Type.Unsafe<Static<S> | null>({ ...schema, type: ['object', 'null'] });

/** Printable text: control characters (NUL above all, which PostgreSQL refuses) are rejected. */
export const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';
/** Text on several lines (a description): line breaks and tabs allowed, other control characters not. */
export const MULTILINE_TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

export const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Date locale AAAA-MM-JJ', examples: ['2025-01-15'] });
export const TimeString = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Heure locale HH:MM (24 h)', examples: ['09:00'] });
export const Email = Type.String({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 260, description: 'Adresse e-mail' });
export const PublicCode = Type.String({ minLength: 1, maxLength: 20, pattern: PRINTABLE, description: 'Code de réservation AC-XXXXXX' });
export const ServiceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Identifiant de prestation, ex. diag' });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Code stable en SCREAMING_SNAKE_CASE' }),
      message: Type.String({ description: 'Message en français, affichable au client' }),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const ServiceDto = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  durationMinutes: Type.Integer(),
  basePriceCents: Type.Integer(),
  depositRate: Type.Number(),
  depositCents: Type.Integer(),
  isActive: Type.Boolean(),
  refundPolicy: Type.Optional(Type.Object({ tiers: Type.Array(Type.Object({ minHoursBefore: Type.Number(), refundRate: Type.Number() })) }, { description: "Conditions d'annulation de l'acompte (paliers)" })),
  atCustomer: Type.Boolean({ description: "Intervention chez le client : l'adresse d'intervention et le téléphone sont obligatoires pour réserver" }),
  maintenanceIntervalMonths: Type.Optional(
    Type.Integer({ description: 'Intervalle d’entretien en mois : le formulaire propose « Me proposer le prochain entretien » (absent : aucun)' }),
  ),
});

export const RefundPolicyDto = Type.Object({ tiers: Type.Array(Type.Object({ minHoursBefore: Type.Number(), refundRate: Type.Number() })) });
export const RefundDto = Type.Object({ refundCents: Type.Integer(), retainedCents: Type.Integer(), refundRate: Type.Number() });
/** A cancellation's answer: the amounts net of what was refunded before it (e.g. from the Stripe dashboard). */
export const CancellationRefundDto = Type.Object({
  refundCents: Type.Integer({ description: 'Remboursé par cette annulation' }),
  retainedCents: Type.Integer({ description: "Conservé par l'artisan au final" }),
  refundRate: Type.Number({ description: 'Part de l’acompte accordée par les conditions d’annulation' }),
  alreadyRefundedCents: Type.Integer({ description: "Déjà remboursé avant l'annulation" }),
});

export const DaySummaryDto = Type.Object({
  date: Type.String(),
  freeSlots: Type.Integer({ description: 'Nombre de créneaux libres ce jour-là' }),
  firstFreeTime: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'Premier créneau libre (HH:MM), null sans créneau' }),
});
export const AvailabilityDaysDto = Type.Object({
  serviceId: Type.String(),
  timezone: Type.String(),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(DaySummaryDto),
});

export const PublicArtisanDto = Type.Object({
  displayName: Type.String(),
  trade: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  phone: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'E.164' }),
  phoneText: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'Le téléphone tel qu’on le lit (06 12 34 56 78)' }),
  timezone: Type.String({ description: "Fuseau de l'artisan : toutes les heures affichées sont les siennes" }),
  today: Type.String({ description: "Date du jour chez l'artisan (AAAA-MM-JJ)" }),
  now: Type.String({ description: "L'heure du service (ISO 8601) : les échéances d'annulation déjà passées ne sont pas proposées" }),
  smsOffered: Type.Boolean({ description: "L'abonnement permet les SMS au client" }),
  onlineDeposits: Type.Boolean({
    description:
      "L'acompte peut être payé en ligne. Faux (Stripe Connect) tant que l'artisan n'a pas de compte Stripe en état d'encaisser : la réservation en ligne d'une prestation avec acompte répond alors 409 DEPOSIT_NOT_ONLINE, il faut l'appeler.",
  }),
  terms: Type.Unsafe<{ version: string; text: string } | null>({
    anyOf: [Type.Object({ version: Type.String(), text: Type.String() }), Type.Null()],
    description: 'Conditions générales de vente à accepter pour réserver en ligne',
  }),
  suspended: Type.Boolean({ description: "L'entreprise est suspendue : elle ne prend pas de réservation en ligne (POST /api/bookings répond BUSINESS_SUSPENDED)" }),
});

export const SlotDto = Type.Object({
  time: Type.String(),
  available: Type.Boolean(),
  blockedBy: Type.Array(
    Type.Object({
      type: StringEnum(['booking', 'calendar'] as const),
      providerId: Type.Optional(Type.String()),
    }),
  ),
});

const Range = Type.Object({ startMinutes: Type.Integer(), endMinutes: Type.Integer() });

export const AvailabilityDto = Type.Object({
  serviceId: Type.String(),
  date: Type.String(),
  timezone: Type.String(),
  opening: nullable(
    Type.Object({
      startMinutes: Type.Integer(),
      endMinutes: Type.Integer(),
      breakStartMinutes: Type.Unsafe<number | null>({ type: ['integer', 'null'] }),
      breakEndMinutes: Type.Unsafe<number | null>({ type: ['integer', 'null'] }),
      ranges: Type.Optional(Type.Array(Range)),
      breaks: Type.Optional(Type.Array(Range)),
    }),
  ),
  slots: Type.Array(SlotDto),
});

export const AddressDto = Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String() });
const CustomerDto = Type.Object({
  name: Type.String(),
  email: Type.Optional(Type.String({ description: 'Toujours là en ligne ; absent d’une réservation prise par l’artisan pour un client sans e-mail' })),
  phone: Type.Optional(Type.String()),
  address: Type.Optional(AddressDto),
});

export const DepositDto = Type.Object({
  amountCents: Type.Integer(),
  currency: StringEnum(['EUR'] as const),
  rate: Type.Number(),
  paymentStatus: StringEnum(['pending', 'authorized', 'captured', 'refunded', 'failed'] as const),
  paymentProvider: Type.Unsafe<'stripe' | 'other' | null>({ type: ['string', 'null'], enum: ['stripe', 'other', null] }),
  paymentIntentId: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  refundedCents: Type.Integer({ description: 'Montant déjà rendu au client (remboursé ou libéré)' }),
});

export const BookingDto = Type.Object({
  publicCode: Type.String(),
  status: StringEnum(['pending', 'confirmed', 'cancelled', 'rescheduled'] as const, {
    description: 'pending : créneau retenu le temps du paiement (3-D Secure en cours)',
  }),
  serviceId: Type.String(),
  serviceName: Type.String(),
  startDateTime: Type.String({ description: 'ISO 8601 avec décalage, ex. 2025-01-15T09:00:00+01:00' }),
  endDateTime: Type.String(),
  date: Type.String(),
  time: Type.String(),
  durationMinutes: Type.Integer(),
  priceCents: Type.Integer(),
  customer: CustomerDto,
  deposit: DepositDto,
  notifications: Type.Object({ email: Type.Boolean(), sms: Type.Boolean() }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  refundPolicy: Type.Optional(RefundPolicyDto),
  cancellationRefund: Type.Optional({ ...RefundDto, description: "Ce que l'annulation rembourserait maintenant (consultation par le client)" }),
  outcome: Type.Optional(
    StringEnum(['completed', 'no_show'] as const, {
      description: "Issue du rendez-vous, une fois enregistrée par l'artisan (absente avant) : completed, intervention réalisée ; no_show, client absent (l'acompte reste acquis). Le rendez-vous ne peut alors plus être annulé ni déplacé.",
    }),
  ),
});

export const CreateBookingBody = Type.Object({
  serviceId: ServiceId,
  date: DateString,
  time: TimeString,
  customer: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 120, pattern: PRINTABLE }),
    email: Email,
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 32, pattern: PRINTABLE }), Type.Null()])),
    address: Type.Optional(
      Type.Union([
        Type.Object(
          {
            street: Type.String({ maxLength: 200, pattern: PRINTABLE }),
            postalCode: Type.String({ maxLength: 10, pattern: PRINTABLE }),
            city: Type.String({ maxLength: 100, pattern: PRINTABLE }),
          },
          { description: "Adresse de l'intervention (visible de l'artisan et du client seulement)" },
        ),
        Type.Null(),
      ]),
    ),
  }),
  problemDescription: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 1000, pattern: MULTILINE_TEXT, description: "« Décrivez le problème » : texte libre du client pour l'artisan (facultatif, 1000 caractères au plus)" }),
      Type.Null(),
    ]),
  ),
  notifications: Type.Optional(Type.Object({ email: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()) })),
  consent: Type.Optional(
    Type.Object(
      {
        termsVersion: Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 64 }),
        nextVisit: Type.Optional(
          Type.Boolean({ description: '« Me proposer le prochain entretien » coché (prestation avec intervalle d’entretien) : le client sera invité le moment venu' }),
        ),
      },
      { description: "Le client accepte les conditions de vente (version lue sur GET /api/artisan) et les conditions d'annulation" },
    ),
  ),
  paymentMethodId: Type.Optional(
    Type.String({
      pattern: '^pm_[A-Za-z0-9_]{1,120}$',
      description: 'PaymentMethod Stripe (Stripe Elements). Mode simulé : pm_card_visa (défaut), pm_card_chargeDeclined, pm_card_threeDSecure2Required.',
    }),
  ),
});

/** The 3-D Secure step of a 202 answer (PAYMENT-CONTRACT.md). */
export const PaymentChallengeDto = Type.Object({
  status: StringEnum(['requires_action'] as const),
  clientSecret: Type.String({ description: 'À passer à stripe.handleNextAction (ou au défi simulé)' }),
  provider: StringEnum(['stripe', 'simulated'] as const),
  holdExpiresAt: Type.String({ description: "Fin de la retenue du créneau (ISO 8601) : au-delà, le créneau est libéré et rien n'est débité" }),
});

export const ManageToken = Type.String({
  minLength: 1,
  maxLength: 400,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: 'Jeton signé du lien de gestion (reçu par e-mail ou SMS), à la place de l’adresse e-mail',
});
/** The e-mail, or the manage link's token (one of the two). */
export const CancelBody = Type.Object({ email: Type.Optional(Email), token: Type.Optional(ManageToken) });
export const ConfirmPaymentBody = CancelBody;
export const RescheduleBody = Type.Object({ email: Type.Optional(Email), token: Type.Optional(ManageToken), newDate: DateString, newTime: TimeString });
export const CodeParams = Type.Object({ publicCode: PublicCode });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Requête invalide (VALIDATION_ERROR avec details par champ, SERVICE_NOT_FOUND, SLOT_NOT_OFFERED, MANAGE_LINK_INVALID)',
  401: 'Identification requise ou invalide (UNAUTHENTICATED, INVALID_CREDENTIALS)',
  402: "Acompte refusé (PAYMENT_DECLINED) : aucune réservation, le créneau reste libre",
  403: 'Écriture par session sans jeton CSRF valide (CSRF_REJECTED)',
  404: 'Introuvable (SERVICE_NOT_FOUND, BOOKING_NOT_FOUND)',
  409: 'Conflit (SLOT_UNAVAILABLE, ALREADY_CANCELLED, BOOKING_CANCELLED, BOOKING_PAST, IDEMPOTENCY_IN_PROGRESS, PLAN_LIMIT_REACHED, PAYMENT_HOLD_EXPIRED)',
  410: 'Lien de gestion expiré (MANAGE_LINK_EXPIRED)',
  413: 'Corps de requête trop volumineux (PAYLOAD_TOO_LARGE)',
  415: 'Le corps doit être du JSON (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Clé d’idempotence déjà utilisée pour une autre demande (IDEMPOTENCY_KEY_REUSED) ; code postal que personne ne couvre (POSTCODE_NOT_COVERED) ou prestation qu’aucun technicien ne réalise (SERVICE_NOT_STAFFED), avec le téléphone de l’entreprise',
  429: 'Trop de requêtes (RATE_LIMITED), voir l’en-tête Retry-After',
  500: 'Erreur technique (INTERNAL_ERROR), message générique',
  503: 'Prestataire de paiement injoignable (PAYMENT_UNAVAILABLE) : réessayer plus tard',
};

export const errorResponses = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse', { description: ERROR_DESCRIPTIONS[s] ?? 'Erreur' })]));
