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
