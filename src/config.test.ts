import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.bodyLimitBytes).toBe(65_536);
    expect(c.rateLimits).toEqual({ manage: 10, create: 20, read: 300, login: 10 });
    expect(c.adminSessionHours).toBe(12);
    expect(c.paymentHoldMinutes).toBe(5);
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

  it('accepts a PostgreSQL URL and boolean spellings', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/db', TRUST_PROXY: 'yes', PORT: '8080' });
    expect(c.databaseUrl).toBe('postgresql://u@h:5432/db');
    expect(c.trustProxy).toBe(true);
    expect(c.port).toBe(8080);
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
});
