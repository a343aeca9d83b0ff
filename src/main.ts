import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { loadConfig, loadDotEnv, ConfigError, type Config } from './config.ts';
import type { Clock, PaymentProvider, Randomness } from './app/ports.ts';
import { makeGetAvailability } from './app/get-availability.ts';
import { makeCreateBooking } from './app/create-booking.ts';
import { makeCancelBooking, makeFindBooking, makeRescheduleBooking } from './app/manage-booking.ts';
import { makeSettleDeposit } from './app/settle-deposit.ts';
import { makeRecoverStaleHolds } from './app/recover-holds.ts';
import { TOPICS } from './app/booking-effects.ts';
import type { Database } from './adapters/db/database.ts';
import { openPglite } from './adapters/db/pglite.ts';
import { openPgliteThread } from './adapters/db/pglite-thread.ts';
import { openPostgres } from './adapters/db/postgres.ts';
import { migrate } from './adapters/db/migrate.ts';
import { seedDemo } from './adapters/db/seed.ts';
import { makeBookingStore } from './adapters/db/booking-store.ts';
import { makeIdempotencyStore } from './adapters/db/idempotency-store.ts';
import { makeSimulatedPayments } from './adapters/payments/simulated.ts';
import { makeOutboxQueue, type OutboxQueue } from './adapters/outbox/outbox-queue.ts';
import { makeManageLinks } from './app/manage-link.ts';
import { makeNotifyBooking, NOTIFICATION_TOPICS } from './app/notify-booking.ts';
import { makeNotificationStore } from './adapters/db/notification-store.ts';
import { sharedSecret } from './adapters/db/secret-store.ts';
import { makeMailbox } from './adapters/notify/mailbox.ts';
import { makeSmtpMailer } from './adapters/notify/smtp-mailer.ts';
import { makeTwilioSms } from './adapters/notify/twilio-sms.ts';
import { frenchTemplates } from './adapters/notify/templates-fr.ts';
import { makeAdminNotificationRoutes } from './adapters/http/routes/admin-notifications.ts';
import { makeWorker, type Worker } from './adapters/outbox/worker.ts';
import { buildHttpApp } from './adapters/http/app.ts';
import { makeAdminAuthStore } from './adapters/db/admin-auth-store.ts';
import { adminAccountRoutes } from './adapters/http/routes/admin-account.ts';
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
import { adminAvailabilityRoutes } from './adapters/http/routes/admin-availability.ts';
import { adminBookingRoutes } from './adapters/http/routes/admin-bookings.ts';
import { makeAdminBookingReader } from './adapters/db/admin-bookings-store.ts';
import { makeAdminBookings } from './app/admin-bookings.ts';
import { makeAdminAuth } from './app/admin-auth.ts';
import { argon2Hasher } from './adapters/security/argon2-hasher.ts';
import { makeFirstStart } from './app/first-start.ts';
import { makeSetupStore } from './adapters/db/setup-store.ts';
import { boundedHasher } from './adapters/security/bounded-hasher.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Randomness = { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) };

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pgliteThread'>): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const dir = resolve(config.dataDir);
  return config.pgliteThread === 'worker' ? openPgliteThread(dir) : openPglite(dir);
}

/** The artisan sign-in on a database: the service, `npm run admin:password`, tests and bench share it. */
export function adminAuthOn(
  db: Database,
  options: { sessionHours?: number; clock?: Clock; random?: Randomness; hashing?: Config['loginHashing'] } = {},
) {
  return makeAdminAuth({
    store: makeAdminAuthStore(db),
    hasher: options.hashing ? boundedHasher(argon2Hasher, options.hashing) : argon2Hasher,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    sessionHours: options.sessionHours ?? 12,
  });
}

export interface Service {
  app: FastifyInstance;
  db: Database;
  worker: Worker;
  log: Logger;
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
  } = {},
): Promise<Service> {
  const log = overrides.log ?? pino({ level: config.logLevel, base: { service: 'artisanconnect' } });
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? systemRandom;
  const db = overrides.db ?? (await openDatabase(config));
  await migrate(db);
  if (config.seedDemo) {
    const seed = await seedDemo(db, random.uuid);
    if (seed.seeded) log.info({ artisan: seed.artisanEmail }, 'demo artisan seeded (Marc Dupont - Plomberie)');
  }

  const auth = adminAuthOn(db, { sessionHours: config.adminSessionHours, clock, random, hashing: config.loginHashing });
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

  const store = makeBookingStore(db, random.uuid);
  const payments = overrides.payments ?? makeSimulatedPayments();
  const settleDeposit = makeSettleDeposit({ store, payments, clock });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : undefined;
  const settings = makeSettingsStore(db);

  // Notifications: SMTP and Twilio when configured, else the mailbox table the artisan reads.
  const notify = config.notifications;
  const mailbox = makeMailbox(db, { uuid: random.uuid, now: clock.now });
  const smtp = notify.smtpUrl ? makeSmtpMailer({ url: notify.smtpUrl, from: notify.mailFrom, maxConnections: notify.smtpMaxConnections }) : undefined;
  const links = makeManageLinks({
    store,
    clock,
    secret: notify.linkSecret ?? (await sharedSecret(db, 'manage_link', () => Buffer.from(random.bytes(32)).toString('base64url'))),
    baseUrl: config.publicBaseUrl,
    ttlDays: notify.manageLinkDays,
  });
  const notificationStore = makeNotificationStore(db, store, random.uuid);
  const notifyBooking = makeNotifyBooking({
    store: notificationStore,
    mailer: smtp ?? mailbox.mailer,
    sms: notify.twilio ? makeTwilioSms(notify.twilio) : mailbox.sms,
    templates: frenchTemplates,
    links,
    clock,
    messageIdDomain: /@([^>\s]+)>?\s*$/.exec(notify.mailFrom)?.[1] ?? 'artisanconnect.local',
  });
  const queue = makeOutboxQueue(db, { maxAttempts: config.outboxMaxAttempts });
  const workerLog = log.child({ component: 'worker' });

  const useCases = {
    listServices: () => store.listActiveServices(),
    getAvailability: makeGetAvailability({ store, clock }),
    createBooking: makeCreateBooking({ store, payments, clock, random, holdMinutes: config.paymentHoldMinutes }),
    findBooking: makeFindBooking({ store }),
    cancelBooking: makeCancelBooking({ store, clock, settleDeposit, log }),
    rescheduleBooking: makeRescheduleBooking({ store, clock }),
    findBookingByToken: (token: string) => links.resolve(token),
  };
  const adminBookings = makeAdminBookings({ reader: makeAdminBookingReader(db), clock, zoneOf: async (id) => (await settings.readArtisan(id))?.timezone });

  const app = await buildHttpApp({
    log,
    config,
    clock,
    redis,
    version: VERSION,
    idempotency: makeIdempotencyStore(db),
    setup: {
      firstStart,
      onCreated: async () => {
        if (config.adminApiToken) await auth.seedConfiguredToken(config.adminApiToken);
      },
    },
    admin: {
      auth,
      routes: [
        adminAccountRoutes({ auth, publicBaseUrl: config.publicBaseUrl }),
        adminBookingRoutes({ bookings: adminBookings, useCases }),
        adminSettingsRoutes({
          settings: makeArtisanSettings({ settings, clock, random }),
          exceptions: makeScheduleExceptions({ settings, clock, random }),
        }),
        adminServicesRoutes({ services: makeAdminServices({ services: makeServiceCatalogStore(db) }) }),
        adminTimeOffRoutes({ timeOff: makeTimeOff({ settings, timeOff: makeTimeOffStore(db), clock, random }) }),
        adminAvailabilityRoutes({ getAvailability: useCases.getAvailability }),
        makeAdminNotificationRoutes({ mailbox, outbox: queue, settings: notificationStore, clock }),
      ],
    },
    health: async () => {
      await db.query('SELECT 1');
      return { database: db.kind };
    },
    useCases,
  });

  const recoverStaleHolds = makeRecoverStaleHolds({ store, payments, clock, log: workerLog });
  // PGlite has no autovacuum: without statistics the planner takes the partial exclusion
  // index for range reads (the agenda scanned every booking of the artisan). Analysed at
  // start and then hourly by the worker; a PostgreSQL server does this itself.
  const refreshStatistics = db.kind === 'pglite' ? everyMs(3_600_000, () => db.exec('ANALYZE')) : undefined;
  if (refreshStatistics) await refreshStatistics();
  const worker = makeWorker({
    queue: overrides.outbox ? overrides.outbox(queue) : queue,
    workerId: `worker-${random.uuid()}`,
    pollMs: config.workerPollMs,
    log: workerLog,
    now: clock.now,
    handlers: {
      [TOPICS.settle]: async (job) => {
        if (job.bookingId) await settleDeposit(job.bookingId);
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
    periodic: [async () => void (await recoverStaleHolds()), ...(refreshStatistics ? [refreshStatistics] : [])],
  });

  let closed = false;
  return {
    app,
    db,
    worker,
    log,
    async close() {
      if (closed) return;
      closed = true;
      await worker.stop();
      log.debug('shutdown: outbox worker stopped');
      await app.close();
      log.debug('shutdown: HTTP server closed, in-flight requests answered');
      redis?.disconnect();
      smtp?.close();
      if (!overrides.db) await db.close();
      log.debug('shutdown: database closed');
    },
  };
}

/** Runs `task` at most once per `intervalMs` (wall time), however often it is called. */
function everyMs(intervalMs: number, task: () => Promise<unknown>): () => Promise<void> {
  let last = -Infinity;
  return async () => {
    if (performance.now() - last < intervalMs) return;
    last = performance.now();
    await task();
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

/** Starts the service; SIGTERM/SIGINT drain in-flight requests and close the database. */
export async function main(): Promise<void> {
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
  const service = await compose(config);
  const { app, log, worker } = service;
  await app.listen({ port: config.port, host: config.host });
  worker.start();
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
