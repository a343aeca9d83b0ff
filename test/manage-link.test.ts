import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';
import { adminHeaders } from './helpers/admin.ts';
import { manageLinkIn } from './helpers/smtp.ts';

/**
 * The manage link in every message: `/gerer?token=…`, a signed, expiring token that opens the
 * booking without retyping the code and e-mail, and never carries the e-mail itself.
 */
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'jean@example.com';

describe.each(ENGINES)('manage links on %s', (engine) => {
  const t = serviceForSuite(engine, START);

  const bookAndLink = async (date = '2027-03-10') => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, '09:00'));
    expect(res.status).toBe(201);
    const code = res.body.booking.publicCode as string;
    while ((await t.service.worker.runOnce()) > 0);
    const list = await t.request('GET', `/api/admin/messages?bookingCode=${code}&channel=email`, undefined, adminHeaders());
    const customer = (list.body.messages as { recipientKind: string; text: string }[]).find((m) => m.recipientKind === 'customer')!;
    const link = manageLinkIn(customer.text);
    return { code, link, token: new URL(link).searchParams.get('token')! };
  };

  it('opens the booking with the token alone; the link holds no e-mail address', async () => {
    const { code, link, token } = await bookAndLink();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/gerer\?token=/);
    expect(decodeURIComponent(link)).not.toContain('@');
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString()).not.toContain('@');
    const res = await t.request('GET', `/api/bookings/manage?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body.booking).toMatchObject({ publicCode: code, status: 'confirmed', customer: { email: EMAIL } });
    // Same booking as the public lookup by code + e-mail, which also answers with a working manage link.
    const lookup = await t.request('GET', `/api/bookings/public?code=${code}&email=${EMAIL}`);
    expect(res.body.booking).toEqual(lookup.body.booking);
    const handed = new URL(lookup.body.links.manage as string);
    expect(`${handed.origin}${handed.pathname}`).toBe(link.split('?')[0]);
    const again = await t.request('GET', `/api/bookings/manage?token=${handed.searchParams.get('token')}`);
    expect(again.body.booking).toEqual(res.body.booking);
  });

  it('cancels and reschedules with the token instead of the e-mail', async () => {
    const { code, token } = await bookAndLink();
    const moved = await t.request('POST', `/api/bookings/${code}/reschedule`, { token, newDate: '2027-03-11', newTime: '10:00' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.booking.startDateTime).toBe('2027-03-11T10:00:00+01:00');
    const cancelled = await t.request('POST', `/api/bookings/${code}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking.status).toBe('cancelled');
    // The token still shows the (cancelled) booking.
    expect((await t.request('GET', `/api/bookings/manage?token=${token}`)).body.booking.status).toBe('cancelled');
  });

  it("refuses a token for another booking's code, a tampered token and an expired one, in French", async () => {
    const a = await bookAndLink('2027-03-10');
    const b = await bookAndLink('2027-03-11');
    const other = await t.request('POST', `/api/bookings/${b.code}/cancel`, { token: a.token });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('BOOKING_NOT_FOUND');

    const [body, mac] = a.token.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(body, 'base64url').toString().replace(/^[0-9a-f-]{36}/, (id) => `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`)).toString('base64url');
    for (const bad of [`${forged}.${mac}`, `${body}.${mac.slice(0, -2)}AA`, 'nimportequoi']) {
      const res = await t.request('GET', `/api/bookings/manage?token=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'MANAGE_LINK_INVALID', message: expect.stringMatching(/lien de gestion n'est pas valide/) });
    }
    t.clock.set('2027-05-20T00:00:00Z'); // 60 days after the appointment
    const expired = await t.request('GET', `/api/bookings/manage?token=${a.token}`);
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({ code: 'MANAGE_LINK_EXPIRED', message: expect.stringMatching(/a expiré/) });
    expect((await t.request('POST', `/api/bookings/${a.code}/cancel`, { token: a.token })).status).toBe(410);
  });

  it('still works with the e-mail, and asks for one of the two', async () => {
    const { code } = await bookAndLink();
    const none = await t.request('POST', `/api/bookings/${code}/cancel`, {});
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([{ field: 'email', message: 'Ce champ est obligatoire.' }]);
    expect((await t.request('POST', `/api/bookings/${code}/cancel`, { email: EMAIL })).status).toBe(200);
  });

  it('serves the French manage page at /gerer (web/ front), which keeps the token out of referrers and caches', async () => {
    const res = await t.inject({ method: 'GET', url: '/gerer?token=abc' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain('Gérer mon rendez-vous');
    // Only its own hashed assets (test/browser-manage-page.test.ts drives the page itself).
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
