import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CalendarConnection } from '../../../app/ports/calendars.ts';
import type { CalendarConnections } from '../../../app/calendar-connections.ts';
import type { CalendarFeed } from '../../../app/calendar-feed.ts';
import type { SyncReport } from '../../../app/calendar-sync.ts';
import { AppError } from '../../../domain/errors.ts';
import { formatInstant } from '../../../domain/time.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { IdParams, adminErrors } from '../admin-schemas.ts';
import { PRINTABLE, StringEnum } from '../schemas.ts';

const nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);
const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: PRINTABLE });

const ConnectionBody = Type.Object({
  providerId: StringEnum(['ics', 'caldav', 'google', 'outlook'] as const),
  name: Type.String({ minLength: 1, maxLength: 80, pattern: PRINTABLE }),
  url: Type.Optional({ ...Url, description: "ics : l'adresse iCal secrète (https:// ou webcal://)" }),
  serverUrl: Type.Optional({ ...Url, description: 'caldav : adresse du serveur (ex. https://caldav.icloud.com/)' }),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: PRINTABLE })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'caldav : mot de passe (iCloud : mot de passe pour app). Jamais renvoyé.' })),
  calendarUrl: Type.Optional({ ...Url, description: "caldav : l'agenda à utiliser ; absent, il est découvert" }),
  writeBookings: Type.Optional(Type.Boolean({ description: 'caldav, google, outlook : y écrire les rendez-vous (google, outlook : oui par défaut)' })),
});
const ConnectionPatchBody = Type.Partial(Type.Omit(ConnectionBody, ['providerId']));

const CountsDto = Type.Object({ blocks: Type.Integer(), ownEvents: Type.Integer(), windowStart: Type.String(), windowEnd: Type.String() });
const ConnectionDto = Type.Object({
  id: Type.String(),
  providerId: Type.String(),
  name: Type.String(),
  writeBookings: Type.Boolean(),
  settings: Type.Object({
    host: Type.Optional(Type.String()),
    serverUrl: Type.Optional(Type.String()),
    username: Type.Optional(Type.String()),
    calendarUrl: Type.Optional(Type.String()),
  }),
  sync: Type.Object({
    lastAttemptAt: nullable(Type.String()),
    lastSuccessAt: nullable(Type.String()),
    nextSyncAt: Type.String(),
    lastError: nullable(Type.String()),
    lastErrorAt: nullable(Type.String()),
    lastExportError: nullable(Type.String()),
    counts: Type.Union([CountsDto, Type.Null()]),
  }),
  createdAt: Type.String(),
});
const ReportDto = Type.Object({ ok: Type.Boolean(), error: nullable(Type.String()), counts: Type.Union([CountsDto, Type.Null()]) });

/** What the artisan sees of a connection: everything but its credentials (and the ICS secret path). */
export function presentConnection(c: CalendarConnection) {
  const at = (ms: number | null) => (ms === null ? null : formatInstant(ms, c.timezone));
  return {
    id: c.id,
    providerId: c.kind,
    name: c.name,
    writeBookings: c.writeBookings,
    settings: {
      ...(c.settings.host ? { host: c.settings.host } : {}),
      ...(c.settings.serverUrl ? { serverUrl: c.settings.serverUrl } : {}),
      ...(c.settings.username ? { username: c.settings.username } : {}),
      ...(c.settings.calendarUrl ? { calendarUrl: c.settings.calendarUrl } : {}),
    },
    sync: {
      lastAttemptAt: at(c.lastAttemptMs),
      lastSuccessAt: at(c.lastSuccessMs),
      nextSyncAt: formatInstant(c.nextSyncMs, c.timezone),
      lastError: c.lastError,
      lastErrorAt: at(c.lastErrorMs),
      lastExportError: c.lastExportError,
      counts: presentCounts(c, c.lastCounts),
    },
    createdAt: formatInstant(c.createdMs, c.timezone),
  };
}

const presentCounts = (c: CalendarConnection, counts: CalendarConnection['lastCounts']) =>
  counts
    ? { blocks: counts.blocks, ownEvents: counts.ownEvents, windowStart: formatInstant(counts.windowStartMs, c.timezone), windowEnd: formatInstant(counts.windowEndMs, c.timezone) }
    : null;

const presentReport = (c: CalendarConnection, r: SyncReport) => ({ ok: r.ok, error: r.error, counts: presentCounts(c, r.counts) });

/** Connected calendars (paths relative to /api/admin). */
export function adminCalendarRoutes(deps: { calendars: CalendarConnections; feed: CalendarFeed; timezoneOf(artisanId: string): Promise<string> }): AdminRoutes {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    const FeedDto = Type.Object({
      url: Type.String({ description: "Adresse privée à donner à l'application d'agenda (abonnement)" }),
      createdAt: Type.String(),
      rotatedAt: nullable(Type.String()),
      lastReadAt: nullable(Type.String()),
    });
    const presentFeed = async (artisanId: string, f: Awaited<ReturnType<CalendarFeed['get']>>) => {
      const zone = await deps.timezoneOf(artisanId);
      const at = (ms: number | null) => (ms === null ? null : formatInstant(ms, zone));
      return { url: f.url, createdAt: formatInstant(f.createdMs, zone), rotatedAt: at(f.rotatedMs), lastReadAt: at(f.lastReadMs) };
    };

    app.get(
      '/calendar-feed',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Adresse privée du flux de mes rendez-vous (.ics)',
          description:
            "Tout rendez-vous confirmé y figure (prestation, coordonnées du client, adresse, code). Quiconque a l'adresse voit ces informations : en cas de doute, changez-la (POST /api/admin/calendar-feed/rotate).",
          response: { 200: FeedDto, ...adminErrors(401) },
        },
      },
      async (request) => presentFeed(request.admin.artisanId, await deps.feed.get(request.admin.artisanId)),
    );

    app.post(
      '/calendar-feed/rotate',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Changer l’adresse du flux (l’ancienne cesse de fonctionner)',
          response: { 200: FeedDto, ...adminErrors(401) },
        },
      },
      async (request) => presentFeed(request.admin.artisanId, await deps.feed.rotate(request.admin.artisanId)),
    );

    app.get(
      '/calendars',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Calendriers connectés et état de leur synchronisation',
          response: {
            200: Type.Object({
              calendars: Type.Array(ConnectionDto),
              connectable: Type.Object(
                { google: Type.Boolean(), outlook: Type.Boolean() },
                { description: 'Connexions par autorisation (OAuth) que ce serveur propose : GOOGLE_CLIENT_ID, MICROSOFT_CLIENT_ID configurés' },
              ),
            }),
            ...adminErrors(401),
          },
        },
      },
      async (request) => ({ calendars: (await deps.calendars.list(request.admin.artisanId)).map(presentConnection), connectable: deps.calendars.connectable() }),
    );

    app.post(
      '/calendars',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Connecter un calendrier (abonnement iCal ou CalDAV) et l’importer aussitôt',
          description: "Refusé (409 PLAN_LIMIT_REACHED) au-delà du nombre de calendriers de l'abonnement. Les identifiants ne sont jamais renvoyés.",
          body: ConnectionBody,
          response: {
            201: Type.Object({
              calendar: ConnectionDto,
              sync: ReportDto,
              authorizationUrl: Type.Optional(Type.String({ description: "google, outlook : l'adresse où l'artisan donne son accord (OAuth) ; la connexion se termine au retour" })),
            }),
            ...adminErrors(400, 401, 409),
          },
        },
      },
      async (request, reply) => {
        const { connection, report, authorizationUrl } = await deps.calendars.create(request.admin.artisanId, request.body);
        return reply
          .status(201)
          .send({ calendar: presentConnection(connection), sync: presentReport(connection, report), ...(authorizationUrl ? { authorizationUrl } : {}) });
      },
    );

    app.get(
      '/calendars/oauth/:provider/callback',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Retour de l’autorisation Google ou Microsoft (OAuth) : termine la connexion et importe le calendrier',
          params: Type.Object({ provider: StringEnum(['google', 'outlook'] as const) }),
          querystring: Type.Object({
            code: Type.Optional(Type.String({ maxLength: 2000 })),
            state: Type.Optional(Type.String({ maxLength: 200 })),
            error: Type.Optional(Type.String({ maxLength: 200 })),
          }),
          description:
            "Appelée par le navigateur au retour de Google ou Microsoft (Accept: text/html) : redirige vers l'écran Calendriers de l'espace artisan, avec `connexion=ok` ou `connexion=erreur` et le message. Sinon, répond en JSON.",
          response: { 200: Type.Object({ calendar: ConnectionDto, sync: ReportDto }), ...adminErrors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const browser = /text\/html/.test(request.headers.accept ?? '');
        if (!browser) {
          const { connection, report } = await deps.calendars.completeOAuth(request.admin.artisanId, request.params.provider, request.query);
          return { calendar: presentConnection(connection), sync: presentReport(connection, report) };
        }
        // Back to the screen, which says how it went (the answer is a page, not JSON).
        const back = (params: Record<string, string>) => reply.redirect(`/admin/calendriers?${new URLSearchParams(params).toString()}`, 303);
        try {
          const { connection, report } = await deps.calendars.completeOAuth(request.admin.artisanId, request.params.provider, request.query);
          return back({ connexion: 'ok', nom: connection.name, ...(report.ok ? {} : { message: report.error ?? '' }) });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return back({ connexion: 'erreur', message: error.details?.[0]?.message ?? error.message });
        }
      },
    );

    app.patch(
      '/calendars/:id',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Modifier un calendrier connecté (nom, adresse, identifiants, écriture des rendez-vous)',
          description: 'Une nouvelle adresse ou de nouveaux identifiants sont lus aussitôt : `sync` dit ce qui a été importé ou l’erreur (absent si une synchronisation était déjà en cours ; elle est alors refaite juste après).',
          params: IdParams,
          body: ConnectionPatchBody,
          response: { 200: Type.Object({ calendar: ConnectionDto, sync: Type.Optional(ReportDto) }), ...adminErrors(400, 401, 404) },
        },
      },
      async (request) => {
        const { connection, report } = await deps.calendars.update(request.admin.artisanId, request.params.id, request.body);
        return { calendar: presentConnection(connection), ...(report ? { sync: presentReport(connection, report) } : {}) };
      },
    );

    app.delete(
      '/calendars/:id',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Déconnecter un calendrier',
          description: 'Les rendez-vous que le service y avait écrits sont retirés ; ceux qui n’ont pas pu l’être sont listés avec la raison.',
          params: IdParams,
          response: {
            200: Type.Object({
              removedEvents: Type.Integer(),
              notRemoved: Type.Array(Type.Object({ bookingId: Type.String(), error: Type.String() })),
            }),
            ...adminErrors(400, 401, 404),
          },
        },
      },
      async (request) => deps.calendars.remove(request.admin.artisanId, request.params.id),
    );

    app.post(
      '/calendars/:id/sync',
      {
        config: { adminAccess: 'calendars' },
        schema: {
          summary: 'Synchroniser maintenant',
          description: 'Répond avec ce qui a été importé (nombres, période) ou l’erreur ; en cas d’échec les indisponibilités précédentes restent.',
          params: IdParams,
          response: { 200: Type.Object({ calendar: ConnectionDto, sync: ReportDto }), ...adminErrors(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const { connection, report } = await deps.calendars.syncNow(request.admin.artisanId, request.params.id);
        return { calendar: presentConnection(connection), sync: presentReport(connection, report) };
      },
    );
  };
}
