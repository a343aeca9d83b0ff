import { describe, expect, it } from 'vitest';
import { makeReadiness, type DatabaseProbe } from './readiness.ts';

const database = (over: Partial<DatabaseProbe> = {}): DatabaseProbe => ({
  kind: 'postgres',
  ping: async () => {},
  migrations: async () => ({ pending: [], unknown: [] }),
  ...over,
});
const polling = (lastPollAt: number | undefined) => ({ started: () => true, lastPollAt: () => lastPollAt });

describe('readiness', () => {
  it('is ready when the database answers, its migrations are current and the worker polled recently', async () => {
    const ready = makeReadiness({ database: database(), worker: () => polling(9_000), workerStaleMs: 30_000, now: () => 10_000 });
    const checks = await ready();
    expect(checks).toEqual({
      database: { ok: true, engine: 'postgres' },
      migrations: { ok: true, pending: [], unknown: [] },
      worker: { ok: true, lastPollSecondsAgo: 1 },
    });
  });

  it('names each failing check in French: a database that hangs, then migrations it cannot read', async () => {
    const hanging = makeReadiness({
      database: database({ ping: () => new Promise(() => {}) }),
      worker: () => undefined,
      workerStaleMs: 30_000,
      timeoutMs: 20,
    });
    const checks = await hanging();
    expect(checks.database).toEqual({ ok: false, engine: 'postgres', message: 'La base de données ne répond pas.' });
    expect(checks.migrations?.ok).toBe(false);
    expect(checks.worker).toEqual({ ok: false, message: "La tâche de fond (envoi des messages) n'est pas démarrée." });
  });

  it('refuses pending migrations and a schema a newer version migrated, and a worker that stopped polling', async () => {
    const pending = await makeReadiness({
      database: database({ migrations: async () => ({ pending: [26, 27], unknown: [] }) }),
      worker: () => polling(0),
      workerStaleMs: 30_000,
      now: () => 60_000,
    })();
    expect(pending.migrations).toMatchObject({ ok: false, message: 'Migrations non appliquées : 26, 27.' });
    expect(pending.worker).toMatchObject({ ok: false, lastPollSecondsAgo: 60 });
    const newer = await makeReadiness({
      database: database({ migrations: async () => ({ pending: [], unknown: [99] }) }),
      worker: () => polling(0),
      workerStaleMs: 30_000,
      now: () => 0,
    })();
    expect(newer.migrations).toMatchObject({ ok: false, unknown: [99] });
    expect(String(newer.migrations?.message)).toContain('une version plus récente');
  });
});
