import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';

// Bad input of any shape gets a 4xx with the contract's error body: never a 500, never a
// stack trace, never a half-written booking (decisions §5, §7).
const CLIENT_ERRORS = new Set([400, 402, 404, 409, 413, 415, 422]);
const LEAKS = /\bat \S+ \(|node_modules|SELECT |INSERT |UPDATE |syntax error|violates|TypeError|undefined is not/;

describe.each(ENGINES)('hostile input on %s', (engine) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(engine);
  });
  afterAll(async () => t?.close());

  const expectCleanAnswer = (status: number, body: string, ok: number[]) => {
    if (ok.includes(status)) return;
    expect(CLIENT_ERRORS.has(status), `status ${status}: ${body}`).toBe(true);
    const parsed = JSON.parse(body);
    expect(parsed.error.code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(typeof parsed.error.message).toBe('string');
    expect(body).not.toMatch(LEAKS);
  };

  // A valid body with one field replaced by anything at all, or removed.
  const field = fc.constantFrom('serviceId', 'date', 'time', 'customer', 'notifications', 'paymentMethodId', 'customer.name', 'customer.email', 'customer.phone');
  const junk = fc.oneof(fc.jsonValue(), fc.string(), fc.constant(undefined), fc.constant(null), fc.constantFrom('2027-02-30', '25:00', "'; DROP TABLE bookings; --", '\u0000', 'AC-ZZZZZZ', 'x'.repeat(5000)));

  it('POST /api/bookings: a valid body with one field mangled', async () => {
    const date = parisDate(t.clock, 2);
    await fc.assert(
      fc.asyncProperty(field, junk, fc.constantFrom('09:00', '10:00', '14:00'), async (path, value, time) => {
        const body: any = bookingBody(date, time);
        const [head, tail] = path.split('.') as [string, string | undefined];
        if (tail) body[head][tail] = value;
        else body[head] = value;
        const res = await t.inject({ method: 'POST', url: '/api/bookings', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        expectCleanAnswer(res.statusCode, res.body, [201]);
      }),
      { numRuns: 150 },
    );
    // Nothing was left half-way: every booking row is confirmed or cleanly failed.
    const stuck = await t.service.db.query(`SELECT 1 FROM bookings WHERE status = 'pending_payment'`);
    expect(stuck).toHaveLength(0);
  });

  it('POST /api/bookings: any JSON document at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await t.inject({ method: 'POST', url: '/api/bookings', payload: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
        expectCleanAnswer(res.statusCode, res.body, []);
      }),
      { numRuns: 100 },
    );
  });

  it('query strings and path codes of any text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), fc.string(), async (a, b, c) => {
        const q = (s: string) => encodeURIComponent(s);
        const answers = await Promise.all([
          t.inject({ method: 'GET', url: `/api/availability?serviceId=${q(a)}&date=${q(b)}` }),
          t.inject({ method: 'GET', url: `/api/bookings/public?code=${q(a)}&email=${q(c)}` }),
          t.inject({ method: 'POST', url: `/api/bookings/${q(a)}/cancel`, payload: { email: c } }),
          t.inject({ method: 'POST', url: `/api/bookings/${q(a)}/reschedule`, payload: { email: c, newDate: b, newTime: a } }),
        ]);
        for (const res of answers) expectCleanAnswer(res.statusCode, res.body, [200]);
      }),
      { numRuns: 100 },
    );
  });
});
