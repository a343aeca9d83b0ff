import { afterAll, beforeAll, beforeEach } from 'vitest';
import { resetBookings, type Engine } from './db.ts';
import { FakeStripe, type FakeEvent } from './fake-stripe.ts';
import { bookingBody, startTestService, type TestService } from './service.ts';

export const WEBHOOK_SECRET = 'whsec_testsecret123';
export const STRIPE_ENV = {
  PAYMENT_PROVIDER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_artisanconnect123',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_artisanconnect123',
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_TIMEOUT_MS: '800',
};

export interface StripeSuite {
  t: TestService;
  fake: FakeStripe;
}

/**
 * The real service with PAYMENT_PROVIDER=stripe, its official SDK pointed at a local
 * Stripe-compatible server (STRIPE_API_URL). Bookings and the fake are emptied before each test.
 */
export function stripeSuite(
  engine: Engine,
  startMs: number,
  env: Record<string, string> = {},
  options: Pick<NonNullable<Parameters<typeof startTestService>[1]>, 'webhookTestReceivers'> = {},
): StripeSuite {
  const fake = new FakeStripe();
  let current: TestService | undefined;
  beforeAll(async () => {
    await fake.start();
    current = await startTestService(engine, { env: { ...STRIPE_ENV, STRIPE_API_URL: fake.url, ...env }, ...options });
  }, 60_000);
  afterAll(async () => {
    await current?.close();
    await fake.stop();
  });
  beforeEach(async () => {
    current!.clock.ms = startMs;
    fake.reset();
    await resetBookings(current!.service.db);
    await current!.service.db.query(`UPDATE artisans SET deposit_capture = 'capture'`);
  });
  const t = new Proxy({} as TestService, {
    get: (_target, property) => {
      if (!current) throw new Error('the suite service is not started yet');
      return current[property as keyof TestService];
    },
  });
  return { t, fake };
}

export const bookingWith = (date: string, time: string, paymentMethodId: string, overrides: Record<string, unknown> = {}) =>
  bookingBody(date, time, { paymentMethodId, ...overrides });

/** Delivers an event to the webhook endpoint, signed at the service's "now". */
export async function deliver(t: TestService, fake: FakeStripe, event: FakeEvent, secret = WEBHOOK_SECRET) {
  const { payload, signature } = fake.signed(event, secret, t.clock.ms);
  return t.inject({ method: 'POST', url: '/api/webhooks/stripe', payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
}

/** Runs the outbox worker until nothing is due. */
export async function drain(t: TestService): Promise<void> {
  for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
}

export async function bookingRow(t: TestService, code: string) {
  const rows = await t.service.db.query<{
    id: string;
    status: string;
    payment_status: string;
    payment_intent_id: string | null;
    refund_cents: number;
    hold_expires_at: Date | string | null;
    disputed_at: unknown;
  }>(`SELECT id, status, payment_status, payment_intent_id, refund_cents, hold_expires_at, disputed_at FROM bookings WHERE public_code = $1`, [code]);
  return rows[0]!;
}

export async function historyOf(t: TestService, bookingId: string): Promise<string[]> {
  const rows = await t.service.db.query<{ type: string }>(`SELECT type FROM booking_events WHERE booking_id = $1 ORDER BY id`, [bookingId]);
  return rows.map((r) => r.type);
}
