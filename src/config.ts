import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The only reader of process.env: validated once at start-up, every problem reported at once. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where PGlite runs: its own worker thread (default) or the main thread. */
  pgliteThread: 'worker' | 'main';
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  publicBaseUrl: string;
  adminApiToken: string | undefined;
  paymentProvider: 'simulated';
  paymentHoldMinutes: number;
  rateLimits: { manage: number; create: number; read: number; login: number };
  adminSessionHours: number;
  /** Password hashes (argon2id) running at once for the whole process, and how many may wait. */
  loginHashing: { concurrency: number; queue: number };
  shutdownTimeoutMs: number;
  workerPollMs: number;
  /** Tries before an outbox job is dead (the artisan can retry it). */
  outboxMaxAttempts: number;
  seedDemo: boolean;
  notifications: NotificationConfig;
  /** Sites allowed to show the booking page in an iframe (CSP frame-ancestors); none by default. */
  embedAllowedOrigins: string[];
  /** Where the built front (Vite output) is read from. */
  webDistDir: string;
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

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      return raw;
    } catch {
      problems.push(`${name} is not a valid URL`);
      return undefined;
    }
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const raw = str(name, fallback);
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };

  /** Space- or comma-separated origins (`https://www.example.fr`), each checked and normalised. */
  const origins = (name: string): string[] => {
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

  const port = int('PORT', 3000, 0, 65535);
  const config: Config = {
    port,
    host: str('HOST', '0.0.0.0'),
    dataDir: str('DATA_DIR', './data'),
    pgliteThread: oneOf('PGLITE_THREAD', ['worker', 'main'] as const, 'worker'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    trustProxy: bool('TRUST_PROXY', false),
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 65_536, 1_024, 10_485_760),
    publicBaseUrl: url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    adminApiToken: env.ADMIN_API_TOKEN?.trim() || undefined,
    paymentProvider: oneOf('PAYMENT_PROVIDER', ['simulated'] as const, 'simulated'),
    paymentHoldMinutes: int('PAYMENT_HOLD_MINUTES', 5, 1, 60),
    rateLimits: {
      manage: int('RATE_LIMIT_MANAGE_PER_MINUTE', 10, 1, 100_000),
      create: int('RATE_LIMIT_CREATE_PER_MINUTE', 20, 1, 100_000),
      read: int('RATE_LIMIT_READ_PER_MINUTE', 300, 1, 1_000_000),
      login: int('RATE_LIMIT_LOGIN_PER_MINUTE', 10, 1, 100_000),
    },
    adminSessionHours: int('ADMIN_SESSION_HOURS', 12, 1, 24 * 90),
    loginHashing: {
      // One core is left to serving requests: a login flood never takes the whole machine.
      concurrency: int('LOGIN_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
      queue: int('LOGIN_HASH_QUEUE', 8, 0, 1_000),
    },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 120_000),
    workerPollMs: int('WORKER_POLL_MS', 1_000, 50, 60_000),
    outboxMaxAttempts: int('OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
    embedAllowedOrigins: origins('EMBED_ALLOWED_ORIGINS'),
    webDistDir: str('WEB_DIST_DIR', 'web/dist'),
    // Demo data only on the embedded database unless asked (decisions §1): a server is a real deployment.
    seedDemo: bool('SEED_DEMO', !env.DATABASE_URL?.trim()),
    notifications: {
      smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
      mailFrom: str('MAIL_FROM', 'ArtisanConnect <no-reply@artisanconnect.local>'),
      smtpMaxConnections: int('SMTP_MAX_CONNECTIONS', 5, 1, 50),
      twilio: undefined,
      linkSecret: env.LINK_SECRET?.trim() || undefined,
      manageLinkDays: int('MANAGE_LINK_DAYS', 60, 1, 730),
    },
  };
  const twilioVars = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const;
  const twilioSet = twilioVars.filter((name) => env[name]?.trim());
  if (twilioSet.length === twilioVars.length) {
    config.notifications.twilio = {
      accountSid: str('TWILIO_ACCOUNT_SID', ''),
      authToken: str('TWILIO_AUTH_TOKEN', ''),
      from: str('TWILIO_FROM', ''),
      apiBaseUrl: url('TWILIO_API_BASE_URL', ['http:', 'https:']),
    };
    if (!/^AC[0-9a-fA-F]{32}$/.test(config.notifications.twilio.accountSid)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal characters');
  } else if (twilioSet.length > 0) {
    problems.push(`TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM go together (missing: ${twilioVars.filter((n) => !twilioSet.includes(n)).join(', ')})`);
  }
  if (!/<[^<>@\s]+@[^<>@\s]+>\s*$|^[^<>@\s]+@[^<>@\s]+$/.test(config.notifications.mailFrom)) {
    problems.push('MAIL_FROM must be an address, optionally with a name: "Nom <adresse@domaine.fr>"');
  }
  if (config.notifications.linkSecret !== undefined && config.notifications.linkSecret.length < 32) {
    problems.push('LINK_SECRET must be at least 32 characters long');
  }
  if (config.adminApiToken !== undefined && config.adminApiToken.length < 24) {
    problems.push('ADMIN_API_TOKEN must be at least 24 characters long');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Loads a .env file from the working directory when there is one (real variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
