import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { FakeTwilio } from './helpers/fake-twilio.ts';

/** STYLE §3: logs never carry e-mail addresses or phone numbers, even when a provider quotes them back. */
describe.each(ENGINES)('notification logs on %s', (engine) => {
  const smtp = new TestSmtp();
  const twilio = new FakeTwilio();
  const lines: string[] = [];
  let t: TestService;

  beforeAll(async () => {
    await smtp.start();
    await twilio.start();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    t = await startTestService(engine, {
      log: pino({ level: 'debug' }, sink),
      env: {
        SMTP_URL: smtp.url,
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_FROM: '+33757000000',
        TWILIO_API_BASE_URL: twilio.url,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
    await twilio.stop();
  });

  it('a refused recipient and a failing SMS: the job fails and is logged, without the address or the number', async () => {
    smtp.rejectRecipients = true;
    twilio.failNext = 1;
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', {
      customer: { name: 'Jean Martin', email: 'jean.martin@example.com', phone: '06 12 34 56 78' },
      notifications: { email: true, sms: true },
    }));
    expect(res.status).toBe(201);
    await t.service.worker.runOnce();
    const failed = lines.filter((l) => l.includes('job failed'));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.join('')).toContain('Recipient address rejected');
    const rows = await t.service.db.query<{ last_error: string }>(`SELECT last_error FROM outbox WHERE topic = 'notify.booking_confirmed'`);
    for (const text of [lines.join(''), rows[0]!.last_error]) {
      expect(text).not.toMatch(/jean\.martin|example\.com|612345678|12 34 56 78/);
    }
    smtp.rejectRecipients = false;
  });
});
