import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { compose } from '../src/main.ts';
import { PaymentUnavailableError, type DepositRequest, type DepositResult, type PaymentProvider, type SettlementRequest } from '../src/app/ports/payments.ts';
import { ENGINES, dropTestLocation, resetBookings } from './helpers/db.ts';
import { TestClock, bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

/**
 * Faults, in process on each engine: the payment provider down or failing, a process that
 * died between the hold and the confirmation, the database gone, a refund that fails.
 * Nothing may be lost, nothing charged twice, no slot held for ever, nothing internal shown.
 */

type AuthorizeMode = 'ok' | 'unavailable' | 'boom' | 'decline' | 'hang';

/** A payment provider the test steers, recording every call. */
class FakePayments implements PaymentProvider {
  readonly name = 'other' as const;
  authorizeMode: AuthorizeMode = 'ok';
  settleMode: 'ok' | 'unavailable' = 'ok';
  authorizeCalls: DepositRequest[] = [];
  settleCalls: SettlementRequest[] = [];
  private hanging: ((error: Error) => void)[] = [];

  reset(): void {
    this.authorizeMode = 'ok';
    this.settleMode = 'ok';
    this.authorizeCalls = [];
    this.settleCalls = [];
    this.releaseHanging();
  }

  /** Ends the calls left hanging ('hang' mode) with a network failure. */
  releaseHanging(): void {
    for (const fail of this.hanging.splice(0)) fail(new PaymentUnavailableError(new Error('connection reset')));
  }

  async authorizeDeposit(request: DepositRequest): Promise<DepositResult> {
    this.authorizeCalls.push(request);
    const paymentIntentId = `pi_fake_${request.idempotencyKey}`;
    switch (this.authorizeMode) {
      case 'ok':
        return { outcome: 'succeeded', paymentIntentId, paymentStatus: 'authorized' };
      case 'decline':
        return { outcome: 'declined', paymentIntentId, declineCode: 'generic_decline' };
      case 'unavailable':
        throw new PaymentUnavailableError(new Error('connect ETIMEDOUT api.psp.example:443'));
      case 'boom':
        throw new Error('boom: TypeError in /srv/psp-client/index.js:42 (SELECT secret FROM psp_keys)');
      case 'hang':
        return new Promise<DepositResult>((_, reject) => this.hanging.push(reject));
    }
  }

  async retrieveDeposit(paymentIntentId: string): Promise<DepositResult> {
    return { outcome: 'succeeded', paymentIntentId, paymentStatus: 'authorized' };
  }

  async cancelDeposit(paymentIntentId: string): Promise<DepositResult> {
    return { outcome: 'canceled', paymentIntentId };
  }

  async captureDeposit(): Promise<void> {}

  async settleDeposit(request: SettlementRequest): Promise<{ paymentStatus: 'captured' | 'refunded' }> {
    this.settleCalls.push(request);
    if (this.settleMode === 'unavailable') throw new PaymentUnavailableError(new Error('connect ECONNREFUSED'));
    return { paymentStatus: request.refundCents > 0 ? 'refunded' : 'captured' };
  }
}

const START = '2027-03-01T07:00:00Z'; // Monday 08:00 in Paris
const HOLD_MINUTES = 10; // PAYMENT_HOLD_MINUTES default
const ACTIVE = ['pending_payment', 'confirmed', 'rescheduled'];
const GENERIC_500 = { error: { code: 'INTERNAL_ERROR', message: expect.any(String) } };
/** What must never reach a client: driver or provider detail, SQL, paths, stacks. */
const LEAKS = /boom|ETIMEDOUT|ECONNREFUSED|secret|SELECT|FROM |pool|pglite|closed|stack|\.(ts|js)\b|node_modules|\/srv|Error:/i;

describe.each(ENGINES)('faults on %s', (engine) => {
  const payments = new FakePayments();
  let t: TestService;
  let date: string;

  // Run in afterAll (not in a finally) so that they also run after a test timed out.
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    t = await startTestService(engine, { payments });
  });
  afterAll(async () => {
    payments.reset();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await t?.close();
  });
  beforeEach(async () => {
    payments.reset();
    t.clock.set(START);
    date = parisDate(t.clock, 2); // Wednesday 2027-03-03, 49 h after the clock's start
    await resetBookings(t.service.db);
  });

  const book = (time: string, email: string) =>
    t.request('POST', '/api/bookings', bookingBody(date, time, { customer: { name: 'Alice Moreau', email, phone: '+33612345678' } }));

  /** The customer's bookings as stored (a failed request gives the client no code). */
  const rowsOf = (email: string) =>
    t.service.db.query<{ id: string; public_code: string; status: string; payment_status: string }>(
      `SELECT id, public_code, status, payment_status FROM bookings WHERE customer_email = $1 ORDER BY created_at`,
      [email],
    );

  const slotAvailable = async (time: string): Promise<boolean | undefined> => {
    const day = await t.request('GET', `/api/availability?serviceId=diag&date=${date}`);
    expect(day.status).toBe(200);
    return (day.body.slots as { time: string; available: boolean }[]).find((s) => s.time === time)?.available;
  };

  const outboxTopics = async (bookingId: string): Promise<string[]> =>
    (await t.service.db.query<{ topic: string }>(`SELECT topic FROM outbox WHERE booking_id = $1`, [bookingId])).map((r) => r.topic);

  const lookup = (code: string, email: string) =>
    t.request('GET', `/api/bookings/public?code=${code}&email=${encodeURIComponent(email)}`);

  describe('payment provider unreachable', () => {
    it('answers 503 PAYMENT_UNAVAILABLE, keeps the slot held, and confirms the hold once the provider is back', async () => {
      const email = 'alice@example.com';
      payments.authorizeMode = 'unavailable';
      const res = await book('09:00', email);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'PAYMENT_UNAVAILABLE', message: expect.stringMatching(/paiement/i) } });
      expect(JSON.stringify(res.body)).not.toMatch(LEAKS);

      // The hold stays: the slot is neither lost nor given to someone else meanwhile.
      const [hold] = await rowsOf(email);
      expect(hold).toMatchObject({ status: 'pending_payment', payment_status: 'pending' });
      expect(await slotAvailable('09:00')).toBe(false);
      const other = await book('09:00', 'bob@example.com');
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('SLOT_UNAVAILABLE');

      // While the hold is live, the recovery leaves it to its request.
      t.clock.advance(HOLD_MINUTES - 1);
      await t.service.worker.runOnce();
      expect((await rowsOf(email))[0]!.status).toBe('pending_payment');
      expect(payments.authorizeCalls).toHaveLength(1);

      // Expired, provider still down: the recovery tries and waits; nothing is lost.
      t.clock.advance(2);
      await t.service.worker.runOnce();
      expect((await rowsOf(email))[0]).toMatchObject({ status: 'pending_payment', payment_status: 'pending' });
      expect(await slotAvailable('09:00')).toBe(false);

      // The provider is back: the next pass confirms the booking.
      payments.authorizeMode = 'ok';
      await t.service.worker.runOnce();
      const [confirmed] = await rowsOf(email);
      expect(confirmed).toMatchObject({ id: hold!.id, status: 'confirmed', payment_status: 'authorized' });
      expect(await outboxTopics(hold!.id)).toContain('notify.booking_confirmed');
      const found = await lookup(confirmed!.public_code, email);
      expect(found.status).toBe(200);
      expect(found.body.booking).toMatchObject({ status: 'confirmed', date, time: '09:00', deposit: { amountCents: 1200, paymentStatus: 'authorized' } });

      // Every attempt carried the same idempotency key and amount: one deposit at most.
      expect(payments.authorizeCalls.length).toBeGreaterThanOrEqual(3);
      expect(new Set(payments.authorizeCalls.map((c) => c.idempotencyKey)).size).toBe(1);
      expect(new Set(payments.authorizeCalls.map((c) => c.amountCents))).toEqual(new Set([1200]));

      // Settled once: further passes change nothing.
      const calls = payments.authorizeCalls.length;
      await t.service.worker.runOnce();
      expect(payments.authorizeCalls).toHaveLength(calls);
    });

    it('the customer retrying the same booking resumes their own hold: one booking, one deposit key', async () => {
      const email = 'emma@example.com';
      payments.authorizeMode = 'unavailable';
      expect((await book('09:00', email)).status).toBe(503);
      // Still down: the retry is answered 503 again, not "slot taken" by their own hold.
      const again = await book('09:00', email);
      expect(again.status).toBe(503);
      expect(again.body.error.code).toBe('PAYMENT_UNAVAILABLE');

      payments.authorizeMode = 'ok';
      const retried = await book('09:00', email);
      expect(retried.status).toBe(201);
      expect(retried.body.booking).toMatchObject({ status: 'confirmed', time: '09:00', customer: { email } });
      const rows = await rowsOf(email);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'confirmed', public_code: retried.body.booking.publicCode });
      expect(new Set(payments.authorizeCalls.map((c) => c.idempotencyKey)).size).toBe(1);

      // Someone else asking for the same slot is still refused.
      const other = await book('09:00', 'bob@example.com');
      expect(other.status).toBe(409);
    });

    it('another customer cannot take over a hold by sending the same slot with their details', async () => {
      payments.authorizeMode = 'unavailable';
      expect((await book('10:00', 'fanny@example.com')).status).toBe(503);
      payments.authorizeMode = 'ok';
      const intruder = await t.request(
        'POST',
        '/api/bookings',
        bookingBody(date, '10:00', { customer: { name: 'Autre Personne', email: 'fanny@example.com', phone: '+33612345678' } }),
      );
      expect(intruder.status).toBe(409);
      expect(intruder.body.error.code).toBe('SLOT_UNAVAILABLE');
      expect((await rowsOf('fanny@example.com'))[0]!.status).toBe('pending_payment');
    });

    it('a deposit declined on recovery releases the hold: payment_failed, the slot is free again', async () => {
      const email = 'claire@example.com';
      payments.authorizeMode = 'unavailable';
      expect((await book('09:00', email)).status).toBe(503);
      const [hold] = await rowsOf(email);

      t.clock.advance(HOLD_MINUTES + 1);
      payments.authorizeMode = 'decline';
      await t.service.worker.runOnce();
      expect((await rowsOf(email))[0]).toMatchObject({ id: hold!.id, status: 'payment_failed', payment_status: 'failed' });
      expect(await outboxTopics(hold!.id)).not.toContain('notify.booking_confirmed');
      // decisions §5: a failed deposit leaves no booking for the customer to find.
      expect((await lookup(hold!.public_code, email)).status).toBe(404);

      expect(await slotAvailable('09:00')).toBe(true);
      payments.authorizeMode = 'ok';
      const next = await book('09:00', 'bob@example.com');
      expect(next.status).toBe(201);
      expect(next.body.booking).toMatchObject({ status: 'confirmed', time: '09:00' });
    });

    it('a hold whose deposit never goes through does not block the slot for ever', async () => {
      const email = 'denis@example.com';
      payments.authorizeMode = 'unavailable';
      expect((await book('09:00', email)).status).toBe(503);
      // A day later (Tuesday 09:00, the appointment is still a day ahead), provider still down.
      t.clock.advance(25 * 60);
      await t.service.worker.runOnce();
      const [row] = await rowsOf(email);
      expect(ACTIVE).not.toContain(row!.status);
      expect(await slotAvailable('09:00')).toBe(true);
    });
  });

  describe('crash between the hold and the confirmation', () => {
    it('an unexpected provider error gives a generic 500; the hold survives and is recovered', async () => {
      const email = 'emile@example.com';
      payments.authorizeMode = 'boom';
      const res = await book('10:00', email);
      expect(res.status).toBe(500);
      expect(res.body).toEqual(GENERIC_500);
      expect(JSON.stringify(res.body)).not.toMatch(LEAKS);

      const [hold] = await rowsOf(email);
      expect(hold).toMatchObject({ status: 'pending_payment' });
      expect(await slotAvailable('10:00')).toBe(false);

      t.clock.advance(HOLD_MINUTES + 1);
      payments.authorizeMode = 'ok';
      await t.service.worker.runOnce();
      expect((await rowsOf(email))[0]).toMatchObject({ id: hold!.id, status: 'confirmed', payment_status: 'authorized' });
      expect(await outboxTopics(hold!.id)).toContain('notify.booking_confirmed');
      expect(new Set(payments.authorizeCalls.map((c) => c.idempotencyKey)).size).toBe(1);
    });

    it('a process that died after the hold: another instance on the same database finishes the booking', async () => {
      const email = 'fanny@example.com';
      // The first instance takes the hold, then never hears back from the provider: as far
      // as the database knows, that process is gone.
      payments.authorizeMode = 'hang';
      const abandoned = book('11:00', email);
      const deadline = Date.now() + 10_000;
      while (payments.authorizeCalls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const [hold] = await rowsOf(email);
      expect(hold).toMatchObject({ status: 'pending_payment' });

      // A second instance (its own clock, past the hold's expiry; a working provider).
      const clock = new TestClock(t.clock.ms + (HOLD_MINUTES + 1) * 60_000);
      const provider = new FakePayments();
      const other = await compose(loadConfig({ LOG_LEVEL: 'silent' }), { db: t.service.db, clock, payments: provider });
      cleanups.push(() => other.close());
      await other.worker.runOnce();
      expect((await rowsOf(email))[0]).toMatchObject({ id: hold!.id, status: 'confirmed', payment_status: 'authorized' });
      // Same idempotency key as the dead request's call: the provider would return that
      // payment, not take a second one.
      expect(provider.authorizeCalls.map((c) => c.idempotencyKey)).toEqual([payments.authorizeCalls[0]!.idempotencyKey]);
      await other.close();

      // Should the first request ever wake up, it changes nothing.
      payments.releaseHanging();
      await abandoned;
      expect((await rowsOf(email))[0]).toMatchObject({ status: 'confirmed', payment_status: 'authorized' });
      const found = await lookup(hold!.public_code, email);
      expect(found.body.booking).toMatchObject({ status: 'confirmed', time: '11:00' });
    });
  });

  describe('refund that fails, then is settled by the worker', () => {
    it('cancel answers 200 even when the provider fails; the worker settles later, exactly once', async () => {
      const email = 'gaston@example.com';
      const created = await book('14:00', email);
      expect(created.status).toBe(201);
      const code = created.body.booking.publicCode as string;
      const [booking] = await rowsOf(email);

      payments.settleMode = 'unavailable';
      const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { email });
      expect(cancelled.status).toBe(200);
      // 49 h before the start: full refund (decisions §6), not yet carried out.
      expect(cancelled.body.refund).toEqual({ refundCents: 1200, retainedCents: 0, refundRate: 1, alreadyRefundedCents: 0 });
      expect(cancelled.body.booking).toMatchObject({ status: 'cancelled', deposit: { paymentStatus: 'authorized', refundedCents: 0 } });
      expect(await slotAvailable('14:00')).toBe(true);

      const settleJob = async () =>
        (
          await t.service.db.query<{ status: string; attempts: number; last_error: string | null }>(
            `SELECT status, attempts, last_error FROM outbox WHERE booking_id = $1 AND topic = 'payment.settle'`,
            [booking!.id],
          )
        )[0];
      expect(await settleJob()).toMatchObject({ status: 'pending', attempts: 0 });

      // The job's run_at was computed from the TestClock (cancellation + 30 s, in 2027)
      // while the queue compares it with the database's real now(): make it due explicitly.
      const makeDue = () => t.service.db.query(`UPDATE outbox SET run_at = now() WHERE booking_id = $1 AND topic = 'payment.settle'`, [booking!.id]);

      // Provider still down: the attempt fails and the job stays pending for a retry.
      await makeDue();
      await t.service.worker.runOnce();
      expect(await settleJob()).toMatchObject({ status: 'pending', attempts: 1 });
      expect((await lookup(code, email)).body.booking.deposit.paymentStatus).toBe('authorized');

      // Provider back: settled.
      payments.settleMode = 'ok';
      t.clock.advance(1);
      await makeDue();
      await t.service.worker.runOnce();
      expect((await settleJob())!.status).toBe('done');
      const settled = await lookup(code, email);
      expect(settled.body.booking).toMatchObject({ status: 'cancelled', deposit: { paymentStatus: 'refunded', refundedCents: 1200 } });
      expect(payments.settleCalls).toHaveLength(3);
      expect(new Set(payments.settleCalls.map((c) => c.idempotencyKey)).size).toBe(1);
      expect(payments.settleCalls.every((c) => c.refundCents === 1200 && c.currentStatus === 'authorized')).toBe(true);

      // Running again changes nothing, even if the job comes back (a worker that died after
      // settling but before marking it done): no second refund, no change to the booking.
      const snapshot = async () => ({
        booking: await t.service.db.query(`SELECT * FROM bookings WHERE id = $1`, [booking!.id]),
        events: await t.service.db.query(`SELECT count(*)::int AS n FROM booking_events WHERE booking_id = $1`, [booking!.id]),
      });
      const before = await snapshot();
      await t.service.worker.runOnce();
      await t.service.db.query(
        `UPDATE outbox SET status = 'pending', run_at = now(), locked_by = NULL, locked_at = NULL WHERE booking_id = $1 AND topic = 'payment.settle'`,
        [booking!.id],
      );
      await t.service.worker.runOnce();
      expect((await settleJob())!.status).toBe('done');
      expect(payments.settleCalls).toHaveLength(3);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('database down', () => {
    it('health and every endpoint answer 503 SERVICE_UNAVAILABLE with Retry-After: no stack trace, SQL or driver message', async () => {
      const down = await startTestService(engine);
      cleanups.push(() => dropTestLocation(engine, down.database.location));
      cleanups.push(() => down.database.db.close()); // closed below already: a pg pool refuses a second end (ignored)
      cleanups.push(() => down.service.close());
      const day = parisDate(down.clock, 2);
      expect((await down.request('GET', '/api/health')).status).toBe(200);
      await down.service.db.close();

      const health = await down.request('GET', '/api/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } });
      expect(health.body.error.message).toMatch(/indisponible/i);

      const calls = [
        down.request('GET', '/api/services'),
        down.request('GET', `/api/availability?serviceId=diag&date=${day}`),
        down.request('POST', '/api/bookings', bookingBody(day, '09:00')),
        down.request('GET', '/api/bookings/public?code=AC-ABC123&email=jean%40example.com'),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/indisponible/i) } });
        expect(res.headers['retry-after']).toBe('5');
        expect(JSON.stringify(res.body)).not.toMatch(LEAKS);
      }
    });

    if (engine === 'postgres') {
      it('after the server drops every connection, the service answers again without a restart', async () => {
        expect((await t.request('GET', '/api/health')).status).toBe(200);
        await t.service.db.query('SELECT 1');
        // Another session kills every backend of this database, ours included.
        const { default: pg } = await import('pg');
        const admin = new pg.Client({ connectionString: t.database.location });
        await admin.connect();
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        await admin.end();

        // The dead pooled connections are discarded; the next requests get fresh ones. At
        // most one request per dead connection may fail, with a generic body.
        const outcomes: number[] = [];
        for (let i = 0; i < 15; i++) {
          const res = await t.request('GET', '/api/health');
          outcomes.push(res.status);
          if (res.status !== 200) expect(JSON.stringify(res.body)).not.toMatch(LEAKS);
        }
        expect(outcomes.slice(-3)).toEqual([200, 200, 200]);
        const created = await book('15:00', 'henri@example.com');
        expect(created.status).toBe(201);
      });
    }
  });
});
