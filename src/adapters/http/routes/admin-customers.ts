import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AdminBookings } from '../../../app/admin-bookings.ts';
import { NOTE_MAX_LENGTH, type Customers } from '../../../app/customers.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { CodeParams, MULTILINE_TEXT, PRINTABLE, errorResponses } from '../schemas.ts';
import { AdminBookingDto, CustomerQuery, presentAdminBooking } from './admin-bookings.ts';

/**
 * The artisan's customers: the lookup of the new-booking form, the customer file, and the
 * private notes on a booking and on a customer. Notes are read and written here only: no
 * public route, manage page, message, .ics or export carries them.
 */

const nullableString = (options: Record<string, unknown> = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
const AddressDto = Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String() });
const NoteBody = Type.Object({
  note: nullableString({ maxLength: NOTE_MAX_LENGTH, pattern: MULTILINE_TEXT, description: 'Note privée (jamais montrée au client) ; vide ou null l’efface' }),
});
const NoteDto = Type.Object({ note: nullableString({ description: 'Note privée de l’artisan, jamais montrée au client' }) });

export function adminCustomerRoutes(deps: { customers: Customers; bookings: AdminBookings }): AdminRoutes {
  return async (root) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/customers',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'Retrouver un client déjà venu, pendant la saisie (nom, e-mail ou téléphone)',
          description:
            'Les clients de l’artisan (un par e-mail, ou par téléphone sans e-mail) dont une réservation correspond, les plus récents d’abord, avec leurs dernières coordonnées. Le téléphone se tape sous toutes ses formes courantes (06 11 22 33 44, 0611223344, +33 6 11 22 33 44, 0033…, avec des points) ou en partie. Moins de 2 caractères : aucune suggestion.',
          querystring: Type.Object({ q: Type.String({ maxLength: 100, pattern: PRINTABLE }) }),
          response: {
            200: Type.Object({
              customers: Type.Array(
                Type.Object({
                  name: Type.String(),
                  email: nullableString(),
                  phone: nullableString({ description: 'E.164' }),
                  address: Type.Unsafe<{ street: string; postalCode: string; city: string } | null>({ ...AddressDto, type: ['object', 'null'] }),
                  lastVisitDate: Type.String({ description: 'Date locale du dernier rendez-vous (AAAA-MM-JJ)' }),
                  visits: Type.Integer(),
                }),
              ),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const found = await deps.customers.lookup(request.admin.artisanId, request.query.q);
        return {
          customers: found.map((c) => ({
            name: c.name,
            email: c.email,
            phone: c.phone,
            address: c.address,
            lastVisitDate: c.lastVisitDate,
            visits: c.visits,
          })),
        };
      },
    );

    app.get(
      '/customers/file',
      {
        config: { adminAccess: 'bookings:read' },
        schema: {
          summary: 'La fiche d’un client : ses rendez-vous à venir et passés, montants et issues, sa note',
          description: 'Toutes les réservations avec le même e-mail ou le même téléphone (donnez l’un, l’autre ou les deux). `note` : la note privée sur le client (par e-mail, ou par téléphone sans e-mail).',
          querystring: CustomerQuery,
          response: {
            200: Type.Object({
              customer: Type.Object({
                name: Type.String(),
                email: Type.Optional(Type.String()),
                phone: Type.Optional(Type.String()),
                address: Type.Optional(AddressDto),
              }),
              note: nullableString({ description: 'Note privée, jamais montrée au client' }),
              upcoming: Type.Array(AdminBookingDto, { description: 'À venir, le plus proche d’abord' }),
              past: Type.Array(AdminBookingDto, { description: 'Passés (annulés compris), le plus récent d’abord' }),
              totals: Type.Object({
                visits: Type.Integer({ description: 'Rendez-vous honorés ou à venir (hors annulés)' }),
                cancelled: Type.Integer(),
                billedCents: Type.Integer({ description: 'Prix des rendez-vous non annulés' }),
                depositsCents: Type.Integer({ description: 'Acomptes encaissés ou autorisés' }),
                refundedCents: Type.Integer({ description: 'Remboursé au client' }),
              }),
            }),
            ...errorResponses(400, 401, 404),
          },
        },
      },
      async (request) => {
        const file = await deps.customers.file(request.admin.artisanId, request.query);
        const all = [...file.upcoming, ...file.past];
        const kept = all.filter((b) => b.status !== 'cancelled');
        const c = file.customer;
        return {
          customer: { name: c.name, ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}), ...(c.address ? { address: c.address } : {}) },
          note: file.note,
          upcoming: file.upcoming.map(presentAdminBooking),
          past: file.past.map(presentAdminBooking),
          totals: {
            visits: kept.length,
            cancelled: all.length - kept.length,
            billedCents: kept.reduce((sum, b) => sum + b.priceCents, 0),
            depositsCents: all.filter((b) => b.paymentStatus === 'captured' || b.paymentStatus === 'authorized' || b.paymentStatus === 'refunded').reduce((sum, b) => sum + b.depositCents, 0),
            refundedCents: all.reduce((sum, b) => sum + b.refundedCents, 0),
          },
        };
      },
    );

    app.put(
      '/customers/note',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Écrire la note privée sur un client (jamais montrée au client)',
          body: Type.Object({ ...CustomerQuery.properties, ...NoteBody.properties }),
          response: { 200: NoteDto, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { note, ...who } = request.body;
        return { note: await deps.customers.writeCustomerNote(request.admin.artisanId, who, note) };
      },
    );

    app.get(
      '/bookings/:publicCode/note',
      {
        config: { adminAccess: 'bookings:read' },
        schema: { summary: 'La note privée sur une réservation', params: CodeParams, response: { 200: NoteDto, ...errorResponses(401, 404) } },
      },
      async (request) => {
        const { booking } = await deps.bookings.get(request.admin.artisanId, request.params.publicCode);
        return { note: await deps.customers.readBookingNote(request.admin.artisanId, booking) };
      },
    );

    app.put(
      '/bookings/:publicCode/note',
      {
        config: { adminAccess: 'bookings:write' },
        schema: {
          summary: 'Écrire la note privée sur une réservation (jamais montrée au client)',
          params: CodeParams,
          body: NoteBody,
          response: { 200: NoteDto, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => ({ note: await deps.customers.writeBookingNote(request.admin.artisanId, request.params.publicCode, request.body.note) }),
    );
  };
}
