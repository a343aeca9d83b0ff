import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';

/**
 * The SMTP transport is pooled and a job's messages leave together. The server here holds
 * each message's DATA until the job's other message has arrived too: sent one after the other,
 * the first would wait forever (the job fails on the socket timeout); sent together, over two
 * pooled connections, both are accepted. It also counts connections: many jobs reuse a few.
 */
describe.each(ENGINES)('pooled SMTP, concurrent messages on %s', (engine) => {
  let t: TestService;
  let server: SMTPServer;
  let connections = 0;
  const accepted: string[] = [];
  const waiting: (() => void)[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      onConnect: (_session, callback) => {
        connections++;
        callback();
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          accepted.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          // Answer only once two messages are in: a pair at a time.
          waiting.push(callback);
          if (waiting.length === 2) for (const release of waiting.splice(0)) release();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.server.address() as AddressInfo).port;
    t = await startTestService(engine, { env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_MAX_CONNECTIONS: '2' } });
  });
  afterAll(async () => {
    await t?.close();
    for (const release of waiting.splice(0)) release();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("a job's customer and artisan e-mails are sent together, and jobs share the pooled connections", async () => {
    const times = ['09:00', '09:30', '10:00', '10:30', '11:00', '14:00'];
    for (const time of times) {
      const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', time, { customer: { name: 'Jean Martin', email: `client-${time.replace(':', '')}@example.com` } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // Other topics share the worker's batches: pass until no confirmation is left pending.
    for (let pass = 0; pass < 10; pass++) {
      await t.service.worker.runOnce();
      const pending = await t.service.db.query(`SELECT 1 FROM outbox WHERE topic = 'notify.booking_confirmed' AND status = 'pending'`);
      if (pending.length === 0) break;
    }
    const jobs = await t.service.db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM outbox WHERE topic = 'notify.booking_confirmed'`);
    expect(jobs).toHaveLength(times.length);
    expect(jobs.every((j) => j.status === 'done'), JSON.stringify(jobs)).toBe(true);
    expect(accepted).toHaveLength(times.length * 2);
    for (const time of times) expect(accepted).toContain(`client-${time.replace(':', '')}@example.com`);
    expect(accepted.filter((a) => a === 'marc.dupont@artisanconnect.test')).toHaveLength(times.length);
    // 12 messages over at most SMTP_MAX_CONNECTIONS=2 connections, not one each.
    expect(connections).toBeLessThanOrEqual(2);
  }, 60_000);
});
