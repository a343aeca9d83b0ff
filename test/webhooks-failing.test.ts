import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ARTISAN_EMAIL, adminHeaders } from './helpers/admin.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * An endpoint whose attempts have all failed for 5 days is turned off and the business is told
 * by e-mail (issue 21, item 3), on a test clock, with a real SMTP server receiving the e-mail;
 * and a message the SMTP server keeps refusing, once dead, is one `message.failed` event.
 * Clock: Monday 2027-03-01 08:00 Paris.
 */

const START = Date.parse('2027-03-01T07:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DATES = ['2027-03-10', '2027-03-11', '2027-03-12', '2027-03-15', '2027-03-16', '2027-03-17', '2027-03-18'];

describe.each(ENGINES)('an endpoint failing for 5 days on %s', (engine) => {
  const smtp = new TestSmtp();
  // Messages go dead at their second failed try (message.failed below).
  const env: Record<string, string> = { MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>', OUTBOX_MAX_ATTEMPTS: '2' };
  // Before the suite's service: it starts with the mail server's address.
  beforeAll(async () => {
    await smtp.start();
    env.SMTP_URL = smtp.url;
  });
  afterAll(() => smtp.stop());
  const t = serviceForSuite(engine, START, { env, webhookTestReceivers: TEST_RECEIVERS });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
    smtp.received.length = 0;
    await t.service.db.exec('TRUNCATE webhook_deliveries, webhook_events, webhook_endpoints');
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  const book = async (day: number) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(DATES[day]!, '09:00'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  /** Moves the clock hour by hour to `toMs`, running the webhook worker at each step. */
  const advance = async (toMs: number) => {
    while (t.clock.ms < toMs) {
      t.clock.ms = Math.min(t.clock.ms + HOUR, toMs);
      await drainWebhooks(t);
    }
  };
  const disabledMails = () => smtp.to(DEMO_ARTISAN_EMAIL).filter((m) => m.mail.headers.get('x-artisanconnect-kind') === 'webhook_disabled');
  async function waitForMail(): Promise<void> {
    for (let i = 0; i < 100 && disabledMails().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  }
  async function failingEndpoint(): Promise<string> {
    const res = await admin('POST', '/webhook-endpoints', { url: receiver.url(), description: 'CRM', eventTypes: ['booking.created'] });
    expect(res.status).toBe(201);
    receiver.statuses.push(...Array.from({ length: 200 }, () => 503));
    return res.body.endpoint.id as string;
  }

  it('turns the endpoint off at the first failure 5 days after the first one, e-mails the business once in French, and sends nothing more', async () => {
    const id = await failingEndpoint();
    // A new booking each day, every attempt answered 503.
    for (let day = 0; day < 5; day++) {
      await advance(START + day * DAY);
      await book(day);
      await drainWebhooks(t);
    }
    await advance(START + 5 * DAY - 60_000);
    expect((await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint).toMatchObject({ enabled: true, disabledReason: null });
    expect(disabledMails()).toHaveLength(0);
    const tried = receiver.received.length;
    expect(tried).toBeGreaterThan(5);

    await advance(START + 5 * DAY);
    await book(5);
    await drainWebhooks(t);
    const endpoint = (await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint;
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('depuis le 1 mars 2027') });
    expect(receiver.received).toHaveLength(tried + 1);

    await waitForMail();
    const mails = disabledMails();
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.mail;
    expect(mail.subject).toBe('Une adresse de vos intégrations a été désactivée — ArtisanConnect');
    expect(mail.text).toContain(`« CRM » (${receiver.url()})`);
    expect(mail.text).toContain('depuis le 1 mars 2027');
    expect(mail.text).toMatch(/^http:\/\/\S+\/admin\/integrations$/m);
    expect(mail.html).toContain('Ouvrir la page Intégrations');

    // The retries still planned are dropped, not sent; no second e-mail.
    await advance(START + 7 * DAY);
    expect(receiver.received).toHaveLength(tried + 1);
    const deliveries = (await admin('GET', `/webhook-endpoints/${id}/deliveries?limit=200`)).body.deliveries as { status: string }[];
    expect(deliveries.filter((d) => d.status === 'pending')).toEqual([]);
    expect(deliveries.some((d) => d.status === 'cancelled')).toBe(true);
    await waitForMail();
    expect(disabledMails()).toHaveLength(1);

    // Turned on again by the business: delivered again.
    receiver.statuses.length = 0;
    expect((await admin('PATCH', `/webhook-endpoints/${id}`, { enabled: true })).body.endpoint).toMatchObject({ enabled: true, disabledReason: null });
    await book(6);
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(tried + 2);
    expect((await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint.enabled).toBe(true);
  });

  it('starts counting again after an attempt that got through', async () => {
    const id = await failingEndpoint();
    await book(0);
    await drainWebhooks(t);
    // Day 3: the receiver is back for one attempt, then fails again an hour later.
    await advance(START + 3 * DAY);
    receiver.statuses.length = 0;
    receiver.statuses.push(200, ...Array.from({ length: 100 }, () => 503));
    await book(1);
    await drainWebhooks(t);
    await advance(START + 3 * DAY + HOUR);
    await book(2);
    await drainWebhooks(t);
    for (let day = 4; day <= 7; day++) {
      await advance(START + day * DAY);
      if (day <= 6) await book(day - 1);
      await drainWebhooks(t);
    }
    // Seven days after the first failure, but under 5 since the attempt that got through.
    expect((await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint.enabled).toBe(true);
    await advance(START + 8 * DAY + HOUR);
    await book(6);
    await drainWebhooks(t);
    expect((await admin('GET', `/webhook-endpoints/${id}`)).body.endpoint).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('depuis le 4 mars 2027') });
    await waitForMail();
    expect(disabledMails()).toHaveLength(1);
  });

  it('a confirmation the mail server keeps refusing, once dead, is one message.failed event naming the booking', async () => {
    const created = await admin('POST', '/webhook-endpoints', { url: receiver.url(), eventTypes: ['message.failed'] });
    expect(created.status).toBe(201);
    const drainMessages = async () => {
      for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
    };
    smtp.rejectRecipients = true;
    try {
      const res = await t.request('POST', '/api/bookings', bookingBody(DATES[0]!, '09:00'));
      expect(res.status).toBe(201);
      await drainMessages();
      await drainWebhooks(t);
      // One failed try: not dead yet, nothing said.
      expect(receiver.received).toHaveLength(0);
      t.clock.ms += 60_000;
      await drainMessages();
      await drainWebhooks(t);
      expect(receiver.received.map((r) => r.json.type)).toEqual(['message.failed']);
      expect(receiver.received[0]!.json.data).toMatchObject({ booking: { publicCode: res.body.booking.publicCode, status: 'confirmed' }, message: { kind: 'confirmed', attempts: 2 } });
      expect(verifies(created.body.secret as string, receiver.received[0]!)).toBe(true);
      // The SMTP error (it quotes the address) is not in the event.
      expect(receiver.received[0]!.body).not.toMatch(/rejected|mailbox unavailable/);
      t.clock.ms += 3_600_000;
      await drainMessages();
      await drainWebhooks(t);
      expect(receiver.received).toHaveLength(1);
    } finally {
      smtp.rejectRecipients = false;
    }
  });
});
