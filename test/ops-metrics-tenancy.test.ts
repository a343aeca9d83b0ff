import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';

/**
 * /metrics on an instance of many businesses (issue 19): traffic on each business (pages by
 * slug and by host name, bookings with customers' names, e-mails and phones, lookups by code,
 * messages sent) leaves no business's or customer's data in the scrape, and the set of series
 * does not grow with the number of businesses: labels are route patterns and fixed values.
 */
const TOKEN = 'metrics-token-0123456789abcdefghij';

describe.each(ENGINES)('metrics without business or customer data on %s', (engine) => {
  let t: TestService;
  let demo: string;
  beforeAll(async () => {
    t = await startTestService(engine, { env: { METRICS_TOKEN: TOKEN, PUBLIC_BASE_URL: 'https://rdv.artisanconnect.test' } });
    demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont', host_name = 'rdv.plomberie-dupont.test' WHERE id = $1`, [demo]);
  });
  afterAll(async () => t?.close());

  const scrape = async (): Promise<string> => {
    const res = await t.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** Every series (name and labels), without its value. */
  const seriesOf = (text: string): Set<string> => new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' '))));

  /** What a business and its customers leave in the requests: everything the scrape must not show. */
  const traffic = async (n: number, business: { id: string; slug: string; host: string }): Promise<string[]> => {
    const customer = { name: `Client Numéro${n}`, email: `client${n}@exemple-client.fr`, phone: `+3361234${String(5600 + n)}` };
    const day = parisDate(t.clock, 2);
    const viaSlug = (url: string) => `/${business.slug}${url}`;
    expect((await t.request('GET', viaSlug('/api/services'))).status).toBe(200);
    expect((await t.request('GET', viaSlug(`/api/availability?serviceId=diag&date=${day}`))).status).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/api/artisan', headers: { host: business.host } })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: viaSlug('') })).statusCode).toBe(200);
    const booked = await t.request('POST', viaSlug('/api/bookings'), bookingBody(day, '09:00', { customer, notifications: { email: true, sms: true } }));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const code = booked.body.booking.publicCode as string;
    expect((await t.request('GET', viaSlug(`/api/bookings/public?code=${code}&email=${encodeURIComponent(customer.email)}`))).status).toBe(200);
    expect((await t.request('POST', viaSlug(`/api/bookings/${code}/cancel`), { email: 'quelqu.un@exemple-client.fr' })).status).toBe(404);
    expect((await t.request('GET', `/${business.slug}-inconnue/api/services`)).status).toBe(404);
    while ((await t.service.worker.runOnce()) > 0);
    return [business.id, business.slug, business.host, code, customer.name, customer.email, customer.phone, customer.phone.slice(3), '612345'];
  };

  it('shows no slug, host, business id, booking code or customer detail, and as many series for 6 businesses as for 2', async () => {
    await scrape(); // the scrape's own series, from here on
    const secrets: string[] = [];
    secrets.push(...(await traffic(0, { id: demo, slug: 'plomberie-dupont', host: 'rdv.plomberie-dupont.test' })));
    const second = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
    await t.service.db.query(`UPDATE artisans SET host_name = 'rdv.chauffage-martin.test' WHERE id = $1`, [second.id]);
    secrets.push(...(await traffic(1, { id: second.id, slug: second.slug, host: 'rdv.chauffage-martin.test' })));
    const withTwo = await scrape();

    for (let n = 2; n < 6; n++) {
      const slug = `entreprise-numero-${n}`;
      const business = await addBusiness(t.service.db, demo, slug, `Entreprise ${n}`);
      await t.service.db.query(`UPDATE artisans SET host_name = $2 WHERE id = $1`, [business.id, `rdv.${slug}.test`]);
      secrets.push(...(await traffic(n, { id: business.id, slug, host: `rdv.${slug}.test` })));
    }
    const withSix = await scrape();

    for (const text of [withTwo, withSix]) {
      for (const secret of [...secrets, 'exemple-client', 'Chauffage Martin', 'Entreprise']) expect(text).not.toContain(secret);
    }
    expect(withSix).toMatch(/route="\/api\/services"/);
    expect([...seriesOf(withSix)].filter((s) => !seriesOf(withTwo).has(s))).toEqual([]);
  }, 120_000);
});
