import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databasePoolSize).toBe(10);
    expect(c.shareRacingHolds).toBe(true);
    expect(c.bodyLimitBytes).toBe(65_536);
    expect(c.rateLimits).toEqual({ manage: 10, create: 20, read: 300, login: 10, signup: 5, signupCheck: 60, apiKey: 600 });
    // Sign-up is closed unless the operator opens it: a one-business instance is unchanged.
    expect(c.signup).toBe('closed');
    expect(c.adminSessionHours).toBe(12);
    expect(c.paymentHoldMinutes).toBe(10);
    expect(c.paymentProvider).toBe('simulated');
    expect(c.stripe).toBeUndefined();
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every bad variable at once, by name', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'maybe', LOG_LEVEL: 'loud', ADMIN_API_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'TRUST_PROXY', 'LOG_LEVEL', 'ADMIN_API_TOKEN']) expect(problems).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('bounds statements on PostgreSQL: 10 s for requests, 10 min for migrations', () => {
    expect(loadConfig({})).toMatchObject({ databaseQueryTimeoutMs: 10_000, databaseMigrationTimeoutMs: 600_000 });
    expect(loadConfig({ DATABASE_QUERY_TIMEOUT_MS: '2500', DATABASE_MIGRATION_TIMEOUT_MS: '3600000' })).toMatchObject({ databaseQueryTimeoutMs: 2_500, databaseMigrationTimeoutMs: 3_600_000 });
    for (const bad of ['0', '99', 'dix', '600001']) expect(() => loadConfig({ DATABASE_QUERY_TIMEOUT_MS: bad }), bad).toThrow(/DATABASE_QUERY_TIMEOUT_MS/);
    expect(() => loadConfig({ DATABASE_MIGRATION_TIMEOUT_MS: '10' })).toThrow(/DATABASE_MIGRATION_TIMEOUT_MS/);
  });

  it('bounds the PostgreSQL pool size', () => {
    expect(loadConfig({ DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    for (const bad of ['0', '101', 'dix']) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad }), bad).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('accepts a PostgreSQL URL and boolean spellings', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/db', SEED_DEMO: 'yes', PORT: '8080' });
    expect(c.databaseUrl).toBe('postgresql://u@h:5432/db');
    expect(c.seedDemo).toBe(true);
    expect(c.port).toBe(8080);
  });

  it('SIGNUP: open or invite needs a mail server (the confirmation link is e-mailed); an unknown mode is refused', () => {
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problemsOf({ SIGNUP: 'open' })).toEqual(['SIGNUP=open needs SMTP_URL: each sign-up is confirmed by a link sent by e-mail']);
    expect(problemsOf({ SIGNUP: 'invite' })).toEqual(['SIGNUP=invite needs SMTP_URL: each sign-up is confirmed by a link sent by e-mail']);
    expect(loadConfig({ SIGNUP: 'invite', SMTP_URL: 'smtp://mail.example.fr:587' }).signup).toBe('invite');
    expect(problemsOf({ SIGNUP: 'everyone' })).toEqual(['SIGNUP must be one of open, invite, closed (got "everyone")']);
  });

  describe('TRUST_PROXY', () => {
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };

    it('trusts no proxy by default, nor with false', () => {
      expect(loadConfig({}).trustProxy).toEqual([]);
      for (const off of ['false', 'no', 'off', '0']) expect(loadConfig({ TRUST_PROXY: off }).trustProxy, off).toEqual([]);
    });

    it('takes addresses, CIDRs and named ranges, comma-separated', () => {
      expect(loadConfig({ TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
      expect(loadConfig({ TRUST_PROXY: ' 10.0.0.5 , 192.168.1.0/24,fd00::/8, loopback ' }).trustProxy).toEqual(['10.0.0.5', '192.168.1.0/24', 'fd00::/8', 'loopback']);
    });

    it('refuses true (it trusted every address) and hop counts, saying what to write instead', () => {
      for (const value of ['true', 'yes', 'on', '1', 'TRUE']) {
        const problems = problemsOf({ TRUST_PROXY: value });
        expect(problems, value).toHaveLength(1);
        expect(problems[0], value).toMatch(/TRUST_PROXY.*TRUST_PROXY=127\.0\.0\.1/);
      }
      expect(problemsOf({ TRUST_PROXY: '2' }).join()).toMatch(/TRUST_PROXY does not take a hop count/);
    });

    it('names every entry that is not an address or CIDR, with the other problems', () => {
      const problems = problemsOf({ TRUST_PROXY: '127.0.0.1, nginx.local, 10.0.0.0/33', PORT: 'x' });
      expect(problems).toHaveLength(2);
      expect(problems.join('\n')).toContain('"nginx.local", "10.0.0.0/33"');
      expect(problems.join('\n')).toContain('PORT');
    });
  });

  it('refuses out-of-range numbers and unknown choices', () => {
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '10' })).toThrow(/BODY_LIMIT_BYTES/);
    expect(() => loadConfig({ PGLITE_THREAD: 'gpu' })).toThrow(/PGLITE_THREAD/);
  });
});

describe('notification settings', () => {
  it('defaults to the embedded mailbox, 10 tries and 60-day manage links', () => {
    const c = loadConfig({});
    expect(c.notifications).toEqual({
      smtpUrl: undefined,
      mailFrom: 'ArtisanConnect <no-reply@artisanconnect.local>',
      smtpMaxConnections: 5,
      twilio: undefined,
      linkSecret: undefined,
      manageLinkDays: 60,
    });
    expect(c.outboxMaxAttempts).toBe(10);
  });

  it('caps password hashing at one fewer than the cores (at least one), with a short queue', () => {
    const cores = os.availableParallelism();
    expect(loadConfig({}).loginHashing).toEqual({ concurrency: Math.max(1, cores - 1), queue: 8 });
    expect(loadConfig({ LOGIN_HASH_CONCURRENCY: '3', LOGIN_HASH_QUEUE: '0' }).loginHashing).toEqual({ concurrency: 3, queue: 0 });
    expect(() => loadConfig({ LOGIN_HASH_CONCURRENCY: '0' })).toThrow(/LOGIN_HASH_CONCURRENCY/);
    expect(() => loadConfig({ SMTP_MAX_CONNECTIONS: '0' })).toThrow(/SMTP_MAX_CONNECTIONS/);
  });

  it('reads SMTP, Twilio, the link secret and the outbox limit', () => {
    const c = loadConfig({
      SMTP_URL: 'smtps://user:pass@mail.example.fr:465',
      MAIL_FROM: 'Marc <rdv@example.fr>',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'tok',
      TWILIO_FROM: '+33757000000',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9999',
      LINK_SECRET: 'x'.repeat(32),
      OUTBOX_MAX_ATTEMPTS: '5',
    });
    expect(c.notifications.smtpUrl).toBe('smtps://user:pass@mail.example.fr:465');
    expect(c.notifications.twilio).toEqual({ accountSid: `AC${'a'.repeat(32)}`, authToken: 'tok', from: '+33757000000', apiBaseUrl: 'http://127.0.0.1:9999' });
    expect(c.notifications.linkSecret).toBe('x'.repeat(32));
    expect(c.outboxMaxAttempts).toBe(5);
  });

  it('names each bad notification variable', () => {
    let error: unknown;
    try {
      loadConfig({ SMTP_URL: 'http://mail', MAIL_FROM: 'pas une adresse', TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, LINK_SECRET: 'court', OUTBOX_MAX_ATTEMPTS: '0' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['SMTP_URL', 'MAIL_FROM', 'TWILIO_AUTH_TOKEN', 'LINK_SECRET', 'OUTBOX_MAX_ATTEMPTS']) expect(problems).toContain(name);
  });

  describe('payment provider', () => {
    const keys = { STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_abc123' };
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };

    it('is stripe when a secret key is set, simulated otherwise', () => {
      const c = loadConfig({ ...keys, STRIPE_API_URL: 'http://127.0.0.1:12111' });
      expect(c.paymentProvider).toBe('stripe');
      expect(c.stripe).toMatchObject({ secretKey: 'sk_test_abc123', publishableKey: 'pk_test_abc123', webhookSecret: 'whsec_abc123', apiUrl: 'http://127.0.0.1:12111' });
      expect(loadConfig({ ...keys, PAYMENT_PROVIDER: 'simulated' }).paymentProvider).toBe('simulated');
    });

    it('stripe without its keys stops start-up naming each missing variable', () => {
      const problems = problemsOf({ PAYMENT_PROVIDER: 'stripe' }).join('\n');
      for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET']) expect(problems).toContain(name);
    });

    it('refuses keys of the wrong kind or of two modes, a bad URL and an unknown provider', () => {
      expect(problemsOf({ ...keys, STRIPE_SECRET_KEY: 'pk_test_abc123' }).join()).toContain('STRIPE_SECRET_KEY');
      expect(problemsOf({ ...keys, STRIPE_PUBLISHABLE_KEY: 'pk_live_abc123' }).join()).toContain('STRIPE_PUBLISHABLE_KEY');
      expect(problemsOf({ ...keys, STRIPE_WEBHOOK_SECRET: 'secret' }).join()).toContain('STRIPE_WEBHOOK_SECRET');
      expect(problemsOf({ ...keys, STRIPE_API_URL: 'ftp://x' }).join()).toContain('STRIPE_API_URL');
      expect(problemsOf({ PAYMENT_PROVIDER: 'paypal' }).join()).toContain('PAYMENT_PROVIDER');
      expect(problemsOf({ PAYMENT_HOLD_MINUTES: '0' }).join()).toContain('PAYMENT_HOLD_MINUTES');
    });
  });
});
