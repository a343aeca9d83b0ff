import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NotFoundError, ValidationError } from '../../../domain/errors.ts';
import type { makeAdminOutbox } from '../../../app/admin-outbox.ts';
import type { MailboxEntry } from '../../notify/mailbox.ts';
import type { OutboxRow } from '../../outbox/outbox-queue.ts';
import type { NotificationSettings } from '../../db/notification-store.ts';
import type { AdminRoutes } from '../admin-scope.ts';
import { PRINTABLE, StringEnum } from '../schemas.ts';

const err = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')]));
const iso = (ms: number): string => new Date(ms).toISOString();
const Paging = { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) };

const MessageDto = Type.Object({
  id: Type.String(),
  channel: StringEnum(['email', 'sms'] as const),
  to: Type.String(),
  recipientKind: StringEnum(['customer', 'artisan'] as const),
  kind: Type.String(),
  subject: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  text: Type.String(),
  html: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  ics: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  messageId: Type.String(),
  bookingCode: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  createdAt: Type.String(),
});

const OutboxDto = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  bookingCode: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  status: Type.String(),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  lastError: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  runAt: Type.String(),
  createdAt: Type.String(),
});

const SettingsFields = {
  reminderHoursBefore: Type.Integer({ minimum: 0, maximum: 168, description: 'Rappel envoyé N heures avant le rendez-vous (0 : pas de rappel)' }),
  notifyArtisanEmail: Type.Boolean({ description: "L'artisan reçoit un e-mail à chaque réservation, annulation ou déplacement" }),
  notifyArtisanSms: Type.Boolean({ description: "L'artisan reçoit aussi un SMS à chaque réservation, annulation ou déplacement (formules avec SMS)" }),
  maintenanceInviteWeeks: Type.Integer({
    minimum: 1,
    maximum: 26,
    description: 'Contrats d’entretien : le client est invité à réserver sa prochaine visite N semaines avant l’échéance (6 par défaut) ; les invitations pas encore parties suivent le nouveau délai',
  }),
};
const SettingsDto = Type.Object({
  ...SettingsFields,
  smsInPlan: Type.Boolean({ description: 'La formule de l’artisan comprend les SMS (sinon notifyArtisanSms ne peut pas être activé)' }),
});

export interface AdminNotificationDeps {
  /** The mailbox, the outbox jobs and their retry (src/app/admin-outbox.ts). */
  outbox: ReturnType<typeof makeAdminOutbox<MailboxEntry, OutboxRow>>;
  settings: {
    readSettings(artisanId: string): Promise<NotificationSettings | undefined>;
    /** Pending reminders follow a new lead time (moved, dropped or scheduled) as of `nowMs`. */
    updateSettings(artisanId: string, patch: Partial<Omit<NotificationSettings, 'smsInPlan'>>, nowMs: number): Promise<NotificationSettings | undefined>;
  };
  clock: { now(): number };
}

/**
 * The artisan's side of notifications: the embedded mailbox (what would have been sent
 * without SMTP/Twilio), the outbox jobs (dead ones can be retried) and the settings.
 */
export function makeAdminNotificationRoutes(deps: AdminNotificationDeps): AdminRoutes {
  return async function adminNotificationRoutes(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/messages',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Messages de la boîte intégrée (e-mails et SMS non envoyés faute de SMTP ou de Twilio)',
          querystring: Type.Object({ channel: Type.Optional(StringEnum(['email', 'sms'] as const)), bookingCode: Type.Optional(Type.String({ maxLength: 20, pattern: PRINTABLE })), ...Paging }),
          response: { 200: Type.Object({ messages: Type.Array(MessageDto), total: Type.Integer() }), ...err(400, 401) },
        },
      },
      async (request) => {
        const page = await deps.outbox.listMessages(request.admin.artisanId, request.query);
        return {
          total: page.total,
          messages: page.messages.map((m) => ({
            id: m.id, channel: m.channel, to: m.to, recipientKind: m.recipientKind, kind: m.kind, subject: m.subject, text: m.text,
            html: m.html, ics: m.ics, messageId: m.messageId, bookingCode: m.publicCode, createdAt: iso(m.createdMs),
          })),
        };
      },
    );

    app.get(
      '/outbox',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: "Tâches d'envoi (notifications, calendriers, acomptes) ; status=dead : celles en échec définitif",
          querystring: Type.Object({ status: Type.Optional(StringEnum(['pending', 'done', 'dead', 'cancelled'] as const)), ...Paging }),
          response: { 200: Type.Object({ jobs: Type.Array(OutboxDto), total: Type.Integer() }), ...err(400, 401) },
        },
      },
      async (request) => {
        const page = await deps.outbox.listJobs(request.admin.artisanId, request.query);
        return {
          total: page.total,
          jobs: page.rows.map((j) => ({
            id: j.id, topic: j.topic, bookingCode: j.publicCode, status: j.status, attempts: j.attempts, maxAttempts: j.maxAttempts,
            lastError: j.lastError, runAt: iso(j.runAtMs), createdAt: iso(j.createdMs),
          })),
        };
      },
    );

    app.post(
      '/outbox/:id/retry',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Relancer une tâche en échec définitif (dead) : nouvelle série de tentatives, tout de suite',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 200: Type.Object({ id: Type.String(), status: Type.Literal('pending') }), ...err(401, 404, 409) },
        },
      },
      async (request) => {
        await deps.outbox.retryJob(request.admin.artisanId, request.params.id);
        return { id: request.params.id, status: 'pending' as const };
      },
    );

    app.get(
      '/notification-settings',
      { config: { adminAccess: 'settings' }, schema: { summary: 'Réglages des notifications', response: { 200: SettingsDto, ...err(401, 404) } } },
      async (request) => {
        const settings = await deps.settings.readSettings(request.admin.artisanId);
        if (!settings) throw new NotFoundError('NOT_FOUND', 'Artisan introuvable.');
        return settings;
      },
    );

    app.patch(
      '/notification-settings',
      {
        config: { adminAccess: 'settings' },
        schema: {
          summary: 'Modifier les réglages des notifications',
          description: 'Activer `notifyArtisanSms` sur une formule sans SMS : 400.',
          body: Type.Partial(Type.Object(SettingsFields)),
          response: { 200: SettingsDto, ...err(400, 401, 404) },
        },
      },
      async (request) => {
        if (request.body.notifyArtisanSms === true && !(await deps.settings.readSettings(request.admin.artisanId))?.smsInPlan) {
          throw new ValidationError([{ field: 'notifyArtisanSms', message: 'Les SMS ne sont pas compris dans votre formule : les alertes restent par e-mail.' }]);
        }
        const settings = await deps.settings.updateSettings(request.admin.artisanId, request.body, deps.clock.now());
        if (!settings) throw new NotFoundError('NOT_FOUND', 'Artisan introuvable.');
        return settings;
      },
    );
  };
}
