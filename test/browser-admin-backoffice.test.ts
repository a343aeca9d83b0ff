import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, adminHeaders, setDemoPassword } from './helpers/admin.ts';
import { resetBookings, type Engine } from './helpers/db.ts';
import { DESKTOP, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import { bookingBody, type TestService } from './helpers/service.ts';
import { manageLinkIn } from './helpers/smtp.ts';

/**
 * The artisan's back office (/admin) in Debian's headless Chromium against the real service
 * over HTTP, signed in as the demo artisan (Marc Dupont, Paris, Monday–Friday 08:30–18:00 with
 * a 12:00–13:00 break). Server clock: Monday 2027-03-01 08:00 in Paris; the browser sits in
 * New York (times must stay the artisan's). One engine: the API is tested on every engine by
 * the api-* suites.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const NBSP = '\u00a0';

describe(`the back office in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  let open: GuardedPage | undefined;

  beforeAll(async () => {
    t = await startBrowserService(ENGINE);
    await setDemoPassword(t.service.db);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await open?.close();
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    if (open) {
      open.assertClean();
      await open.close();
      open = undefined;
    }
    t.clock.ms = START;
    await resetBookings(t.service.db);
  });

  const signIn = async (viewport?: { width: number; height: number }): Promise<Page> => {
    open = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
    const { page } = open;
    await page.goto(`${t.origin}/admin`);
    await page.getByLabel('Adresse e-mail').fill(DEMO_ARTISAN_EMAIL);
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    return page;
  };
  const go = async (page: Page, link: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Espace artisan' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const freeTimes = async (date: string): Promise<string[]> => {
    const res = await t.request('GET', `/api/availability?serviceId=diag&date=${date}`);
    expect(res.status).toBe(200);
    return (res.body.slots as { time: string; available: boolean }[]).filter((s) => s.available).map((s) => s.time);
  };
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  /** Presses Tab until the focused element has this accessible label (keyboard only). */
  const tabTo = async (page: Page, label: string, max = 150) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.getAttribute('aria-label') ?? el?.innerText ?? '';
      });
      if (plain(focused) === label) return;
    }
    throw new Error(`"${label}" never got the keyboard focus`);
  };

  it('a wrong password is refused; signed in, a write without the CSRF token is refused; sign-out ends the session', async () => {
    open = await openGuardedPage(browser, t.origin);
    const { page } = open;
    await page.goto(`${t.origin}/admin`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await expectAccessible(page, 'sign-in (phone)');
    await page.getByLabel('Adresse e-mail').fill(DEMO_ARTISAN_EMAIL);
    await page.getByLabel('Mot de passe').fill('pas-le-bon-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(plain(await page.getByRole('alert').innerText())).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(await page.getByRole('navigation', { name: 'Espace artisan' }).count()).toBe(0);

    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    expect(plain(await page.locator('header').innerText())).toContain(`Marc Dupont - Plomberie (${DEMO_ARTISAN_EMAIL})`);

    // The session cookie alone is not enough to write: the page's own requests carry the token.
    const forged = await page.evaluate(async () => {
      const res = await fetch('/api/admin/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sans jeton' }) });
      return { status: res.status, body: await res.json() };
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_REJECTED');
    const tokens = await t.request('GET', '/api/admin/tokens', undefined, adminHeaders());
    expect(tokens.body.tokens.map((x: { name: string }) => x.name)).not.toContain('sans jeton');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/admin/me')).status)).toBe(401);
  });

  it('closes a day: the booking page stops offering it', async () => {
    expect(await freeTimes('2027-03-10')).toContain('09:00');
    const page = await signIn();
    await go(page, 'Horaires', 'Horaires et règles de réservation');
    await page.getByLabel('Date', { exact: true }).fill('2027-03-10');
    await page.getByRole('button', { name: 'Ajouter l’exception' }).click();
    await page.getByRole('status').filter({ hasText: 'Exception du mercredi 10 mars 2027 enregistrée.' }).waitFor();
    await page.getByText('mercredi 10 mars 2027 : fermé').waitFor();
    expect(await freeTimes('2027-03-10')).toEqual([]);
    expect(await freeTimes('2027-03-11')).toContain('09:00');
  });

  it('changes the hours with the keyboard only, and the slots follow', async () => {
    expect((await freeTimes('2027-03-03'))[0]).toBe('08:30');
    const page = await signIn();
    await go(page, 'Horaires', 'Horaires et règles de réservation');
    await page.locator('h1').focus();
    await tabTo(page, 'mercredi, ouverture 1 : début');
    await page.keyboard.type('1000');
    await tabTo(page, 'Enregistrer les horaires');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Horaires enregistrés' }).waitFor();
    const times = await freeTimes('2027-03-03');
    expect(times[0]).toBe('10:00');
    expect(times).not.toContain('09:30');
    expect((await freeTimes('2027-03-04'))[0]).toBe('08:30');
    // Back to the demo hours for the other tests.
    await t.service.db.query(`UPDATE schedule_rules SET start_minutes = 510 WHERE kind = 'opening' AND day_of_week = 3`);
  });

  it('adds a phone booking; it appears in the agenda, which is usable with the keyboard', async () => {
    const page = await signIn();
    await go(page, 'Réservation par téléphone', 'Réservation prise par téléphone');
    await page.getByLabel('Prestation').selectOption('diag');
    await page.getByLabel('Jour').fill('2027-03-03');
    await page.getByRole('button', { name: `9${NBSP}h${NBSP}30`, exact: true }).click();
    await page.getByLabel('Nom').fill('Mme Roux');
    await page.getByLabel('E-mail').fill('roux@example.fr');
    await page.getByLabel('Téléphone (facultatif)').fill('06 11 22 33 44');
    await page.getByRole('button', { name: /Enregistrer le rendez-vous du mercredi 3 mars 2027/ }).click();
    await page.getByRole('heading', { name: /Réservation AC-[A-Z0-9]{6} — Confirmé/ }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('par téléphone (par vous)');

    await go(page, 'Agenda', 'Agenda');
    const line = page.getByRole('link', { name: /9 h 30 Diagnostic et audit complet — Mme Roux/ });
    await line.waitFor();
    expect(plain(await line.innerText())).toContain('téléphone');
    // Keyboard: the week heading takes ← / →, the booking is a link.
    const heading = page.getByRole('heading', { name: /Semaine du/ });
    await heading.focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'Semaine du lundi 8 mars 2027' }).waitFor();
    expect(await line.count()).toBe(0);
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('heading', { name: 'Semaine du lundi 1 mars 2027' }).waitFor();
    await tabTo(page, plain(await line.innerText()));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Réservation AC-/ }).waitFor();
  });

  it("cancels a booking with the refund shown first; the customer's manage page shows it cancelled and refunded", async () => {
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(created.status).toBe(201);
    const code = created.body.booking.publicCode as string;
    await drain();
    const mail = (await t.request('GET', `/api/admin/messages?bookingCode=${code}&channel=email`, undefined, adminHeaders())).body.messages.find(
      (m: { recipientKind: string }) => m.recipientKind === 'customer',
    );
    const link = manageLinkIn(mail.text);

    const page = await signIn();
    await go(page, 'Réservations', 'Réservations');
    await page.getByRole('link', { name: /mercredi 10 mars 2027 à 9 h/ }).click();
    await page.getByRole('heading', { name: `Réservation ${code} — Confirmé` }).waitFor();
    const main = plain(await page.locator('main').innerText());
    expect(main).toMatch(/Acompte 12,00 € \((autorisé|encaissé)\)/);
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    expect(plain(await page.locator('.policy').innerText())).toBe(
      'Vous annulez : l’acompte de 12,00 € sera intégralement remboursé au client, qui en est informé.',
    );
    await page.getByLabel('Motif (facultatif, transmis au client)').fill('Empêchement');
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.getByRole('heading', { name: `Réservation ${code} — Annulé` }).waitFor();
    expect(plain(await page.getByRole('status').first().innerText())).toBe('Rendez-vous annulé. Remboursement au client : 12,00 €.');
    expect(plain(await page.locator('.history').innerText())).toContain('Annulée, par vous (motif : Empêchement)');

    const customer = await page.context().newPage();
    await customer.goto(link);
    await customer.locator('#status', { hasText: 'Annulé' }).waitFor();
    expect(plain(await customer.locator('main').innerText())).toMatch(/remboursé/);
    await customer.close();
  });

  it('retries a dead message from the Messages screen', async () => {
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '10:00'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const code = created.body.booking.publicCode as string;
    const killed = await t.service.db.query(
      `UPDATE outbox SET status = 'dead', attempts = max_attempts, last_error = 'SMTP indisponible' WHERE topic = 'notify.booking_confirmed' RETURNING id`,
    );
    expect(killed).toHaveLength(1);
    const page = await signIn();
    await go(page, 'Messages', 'Messages');
    await page.getByText('Dernière erreur : SMTP indisponible').waitFor();
    await page.getByRole('button', { name: `Réessayer (Confirmation ${code})` }).click();
    await page.getByRole('status').filter({ hasText: 'Message relancé' }).waitFor();
    await page.getByText('Aucun message en échec.').waitFor();
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'notify.booking_confirmed'`);
    expect(rows).toEqual([{ status: 'pending' }]);
    await drain();
    await page.reload();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).or(page.getByRole('heading', { name: 'Messages', level: 1 })).waitFor();
    const sent = await t.request('GET', `/api/admin/messages?bookingCode=${code}`, undefined, adminHeaders());
    expect(sent.body.messages.some((m: { recipientKind: string }) => m.recipientKind === 'customer')).toBe(true);
  });

  it('the terms of sale typed in the account screen are the ones the booking page serves', async () => {
    const page = await signIn();
    await go(page, 'Compte', 'Compte');
    await page.getByLabel('Texte affiché sur la page de réservation, accepté par le client').fill('Acompte non remboursable moins de 24 h avant.');
    await page.getByRole('button', { name: 'Enregistrer les conditions de vente' }).click();
    await page.getByRole('status').filter({ hasText: 'Conditions de vente enregistrées' }).waitFor();
    const pub = await t.request('GET', '/api/artisan');
    expect(pub.body.artisan.terms.text).toBe('Acompte non remboursable moins de 24 h avant.');
    await t.service.db.query(`UPDATE artisans SET terms_of_sale = NULL`).catch(() => undefined);
  });

  it('switches the deposit to "authorise, capture at the start" from the Paiements screen; the next booking is only authorised', async () => {
    // Before: the default strategy takes the deposit at booking.
    const before = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00'));
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    expect(before.body.booking.deposit.paymentStatus).toBe('captured');
    const page = await signIn();
    await go(page, 'Paiements', 'Paiements');
    const main = plain(await page.locator('main').innerText());
    expect(main).toContain('Paiements simulés (mode test)');
    const capture = page.getByRole('radio', { name: 'Encaisser l’acompte à la réservation (recommandé)' });
    const authorize = page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' });
    expect(await capture.isChecked()).toBe(true);
    expect(await authorize.isChecked()).toBe(false);
    // The explanation is read with the choice.
    expect(await authorize.getAttribute('aria-describedby')).toBeTruthy();
    expect(main).toMatch(/environ 7 jours/);
    await authorize.check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Réglage enregistré' }).waitFor();
    try {
      const settings = await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders());
      expect(settings.body).toEqual({ captureStrategy: 'authorize', provider: 'simulated' });
      // Wednesday 2027-03-03, two days ahead: inside the 7-day authorisation window.
      const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:00'));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.booking.deposit.paymentStatus).toBe('authorized');
      // Reloaded, the screen shows the saved choice.
      await page.reload();
      await page.getByRole('heading', { name: 'Paiements', level: 1 }).waitFor();
      expect(await page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' }).isChecked()).toBe(true);
    } finally {
      await t.request('PATCH', '/api/admin/payment-settings', { captureStrategy: 'capture' }, adminHeaders());
    }
  });

  it("the Paiements screen shows the API's French error when the save is refused", async () => {
    const page = await signIn();
    await go(page, 'Paiements', 'Paiements');
    // The session ends in another tab (signed out there): the save is refused with the API's message.
    const other = await page.context().newPage();
    await other.goto(`${t.origin}/admin`);
    await other.getByRole('button', { name: 'Se déconnecter' }).click();
    await other.getByRole('heading', { name: 'Connexion' }).waitFor();
    await other.close();
    await page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' }).check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(plain(await alert.innerText())).toBe('Connexion requise : identifiez-vous pour accéder à cet espace.');
    const settings = await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders());
    expect(settings.body.captureStrategy).toBe('capture');
  });

  it('every screen passes axe (WCAG 2.1 AA) on a phone and a desktop; screenshots in docs/screenshots', async () => {
    const booked = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678', address: { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' } } }));
    const code = booked.body.booking.publicCode as string;
    await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-02', '14:00', { customer: { name: 'Mme Roux', email: 'roux@example.fr' } }), adminHeaders());
    await drain();
    const screens: [path: string, heading: string | RegExp, name: string][] = [
      ['/admin', 'Agenda', 'agenda'],
      ['/admin/reservations', 'Réservations', 'bookings'],
      [`/admin/reservations/${code}`, /Réservation AC-/, 'booking-detail'],
      ['/admin/nouvelle-reservation', 'Réservation prise par téléphone', 'phone-booking'],
      ['/admin/horaires', 'Horaires et règles de réservation', 'hours'],
      ['/admin/prestations', 'Prestations', 'services'],
      ['/admin/conges', 'Congés et indisponibilités', 'time-off'],
      ['/admin/calendriers', 'Calendriers', 'calendars'],
      ['/admin/notifications', 'Notifications', 'notifications'],
      ['/admin/messages', 'Messages', 'messages'],
      ['/admin/paiements', 'Paiements', 'payments'],
      ['/admin/compte', 'Compte', 'account'],
      ['/admin/integration', 'Intégrer la page de réservation', 'embed'],
    ];
    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      const page = await signIn(viewport);
      for (const [path, heading, name] of screens) {
        await page.goto(`${t.origin}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await expectAccessible(page, `${path} (${label})`);
        await screenshot(page, `admin-${name}-${label}`);
      }
      // The move picker and the cancel confirmation, opened.
      await page.goto(`${t.origin}/admin/reservations/${code}`);
      await page.getByRole('button', { name: 'Déplacer' }).click();
      await page.getByLabel('Jour').fill('2027-03-04');
      await page.getByRole('group', { name: /Créneaux libres/ }).waitFor();
      await expectAccessible(page, `move picker (${label})`);
      await screenshot(page, `admin-move-${label}`);
      await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
      await expectAccessible(page, `cancel confirmation (${label})`);
      open!.assertClean();
      await open!.close();
      open = undefined;
      // The sign-in screen (signed out).
      open = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
      await open.page.goto(`${t.origin}/admin`);
      await open.page.getByRole('heading', { name: 'Connexion' }).waitFor();
      await expectAccessible(open.page, `sign-in (${label})`);
      await screenshot(open.page, `admin-sign-in-${label}`);
      open.assertClean();
      await open.close();
      open = undefined;
    }
  }, 240_000);
});
