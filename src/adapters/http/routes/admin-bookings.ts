import { VISIBLE_STATUSES } from '../../../domain/booking-lifecycle.ts';
import { amountDueOnSite } from '../../../domain/money.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Temporal } from 'temporal-polyfill';
import { decodeCursor, encodeCursor, type AdminBookings, type AgendaEntry, type HistoryEntry, type ListedStatus } from '../../../app/admin-bookings.ts';
import type { BookingRecord } from '../../../domain/booking.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { dateText, formatInstant, localDaysFormatter, parseLocalDate } from '../../../domain/time.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { presentBooking } from '../presenters.ts';
import type { UseCases } from '../use-cases.ts';
import { customerRefFrom } from '../../../app/customers.ts';
import { DATE_TIME_WITH_OFFSET } from '../admin-schemas.ts';
import {
  BookingDto,
  CancellationRefundDto,
  CodeParams,
  CreateBookingBody,
  DateString,
  Email,
  PRINTABLE,
  StringEnum,
  TimeString,
  errorResponses,
} from '../schemas.ts';

const STATUSES = VISIBLE_STATUSES;

/** A booking the artisan takes: the public body, the e-mail optional, the deposit and the time's check theirs to waive. */
const AdminCreateBookingBody = Type.Object({
  ...CreateBookingBody.properties,
  customer: Type.Object({
    ...CreateBookingBody.properties.customer.properties,
    email: Type.Optional(Type.Union([Email, Type.Null()], { description: 'Facultatif : sans e-mail, le téléphone est obligatoire' })),
  }),
  collectDeposit: Type.Boolean({ default: false, description: 'true : l’acompte est demandé comme en ligne (paymentMethodId)' }),
  force: Type.Boolean({ default: false, description: 'true : placer le rendez-vous à cette heure même si la page ne la propose pas (jamais sur un autre rendez-vous)' }),
});

/** A customer by e-mail, or by phone (any common format) for one without e-mail. */
export const CustomerQuery = Type.Object({
  email: Type.Optional(Email),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: PRINTABLE, description: 'Téléphone (français par défaut), pour un client sans e-mail' })),
});

export const AdminBookingDto = Type.Object({
  ...BookingDto.properties,
  channel: StringEnum(['online', 'phone'] as const, { description: 'En ligne ou saisie par l’artisan (téléphone)' }),
  cancelledBy: Type.Union([StringEnum(['customer', 'artisan', 'system'] as const), Type.Null()]),
  refundCents: Type.Integer({ description: 'Remboursement décidé à l’annulation' }),
  problemDescription: Type.Unsafe<string | null>({ type: ['string', 'null'], description: '« Décrivez le problème » : ce que le client a écrit en réservant (null : rien)' }),
  dispute: Type.Union(
    [
      Type.Object({
        openedAt: Type.String(),
        reason: Type.String({ description: 'Motif Stripe (fraudulent, product_not_received…)' }),
        amountCents: Type.Integer(),
        status: Type.String(),
      }),
      Type.Null(),
    ],
    { description: 'Contestation (chargeback) ouverte par le porteur de la carte : à traiter dans le tableau de bord Stripe' },
  ),
  technicianId: Type.Optional(Type.String({ description: 'Offre Business : le membre (technicien) à qui la réservation est confiée ; absent sinon' })),
  teamId: Type.Optional(Type.String({ description: 'Offre Business : l’équipe à qui la réservation est confiée ; absent sinon' })),
  assignment: Type.Optional(
    Type.Object(
      {
        technicianId: Type.String(),
        teamId: Type.Union([Type.String(), Type.Null()]),
        reason: StringEnum(['only_free', 'priority', 'week_minutes', 'last_booking', 'stable_order'] as const, {
          description: 'La règle qui a départagé : seul libre, priorité, minutes de la semaine, dernier rendez-vous, ordre fixe',
        }),
        explanation: Type.String({ description: 'La même raison, en phrase' }),
      },
      { description: 'Offre Business : à qui la réservation a été attribuée à sa création, et pourquoi ; absent pour une réservation non routée' },
    ),
  ),
});
/** What the week agenda shows of a booking; the full record is one GET /api/admin/bookings/{publicCode} away. */
const AgendaBookingDto = Type.Object({
  publicCode: Type.String(),
  status: StringEnum(['confirmed', 'rescheduled'] as const),
  channel: StringEnum(['online', 'phone'] as const, { description: 'En ligne ou saisie par l’artisan (téléphone)' }),
  serviceId: Type.String(),
  serviceName: Type.String(),
  startDateTime: Type.String({ description: 'ISO 8601 avec le décalage horaire de l’artisan' }),
  endDateTime: Type.String(),
  date: Type.String({ description: 'Date locale du début (AAAA-MM-JJ)' }),
  time: Type.String({ description: 'Heure locale du début (HH:MM)' }),
  durationMinutes: Type.Integer(),
  customer: Type.Object({
    name: Type.String(),
    phone: Type.Optional(Type.String()),
    city: Type.Optional(Type.String({ description: 'Ville de l’adresse d’intervention' })),
    address: Type.Optional(
      Type.Object(
        { street: Type.String(), postalCode: Type.String(), city: Type.String() },
        { description: 'Adresse d’intervention (la feuille de la semaine imprimée la donne)' },
      ),
    ),
  }),
  amountDueCents: Type.Integer({ description: 'Reste à encaisser sur place : le prix moins l’acompte versé (0 : rien à encaisser)' }),
  technicianId: Type.Optional(Type.String({ description: 'Offre Business : le membre à qui la réservation est confiée ; absent sinon' })),
  teamId: Type.Optional(Type.String({ description: 'Offre Business : l’équipe à qui la réservation est confiée ; absent sinon' })),
});

/** One zone lookup per day of the week (localDaysFormatter), not per booking. */
function presentAgenda(bookings: readonly AgendaEntry[], from: Temporal.PlainDate, zone: string | undefined) {
  if (bookings.length === 0 || !zone) return [];
  // Eight days: a booking may end after Sunday midnight.
  const local = localDaysFormatter(from, 8, zone);
  return bookings.map((b) => {
    const start = local(b.startMs);
    return {
      publicCode: b.publicCode,
      status: b.status as 'confirmed' | 'rescheduled',
      channel: b.channel,
      serviceId: b.serviceId,
      serviceName: b.serviceName,
      startDateTime: start.iso,
      endDateTime: local(b.endMs).iso,
      date: start.date,
      time: start.time,
      durationMinutes: b.durationMinutes,
      customer: {
        name: b.customerName,
        ...(b.customerPhone ? { phone: b.customerPhone } : {}),
        ...(b.address ? { city: b.address.city, address: { street: b.address.street, postalCode: b.address.postalCode, city: b.address.city } } : {}),
      },
      amountDueCents: b.amountDueCents,
      ...(b.technicianId ? { technicianId: b.technicianId } : {}),
      ...(b.teamId ? { teamId: b.teamId } : {}),
    };
  });
}

/** A booking of the day sheet: everything the artisan needs on site. */
const TodayBookingDto = Type.Object({
  ...AdminBookingDto.properties,
  amountDueCents: Type.Integer({ description: 'Reste à encaisser sur place : le prix moins l’acompte versé (0 : rien à encaisser)' }),
});

const HistoryDto = Type.Object({
  at: Type.String(),
  type: Type.String({ description: 'hold_taken, authentication_required, confirmed, payment_declined, hold_expired, rescheduled, cancelled, deposit_settled, deposit_captured, late_payment_refunded, dispute_opened, refund_confirmed, customer_erased…' }),
  actor: Type.String({ description: 'customer, artisan, system ou token:<nom>' }),
  data: Type.Object({}, { additionalProperties: true }),
});

export function presentAdminBooking(b: BookingRecord) {
  return {
    ...presentBooking(b, { withAddress: true }),
    channel: b.channel,
    cancelledBy: b.cancelledBy,
    refundCents: b.refundCents,
    problemDescription: b.problemDescription,
    dispute: b.dispute
      ? { openedAt: new Date(b.dispute.openedMs).toISOString(), reason: b.dispute.reason, amountCents: b.dispute.amountCents, status: b.dispute.status }
      : null,
    // Shown only once given (Business plan): a one-member business's answers are unchanged.
    ...(b.technicianId ? { technicianId: b.technicianId } : {}),
    ...(b.teamId ? { teamId: b.teamId } : {}),
    ...(b.assignment ? { assignment: b.assignment } : {}),
  };
}

export const presentHistory = (h: HistoryEntry[]) => h.map((e) => ({ at: new Date(e.atMs).toISOString(), type: e.type, actor: e.actor, data: e.data }));

function localDate(field: string, value: string | undefined) {
  if (value === undefined) return undefined;
  const date = parseLocalDate(value);
  if (!date) throw new ValidationError([{ field, message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." }]);
  return date;
}

/** The artisan's bookings: list, detail with history, cancel, move, and phone bookings. */
export function adminBookingRoutes(deps: { bookings: AdminBookings; useCases: UseCases }): AdminRoutes {
  const renderedAgendas = new WeakMap<readonly AgendaEntry[], { bookings: string; head: string; body: Buffer }>();
  return async (root) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const uc = deps.useCases;

    app.get(
      '/bookings',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Réservations (par date locale de rendez-vous, paginées)',
          querystring: Type.Object({
            from: Type.Optional(DateString),
            to: Type.Optional(DateString),
            status: Type.Optional(Type.Array(StringEnum(STATUSES), { description: 'Un ou plusieurs statuts (répéter le paramètre)' })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: PRINTABLE, description: 'Recherche : nom, e-mail ou téléphone du client, code de réservation' })),
            page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
            pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            updatedSince: Type.Optional(
              Type.String({ maxLength: 40, pattern: DATE_TIME_WITH_OFFSET, description: 'Synchronisation : les réservations modifiées depuis cet instant (ISO 8601 avec décalage), dans l’ordre de leur dernière modification (pagination par `cursor`, `page` ignoré)' }),
            ),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Synchronisation : la valeur `nextCursor` de la page précédente' })),
          }),
          response: {
            200: Type.Object({
              bookings: Type.Array(AdminBookingDto),
              page: Type.Integer(),
              pageSize: Type.Integer(),
              total: Type.Integer({ description: 'Synchronisation : ce qui reste à lire à partir de cette page' }),
              nextCursor: Type.Optional(
                Type.Union([Type.String(), Type.Null()], {
                  description: 'Synchronisation (avec `updatedSince` ou `cursor`) : à passer comme `cursor` ensuite ; une réservation créée ou modifiée pendant le parcours vient après',
                }),
              ),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const changes =
          q.updatedSince !== undefined || q.cursor !== undefined
            ? { ...(q.updatedSince !== undefined ? { sinceMs: Date.parse(q.updatedSince) } : {}), ...(q.cursor !== undefined ? { after: decodeCursor(q.cursor) } : {}) }
            : undefined;
        const { items, total, positions } = await deps.bookings.list({
          ...(changes ? { changes } : {}),
          artisanId: request.admin.artisanId,
          from: localDate('from', q.from),
          to: localDate('to', q.to),
          statuses: (q.status?.length ? q.status : [...STATUSES]) as ListedStatus[],
          search: q.q?.trim() || undefined,
          // A technician lists only the bookings given to them (src/app/member-roles.ts).
          ...(request.admin.role === 'technician' ? { technicianId: request.admin.memberId ?? '' } : {}),
          limit: q.pageSize,
          offset: (q.page - 1) * q.pageSize,
        });
        if (!changes) return { bookings: items.map(presentAdminBooking), page: q.page, pageSize: q.pageSize, total };
        const last = positions?.at(-1);
        return {
          bookings: items.map(presentAdminBooking),
          page: 1,
          pageSize: q.pageSize,
          total,
          // Nothing new: the same cursor again, to poll with later.
          nextCursor: last ? encodeCursor(last) : (q.cursor ?? null),
        };
      },
    );

    app.get(
      '/agenda',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Agenda de la semaine (du lundi au dimanche) en une requête',
          description: 'Les rendez-vous confirmés ou déplacés de la semaine qui contient `week` (dates locales de l’artisan ; par défaut la semaine en cours, avec `today`), par heure de début. Chaque rendez-vous en bref (ce que l’agenda affiche) ; le détail complet : GET /api/admin/bookings/{publicCode}.',
          querystring: Type.Object({ week: Type.Optional(DateString) }),
          response: {
            200: Type.Object({ from: Type.String(), to: Type.String(), today: Type.Optional(Type.String({ description: 'Sans `week` : la date du jour chez l’artisan' })), bookings: Type.Array(AgendaBookingDto) }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request, reply) => {
        const week = await deps.bookings.agenda(request.admin.artisanId, localDate('week', request.query.week));
        // The reader hands back the same bookings array while the week is unchanged (one
        // round trip answering "unchanged", migration 0020): the answer is written once, then
        // sent as it is, the same bytes. Weakly held: it goes with the reader's cache entry.
        const head = JSON.stringify({ from: dateText(week.from), to: dateText(week.to), ...(week.today ? { today: dateText(week.today) } : {}) });
        let rendered = renderedAgendas.get(week.bookings);
        if (rendered === undefined) rendered = { bookings: JSON.stringify(presentAgenda(week.bookings, week.from, week.timezone)), head: '', body: Buffer.alloc(0) };
        if (rendered.head !== head) {
          // The document the response schema describes, already serialised.
          rendered = { ...rendered, head, body: Buffer.from(`${head.slice(0, -1)},"bookings":${rendered.bookings}}`) };
          renderedAgendas.set(week.bookings, rendered);
        }
        // A Buffer with a JSON content type is sent as it is (Fastify skips its serializer), hence the cast.
        return reply.type('application/json; charset=utf-8').send(rendered.body as never);
      },
    );

    app.get(
      '/today',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'La journée de l’artisan (aujourd’hui chez lui) : chaque intervention en détail',
          description: 'Les rendez-vous confirmés ou déplacés du jour, par heure de début, avec l’adresse, le téléphone et le reste à encaisser ; `now` : l’heure du service, pour dire quelle intervention vient ensuite.',
          response: {
            200: Type.Object({ date: DateString, now: Type.String({ description: 'ISO 8601 (UTC)' }), bookings: Type.Array(TodayBookingDto) }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const day = await deps.bookings.today(request.admin.artisanId);
        return {
          date: dateText(day.today),
          now: new Date(day.nowMs).toISOString(),
          bookings: day.items.map((b) => ({ ...presentAdminBooking(b), amountDueCents: amountDueOnSite(b) })),
        };
      },
    );

    app.get(
      '/bookings/:publicCode',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Une réservation et son historique complet',
          params: CodeParams,
          response: {
            200: Type.Object({
              booking: AdminBookingDto,
              history: Type.Array(HistoryDto),
              consent: Type.Unsafe<{
                acceptedAt: string;
                termsVersion: string | null;
                refundPolicy: { tiers: { minHoursBefore: number; refundRate: number }[] };
                nextVisit?: true;
              } | null>({
                anyOf: [
                  Type.Object({
                    acceptedAt: Type.String(),
                    termsVersion: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
                    refundPolicy: Type.Object({ tiers: Type.Array(Type.Object({ minHoursBefore: Type.Number(), refundRate: Type.Number() })) }),
                    nextVisit: Type.Optional(Type.Literal(true, { description: '« Me proposer le prochain entretien » coché (absent sinon)' })),
                  }),
                  Type.Null(),
                ],
                description: "Consentement du client à la réservation en ligne : quand, version des conditions de vente, conditions d'annulation acceptées",
              }),
            }),
            ...errorResponses(401, 404),
          },
        },
      },
      async (request) => {
        const { booking, history } = await deps.bookings.get(request.admin.artisanId, request.params.publicCode);
        const consent = await uc.publicProfile.readConsent(request.admin.artisanId, booking.publicCode);
        return {
          booking: presentAdminBooking(booking),
          history: presentHistory(history),
          consent: consent
            ? {
                acceptedAt: formatInstant(consent.acceptedMs, booking.timezone),
                termsVersion: consent.termsVersion,
                refundPolicy: consent.refundPolicy,
                ...(consent.nextVisit ? { nextVisit: true as const } : {}),
              }
            : null,
        };
      },
    );

    app.post(
      '/bookings/:publicCode/cancel',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: "Annuler une réservation (par l'artisan : acompte intégralement remboursé ; pour le client : ses conditions d'annulation)",
          params: CodeParams,
          body: Type.Object({
            reason: Type.Optional(Type.String({ maxLength: 500, pattern: PRINTABLE })),
            onBehalfOfCustomer: Type.Boolean({
              default: false,
              description: "true : l'artisan enregistre l'annulation demandée par le client (un appel tardif) ; les conditions d'annulation du client s'appliquent, et l'historique le dit (onBehalfOfCustomer)",
            }),
          }),
          response: { 200: Type.Object({ booking: AdminBookingDto, refund: CancellationRefundDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const result = await uc.cancelBooking({
          publicCode: request.params.publicCode,
          artisanId: request.admin.artisanId,
          cancelledBy: 'artisan',
          onBehalfOfCustomer: request.body.onBehalfOfCustomer,
          actor: request.admin.actor,
          reason: request.body.reason?.trim() || undefined,
        });
        return { booking: presentAdminBooking(result.booking), refund: result.refund };
      },
    );

    app.post(
      '/bookings/:publicCode/reschedule',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Déplacer une réservation (mêmes règles que pour le client)',
          params: CodeParams,
          body: Type.Object({ newDate: DateString, newTime: TimeString }),
          response: { 200: Type.Object({ booking: AdminBookingDto }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({
        booking: presentAdminBooking(
          await uc.rescheduleBooking({ publicCode: request.params.publicCode, artisanId: request.admin.artisanId, actor: request.admin.actor, ...request.body }),
        ),
      }),
    );

    app.post(
      '/bookings',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Saisir une réservation prise par téléphone (acompte facultatif, e-mail facultatif)',
          description:
            'Sans e-mail, le téléphone est obligatoire : la confirmation part par SMS (abonnement avec SMS et `notifications.sms`) ou pas du tout, et le client ne peut pas retrouver sa réservation par code + e-mail (le lien de gestion du SMS l’ouvre). ' +
            'Une heure que la page ne propose pas répond 400 SLOT_NOT_OFFERED avec la raison (details, champ `time`) ; `force: true` la place quand même, jamais sur un autre rendez-vous ni un événement d’agenda (409 SLOT_UNAVAILABLE).',
          body: AdminCreateBookingBody,
          response: { 201: Type.Object({ booking: AdminBookingDto }), 202: Type.Object({ booking: AdminBookingDto }), ...errorResponses(400, 401, 402, 403, 409, 422, 503) },
        },
      },
      async (request, reply) => {
        const { collectDeposit, force, ...body } = request.body;
        const created = await uc.createBooking({ ...body, artisanId: request.admin.artisanId }, { actor: request.admin.actor, collectDeposit, force });
        // A card asking for 3-D Secure cannot be authenticated by the artisan: the slot stays
        // held (pending) until the hold expires; the artisan books without deposit instead.
        return reply.status(created.challenge ? 202 : 201).send({ booking: presentAdminBooking(created.booking) });
      },
    );

    app.get(
      '/customers/export',
      {
        config: { adminAccess: 'export' },
        schema: {
          summary: "Tout ce qui est conservé sur un client (droit d'accès RGPD)",
          description: 'Le client par son e-mail, ou par son téléphone s’il n’en a pas (réservation prise par téléphone). Les notes privées de l’artisan n’en font pas partie.',
          querystring: CustomerQuery,
          response: {
            200: Type.Object({
              email: Type.Optional(Type.String()),
              phone: Type.Optional(Type.String()),
              bookings: Type.Array(Type.Object({ booking: AdminBookingDto, history: Type.Array(HistoryDto) })),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const { ref } = customerRefFrom(request.query);
        const found = await deps.bookings.exportCustomer(request.admin.artisanId, ref);
        return {
          ...ref,
          bookings: found.map((f) => ({ booking: presentAdminBooking(f.booking), history: presentHistory(f.history) })),
        };
      },
    );

    app.post(
      '/customers/erase',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: "Effacer les données personnelles d'un client (RGPD) en gardant les pièces comptables",
          description: 'Le client par son e-mail, ou par son téléphone s’il n’en a pas.',
          body: CustomerQuery,
          response: { 200: Type.Object({ erasedBookings: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => ({ erasedBookings: await deps.bookings.eraseCustomer(request.admin.artisanId, customerRefFrom(request.body).ref, request.admin.actor) }),
    );
  };
}
