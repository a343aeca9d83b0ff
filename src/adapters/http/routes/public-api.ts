import type { BookingRecord } from '../../../domain/booking.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ValidationError, AppError, NotFoundError, bookingNotFound } from '../../../domain/errors.ts';
import type { BusinessResolver } from '../business.ts';
import { parseLocalDate } from '../../../domain/time.ts';
import type { UseCases } from '../use-cases.ts';
import { SCHEMA_REFUSAL, errorBody, statusOf, validationDetails, type AjvIssue } from '../errors.ts';
import { mergeDetails } from '../../../app/booking-fields.ts';
import { presentAvailability, presentBooking, presentCreated, presentService } from '../presenters.ts';
import type { PaymentLocator } from '../../../app/confirm-payment.ts';
import type { CreateBookingResult } from '../../../app/create-booking.ts';
import { byProof, type RateLimiters } from '../rate-limits.ts';
import { phoneForReading } from '../../../domain/phone-format.ts';
import {
  AvailabilityDaysDto,
  AvailabilityDto,
  PublicArtisanDto,
  BookingDto,
  CancelBody,
  CancellationRefundDto,
  CodeParams,
  ConfirmPaymentBody,
  CreateBookingBody,
  PaymentChallengeDto,
  DateString,
  Email,
  ManageToken,
  PublicCode,
  RescheduleBody,
  ServiceDto,
  ServiceId,
  errorResponses,
} from '../schemas.ts';

export interface PublicApiDeps {
  useCases: UseCases;
  limits: RateLimiters;
  clock: { now(): number };
  /** Which provider takes deposits: said in the 202 answer, so the front knows how to run the challenge. */
  paymentProvider: 'stripe' | 'simulated';
  /** Which business a request is for (its path prefix, its host name, or the instance's only one). */
  business: BusinessResolver;
}

/** Where the intervention takes place (issue 20): required when the business routes by zone. */
const Postcode = Type.String({
  pattern: '^[0-9]{5}$',
  description:
    "Code postal du lieu d'intervention. Obligatoire quand l'entreprise répartit ses techniciens par zone (400 VALIDATION_ERROR sans lui) ; un code postal que personne ne couvre : 422 POSTCODE_NOT_COVERED, avec le téléphone de l'entreprise dans le message. Ignoré sinon.",
});

/** A body already serialised by the route's response schema (Fastify sends a JSON string as is). */
const sendJson = (reply: FastifyReply, json: string): FastifyReply => reply.type('application/json; charset=utf-8').send(json);

const BookingLinksDto = Type.Object({
  manage: Type.String({ description: 'Lien de gestion signé (celui des e-mails)' }),
  calendar: Type.String({ description: 'Le rendez-vous au format .ics' }),
});

export async function publicApi(root: FastifyInstance, deps: PublicApiDeps): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { useCases: uc, limits } = deps;
  const proofLimit = byProof(limits);
  const business = (request: Parameters<BusinessResolver['required']>[0]) => deps.business.required(request);
  // A booking reached through a business's address (/{slug}/api/bookings/…, its host name) must
  // be that business's: another's code answers exactly as a code that does not exist (and a
  // manage link is read within the business: GET /api/bookings/manage).
  app.addHook('preHandler', async (request) => {
    const code = (request.params as { publicCode?: string } | undefined)?.publicCode ?? (request.query as { code?: string } | undefined)?.code;
    if (code === undefined) return;
    const named = await deps.business.named(request);
    if (named !== undefined && !(await deps.business.hasCode(named, code.trim().toUpperCase()))) throw bookingNotFound();
  });
  /**
   * The manage link and the .ics of a booking, for whoever just proved they are its customer:
   * the page that booked shows them right away (the e-mail has them too), and a code + e-mail
   * lookup hands the page the link's token, so that browsing days to move the booking counts
   * against the browsing budget, not the guessing limit (rate-limits.ts, byProof).
   */
  const links = (booking: BookingRecord) => ({
    manage: uc.manageUrl(booking),
    // Both callers hold a booking with an e-mail (made online, or found by it).
    calendar: `/api/bookings/${booking.publicCode}/ics?email=${encodeURIComponent(booking.customer.email ?? '')}`,
  });
  // The two reads every booking page starts with: the use cases hand back the same object while
  // nothing changed (checked against the database on each request), so its JSON is kept too.
  const servicesJson = new WeakMap<object, string>();
  const availabilityJson = new WeakMap<object, string>();

  app.get(
    '/api/services',
    {
      onRequest: limits.business.read,
      schema: {
        tags: ['Réservation'],
        summary: 'Liste des prestations actives',
        response: { 200: Type.Object({ services: Type.Array(ServiceDto) }), ...errorResponses(429, 500) },
      },
    },
    async (request, reply) => {
      const services = await uc.listServices(await business(request));
      let json = servicesJson.get(services);
      if (json === undefined) servicesJson.set(services, (json = String(reply.serialize({ services: services.map(presentService) }))));
      return sendJson(reply, json);
    },
  );

  app.get(
    '/api/availability',
    {
      onRequest: limits.business.read,
      schema: {
        tags: ['Réservation'],
        summary: "Créneaux d'une prestation pour une date",
        querystring: Type.Object({ serviceId: ServiceId, date: DateString, postcode: Type.Optional(Postcode) }),
        response: { 200: AvailabilityDto, ...errorResponses(400, 404, 422, 429, 500) },
      },
    },
    async (request, reply) => {
      const date = parseLocalDate(request.query.date);
      if (!date) throw new ValidationError([{ field: 'date', message: "Cette date n'existe pas ou sort des années acceptées (1900 à 2999)." }]);
      const availability = await uc.getAvailability({ artisanId: await business(request), serviceId: request.query.serviceId, date, postcode: request.query.postcode });
      let json = availabilityJson.get(availability);
      if (json === undefined) availabilityJson.set(availability, (json = String(reply.serialize(presentAvailability(availability)))));
      return sendJson(reply, json);
    },
  );

  app.get(
    '/api/artisan',
    {
      onRequest: limits.business.read,
      schema: {
        tags: ['Réservation'],
        summary: "L'artisan : nom, métier, téléphone, fuseau, SMS proposés, conditions de vente",
        response: { 200: Type.Object({ artisan: PublicArtisanDto }), ...errorResponses(404, 429, 500) },
      },
    },
    async (request) => {
      const artisan = await uc.publicProfile.profile(await business(request));
      // Formatted here: the customer's pages do not load the numbering plans (phone-format.ts).
      return { artisan: { ...artisan, phoneText: artisan.phone ? phoneForReading(artisan.phone) : null } };
    },
  );

  const parseRange = (from: string, to: string) => {
    const f = parseLocalDate(from);
    const t = parseLocalDate(to);
    const details = [];
    if (!f) details.push({ field: 'from', message: "Cette date n'existe pas." });
    if (!t) details.push({ field: 'to', message: "Cette date n'existe pas." });
    if (!f || !t) throw new ValidationError(details);
    return { from: f, to: t };
  };

  app.get(
    '/api/availability/days',
    {
      onRequest: limits.business.read,
      schema: {
        tags: ['Réservation'],
        summary: 'Calendrier : créneaux libres de chaque jour (au plus 62 jours)',
        description: "Pour chaque jour de `from` à `to` inclus : le nombre de créneaux libres et l'heure du premier. Une seule lecture de la base pour toute la période.",
        querystring: Type.Object({ serviceId: ServiceId, from: DateString, to: DateString, postcode: Type.Optional(Postcode) }),
        response: { 200: AvailabilityDaysDto, ...errorResponses(400, 404, 422, 429, 500) },
      },
    },
    async (request) =>
      uc.getAvailabilityDays({
        artisanId: await business(request),
        serviceId: request.query.serviceId,
        postcode: request.query.postcode,
        ...parseRange(request.query.from, request.query.to),
      }),
  );

  const Who = { email: Type.Optional(Email), token: Type.Optional(ManageToken) };

  app.get(
    '/api/bookings/:publicCode/availability',
    {
      onRequest: proofLimit,
      schema: {
        tags: ['Réservation'],
        summary: "Créneaux pour déplacer sa réservation (sa propre prestation, même archivée)",
        params: CodeParams,
        querystring: Type.Object({ date: DateString, ...Who }),
        response: { 200: AvailabilityDto, ...errorResponses(400, 404, 410, 429, 500) },
      },
    },
    async (request) => {
      const booking = await uc.customerAccess.booking(request.params.publicCode, request.query);
      const date = parseLocalDate(request.query.date);
      if (!date) throw new ValidationError([{ field: 'date', message: "Cette date n'existe pas." }]);
      return presentAvailability(
        await uc.getAvailability({
          artisanId: booking.artisanId,
          serviceId: booking.serviceId,
          date,
          asArtisan: true,
          postcode: booking.customer.address?.postalCode,
          // A booking given to a technician moves on their time line (they keep it).
          ...(booking.technicianId ? { technicianId: booking.technicianId } : {}),
        }),
      );
    },
  );

  app.get(
    '/api/bookings/:publicCode/availability/days',
    {
      onRequest: proofLimit,
      schema: {
        tags: ['Réservation'],
        summary: 'Calendrier pour déplacer sa réservation (sa propre prestation, même archivée)',
        params: CodeParams,
        querystring: Type.Object({ from: DateString, to: DateString, ...Who }),
        response: { 200: AvailabilityDaysDto, ...errorResponses(400, 404, 410, 429, 500) },
      },
    },
    async (request) => {
      const booking = await uc.customerAccess.booking(request.params.publicCode, request.query);
      return uc.getAvailabilityDays({
        artisanId: booking.artisanId,
        serviceId: booking.serviceId,
        asArtisan: true,
        postcode: booking.customer.address?.postalCode,
        ...(booking.technicianId ? { technicianId: booking.technicianId } : {}),
        ...parseRange(request.query.from, request.query.to),
      });
    },
  );

  app.post(
    '/api/bookings',
    {
      onRequest: limits.business.create,
      // A refused body still reaches the handler, which adds the booking's own checks to the
      // schema's: the customer reads every problem in one answer (issue 23 item 5).
      attachValidation: true,
      schema: {
        tags: ['Réservation'],
        summary: 'Réserver un créneau avec acompte',
        description:
          "Crée la réservation après autorisation de l'acompte. En-tête facultatif `Idempotency-Key` : la même clé avec le même corps renvoie la première réponse pendant 24 h.",
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        body: CreateBookingBody,
        response: {
          201: Type.Object({ booking: BookingDto, links: Type.Optional(BookingLinksDto) }),
          202: Type.Object(
            { booking: BookingDto, payment: PaymentChallengeDto, links: Type.Optional(BookingLinksDto) },
            { description: 'Authentification 3-D Secure à terminer ; le créneau est retenu jusqu’à holdExpiresAt' },
          ),
          ...errorResponses(400, 402, 409, 413, 415, 422, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const artisanId = await business(request);
      if (request.validationError) {
        const refused = validationDetails((request.validationError.validation ?? []) as AjvIssue[], request.validationError.validationContext);
        throw new ValidationError(mergeDetails(refused, await uc.checkBookingFields(artisanId, request.body as unknown)), SCHEMA_REFUSAL);
      }
      const key = request.headers['idempotency-key'];
      const { consent, ...body } = request.body;
      const input = { ...body, artisanId };
      const created = (result: CreateBookingResult) => {
        const { status, body } = presentCreated(result, deps.paymentProvider);
        return { status, body: { ...body, links: links(result.booking) } };
      };
      // The terms accepted are checked against the current ones in the booking's read step; the
      // consent is written with the hold, in its transaction.
      if (key === undefined) {
        const { status, body } = created(await uc.createBooking(input, undefined, { consent }));
        return reply.status(status).send(body);
      }
      const answer = await uc.createBookingIdempotently({ key, body: request.body, input, consent }, { created, refusal: recordedRefusal });
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return sendRecorded(reply, answer);
    },
  );

  app.post(
    '/api/bookings/:publicCode/payment/confirm',
    {
      onRequest: limits.manage,
      schema: {
        tags: ['Réservation'],
        summary: "Où en est le paiement de l'acompte (après 3-D Secure)",
        description:
          "À appeler après l'authentification 3-D Secure. 200 : réservation confirmée (aussi si le webhook l'a confirmée avant) ; 202 : authentification toujours en attente ; 402 : authentification échouée (créneau libéré) ; 409 PAYMENT_HOLD_EXPIRED : délai dépassé (créneau libéré, rien de débité).",
        params: CodeParams,
        body: ConfirmPaymentBody,
        response: {
          200: Type.Object({ booking: BookingDto }),
          202: Type.Object({ booking: BookingDto, payment: PaymentChallengeDto }),
          ...errorResponses(400, 402, 404, 409, 410, 429, 500, 503),
        },
      },
    },
    async (request, reply) => {
      const claim = await uc.customerAccess.claim(request.params.publicCode, request.body);
      const locator: PaymentLocator = claim.booking ? { publicCode: claim.publicCode, bookingId: claim.booking.id } : claim;
      const { status, body } = presentCreated(await uc.confirmPayment(locator), deps.paymentProvider);
      return status === 201 ? reply.status(200).send(body) : reply.status(202).send(body);
    },
  );

  app.get(
    '/api/bookings/public',
    {
      onRequest: limits.manage,
      schema: {
        tags: ['Réservation'],
        summary: 'Consulter sa réservation (code + e-mail)',
        querystring: Type.Object({ code: PublicCode, email: Email }),
        response: { 200: Type.Object({ booking: BookingDto, links: BookingLinksDto }), ...errorResponses(400, 404, 429, 500) },
      },
    },
    async (request) => {
      const booking = await uc.findBooking({ publicCode: request.query.code, email: request.query.email });
      return { booking: presentBooking(booking, { withAddress: true, nowMs: deps.clock.now() }), links: links(booking) };
    },
  );

  app.get(
    '/api/bookings/:publicCode/ics',
    {
      onRequest: proofLimit,
      schema: {
        tags: ['Réservation'],
        summary: 'Télécharger sa réservation pour son agenda (.ics)',
        description: 'Même contrôle que la consultation : code + e-mail de la réservation, même réponse 404 et même limite de requêtes.',
        params: CodeParams,
        querystring: Type.Object({ email: Email }),
        response: { 200: Type.String({ description: 'text/calendar' }), ...errorResponses(400, 404, 429, 500) },
      },
    },
    async (request, reply) => {
      const ics = await uc.bookingIcs({ publicCode: request.params.publicCode, email: request.query.email });
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="rendez-vous.ics"')
        .header('cache-control', 'private, no-store')
        .send(ics);
    },
  );

  app.get(
    '/api/calendar/:file',
    {
      onRequest: limits.read,
      schema: {
        tags: ['Calendrier'],
        summary: "Flux privé des rendez-vous de l'artisan (abonnement iCalendar)",
        description:
          "L'adresse complète, sous l'adresse propre de l'entreprise, est donnée par GET /api/admin/calendar-feed ; une adresse inconnue ou remplacée, ou le flux d'une autre entreprise, répond 404.",
        params: Type.Object({ file: Type.String({ maxLength: 100 }) }),
        response: { 200: Type.String({ description: 'text/calendar' }), ...errorResponses(404, 429, 500) },
      },
    },
    async (request, reply) => {
      const token = /^([A-Za-z0-9_-]{43})\.ics$/.exec(request.params.file)?.[1];
      // Under a business's address (its slug or host name), only that business's feed opens.
      const ics = token ? await uc.calendarFeed(token, await deps.business.named(request)) : undefined;
      if (ics === undefined) throw new NotFoundError('NOT_FOUND', "Cette adresse n'existe pas.");
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('x-robots-tag', 'noindex')
        .send(ics);
    },
  );

  app.get(
    '/api/bookings/manage',
    {
      onRequest: proofLimit,
      schema: {
        tags: ['Réservation'],
        summary: 'Consulter sa réservation (lien de gestion)',
        description: "Le jeton signé du lien reçu par e-mail ou SMS remplace le code et l'adresse e-mail. Jeton modifié : 400 MANAGE_LINK_INVALID ; expiré : 410 MANAGE_LINK_EXPIRED.",
        querystring: Type.Object({ token: ManageToken }),
        response: { 200: Type.Object({ booking: BookingDto }), ...errorResponses(400, 404, 410, 429, 500) },
      },
    },
    async (request) => {
      // Under a business's address, another business's link opens nothing: the same query, the same 404, as a link to no booking.
      const booking = await uc.findBookingByToken(request.query.token, await deps.business.named(request));
      return { booking: presentBooking(booking, { withAddress: true, nowMs: deps.clock.now() }) };
    },
  );

  /** Who may change the booking in the path: its customer's e-mail, or a manage link's token for it. */
  const identify = async (publicCode: string, proof: { email?: string; token?: string }) => {
    const claim = await uc.customerAccess.claim(publicCode, proof);
    return claim.booking ? { publicCode: claim.publicCode, bookingId: claim.booking.id } : { publicCode: claim.publicCode, email: claim.email };
  };

  app.post(
    '/api/bookings/:publicCode/cancel',
    {
      onRequest: limits.manage,
      schema: {
        tags: ['Réservation'],
        summary: 'Annuler sa réservation',
        description: "Applique la politique de remboursement de l'acompte de la prestation.",
        params: CodeParams,
        body: CancelBody,
        response: {
          200: Type.Object({
            booking: BookingDto,
            refund: CancellationRefundDto,
          }),
          ...errorResponses(400, 404, 409, 410, 429, 500),
        },
      },
    },
    async (request) => {
      const result = await uc.cancelBooking(await identify(request.params.publicCode, request.body));
      return { booking: presentBooking(result.booking), refund: result.refund };
    },
  );

  app.post(
    '/api/bookings/:publicCode/reschedule',
    {
      onRequest: limits.manage,
      schema: {
        tags: ['Réservation'],
        summary: 'Déplacer sa réservation',
        params: CodeParams,
        body: RescheduleBody,
        response: { 200: Type.Object({ booking: BookingDto }), ...errorResponses(400, 404, 409, 410, 429, 500) },
      },
    },
    async (request) => {
      const { newDate, newTime } = request.body;
      return { booking: presentBooking(await uc.rescheduleBooking({ ...(await identify(request.params.publicCode, request.body)), newDate, newTime })) };
    },
  );
}

/** A recorded answer goes out as it was first sent: its status is any of the route's. */
function sendRecorded(reply: FastifyReply, answer: { status: number; body: unknown }): FastifyReply {
  return reply.status(answer.status).send(answer.body);
}

/** A refusal a retry with the same Idempotency-Key must see again (4xx); faults are not kept. */
function recordedRefusal(error: unknown): { status: number; body: unknown } | undefined {
  if (!(error instanceof AppError) || statusOf(error) >= 500) return undefined;
  return { status: statusOf(error), body: errorBody(error.code, error.message, error.details) };
}
