import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRetentionStore } from '../src/adapters/db/retention-store.ts';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';

/**
 * Retention on the test clock: the worker's hourly sweep purges expired sign-in sessions,
 * expired idempotency keys and mailbox copies older than MAILBOX_RETENTION_DAYS, and
 * anonymises a customer RETENTION_MONTHS after their last appointment through the GDPR
 * erasure itself (actor `system`), keeping amounts and dates.
 */

describe.each(ENGINES)('retention on %s', (engine) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(engine, { env: { RETENTION_MONTHS: '36', MAILBOX_RETENTION_DAYS: '90' } });
  });
  afterAll(async () => t?.close());

  const count = async (table: string): Promise<number> => Number((await t.service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
  /** One pass of the running service's worker at the clock's current time (the sweep is due hourly). */
  const pass = () => t.service.worker.runOnce();
  const booking = async (code: string) => (await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders())).body;

  it('purges sessions, idempotency keys and old mailbox copies on schedule, and anonymises a customer 36 months after the appointment', async () => {
    const day = parisDate(t.clock, 2); // Wednesday 2027-03-03
    const old = await t.request('POST', '/api/bookings', bookingBody(day, '09:00', { customer: { name: 'Odile Ancienne', email: 'odile@example.com', phone: '+33612345671' } }), {
      'idempotency-key': 'retention-key-1',
    });
    expect(old.status, JSON.stringify(old.body)).toBe(201);
    const oldCode = old.body.booking.publicCode as string;
    // A customer who comes back later is kept: the term runs from their last appointment.
    const loyal = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 3), '09:00', { customer: { name: 'Paul Fidèle', email: 'paul@example.com' } }));
    expect(loyal.status, JSON.stringify(loyal.body)).toBe(201);
    await setDemoPassword(t.service.db);
    await loginAsArtisan(t);
    await pass(); // confirmation messages into the mailbox; nothing is due for purging yet
    expect(await count('admin_sessions')).toBe(1);
    expect(await count('idempotency_keys')).toBe(1);
    const mailboxAtStart = await count('mailbox');
    expect(mailboxAtStart).toBeGreaterThan(0);

    // 25 hours on: the 12-hour session and the 24-hour idempotency key have expired.
    t.clock.advance(25 * 60);
    await pass();
    expect(await count('admin_sessions')).toBe(0);
    expect(await count('idempotency_keys')).toBe(0);
    expect(await count('mailbox')).toBeGreaterThanOrEqual(mailboxAtStart); // the reminder went out too
    const before = await booking(oldCode);

    // 91 days on: every copy is older than 90 days.
    t.clock.advance(91 * 24 * 60);
    await pass();
    expect(await count('mailbox')).toBe(0);

    // Almost three years on, a second customer books (Tuesday 2030-03-05); the first one is still there the day before the term.
    t.clock.set('2030-03-01T07:00:00Z');
    const recent = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 4), '10:00', { customer: { name: 'Rémi Récent', email: 'remi@example.com' } }));
    expect(recent.status, JSON.stringify(recent.body)).toBe(201);
    const back = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 4), '14:00', { customer: { name: 'Paul Fidèle', email: 'paul@example.com' } }));
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    t.clock.set('2030-03-03T07:00:00Z'); // 36 months after 2027-03-03 07:00 UTC: the appointment (09:00 Paris) is not yet 36 months old
    await pass();
    expect((await booking(oldCode)).booking.customer.name).toBe('Odile Ancienne');

    t.clock.set('2030-03-03T09:00:00Z'); // 36 months after its end (09:30 Paris = 08:30 UTC) and more
    await pass();
    const after = await booking(oldCode);
    expect(after.booking.customer.name).toBe('Client effacé');
    expect(JSON.stringify(after)).not.toMatch(/odile|Ancienne|612345671/i);
    // Amounts, dates, status and payment stay for the books.
    for (const field of ['startDateTime', 'endDateTime', 'status', 'priceCents', 'deposit', 'serviceName', 'durationMinutes'] as const) {
      expect(after.booking[field], field).toEqual(before.booking[field]);
    }
    expect(after.history).toContainEqual(expect.objectContaining({ type: 'customer_erased', actor: 'system' }));
    // The same erasure as the back office's: nothing left to export under the old address.
    const exported = await t.request('GET', '/api/admin/customers/export?email=odile@example.com', undefined, adminHeaders());
    expect(exported.status).toBe(200);
    expect(exported.body.bookings).toEqual([]);
    // The recent customer is untouched.
    expect((await booking(recent.body.booking.publicCode)).booking.customer.name).toBe('Rémi Récent');
    // Paul's first appointment (2027-03-04) is past the term the next day, but he booked again.
    t.clock.set('2030-03-04T09:00:00Z');
    await pass();
    expect((await booking(loyal.body.booking.publicCode)).booking.customer.name).toBe('Paul Fidèle');
    // The sweep's own question: nobody left to anonymise, Paul not among them.
    const due = await makeRetentionStore(t.service.db).customersLastSeenBefore(Date.parse('2027-03-04T09:00:00Z'), 100);
    expect(due).toEqual([]);

    // The sweep runs hourly by the service clock, not on every pass.
    const again = await t.request('POST', '/api/bookings', bookingBody(parisDate(t.clock, 3), '11:00', { customer: { name: 'Zoé', email: 'zoe@example.com' } }), {
      'idempotency-key': 'retention-key-2',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    await t.service.db.query(`UPDATE idempotency_keys SET expires_at = $1`, [new Date(t.clock.ms - 1000).toISOString()]);
    await pass();
    expect(await count('idempotency_keys')).toBe(1);
    t.clock.advance(61);
    await pass();
    expect(await count('idempotency_keys')).toBe(0);
  }, 60_000);
});
