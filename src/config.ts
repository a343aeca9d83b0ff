import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import proxyAddr from '@fastify/proxy-addr';

/** The only reader of process.env: validated once at start-up, every problem reported at once. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where PGlite runs: its own worker thread (default) or the main thread. */
  pgliteThread: 'worker' | 'main';
  databaseUrl: string | undefined;
  /** Connections this instance keeps open to the PostgreSQL server. */
  databasePoolSize: number;
  /** Longest a request's statement may take on PostgreSQL (server- and client-side). */
  databaseQueryTimeoutMs: number;
  /** The same for migrations, which may rebuild tables or wait for another instance's. */
  databaseMigrationTimeoutMs: number;
  redisUrl: string | undefined;
  /** Addresses or CIDRs of the reverse proxies whose X-Forwarded-For is believed; empty: none. */
  trustProxy: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  publicBaseUrl: string;
  adminApiToken: string | undefined;
  paymentProvider: 'simulated' | 'stripe';
  /** Set when paymentProvider is 'stripe'. */
  stripe: StripeConfig | undefined;
  /** How long a slot stays held while the deposit is authorised, 3-D Secure included. */
  paymentHoldMinutes: number;
  /** Requests of this process racing for one slot wait for the first one's hold instead of each asking the database. */
  shareRacingHolds: boolean;
  /** How often the reconciliation job re-reads non-final payments from the provider. */
  paymentReconcileMs: number;
  rateLimits: { manage: number; create: number; read: number; login: number; signup: number; signupCheck: number; apiKey: number };
  /** Who may create a business on the instance (/inscription): anyone, holders of an operator's invitation, or nobody. */
  signup: 'open' | 'invite' | 'closed';
  /** Per business, whatever the clients: a flood on one business's page cannot take the instance. */
  businessRateLimits: { read: number; create: number };
  adminSessionHours: number;
  /** Password hashes (argon2id) running at once for the whole process, and how many may wait. */
  loginHashing: { concurrency: number; queue: number };
  shutdownTimeoutMs: number;
  workerPollMs: number;
  /** Bookings whose outbox jobs one worker handles at the same time. */
  workerConcurrency: number;
  /** Tries before an outbox job is dead (the artisan can retry it). */
  outboxMaxAttempts: number;
  seedDemo: boolean;
  notifications: NotificationConfig;
  /** Sites allowed to show the booking page in an iframe (CSP frame-ancestors); none by default. */
  embedAllowedOrigins: string[];
  /** Where the built front (Vite output) is read from. */
  webDistDir: string;
  /** Bearer token of GET /metrics; unset: no /metrics route at all. */
  metricsToken: string | undefined;
  backup: BackupConfig;
  retention: RetentionConfig;
  /** Directory of pg_dump/psql (PostgreSQL client tools); unset: found on PATH. */
  pgBinDir: string | undefined;
  calendars: CalendarConfig;
}

export interface BackupConfig {
  /** Where scheduled backups go; unset: no scheduled backups. */
  dir: string | undefined;
  intervalHours: number;
  /** How many scheduled backups are kept (older ones are deleted). */
  keep: number;
}

export interface RetentionConfig {
  /** Customer data is anonymised this many months after their last appointment. */
  customerMonths: number;
  /** Copies of sent messages in the mailbox table are deleted after this many days. */
  mailboxDays: number;
  /** Days between the operator scheduling a business's deletion and its purge. */
  businessDeletionGraceDays: number;
}

export interface CalendarConfig {
  /** Encrypts calendar credentials at rest; unset: a key generated once (DATA_DIR or the database). */
  secretsKey: string | undefined;
  /** Lets the server fetch loopback/private/link-local addresses (tests, a Nextcloud at home). */
  allowPrivateUrls: boolean;
  syncIntervalMinutes: number;
  fetchTimeoutMs: number;
  maxBytes: number;
  maxEvents: number;
  /** How long a booking may wait for a stale calendar to sync first. */
  preBookingSyncMs: number;
  /** GOOGLE_CLIENT_ID + GOOGLE_CLIENT_SECRET: Google Calendar connections (OAuth with PKCE). */
  google: { clientId: string; clientSecret: string; oauthBaseUrl: string | undefined; apiBaseUrl: string | undefined } | undefined;
  /** MICROSOFT_CLIENT_ID + MICROSOFT_CLIENT_SECRET: Outlook / Microsoft 365 connections (Graph, OAuth with PKCE). */
  microsoft: { clientId: string; clientSecret: string; oauthBaseUrl: string | undefined; graphBaseUrl: string | undefined } | undefined;
}

export interface StripeConfig {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** Another Stripe-compatible server (tests); unset: api.stripe.com. */
  apiUrl: string | undefined;
  timeoutMs: number;
  /**
   * `own`: the keys are the business's own account and deposits land there (one business).
   * `connect`: the keys are the platform's; each business connects its own Stripe account
   * (Connect, Account Links) and its deposits are direct charges on it.
   */
  mode: 'own' | 'connect';
  /** The type of the connected accounts created for businesses (Connect mode). */
  connectAccountType: 'standard' | 'express';
}

export interface NotificationConfig {
  /** smtp:// or smtps:// with credentials inside; unset: messages are kept in the mailbox table. */
  smtpUrl: string | undefined;
  mailFrom: string;
  twilio: { accountSid: string; authToken: string; from: string; apiBaseUrl: string | undefined } | undefined;
  /** Open connections of the pooled SMTP transport. */
  smtpMaxConnections: number;
  /** Signs manage links; unset: a secret generated once and stored in the database. */
  linkSecret: string | undefined;
  manageLinkDays: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** One environment variable as documented: the README and docs/deployment.md tables come from these. */
export interface VariableDoc {
  name: string;
  /** As shown in the table, `–` when unset by default. */
  default: string;
  meaning: string;
}

/** A variable's documentation at its one place of reading; `default` overrides the shown default. */
type Doc = string | { meaning: string; default: string };

/**
 * The only reader of the environment: every variable is read here exactly once, with its
 * documentation next to it, whatever the other variables say (so `configReference()` can
 * list them all by reading an empty environment).
 */
function readConfig(env: Env, seen: VariableDoc[]): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const note = (name: string, fallback: unknown, doc: Doc): void => {
    const shown = typeof doc === 'string' ? (fallback === undefined ? '–' : `\`${String(fallback)}\``) : doc.default;
    seen.push({ name, default: shown, meaning: typeof doc === 'string' ? doc : doc.meaning });
  };
  const raw = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const str = (name: string, fallback: string, doc: Doc): string => {
    note(name, fallback, doc);
    return raw(name) ?? fallback;
  };
  const optional = (name: string, doc: Doc): string | undefined => {
    note(name, undefined, doc);
    return raw(name);
  };
  const int = (name: string, fallback: number, min: number, max: number, doc: Doc): number => {
    note(name, fallback, doc);
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean, doc: Doc): boolean => {
    note(name, fallback, doc);
    const value = raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[], doc: Doc): string | undefined => {
    note(name, undefined, doc);
    const value = raw(name);
    if (!value) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      return value;
    } catch {
      problems.push(`${name} is not a valid URL`);
      return undefined;
    }
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T, doc: Doc): T => {
    note(name, fallback, doc);
    const value = raw(name) ?? fallback;
    if (!(values as readonly string[]).includes(value)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  };

  /** Space- or comma-separated origins (`https://www.example.fr`), each checked and normalised. */
  const origins = (name: string, doc: Doc): string[] => {
    note(name, undefined, doc);
    const raw = env[name]?.trim();
    if (!raw) return [];
    const out: string[] = [];
    for (const item of raw.split(/[\s,]+/).filter(Boolean)) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(item);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== item.replace(/\/$/, '')) {
        problems.push(`${name} must list origins such as https://www.example.fr (got "${item}")`);
      } else out.push(parsed.origin);
    }
    return out;
  };

  /**
   * The proxies whose X-Forwarded-For is believed, as Fastify's `trustProxy` takes them (checked
   * by its own parser, proxy-addr). The client is the right-most address not among them, so
   * whatever a client writes on the left is never used. `true` (every address is a proxy, so the
   * left end wins) and hop counts (a client connecting directly passes for a proxy) are refused.
   */
  const proxies = (name: string, doc: Doc): string[] => {
    note(name, undefined, doc);
    const value = raw(name);
    if (value === undefined || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return [];
    const example = `give the address of your reverse proxy instead, e.g. ${name}=127.0.0.1 for nginx on the same machine, or a comma-separated list of addresses and CIDRs (10.0.0.5,fd00::/8)`;
    if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) {
      problems.push(`${name}=${value} no longer means anything: trusting every address let a client choose its own (X-Forwarded-For); ${example}`);
      return [];
    }
    if (/^\d+$/.test(value)) {
      problems.push(`${name} does not take a hop count (got "${value}"): a client connecting directly would pass for a proxy; ${example}`);
      return [];
    }
    const list = value.split(',').map((item) => item.trim()).filter(Boolean);
    const bad = list.filter((item) => {
      try {
        proxyAddr.compile(item);
        return false;
      } catch {
        return true;
      }
    });
    if (bad.length > 0) problems.push(`${name} must list IP addresses or CIDRs such as 127.0.0.1 or 10.0.0.0/8 (got ${bad.map((b) => `"${b}"`).join(', ')})`);
    return list;
  };

  const port = int('PORT', 3000, 0, 65535, 'port to listen on');
  const config: Config = {
    port,
    host: str('HOST', '0.0.0.0', 'address to listen on'),
    dataDir: str('DATA_DIR', './data', 'PGlite data directory (used when `DATABASE_URL` is unset)'),
    pgliteThread: oneOf('PGLITE_THREAD', ['worker', 'main'] as const, 'worker', 'run PGlite on its own thread (`worker`) or on the main thread (`main`); see `docs/benchmarks.md`'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:'], '`postgres://…`: use this PostgreSQL server instead (needs the `btree_gist` extension, shipped with PostgreSQL)'),
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 100, 'connections each instance keeps to the PostgreSQL server (instances × this must stay under its `max_connections`)'),
    databaseQueryTimeoutMs: int('DATABASE_QUERY_TIMEOUT_MS', 10_000, 100, 600_000, "longest a statement may take on PostgreSQL (`statement_timeout`); when the server or the network goes silent, the service gives up 1 s later and closes that connection. The request gets 503 with `Retry-After`"),
    databaseMigrationTimeoutMs: int('DATABASE_MIGRATION_TIMEOUT_MS', 600_000, 1_000, 86_400_000, "the same bound for migrations at start (rebuilding a table, waiting for another instance's); backups and restores (`pg_dump`, `psql`) have none"),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:'], '`redis://…`: share rate-limit counters between instances (if Redis is down, limits fail open and it is logged)'),
    trustProxy: proxies('TRUST_PROXY', "addresses or CIDRs of your reverse proxies, comma-separated (`127.0.0.1` for nginx on the same machine; also `loopback`, `uniquelocal`): the client address (rate limits, logs) is then the right-most `X-Forwarded-For` entry they did not add. Unset or `false`: the header is ignored. `true` and hop counts are refused (see Behind a reverse proxy)"),
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', 'pino level (`silent` … `trace`)'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 65_536, 1_024, 10_485_760, 'larger request bodies get 413'),
    publicBaseUrl:
      url('PUBLIC_BASE_URL', ['http:', 'https:'], { meaning: 'public address, used in the OpenAPI document and links', default: '`http://localhost:$PORT`' }) ??
      `http://localhost:${port}`,
    adminApiToken: optional('ADMIN_API_TOKEN', "seeds an API token for the artisan's integrations (≥ 24 characters); revoking it in the back office is permanent"),
    paymentProvider: oneOf('PAYMENT_PROVIDER', ['simulated', 'stripe'] as const, env.STRIPE_SECRET_KEY?.trim() ? 'stripe' : 'simulated', {
      meaning: "deposits: `stripe` (real card payments, see Paiements (Stripe)) or `simulated` (Stripe's test mode without a network)",
      default: '`stripe` when `STRIPE_SECRET_KEY` is set, else `simulated`',
    }),
    stripe: undefined,
    shareRacingHolds: bool('BOOKING_SHARE_RACING_HOLDS', true, "requests of this process racing for one slot wait for the first one's hold: if it takes the slot they are refused without asking the database (`false`: every request's hold goes to the database, which refuses the overlaps itself either way)"),
    paymentHoldMinutes: int('PAYMENT_HOLD_MINUTES', 10, 1, 60, 'how long a slot is held while its deposit is authorised, 3-D Secure challenge included (then the slot is freed and the PaymentIntent cancelled)'),
    paymentReconcileMs: int('PAYMENT_RECONCILE_MS', 60_000, 1_000, 3_600_000, 'how often payments not final yet are re-read from Stripe (a lost webhook, a crash)'),
    rateLimits: {
      manage: int('RATE_LIMIT_MANAGE_PER_MINUTE', 10, 1, 100_000, 'per IP, identity checks by code + e-mail (lookup, cancel, reschedule, payment check) together'),
      create: int('RATE_LIMIT_CREATE_PER_MINUTE', 20, 1, 100_000, 'per IP, booking creation'),
      read: int('RATE_LIMIT_READ_PER_MINUTE', 300, 1, 1_000_000, 'per IP, services + availability, and a customer browsing their booking with a manage link token'),
      login: int('RATE_LIMIT_LOGIN_PER_MINUTE', 10, 1, 100_000, 'per IP, admin sign-in attempts'),
      signup: int('RATE_LIMIT_SIGNUP_PER_MINUTE', 5, 1, 100_000, 'per IP, sign-ups, confirmation links asked again and opened, together'),
      signupCheck: int('RATE_LIMIT_SIGNUP_CHECK_PER_MINUTE', 60, 1, 100_000, "per IP, the sign-up page's address checks (is this slug free?)"),
      apiKey: int('RATE_LIMIT_API_KEY_PER_MINUTE', 600, 1, 1_000_000, 'per API key (token), every admin API request made with it, from any address: over it, 429 with Retry-After until the minute ends (never a lockout)'),
    },
    signup: oneOf('SIGNUP', ['open', 'invite', 'closed'] as const, 'closed', {
      meaning:
        'self-service sign-up at `/inscription` (see Inscription): `open` (anyone creates a business, confirmed by an e-mailed link), `invite` (only with an invitation link issued from the operator console) or `closed`. Other than `closed` needs `SMTP_URL`',
      default: '`closed`',
    }),
    businessRateLimits: {
      read: int('RATE_LIMIT_BUSINESS_READ_PER_MINUTE', 3_000, 1, 10_000_000, "per business, all clients together, its services, profile and availability (on top of each client's own limit)"),
      create: int('RATE_LIMIT_BUSINESS_CREATE_PER_MINUTE', 200, 1, 1_000_000, "per business, all clients together, booking creation (on top of each client's own limit)"),
    },
    adminSessionHours: int('ADMIN_SESSION_HOURS', 12, 1, 24 * 90, "how long an artisan's sign-in lasts"),
    loginHashing: {
      // One core is left to serving requests: a login flood never takes the whole machine.
      concurrency: int('LOGIN_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64, {
        meaning: 'password checks (argon2id, ~20 ms of a core each) running at once in the process, whatever the addresses: a login flood cannot take every core',
        default: 'cores − 1 (at least 1)',
      }),
      queue: int('LOGIN_HASH_QUEUE', 8, 0, 1_000, 'password checks waiting for their turn; beyond, a sign-in gets 503 `LOGIN_BUSY` with `Retry-After` at once'),
    },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 120_000, 'how long SIGTERM waits for in-flight work'),
    workerPollMs: int('WORKER_POLL_MS', 1_000, 50, 60_000, 'outbox worker poll interval'),
    workerConcurrency: int('WORKER_CONCURRENCY', 4, 1, 32, "bookings whose outbox jobs (messages…) a worker handles at once; one booking's jobs stay in order"),
    outboxMaxAttempts: int('OUTBOX_MAX_ATTEMPTS', 10, 1, 100, 'tries of an outbox job (message, settlement…) before it is `dead` (backoff 2, 4, 8 s… capped at 1 h)'),
    embedAllowedOrigins: origins('EMBED_ALLOWED_ORIGINS', 'sites allowed to show the booking page in an iframe, e.g. `https://www.plombier-dupont.fr` (space- or comma-separated; CSP `frame-ancestors`). Unset: no site may'),
    webDistDir: str('WEB_DIST_DIR', 'web/dist', 'where the built front is read from'),
    // Demo data only on the embedded database unless asked (decisions §1): a server is a real deployment.
    seedDemo: bool('SEED_DEMO', !env.DATABASE_URL?.trim(), {
      meaning: 'seed the demo artisan on an empty database (otherwise the first start runs the setup, see the back office)',
      default: '`true` on the embedded database, `false` with `DATABASE_URL`',
    }),
    notifications: {
      smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:'], '`smtp://user:pass@host:587` or `smtps://user:pass@host:465`: send e-mail through this server. Unset: messages are kept in the mailbox (see Notifications)'),
      mailFrom: str('MAIL_FROM', 'ArtisanConnect <no-reply@artisanconnect.local>', "sender of the e-mails; its domain is also the Message-IDs'"),
      smtpMaxConnections: int('SMTP_MAX_CONNECTIONS', 5, 1, 50, 'connections of the pooled SMTP transport (each reused for up to 100 messages, closed after 30 s idle)'),
      twilio: undefined,
      linkSecret: optional('LINK_SECRET', 'key (≥ 32 characters) signing manage links. Unset: derived from the secrets key (`SECRETS_KEY`, else the generated one), so a restore needs only that key'),
      manageLinkDays: int('MANAGE_LINK_DAYS', 60, 1, 730, 'a manage link works until this many days after the appointment'),
    },
    metricsToken: optional('METRICS_TOKEN', 'bearer token (≥ 24 characters) of `GET /metrics` (Prometheus). Unset: there is no `/metrics`'),
    backup: {
      dir: optional('BACKUP_DIR', 'directory of scheduled backups (created if missing). Unset: no scheduled backups (`npm run backup` and the operator console’s download still work)'),
      intervalHours: int('BACKUP_INTERVAL_HOURS', 24, 1, 24 * 31, 'hours between scheduled backups (the first one a minute after start)'),
      keep: int('BACKUP_KEEP', 7, 1, 1000, 'scheduled backups kept in `BACKUP_DIR`; older ones are deleted'),
    },
    retention: {
      customerMonths: int('RETENTION_MONTHS', 36, 1, 600, "customers' personal data is anonymised this many months after their last appointment (the GDPR erasure, by the system)"),
      mailboxDays: int('MAILBOX_RETENTION_DAYS', 90, 1, 3650, 'copies of messages in the mailbox are deleted after this many days'),
      businessDeletionGraceDays: int(
        'BUSINESS_DELETION_GRACE_DAYS',
        30,
        1,
        365,
        'days between the operator scheduling the deletion of a business (suspended at once, cancellable meanwhile) and the purge of all its data',
      ),
    },
    pgBinDir: optional('PG_BIN_DIR', 'directory of PostgreSQL\'s `pg_dump`, used by backups with `DATABASE_URL`, e.g. `/usr/lib/postgresql/16/bin`; unset: found on `PATH`. Its version must be at least the server\'s'),
    calendars: {
      secretsKey: optional('SECRETS_KEY', 'key (≥ 32 characters) encrypting calendar credentials at rest (AES-256-GCM). Unset: one is generated on first start (in `DATA_DIR`, or the database with `DATABASE_URL`)'),
      allowPrivateUrls: bool('CALENDAR_ALLOW_PRIVATE_URLS', false, 'let calendar URLs reach loopback, private and link-local addresses (tests, a Nextcloud on your own network)'),
      syncIntervalMinutes: int('CALENDAR_SYNC_INTERVAL_MINUTES', 5, 1, 1440, 'minutes between background syncs of each calendar (jittered)'),
      fetchTimeoutMs: int('CALENDAR_FETCH_TIMEOUT_MS', 15_000, 100, 120_000, 'time allowed for fetching one calendar'),
      maxBytes: int('CALENDAR_MAX_BYTES', 10_485_760, 1_024, 104_857_600, 'largest calendar download accepted'),
      maxEvents: int('CALENDAR_MAX_EVENTS', 20_000, 1, 1_000_000, 'most events (after expanding recurrences) imported from one calendar'),
      preBookingSyncMs: int('CALENDAR_PRE_BOOKING_SYNC_MS', 1_500, 0, 10_000, 'longest wait for a stale calendar to sync before a booking is confirmed'),
      google: undefined,
      microsoft: undefined,
    },
  };
  const stripe = {
    secretKey: optional('STRIPE_SECRET_KEY', 'Stripe secret key (`sk_test_…` / `sk_live_…`); with it, deposits go through Stripe'),
    publishableKey: optional('STRIPE_PUBLISHABLE_KEY', 'Stripe publishable key (`pk_…`, same mode), given to the front for Stripe Elements'),
    webhookSecret: optional('STRIPE_WEBHOOK_SECRET', 'signing secret (`whsec_…`) of the webhook endpoint `/api/webhooks/stripe`'),
    apiUrl: url('STRIPE_API_URL', ['http:', 'https:'], "for tests only: send the Stripe SDK's requests to this Stripe-compatible server instead of `api.stripe.com`"),
    timeoutMs: int('STRIPE_TIMEOUT_MS', 15_000, 100, 120_000, 'time allowed for one Stripe request; past it the booking answers 503 and the hold is settled by the recovery'),
    mode: oneOf('STRIPE_MODE', ['own', 'connect'] as const, 'own', {
      meaning:
        "`own`: the Stripe keys are the business's own and deposits land on that account (an instance run by one business). `connect`: the keys are the platform's; each business connects its own Stripe account from the back office (Paiements) and its deposits are charged on it (Stripe Connect, direct charges); a business without one takes no deposit online",
      default: '`own`',
    }),
    connectAccountType: oneOf('STRIPE_CONNECT_ACCOUNT_TYPE', ['standard', 'express'] as const, 'standard', 'with `STRIPE_MODE=connect`: the type of Stripe account created for a business that has none (`standard`: its own full Stripe dashboard; `express`: a simplified one)'),
  };
  if (config.paymentProvider === 'stripe') config.stripe = checkStripe(stripe, problems);
  const twilio = {
    accountSid: optional('TWILIO_ACCOUNT_SID', 'with `TWILIO_AUTH_TOKEN` and `TWILIO_FROM` (all three): send SMS with Twilio. Unset: SMS are kept in the mailbox'),
    authToken: optional('TWILIO_AUTH_TOKEN', 'Twilio auth token (see `TWILIO_ACCOUNT_SID`)'),
    from: optional('TWILIO_FROM', 'your Twilio number or sender id (see `TWILIO_ACCOUNT_SID`)'),
    apiBaseUrl: url('TWILIO_API_BASE_URL', ['http:', 'https:'], "for tests only: send the Twilio SDK's requests to this origin (a local server in Twilio's format) instead of `api.twilio.com`"),
  };
  const twilioVars = { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM: twilio.from };
  const missing = Object.entries(twilioVars).filter(([, v]) => v === undefined).map(([name]) => name);
  if (missing.length === 0) {
    config.notifications.twilio = { accountSid: twilio.accountSid!, authToken: twilio.authToken!, from: twilio.from!, apiBaseUrl: twilio.apiBaseUrl };
    if (!/^AC[0-9a-fA-F]{32}$/.test(twilio.accountSid!)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal characters');
  } else if (missing.length < 3) {
    problems.push(`TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM go together (missing: ${missing.join(', ')})`);
  }
  if (!/<[^<>@\s]+@[^<>@\s]+>\s*$|^[^<>@\s]+@[^<>@\s]+$/.test(config.notifications.mailFrom)) {
    problems.push('MAIL_FROM must be an address, optionally with a name: "Nom <adresse@domaine.fr>"');
  }
  if (config.notifications.linkSecret !== undefined && config.notifications.linkSecret.length < 32) {
    problems.push('LINK_SECRET must be at least 32 characters long');
  }
  const googleId = optional('GOOGLE_CLIENT_ID', 'OAuth client of a Google Cloud project (with GOOGLE_CLIENT_SECRET): lets artisans connect Google Calendar directly; redirect URI `PUBLIC_BASE_URL/api/admin/calendars/oauth/google/callback`');
  const googleSecret = optional('GOOGLE_CLIENT_SECRET', 'secret of that OAuth client');
  const googleOauth = url('GOOGLE_OAUTH_BASE_URL', ['http:', 'https:'], 'tests only: a local server in the format of Google OAuth (authorisation and token endpoints) instead of Google');
  const googleApi = url('GOOGLE_API_BASE_URL', ['http:', 'https:'], "tests only: a local server in the format of the Google Calendar API instead of `www.googleapis.com`");
  if (googleId && googleSecret) {
    config.calendars.google = { clientId: googleId, clientSecret: googleSecret, oauthBaseUrl: googleOauth?.replace(/\/$/, ''), apiBaseUrl: googleApi?.replace(/\/$/, '') };
  } else if (googleId || googleSecret) {
    problems.push('GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET go together');
  }
  const msId = optional('MICROSOFT_CLIENT_ID', 'application (client) ID of a Microsoft Entra app registration (with MICROSOFT_CLIENT_SECRET): lets artisans connect Outlook / Microsoft 365 directly; redirect URI `PUBLIC_BASE_URL/api/admin/calendars/oauth/outlook/callback`, delegated permissions `Calendars.ReadWrite` and `offline_access`');
  const msSecret = optional('MICROSOFT_CLIENT_SECRET', 'a client secret of that app registration');
  const msOauth = url('MICROSOFT_OAUTH_BASE_URL', ['http:', 'https:'], 'tests only: a local server in the format of the Microsoft identity platform (authorize and token endpoints) instead of `login.microsoftonline.com`');
  const msGraph = url('MICROSOFT_GRAPH_BASE_URL', ['http:', 'https:'], 'tests only: a local server in the format of Microsoft Graph instead of `graph.microsoft.com`');
  if (msId && msSecret) {
    config.calendars.microsoft = { clientId: msId, clientSecret: msSecret, oauthBaseUrl: msOauth?.replace(/\/$/, ''), graphBaseUrl: msGraph?.replace(/\/$/, '') };
  } else if (msId || msSecret) {
    problems.push('MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET go together');
  }
  if (config.calendars.secretsKey !== undefined && config.calendars.secretsKey.length < 32) {
    problems.push('SECRETS_KEY must be at least 32 characters long');
  }
  if (config.signup !== 'closed' && !config.notifications.smtpUrl) {
    problems.push(`SIGNUP=${config.signup} needs SMTP_URL: each sign-up is confirmed by a link sent by e-mail`);
  }
  if (config.adminApiToken !== undefined && config.adminApiToken.length < 24) {
    problems.push('ADMIN_API_TOKEN must be at least 24 characters long');
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 24) {
    problems.push('METRICS_TOKEN must be at least 24 characters long');
  }
  return { config, problems };
}

function checkStripe(
  s: { secretKey?: string; publishableKey?: string; webhookSecret?: string; apiUrl?: string; timeoutMs: number; mode: 'own' | 'connect'; connectAccountType: 'standard' | 'express' },
  problems: string[],
): StripeConfig {
  const mode = (key: string | undefined): string | undefined => (key ? /^(?:sk|rk|pk)_(test|live)_[A-Za-z0-9]+$/.exec(key)?.[1] : undefined);
  if (!s.secretKey) problems.push('STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER is stripe');
  else if (!/^(sk|rk)_/.test(s.secretKey) || !mode(s.secretKey)) problems.push('STRIPE_SECRET_KEY must be a secret key (sk_test_… or sk_live_…)');
  if (!s.publishableKey) problems.push('STRIPE_PUBLISHABLE_KEY is required when PAYMENT_PROVIDER is stripe (the front needs it for Stripe Elements)');
  else if (!s.publishableKey.startsWith('pk_') || !mode(s.publishableKey)) problems.push('STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_test_… or pk_live_…)');
  else if (mode(s.secretKey) && mode(s.secretKey) !== mode(s.publishableKey)) {
    problems.push(`STRIPE_PUBLISHABLE_KEY is a ${mode(s.publishableKey)} key but STRIPE_SECRET_KEY is a ${mode(s.secretKey)} key: use the pair of one mode`);
  }
  if (!s.webhookSecret) problems.push('STRIPE_WEBHOOK_SECRET is required when PAYMENT_PROVIDER is stripe (webhook signatures are verified)');
  else if (!/^whsec_[A-Za-z0-9]+$/.test(s.webhookSecret)) problems.push('STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)');
  return {
    secretKey: s.secretKey ?? '',
    publishableKey: s.publishableKey ?? '',
    webhookSecret: s.webhookSecret ?? '',
    apiUrl: s.apiUrl,
    timeoutMs: s.timeoutMs,
    mode: s.mode,
    connectAccountType: s.connectAccountType,
  };
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const { config, problems } = readConfig(env, []);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Every variable the service reads, in reading order, with its default and meaning. */
export function configReference(): VariableDoc[] {
  const seen: VariableDoc[] = [];
  readConfig({}, seen);
  return seen;
}

/** The Markdown table of `configReference()` (README "Configuration", docs/deployment.md). */
export function configTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = configReference().map((v) => `| \`${v.name}\` | ${cell(v.default)} | ${cell(v.meaning)} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Loads a .env file from the working directory when there is one (real variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
