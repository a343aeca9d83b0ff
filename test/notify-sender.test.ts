import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { DEMO_ARTISAN_EMAIL } from './helpers/admin.ts';
import { bookingBody, parisDate, startTestService, type TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Many businesses on one instance (issue 19 item 7): a customer's e-mail comes from the business
 * they booked with, by name, and a reply reaches that business. The sending address stays the
 * instance's (MAIL_FROM), the only one SPF and DKIM vouch for. Through a real SMTP server.
 */
describe.each(ENGINES)('e-mail sender per business on %s', (engine) => {
  const smtp = new TestSmtp();
  let t: TestService;
  let b: TestBusiness;
  // Accents, quotes and a comma: what a hand-built header would get wrong.
  const NAME_B = 'Chauffage Müller & "Fils", Sàrl';

  beforeAll(async () => {
    await smtp.start();
    t = await startTestService(engine, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'ArtisanConnect <rdv@artisanconnect.test>' } });
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont', display_name = 'Plomberie Dupont' WHERE id = $1`, [demo]);
    b = await addBusiness(t.service.db, demo, 'chauffage-muller', NAME_B);
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it("sends each customer's messages in the name of the business booked, with its address as Reply-To", async () => {
    const day = parisDate(t.clock, 2);
    for (const [slug, email] of [['plomberie-dupont', 'client.a@example.fr'], [b.slug, 'client.b@example.fr']]) {
      const res = await t.request('POST', `/${slug}/api/bookings`, bookingBody(day, '09:00', { customer: { name: 'Élodie Martin', email } }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    while ((await t.service.worker.runOnce()) > 0);

    const [toA] = smtp.to('client.a@example.fr');
    const [toB] = smtp.to('client.b@example.fr');
    expect(toA?.mail.from?.value).toEqual([{ name: 'Plomberie Dupont', address: 'rdv@artisanconnect.test' }]);
    expect(toA?.mail.replyTo?.value).toEqual([{ name: 'Plomberie Dupont', address: DEMO_ARTISAN_EMAIL }]);
    expect(toB?.mail.from?.value).toEqual([{ name: NAME_B, address: 'rdv@artisanconnect.test' }]);
    expect(toB?.mail.replyTo?.value).toEqual([{ name: NAME_B, address: 'contact@chauffage-muller.fr' }]);
    // Encoded, not pasted raw into the header.
    expect(String(toB?.mail.headerLines.find((h) => h.key === 'from')?.line)).toMatch(/^From: =\?UTF-8\?/i);

    // The artisan's own alert still comes from the instance.
    const [alert] = smtp.to(DEMO_ARTISAN_EMAIL);
    expect(alert?.mail.from?.value).toEqual([{ name: 'ArtisanConnect', address: 'rdv@artisanconnect.test' }]);
    expect(alert?.mail.replyTo).toBeUndefined();
  });
});
