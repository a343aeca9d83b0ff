import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { loadConfig, loadDotEnv, ConfigError, type Config } from './config.ts';
import type { BookingRecord } from './domain/booking.ts';
import type { Clock } from './app/ports/clock.ts';
import type { PaymentProvider } from './app/ports/payments.ts';
import type { Randomness } from './app/ports/randomness.ts';
import { makeGetAvailability, makeGetAvailabilityDays } from './app/get-availability.ts';
import { makePublicProfile } from './app/public-profile.ts';
import { makeBusinessDirectory } from './adapters/db/business-directory-store.ts';
import { makePublicProfileStore } from './adapters/db/public-profile-store.ts';
import { makeCreateBooking } from './app/create-booking.ts';
import { makeCheckBookingFields } from './app/booking-fields.ts';
import { makeCancelBooking, makeFindBooking, makeRescheduleBooking } from './app/manage-booking.ts';
import { makeSettleDeposit } from './app/settle-deposit.ts';
import { makeRecoverStaleHolds } from './app/recover-holds.ts';
import { TOPICS } from './app/booking-effects.ts';
import type { Database } from './adapters/db/database.ts';
import { openPglite } from './adapters/db/pglite.ts';
import { openPgliteThread } from './adapters/db/pglite-thread.ts';
import { openPostgres } from './adapters/db/postgres.ts';
import { migrate, SchemaNewerThanCodeError } from './adapters/db/migrate.ts';
import { seedDemo } from './adapters/db/seed.ts';
import { makeBookingStore } from './adapters/db/booking-store.ts';
import { makeIdempotencyStore } from './adapters/db/idempotency-store.ts';
import { makeSimulatedPayments, type SimulatedPayments } from './adapters/payments/simulated.ts';
import { makeStripeClient, makeStripePayments } from './adapters/payments/stripe.ts';
import { makeStripeConnect } from './adapters/payments/stripe-connect.ts';
import { makePaymentAccounts } from './app/payment-accounts.ts';
import { makePaymentAccountStore } from './adapters/db/payment-account-store.ts';
import { adminPaymentAccountRoutes } from './adapters/http/routes/admin-payment-account.ts';
import { makeConfirmPayment, makeResumeBooking } from './app/confirm-payment.ts';
import { makeProcessPaymentEvent, makeReceivePaymentEvent } from './app/payment-events.ts';
import { makePaymentEventStore } from './adapters/db/payment-event-store.ts';
import { makePaymentJobs } from './app/payment-jobs.ts';
import { paymentRoutes } from './adapters/http/routes/payments.ts';
import { adminPaymentSettingsRoutes } from './adapters/http/routes/admin-payment-settings.ts';
import { adminEmbedRoutes } from './adapters/http/routes/admin-embed.ts';
import { makePaymentSettingsStore } from './adapters/db/payment-settings-store.ts';
import { adminSettingsPageRoutes } from './adapters/http/routes/admin-settings-page.ts';
import { makeSetupChecklist } from './app/setup-checklist.ts';
import { makeOutboxQueue, type DeadJobRow, type OutboxQueue } from './adapters/outbox/outbox-queue.ts';
import { makeManageLinks } from './app/manage-link.ts';
import { makeNotifyBooking, notificationKindOf, NOTIFICATION_TOPICS } from './app/notify-booking.ts';
import { makeNotificationStore } from './adapters/db/notification-store.ts';
import { storedSecret } from './adapters/db/secret-store.ts';
import { instanceSecretsKey } from './adapters/security/instance-key.ts';
import { makeMailbox } from './adapters/notify/mailbox.ts';
import { makeSmtpMailer } from './adapters/notify/smtp-mailer.ts';
import { makeTwilioSms } from './adapters/notify/twilio-sms.ts';
import { frenchTemplates } from './adapters/notify/templates-fr.ts';
import { makeAdminNotificationRoutes } from './adapters/http/routes/admin-notifications.ts';
import { makeAdminOutbox } from './app/admin-outbox.ts';
import { makeWorker, type Worker } from './adapters/outbox/worker.ts';
import { makeWebhookStore } from './adapters/webhooks/webhook-store.ts';
import { makeWebhookSender, renderPlainWebhookEvent, renderWebhookEvent, type WebhookTestAllowance } from './adapters/webhooks/webhook-sender.ts';
import { adminWebhookRoutes } from './adapters/http/routes/admin-webhooks.ts';
import { makeWebhookDelivery, makeWebhookEndpoints } from './app/webhooks.ts';
import { WEBHOOK_TOPICS, messageFailedEventOf } from './app/webhook-events.ts';
import { buildHttpApp } from './adapters/http/app.ts';
import { makeAdminAuthStore } from './adapters/db/admin-auth-store.ts';
import { adminAccountRoutes } from './adapters/http/routes/admin-account.ts';
import { adminMemberRoutes } from './adapters/http/routes/admin-members.ts';
import { makeMemberStore } from './adapters/db/member-store.ts';
import { makeMembers } from './app/members.ts';
import { makeMemberRouting } from './app/member-routing.ts';
import { makeMemberRoutingStore } from './adapters/db/member-routing-store.ts';
import { makeFrenchPlaces } from './adapters/places/french-places.ts';
import { makeArtisanSettings } from './app/admin-settings.ts';
import { makeScheduleExceptions } from './app/admin-exceptions.ts';
import { makeAdminServices } from './app/admin-services.ts';
import { makeTimeOff } from './app/time-off.ts';
import { makeSettingsStore } from './adapters/db/settings-store.ts';
import { makeServiceCatalogStore } from './adapters/db/service-catalog-store.ts';
import { makeTimeOffStore } from './adapters/db/time-off-store.ts';
import { adminSettingsRoutes } from './adapters/http/routes/admin-settings.ts';
import { adminServicesRoutes } from './adapters/http/routes/admin-services.ts';
import { adminTimeOffRoutes } from './adapters/http/routes/admin-time-off.ts';
import { adminClosureRoutes } from './adapters/http/routes/admin-closures.ts';
import { adminFailedMessageRoutes } from './adapters/http/routes/admin-failed-messages.ts';
import { makeClosureFlow } from './app/closure-flow.ts';
import { makeAgendaClosures } from './app/agenda-closures.ts';
import { makeFailedMessages } from './app/failed-messages.ts';
import { makeFailedMessageStore } from './adapters/db/failed-message-store.ts';
import { adminAvailabilityRoutes } from './adapters/http/routes/admin-availability.ts';
import { adminBookingRoutes } from './adapters/http/routes/admin-bookings.ts';
import { makeAdminBookingReader } from './adapters/db/admin-bookings-store.ts';
import { adminCustomerRoutes } from './adapters/http/routes/admin-customers.ts';
import { makeCustomerStore } from './adapters/db/customer-store.ts';
import { makeCustomers } from './app/customers.ts';
import { makeAdminBookings } from './app/admin-bookings.ts';
import { makeBookingOutcomes } from './app/booking-outcome.ts';
import { makeDueVisits } from './app/due-visits.ts';
import { makeBookingOutcomeStore } from './adapters/db/booking-outcome-store.ts';
import { makeDueVisitReader, makeDueVisitWriter } from './adapters/db/due-visit-store.ts';
import { adminOutcomeRoutes } from './adapters/http/routes/admin-outcomes.ts';
import { makeMaintenanceInvitations, MAINTENANCE_TOPIC } from './app/maintenance-invitations.ts';
import { makeMaintenanceLinks } from './app/maintenance-links.ts';
import { makeInvitationStore, makeMaintenanceLinkStore } from './adapters/db/maintenance-invitation-store.ts';
import { frenchInvitationTemplates } from './adapters/notify/maintenance-templates-fr.ts';
import { maintenanceRoutes } from './adapters/http/routes/maintenance.ts';
import { makeCompletionReports, makeSendCompletionReport, REPORT_TOPIC } from './app/completion-reports.ts';
import { makeCompletionReportStore } from './adapters/db/completion-report-store.ts';
import { renderCompletionReportPdf } from './adapters/pdf/completion-report-pdf.ts';
import { reportEmail } from './adapters/notify/report-templates-fr.ts';
import { adminReportRoutes } from './adapters/http/routes/admin-reports.ts';
import { makeAdminAuth } from './app/admin-auth.ts';
import { argon2Hasher } from './adapters/security/argon2-hasher.ts';
import { makeFirstStart } from './app/first-start.ts';
import { makeSetupStore } from './adapters/db/setup-store.ts';
import { boundedHasher } from './adapters/security/bounded-hasher.ts';
import { makeMetrics } from './adapters/http/metrics.ts';
import { adminExportRoutes } from './adapters/http/routes/admin-export.ts';
import { makeBusinessArchive } from './adapters/export/business-archive.ts';
import { makeBusinessDataStore } from './adapters/db/business-data-store.ts';
import { makeReadiness } from './app/readiness.ts';
import { makeDatabaseProbe } from './adapters/db/database-probe.ts';
import { makeBackupSchedule } from './adapters/db/backup-schedule.ts';
import { makeRetention, everyByClock } from './app/retention.ts';
import { makeRetentionStore } from './adapters/db/retention-store.ts';
import { makeFeedTokens, makeSecretBox, manageLinkSecret } from './adapters/security/secret-box.ts';
import { makeFeedStore } from './adapters/db/feed-store.ts';
import { makeCalendarFeed } from './app/calendar-feed.ts';
import { businessAddress, type BusinessAddress } from './domain/business-address.ts';
import { buildCalendarInvite } from './adapters/notify/booking-ics.ts';
import { makeBookingIcs } from './app/booking-ics.ts';
import { makeCustomerAccess } from './app/customer-access.ts';
import { makeCreateBookingIdempotently } from './app/create-booking-idempotently.ts';
import { makeCalendarStore } from './adapters/db/calendar-store.ts';
import { makeSafeFetch, makeUrlCheck } from './adapters/calendars/safe-fetch.ts';
import { makeIcsConnector } from './adapters/calendars/ics-connector.ts';
import { makeCaldavConnector } from './adapters/calendars/caldav-connector.ts';
import { makeGoogleConnector } from './adapters/calendars/google-connector.ts';
import { makeOutlookConnector } from './adapters/calendars/outlook-connector.ts';
import { renderBookingEvent, renderFeed } from './adapters/calendars/booking-event.ts';
import { makeCalendarSync, type CalendarSync } from './app/calendar-sync.ts';
import { makeCalendarConnections } from './app/calendar-connections.ts';
import { adminCalendarRoutes } from './adapters/http/routes/admin-calendars.ts';
import { makeOperatorAuth } from './app/operator-auth.ts';
import { makeOperatorStore } from './adapters/db/operator-store.ts';
import { makeOperatorConsole } from './app/operator-console.ts';
import { makeOperatorConsoleStore } from './adapters/db/operator-console-store.ts';
import { makePasswordReset } from './app/password-reset.ts';
import { makeArtisanResetStore, makeOperatorResetStore } from './adapters/db/password-reset-store.ts';
import { makeSignup } from './app/signup.ts';
import { makeSignupStore } from './adapters/db/signup-store.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Randomness = { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) };

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'databaseQueryTimeoutMs' | 'databaseMigrationTimeoutMs' | 'dataDir' | 'pgliteThread' | 'pgBinDir'>,
): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres(config.databaseUrl, {
      pgBinDir: config.pgBinDir,
      maxConnections: config.databasePoolSize,
      queryTimeoutMs: config.databaseQueryTimeoutMs,
      maintenanceTimeoutMs: config.databaseMigrationTimeoutMs,
    });
  }
  const dir = resolve(config.dataDir);
  return config.pgliteThread === 'worker' ? openPgliteThread(dir) : openPglite(dir);
}

/** The operator sign-in on a database: the service, `npm run operator:create` and tests share it. */
export function operatorAuthOn(db: Database, options: { sessionHours?: number; clock?: Clock; random?: Randomness; hashing?: Config['loginHashing'] } = {}) {
  return makeOperatorAuth({
    store: makeOperatorStore(db),
    hasher: options.hashing ? boundedHasher(argon2Hasher, options.hashing) : argon2Hasher,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    sessionHours: options.sessionHours ?? 12,
  });
}

/** The artisan sign-in on a database: the service, `npm run admin:password`, tests and bench share it. */
export function adminAuthOn(
  db: Database,
  options: { sessionHours?: number; clock?: Clock; random?: Randomness; hashing?: Config['loginHashing']; monotonic?: () => number } = {},
) {
  return makeAdminAuth({
    store: makeAdminAuthStore(db),
    hasher: options.hashing ? boundedHasher(argon2Hasher, options.hashing) : argon2Hasher,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    sessionHours: options.sessionHours ?? 12,
    ...(options.monotonic ? { monotonic: options.monotonic } : {}),
  });
}

export interface Service {
  app: FastifyInstance;
  db: Database;
  worker: Worker;
  /** Outgoing webhooks' own worker (issue 21): a slow receiver never holds back the messages' passes. */
  webhookWorker: Worker;
  /** Calendar import/export (the worker runs it; tests call it to drive a pass). */
  calendarSync: CalendarSync;
  log: Logger;
  /** The retention sweep (also run hourly, by the service clock, from the worker). */
  retention: ReturnType<typeof makeRetention>;
  /** Scheduled backups (BACKUP_DIR); undefined when not configured. */
  backups: ReturnType<typeof makeBackupSchedule> | undefined;
  close(): Promise<void>;
}

/** The composition root: every adapter is built and wired here, and only here. */
export async function compose(
  config: Readonly<Config>,
  overrides: {
    clock?: Clock;
    random?: Randomness;
    db?: Database;
    log?: Logger;
    payments?: PaymentProvider;
    /** Fault injection in tests: wraps the worker's queue (e.g. a worker that dies before marking). */
    outbox?: (queue: OutboxQueue) => OutboxQueue;
    /** Monotonic ms of the admin credential cache (tests move it instead of waiting). */
    monotonic?: () => number;
    /** Tests only: webhook receivers on the loopback over plain HTTP (never from the configuration). */
    webhookTestReceivers?: WebhookTestAllowance;
  } = {},
): Promise<Service> {
  const log = overrides.log ?? pino({ level: config.logLevel, base: { service: 'artisanconnect' } });
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? systemRandom;
  const db = overrides.db ?? (await openDatabase(config));
  const applied = await migrate(db);
  if (applied.versions.length > 0) log.info({ versions: applied.versions }, 'migrations applied');
  if (applied.functions.length > 0) log.info({ functions: applied.functions }, 'functions applied');
  if (config.seedDemo) {
    const seed = await seedDemo(db, random.uuid);
    if (seed.seeded) log.info({ artisan: seed.artisanEmail }, 'demo artisan seeded (Marc Dupont - Plomberie)');
  }

  const auth = adminAuthOn(db, { sessionHours: config.adminSessionHours, clock, random, hashing: config.loginHashing, monotonic: overrides.monotonic });
  for (const login of await auth.ensureLogins()) {
    // Shown once, on the start that created the account (decisions §1): the artisan changes it.
    log.info(
      { email: login.email },
      `Connexion artisan créée — e-mail : ${login.email} — mot de passe : ${login.password} (à changer : npm run admin:password)`,
    );
  }
  if (config.adminApiToken) await auth.seedConfiguredToken(config.adminApiToken);
  const firstStart = makeFirstStart({ store: makeSetupStore(db), hasher: argon2Hasher, clock, random });
  const setupCode = await firstStart.pendingCode();
  if (setupCode) {
    // Printed on every start until the setup is done: only whoever reads this log can claim the instance.
    log.warn(
      { setup: true },
      `Première installation : ouvrez ${config.publicBaseUrl}/admin et saisissez le code d'installation ${setupCode} pour créer votre espace artisan.`,
    );
  }

  const operatorAuth = operatorAuthOn(db, { sessionHours: config.adminSessionHours, clock, random, hashing: config.loginHashing });
  const operatorCode = await operatorAuth.pendingCode();
  if (operatorCode) {
    // Printed on every start until an operator exists (or `npm run operator:create` made one).
    log.info(
      { operatorSetup: true },
      `Console opérateur : ouvrez ${config.publicBaseUrl}/operator et saisissez le code opérateur ${operatorCode} pour créer le premier compte opérateur (ou : npm run operator:create -- --email …).`,
    );
  }

  const store = makeBookingStore(db, random.uuid);
  const idempotency = makeIdempotencyStore(db);
  const paymentEvents = makePaymentEventStore(db, random.uuid);
  // Stripe when configured (STRIPE_API_URL may point the SDK at a Stripe-compatible server),
  // else the embedded simulation, which also serves the simulated 3-D Secure page.
  const simulated: SimulatedPayments | undefined = config.paymentProvider === 'simulated' && !overrides.payments ? makeSimulatedPayments() : undefined;
  const settings = makeSettingsStore(db);
  const stripe = !simulated && !overrides.payments && config.stripe ? makeStripeClient({ secretKey: config.stripe.secretKey, apiUrl: config.stripe.apiUrl, timeoutMs: config.stripe.timeoutMs }) : undefined;
  // Stripe Connect: each business's deposits on its own connected account (Stripe-Account header).
  const paymentAccounts =
    stripe && config.stripe?.mode === 'connect'
      ? makePaymentAccounts({
          store: makePaymentAccountStore(db),
          connect: makeStripeConnect(stripe, { accountType: config.stripe.connectAccountType }),
          settings,
          clock,
          publicBaseUrl: config.publicBaseUrl,
        })
      : undefined;
  const payments: PaymentProvider =
    overrides.payments ?? simulated ?? makeStripePayments({ secretKey: config.stripe!.secretKey, client: stripe, accountOf: paymentAccounts?.accountOf });
  const settleDeposit = makeSettleDeposit({ store, payments, clock, log });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : undefined;

  // Notifications: SMTP and Twilio when configured, else the mailbox table the artisan reads.
  const notify = config.notifications;
  const mailbox = makeMailbox(db, { uuid: random.uuid, now: clock.now });
  const smtp = notify.smtpUrl ? makeSmtpMailer({ url: notify.smtpUrl, from: notify.mailFrom, maxConnections: notify.smtpMaxConnections }) : undefined;
  // The secrets key: SECRETS_KEY, else generated once into DATA_DIR (embedded database) or kept
  // in the database (a server without SECRETS_KEY: set one). Backups never hold it.
  const cal = config.calendars;
  if (!cal.secretsKey && db.kind === 'postgres') log.warn('SECRETS_KEY is unset: calendar credentials are encrypted with a key kept in the database (and never in backups); set SECRETS_KEY');
  const secretsKey = await instanceSecretsKey({
    db,
    configured: cal.secretsKey,
    keyFileDir: db.kind === 'pglite' && !overrides.db ? resolve(config.dataDir) : undefined,
    generate: () => Buffer.from(random.bytes(32)).toString('base64url'),
  });
  // Manage links were once signed with a key kept in the database. New links are signed with
  // LINK_SECRET or a key derived from the secrets key; the old key (never in backups now: its
  // table's rows are left out of them) still opens the links already e-mailed, until they expire.
  const legacyLinkSecret = await storedSecret(db, 'manage_link');
  const linkSecret = notify.linkSecret ?? manageLinkSecret(secretsKey);
  const smsSender = notify.twilio ? makeTwilioSms(notify.twilio) : mailbox.sms;
  const messageIdDomain = /@([^>\s]+)>?\s*$/.exec(notify.mailFrom)?.[1] ?? 'artisanconnect.local';
  const links = makeManageLinks({
    store,
    clock,
    secret: linkSecret,
    previousSecrets: legacyLinkSecret ? [legacyLinkSecret] : [],
    baseUrl: config.publicBaseUrl,
    ttlDays: notify.manageLinkDays,
  });
  const notificationStore = makeNotificationStore(db, store, random.uuid);
  const notifyBooking = makeNotifyBooking({
    store: notificationStore,
    mailer: smtp ?? mailbox.mailer,
    sms: smsSender,
    templates: frenchTemplates,
    links,
    clock,
    messageIdDomain,
  });
  const resetDeps = {
    hasher: argon2Hasher,
    clock,
    random,
    mailer: smtp ? smtp.sendAccountMail : undefined,
    log: log.child({ component: 'password-reset' }),
  };
  const baseUrl = config.publicBaseUrl.replace(/\/$/, '');
  const passwordResets = {
    artisan: makePasswordReset({ ...resetDeps, kind: 'artisan', store: makeArtisanResetStore(db), pageUrl: `${baseUrl}/admin/mot-de-passe`, onReset: (id) => auth.forgetUser(id) }),
    operator: makePasswordReset({ ...resetDeps, kind: 'operator', store: makeOperatorResetStore(db), pageUrl: `${baseUrl}/operator/mot-de-passe` }),
  };
  // The Business plan's members and teams (issue 20): invitations are the artisan reset's links.
  const memberStore = makeMemberStore(db);
  const members = makeMembers({ store: memberStore, invitations: passwordResets.artisan, clock, random, forgetUser: (id) => auth.forgetUser(id) });
  // Skills, zones and routing (issue 20): the official list of places, read on first use.
  const places = makeFrenchPlaces();
  const memberRouting = makeMemberRouting({ store: makeMemberRoutingStore(db), places });
  const signup = makeSignup({
    mode: config.signup,
    store: makeSignupStore(db),
    hasher: argon2Hasher,
    clock,
    random,
    confirmPageUrl: `${baseUrl}/inscription/confirmer`,
    signupPageUrl: `${baseUrl}/inscription`,
    mailer: smtp ? smtp.sendAccountMail : undefined,
    log: log.child({ component: 'signup' }),
  });
  const queue = makeOutboxQueue(db, {
    maxAttempts: config.outboxMaxAttempts,
    // A message that went dead is a webhook event (message.failed), written with it.
    onDead: (job, nowMs) => {
      const kind = notificationKindOf(job.topic);
      if (!kind || !job.bookingId) return undefined;
      const event = messageFailedEventOf({ bookingId: job.bookingId, kind, attempts: job.attempts }, nowMs);
      const row: DeadJobRow = { id: random.uuid(), topic: event.topic, bookingId: job.bookingId, payload: event.payload ?? {} };
      return row;
    },
  });
  const workerLog = log.child({ component: 'worker' });
  const workerId = `worker-${random.uuid()}`;

  // Calendars: credentials sealed with the secrets key (above).
  const calendarStore = makeCalendarStore(db, makeSecretBox(secretsKey));
  const webhookStore = makeWebhookStore(db, makeSecretBox(secretsKey), random.uuid);
  const webhookSender = makeWebhookSender({ test: overrides.webhookTestReceivers });
  const fetchLimits = { allowPrivate: cal.allowPrivateUrls, timeoutMs: cal.fetchTimeoutMs, maxBytes: cal.maxBytes };
  const safeFetch = makeSafeFetch(fetchLimits);
  const google = cal.google
    ? makeGoogleConnector({ ...cal.google, maxEvents: cal.maxEvents, redirectUri: `${config.publicBaseUrl.replace(/\/$/, '')}/api/admin/calendars/oauth/google/callback` })
    : undefined;
  const outlook = cal.microsoft
    ? makeOutlookConnector({
        ...cal.microsoft,
        saveSecrets: (c, secrets) => calendarStore.replaceSecrets(c.artisanId, c.id, secrets),
        redirectUri: `${config.publicBaseUrl.replace(/\/$/, '')}/api/admin/calendars/oauth/outlook/callback`,
      })
    : undefined;
  const calendarSync = makeCalendarSync({
    store: calendarStore,
    connectors: {
      ics: makeIcsConnector({ fetch: safeFetch, maxEvents: cal.maxEvents }),
      caldav: makeCaldavConnector({ fetch: safeFetch, maxEvents: cal.maxEvents }),
      ...(google ? { google } : {}),
      ...(outlook ? { outlook } : {}),
    },
    bookings: store,
    renderEvent: async (booking) => renderBookingEvent(booking, (await notificationStore.readContext(booking.id))?.sequence ?? 0),
    clock,
    random: () => random.bytes(1)[0]! / 255,
    intervalMinutes: cal.syncIntervalMinutes,
    owner: workerId,
    log: log.child({ component: 'calendars' }),
  });
  const calendars = makeCalendarConnections({
    store: calendarStore,
    sync: calendarSync,
    clock,
    random,
    checkUrl: makeUrlCheck(fetchLimits),
    oauth: { ...(google ? { google: google.oauth } : {}), ...(outlook ? { outlook: outlook.oauth } : {}) },
  });
  const businesses = makeBusinessDirectory(db);
  /** The business's own public addresses (its host name, /{slug}, or the instance's): what the back office hands out. */
  const addressOf = async (artisanId: string): Promise<BusinessAddress> =>
    businessAddress(config.publicBaseUrl, (await businesses.addressOf(artisanId)) ?? { slug: null, hostName: null });
  // Maintenance contracts (issue 22): the invitations' links (signed like the manage links) and their sending.
  const maintenanceLinks = makeMaintenanceLinks({
    store: makeMaintenanceLinkStore(db),
    clock,
    secret: linkSecret,
    pageOf: async (artisanId) => (await addressOf(artisanId)).page,
    baseUrl: config.publicBaseUrl,
  });
  const sendInvitation = makeMaintenanceInvitations({
    store: makeInvitationStore(db, random.uuid),
    deliveries: notificationStore,
    mailer: smtp ?? mailbox.mailer,
    sms: smsSender,
    templates: frenchInvitationTemplates,
    links: maintenanceLinks,
    clock,
    messageIdDomain,
  });
  const reportStore = makeCompletionReportStore(db, random.uuid);
  const completionReports = makeCompletionReports({ store: reportStore, bookings: store, render: renderCompletionReportPdf, clock });
  const sendCompletionReport = makeSendCompletionReport({ store: reportStore, notifications: notificationStore, mailer: smtp ?? mailbox.mailer, links, render: reportEmail, clock, messageIdDomain });
  const feed = makeCalendarFeed({ store: makeFeedStore(db), tokens: makeFeedTokens(secretsKey), baseOf: async (id) => (await addressOf(id)).base, clock, render: renderFeed });
  const findBooking = makeFindBooking({ store });
  const createBooking = makeCreateBooking({
    store,
    payments,
    clock,
    random,
    holdMinutes: config.paymentHoldMinutes,
    places,
    ...(paymentAccounts ? { checkOnlineDeposits: paymentAccounts.checkOnlineDeposits } : {}),
    shareRacingHolds: config.shareRacingHolds,
    // A calendar not synced for an interval is synced first, for at most preBookingSyncMs.
    calendars: { staleMs: calendarSync.staleAfterMs, sync: (stale) => calendarSync.syncBeforeBooking(stale, cal.preBookingSyncMs) },
  });

  const resumeBooking = makeResumeBooking({ store, payments, clock, log });
  const useCases = {
    listServices: (artisanId: string) => store.listActiveServices(artisanId),
    getAvailability: makeGetAvailability({ store, clock, places }),
    getAvailabilityDays: makeGetAvailabilityDays({ store, clock, places }),
    publicProfile: makePublicProfile({ store: makePublicProfileStore(db), clock, acceptsDeposits: paymentAccounts?.acceptsDeposits }),
    createBooking,
    checkBookingFields: makeCheckBookingFields({ store }),
    findBooking,
    createBookingIdempotently: makeCreateBookingIdempotently({ idempotency, clock, createBooking, resumeBooking, log }),
    customerAccess: makeCustomerAccess({ findBooking, resolveToken: (token) => links.resolve(token) }),
    bookingIcs: makeBookingIcs({ findBooking, readContext: (id) => notificationStore.readContext(id), render: buildCalendarInvite }),
    calendarFeed: (token: string, business?: string) => feed.read(token, business),
    cancelBooking: makeCancelBooking({ store, clock, settleDeposit, log }),
    rescheduleBooking: makeRescheduleBooking({ store, clock }),
    confirmPayment: makeConfirmPayment({ store, payments, clock, log }),
    resumeBooking,
    findBookingByToken: (token: string, business?: string) => links.resolve(token, business),
    manageUrl: (booking: BookingRecord) => links.urlFor(booking),
  };
  const scheduleExceptions = makeScheduleExceptions({ settings, clock, random });
  const timeOffStore = makeTimeOffStore(db);
  const timeOff = makeTimeOff({ settings, timeOff: timeOffStore, clock, random });
  const closures = makeClosureFlow({
    settings,
    timeOffStore,
    exceptions: scheduleExceptions,
    timeOff,
    getAvailability: useCases.getAvailability,
    getAvailabilityDays: useCases.getAvailabilityDays,
    cancelBooking: useCases.cancelBooking,
    rescheduleBooking: useCases.rescheduleBooking,
    clock,
  });
  const adminBookings = makeAdminBookings({ reader: makeAdminBookingReader(db), clock, zoneOf: async (id) => (await settings.readArtisan(id))?.timezone });
  const customers = makeCustomers({ store: makeCustomerStore(db), clock, findBooking: async (artisanId, code) => (await adminBookings.get(artisanId, code)).booking });
  const metrics = config.metricsToken ? makeMetrics({ outboxStats: () => queue.stats(clock.now()) }) : undefined;
  const backup = async () => {
    if (!db.backup) throw new Error('this database driver cannot take backups');
    return db.backup();
  };
  const businessArchive = makeBusinessArchive({ store: makeBusinessDataStore(db), now: clock.now });
  const consoleOnly = makeOperatorConsole({
    store: makeOperatorConsoleStore(db),
    clock,
    random,
    deletionGraceDays: config.retention.businessDeletionGraceDays,
    instanceHost: new URL(config.publicBaseUrl).hostname.toLowerCase(),
    addressesMoved: () => businesses.moved(),
  });
  const operatorConsole: typeof consoleOnly = {
    ...consoleOnly,
    // Leaving Business deactivates the members (a trigger, migration 0041): their sessions remembered here end at once.
    changePlan: async (who, artisanId, plan) => {
      await consoleOnly.changePlan(who, artisanId, plan);
      auth.forgetSessionsOf(artisanId);
    },
  };
  const backups = config.backup.dir
    ? makeBackupSchedule({ backup, dir: resolve(config.backup.dir), intervalHours: config.backup.intervalHours, keep: config.backup.keep, now: clock.now, log })
    : undefined;
  // The worker is built after the HTTP app; readiness reads it once it exists.
  const workerRef: { current?: Worker } = {};
  const workerStaleMs = Math.max(10 * config.workerPollMs, 30_000);
  const databaseProbe = makeDatabaseProbe(db);
  const ready = makeReadiness({ database: databaseProbe, worker: () => workerRef.current, workerStaleMs });

  const app = await buildHttpApp({
    log,
    config,
    businesses,
    signup,
    clock,
    redis,
    version: VERSION,
    setup: {
      firstStart,
      onCreated: async () => {
        if (config.adminApiToken) await auth.seedConfiguredToken(config.adminApiToken);
      },
    },
    operator: {
      auth: operatorAuth,
      console: operatorConsole,
      data: { archive: businessArchive, backup, engine: db.kind, backups: backups && config.backup.dir ? { dir: resolve(config.backup.dir), runOnce: backups.runOnce } : undefined },
    },
    passwordResets,
    admin: {
      auth,
      roles: memberStore,
      routes: [
        adminMemberRoutes({ members, routing: memberRouting }),
        adminAccountRoutes({ auth, publicBaseUrl: config.publicBaseUrl }),
        adminWebhookRoutes({ endpoints: makeWebhookEndpoints({ store: webhookStore, sender: webhookSender, clock, uuid: random.uuid }) }),
        adminBookingRoutes({ bookings: adminBookings, useCases }),
        adminOutcomeRoutes({
          outcomes: makeBookingOutcomes({ store, outcomes: makeBookingOutcomeStore(db, random.uuid), clock }),
          dueVisits: makeDueVisits({ reader: makeDueVisitReader(db), writer: makeDueVisitWriter(db, random.uuid), clock }),
        }),
        adminReportRoutes({ reports: completionReports }),
        adminCustomerRoutes({ customers, bookings: adminBookings }),
        adminSettingsRoutes({
          settings: makeArtisanSettings({ settings, clock, random }),
          exceptions: scheduleExceptions,
        }),
        adminServicesRoutes({ services: makeAdminServices({ services: makeServiceCatalogStore(db) }) }),
        adminPaymentSettingsRoutes({ settings: makePaymentSettingsStore(db), provider: config.paymentProvider }),
        adminPaymentAccountRoutes({ accounts: paymentAccounts }),
        adminEmbedRoutes({ addressOf, embedAllowedOrigins: config.embedAllowedOrigins }),
        adminSettingsPageRoutes({
          checklist: makeSetupChecklist({ settings, services: makeServiceCatalogStore(db), payments: makePaymentSettingsStore(db) }),
          addressOf,
        }),
        adminTimeOffRoutes({ timeOff }),
        adminClosureRoutes({ closures, agendaClosures: makeAgendaClosures({ settings, timeOff: timeOffStore }) }),
        adminFailedMessageRoutes({ failedMessages: makeFailedMessages({ store: makeFailedMessageStore(db), clock }) }),
        adminAvailabilityRoutes({ getAvailability: useCases.getAvailability }),
        makeAdminNotificationRoutes({ outbox: makeAdminOutbox({ mailbox, outbox: queue, clock }), settings: notificationStore, clock }),
        adminExportRoutes({ archive: businessArchive }),
        adminCalendarRoutes({
          calendars,
          feed,
          timezoneOf: async (artisanId) => (await settings.readArtisan(artisanId))?.timezone ?? 'Europe/Paris',
        }),
      ],
    },
    ready,
    metrics: metrics ? { metrics, token: config.metricsToken } : undefined,
    health: async () => {
      await databaseProbe.ping();
      return { database: databaseProbe.kind };
    },
    useCases,
    paymentProvider: config.paymentProvider,
    routes: [
      maintenanceRoutes({ links: maintenanceLinks, reportByToken: async (token) => completionReports.pdfOf(await links.resolve(token)) }),
      paymentRoutes({
        provider: config.paymentProvider,
        publishableKey: config.stripe?.publishableKey ?? null,
        clock,
        simulated: simulated ?? (isSimulated(payments) ? payments : undefined),
        webhooks: config.stripe
          ? { secret: config.stripe.webhookSecret, receive: makeReceivePaymentEvent({ events: paymentEvents, provider: 'stripe', ownerOf: paymentAccounts?.ownerOf }) }
          : undefined,
      }),
    ],
  });

  const recoverStaleHolds = makeRecoverStaleHolds({ store, payments, clock, log: workerLog });
  // PGlite has no autovacuum: without statistics the planner takes the partial exclusion
  // index for range reads (the agenda scanned every booking of the artisan). Analysed at
  // start and then hourly by the worker; a PostgreSQL server does this itself.
  const refreshStatistics = db.kind === 'pglite' ? everyByClock(clock, 3_600_000, () => db.exec('ANALYZE')) : undefined;
  if (refreshStatistics) await refreshStatistics();
  const processPaymentEvent = makeProcessPaymentEvent({ events: paymentEvents, store, payments, clock, log: workerLog, accountUpdated: paymentAccounts?.accountUpdated });
  const paymentJobs = makePaymentJobs({ store, payments, clock, log: workerLog });
  const retention = makeRetention({
    store: makeRetentionStore(db),
    erase: (artisanId, customer, actor) => adminBookings.eraseCustomer(artisanId, customer, actor),
    clock,
    customerMonths: config.retention.customerMonths,
    mailboxDays: config.retention.mailboxDays,
    // Sign-ups never confirmed go too: their slug and e-mail are free again.
    purgeUnconfirmedSignups: () => signup.purgeUnconfirmed(),
  });
  const purgeIdempotencyKeys = everyByClock(clock, 3_600_000, async () => {
    const purged = await idempotency.purgeExpired(clock.now());
    if (purged > 0) workerLog.info({ purged }, 'expired idempotency keys purged');
  });
  const sweep = everyByClock(clock, 3_600_000, async () => {
    const report = await retention();
    if (Object.values(report).some((n) => n > 0)) workerLog.info(report, 'retention sweep');
  });
  // Businesses whose deletion date has passed (the operator's console schedules them).
  const purgeBusinesses = everyByClock(clock, 3_600_000, async () => {
    for (const done of await operatorConsole.purgeDue()) workerLog.info(done, 'business deleted after its grace period');
  });
  const worker = makeWorker({
    queue: overrides.outbox ? overrides.outbox(queue) : queue,
    workerId,
    pollMs: config.workerPollMs,
    concurrency: config.workerConcurrency,
    log: workerLog,
    now: clock.now,
    handlers: {
      [TOPICS.settle]: async (job) => {
        if (job.bookingId) await settleDeposit(job.bookingId);
      },
      [TOPICS.capture]: async (job) => {
        if (job.bookingId) workerLog.info({ jobId: job.id, bookingId: job.bookingId, outcome: await paymentJobs.capture(job.bookingId) }, 'scheduled capture');
      },
      [TOPICS.voidPayment]: async (job) => {
        if (job.bookingId) await paymentJobs.voidExpired(job.bookingId);
      },
      [TOPICS.webhook]: async (job) => {
        const outcome = await processPaymentEvent(job.artisanId, String(job.payload.eventId));
        workerLog.info({ jobId: job.id, eventId: job.payload.eventId, outcome }, 'payment event processed');
      },
      [TOPICS.calendar]: async (job) => {
        if (job.bookingId) workerLog.info({ jobId: job.id, ...(await calendarSync.exportBooking(job.bookingId)) }, 'booking exported to calendars');
      },
      [REPORT_TOPIC]: async (job) => {
        workerLog.info({ jobId: job.id, topic: job.topic, outcome: await sendCompletionReport(job) }, 'completion report e-mailed');
      },
      [MAINTENANCE_TOPIC]: async (job) => {
        const outcome = await sendInvitation(job);
        workerLog.info({ jobId: job.id, topic: job.topic, ...outcome }, outcome.nothing ? 'maintenance invitation: nothing to send' : 'maintenance invitation sent');
      },
      ...Object.fromEntries(
        NOTIFICATION_TOPICS.map((topic) => [
          topic,
          async (job: Parameters<typeof notifyBooking>[0]) => {
            const outcome = await notifyBooking(job);
            // Keys and counts only: addresses and numbers never reach the logs.
            workerLog.info({ jobId: job.id, topic: job.topic, ...outcome }, outcome.stale ? 'notification skipped' : 'notification sent');
          },
        ]),
      ),
    },
    periodic: [
      async () => void (await recoverStaleHolds()),
      // Calendar imports run beside the pass, not in it, each in a lane of its own: a slow
      // calendar never delays messages, nor other businesses' calendars.
      async () => void (await calendarSync.startDue()),
      ...(refreshStatistics ? [refreshStatistics] : []),
      everyByClock(clock, config.paymentReconcileMs, async () => void (await paymentJobs.reconcile())),
    ],
    // The hourly housekeeping runs beside the pass's claims: a long sweep or a big business's
    // deletion delays no business's messages.
    beside: [sweep, purgeBusinesses, purgeIdempotencyKeys],
    events: metrics?.workerEvents,
  });
  workerRef.current = worker;
  const webhookDelivery = makeWebhookDelivery({
    store: webhookStore,
    sender: webhookSender,
    clock,
    render: renderWebhookEvent,
    renderPlain: renderPlainWebhookEvent,
    mailer: smtp ? smtp.sendAccountMail : undefined,
    integrationsUrl: `${baseUrl}/admin/integrations`,
  });
  const webhookWorker = makeWorker({
    queue: overrides.outbox ? overrides.outbox(queue) : queue,
    workerId: `${workerId}-webhooks`,
    pollMs: config.workerPollMs,
    // Deliveries are latency-bound (up to 15 s each): several bookings' at a time, and claimed
    // while others still run, so a receiver that hangs holds one seat only.
    concurrency: Math.max(8, config.workerConcurrency),
    overlap: true,
    batchSize: 20,
    log: workerLog.child({ lane: 'webhooks' }),
    now: clock.now,
    handlers: {
      [WEBHOOK_TOPICS.event]: async (job) => void (await webhookDelivery.fanOut(job)),
      [WEBHOOK_TOPICS.deliver]: async (job) => {
        const outcome = await webhookDelivery.deliver(job);
        workerLog.info({ jobId: job.id, deliveryId: job.payload.deliveryId, outcome }, 'webhook delivery');
      },
      [WEBHOOK_TOPICS.disabled]: async (job) => {
        workerLog.info({ jobId: job.id, endpointId: job.payload.endpointId, outcome: await webhookDelivery.tellDisabled(job) }, 'webhook endpoint disabled: business told');
      },
    },
    events: metrics?.workerEvents,
  });

  let closed = false;
  return {
    app,
    db,
    worker,
    webhookWorker,
    calendarSync,
    log,
    retention,
    backups,
    async close() {
      if (closed) return;
      closed = true;
      await backups?.stop();
      await worker.stop();
      await webhookWorker.stop();
      await calendarSync.idle();
      log.debug('shutdown: outbox worker stopped');
      await app.close();
      log.debug('shutdown: HTTP server closed, in-flight requests answered');
      await Promise.all([passwordResets.artisan.drain(), passwordResets.operator.drain()]);
      redis?.disconnect();
      smtp?.close();
      if (!overrides.db) await db.close();
      log.debug('shutdown: database closed');
    },
  };
}

/**
 * Redis holds the shared rate-limit counters. The service waits (briefly) for the connection
 * so the first requests are counted; if Redis is down, requests are served and the limits
 * fail open until it is back (logged), rather than the whole API failing.
 */
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn({ err }, 'redis error: rate limits fail open until it is back'));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

const isSimulated = (p: PaymentProvider): p is SimulatedPayments => typeof (p as Partial<SimulatedPayments>).authenticate === 'function';

/** Starts the service; SIGTERM/SIGINT drain in-flight requests and close the database. */
/**
 * Starts the service. `beforeListen` runs once it is composed, before it listens: the bench's
 * entry point (bench/server-entry.ts) adds its baseline route there; the service itself passes none.
 */
export async function main(
  hooks: {
    beforeListen?: (service: Service) => Promise<void>;
    /** The bench's server only (bench/server-entry.ts): what compose() takes from tests, e.g. loopback webhook receivers. */
    overrides?: { webhookTestReceivers?: WebhookTestAllowance };
  } = {},
): Promise<void> {
  loadDotEnv();
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  let service: Service;
  try {
    service = await compose(config, hooks.overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      // A missing or wrong secrets key (instance-key.ts): restarting cannot help either.
      console.error(error.message);
      process.exit(78);
    }
    if (error instanceof SchemaNewerThanCodeError) {
      // 65 (EX_DATAERR): restarting cannot help; deploy/artisanconnect.service does not retry it.
      console.error(error.message);
      process.exit(65);
    }
    throw error;
  }
  const { app, log, worker, webhookWorker } = service;
  await hooks.beforeListen?.(service);
  await app.listen({ port: config.port, host: config.host });
  worker.start();
  webhookWorker.start();
  service.backups?.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info(
    { port, database: service.db.kind, dataDir: service.db.kind === 'pglite' ? resolve(config.dataDir) : undefined },
    `ArtisanConnect prêt sur http://localhost:${port} (API : /api/services, documentation : /api/docs)`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      // process.exit would wait for the database thread; committed data is already durable
      // (the SIGKILL smoke test shows it), so end the process outright.
      process.kill(process.pid, 'SIGKILL');
    }, config.shutdownTimeoutMs);
    force.unref();
    service.close().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error('ArtisanConnect failed to start:', error);
    process.exit(1);
  });
}
