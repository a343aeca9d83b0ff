import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorAuthOn } from '../src/main.ts';
import type { Engine } from './helpers/db.ts';
import { expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import type { TestService } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * The whole sign-up path on a phone in headless Chromium (SIGNUP=open, a real SMTP server):
 * sign up at /inscription (slug suggested from the name, accents transliterated), the page
 * unreachable until the address is confirmed from the mailbox, the link publishing it and
 * opening the back office's setup (hours, first service, deposit), a customer booking at
 * /{slug} with the simulated deposit, then the operator suspending the business from its
 * console and the page refusing bookings. axe (WCAG 2.1 AA) on each screen.
 * Server clock: Monday 2027-03-01 08:00 in Paris.
 */
const ENGINE: Engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const OPERATOR = { email: 'ops@hebergeur.fr', password: 'une-phrase-de-passe-operateur' };

describe(`sign-up on a phone in headless Chromium on ${ENGINE}`, () => {
  const smtp = new TestSmtp();
  let t: TestService & { origin: string };
  let browser: Browser;
  const opened: GuardedPage[] = [];
  const open = async () => {
    const g = await openGuardedPage(browser, t.origin);
    opened.push(g);
    return g;
  };

  beforeAll(async () => {
    await smtp.start();
    t = await startBrowserService(ENGINE, { SIGNUP: 'open', SMTP_URL: smtp.url, MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>' });
    browser = await launchBrowser();
    await operatorAuthOn(t.service.db).create(OPERATOR.email, OPERATOR.password);
  }, 120_000);
  afterAll(async () => {
    for (const g of opened) await g.close();
    await browser?.close();
    await t?.close();
    await smtp.stop();
  });

  it('sign up, confirm from the mailbox, set up, take a booking with the deposit; suspended, the page refuses bookings', async () => {
    const { page } = await open();
    await page.goto(`${t.origin}/inscription`);
    await page.getByRole('heading', { name: 'Créer votre espace', level: 1 }).waitFor();
    await expectAccessible(page, 'sign-up form (phone)');

    await page.getByLabel('Nom de votre entreprise').fill('Plomberie Bérénice Lefèvre');
    // The slug is suggested from the name, accents transliterated, and said to be free.
    const slug = page.getByLabel('Adresse de votre page');
    await expect.poll(() => slug.inputValue()).toBe('plomberie-berenice-lefevre');
    await page.getByText(/Disponible : votre page sera .*\/plomberie-berenice-lefevre/).waitFor();
    // Edited by hand to a reserved word: refused with its reason, then a good one.
    await slug.fill('admin');
    await page.getByText('Cette adresse est réservée : choisissez-en une autre.').waitFor();
    await slug.fill('plomberie-lefevre');
    await page.getByText(/Disponible : votre page sera .*\/plomberie-lefevre/).waitFor();
    await page.getByLabel('Métier').selectOption('Plombier');
    await page.getByLabel('Adresse e-mail').fill('berenice@plomberie-lefevre.fr');
    await page.getByLabel('Téléphone (facultatif)').fill('06 98 76 54 32');
    await page.getByLabel('Mot de passe').fill('court');
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    // The server's field error, under its field; nothing created.
    await page.getByText('Le mot de passe doit contenir au moins 10 caractères.').waitFor();
    expect(await page.getByLabel('Mot de passe').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'sign-up form with an error (phone)');
    await screenshot(page, 'signup-form-phone');
    await page.getByLabel('Mot de passe').fill('un-mot-de-passe-tres-solide');
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    await page.getByRole('heading', { name: 'Confirmez votre adresse' }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('berenice@plomberie-lefevre.fr');
    await expectAccessible(page, 'check your mailbox (phone)');

    // Not published yet: the customer's address answers like an unknown business.
    expect((await t.request('GET', '/plomberie-lefevre/api/services')).status).toBe(404);
    const unknown = await t.request('GET', '/personne-ici');
    const unpublished = await t.request('GET', '/plomberie-lefevre');
    expect(unpublished.status).toBe(404);
    expect(unpublished.body).toEqual(unknown.body);

    // The confirmation e-mail, from the mailbox.
    for (let i = 0; i < 100 && smtp.to('berenice@plomberie-lefevre.fr').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [mail] = smtp.to('berenice@plomberie-lefevre.fr');
    expect(mail!.mail.subject).toBe('Confirmez votre adresse — ArtisanConnect');
    const link = new RegExp(`${t.origin.replace(/[.]/g, '\\.')}/inscription/confirmer\\?token=\\S+`).exec(mail!.mail.text!)![0];
    await page.goto(link);
    await page.getByRole('heading', { name: 'Confirmer votre adresse' }).waitFor();
    await expectAccessible(page, 'confirm the address (phone)');
    await page.getByRole('button', { name: 'Confirmer et mettre ma page en ligne' }).click();

    // Signed in, in the back office's setup: hours, first service, deposit.
    await page.getByRole('heading', { name: 'Vos horaires d’ouverture' }).waitFor();
    expect(plain((await page.locator('header').textContent()) ?? '')).toContain('Plomberie Bérénice Lefèvre (berenice@plomberie-lefevre.fr)');
    await page.getByRole('button', { name: 'Ajouter une plage d’ouverture (mercredi)' }).click();
    await page.getByLabel('mercredi, ouverture 1 : début').fill('09:00');
    await page.getByLabel('mercredi, ouverture 1 : fin').fill('12:00');
    await page.getByRole('button', { name: 'Enregistrer les horaires' }).click();
    await page.getByRole('heading', { name: 'Votre première prestation' }).waitFor();
    await page.getByLabel('Nom', { exact: true }).fill('Recherche de fuite');
    await page.getByLabel('Durée (minutes)', { exact: true }).fill('60');
    await page.getByLabel('Prix (€)', { exact: true }).fill('90,00');
    await page.getByRole('button', { name: 'Créer la prestation' }).click();
    await page.getByRole('heading', { name: 'L’acompte de vos clients' }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    expect(await page.getByRole('region', { name: 'Votre page ne peut pas encore prendre de rendez-vous' }).count()).toBe(0);

    // A customer books at /{slug} with the simulated deposit.
    const customer = await open();
    const site = customer.page;
    await site.goto(`${t.origin}/plomberie-lefevre`);
    await site.getByRole('heading', { name: 'Plomberie Bérénice Lefèvre', level: 1 }).waitFor();
    expect(plain(await site.locator('main').innerText())).not.toContain('Diagnostic et audit complet');
    await site.getByRole('button', { name: /^Recherche de fuite/ }).click();
    await site.getByRole('button', { name: /^mercredi 3 mars 2027, \d+ créneaux? libres?/ }).click();
    await site.getByRole('button', { name: 'mercredi 3 mars 2027 à 09:00' }).click();
    await site.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
    await site.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await site.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    await site.getByLabel('Téléphone', { exact: true }).fill('06 12 34 56 78');
    await site.getByLabel(/J’accepte les conditions d’annulation/).check();
    await expectAccessible(site, 'booking form on the new page (phone)');
    await site.getByRole('button', { name: 'Payer l’acompte de 27,00 € et réserver' }).click();
    await site.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    const code = plain(await site.locator('dd.code').innerText());
    const booked = await t.service.db.query<{ slug: string; status: string; deposit_cents: number }>(
      `SELECT a.slug, b.status, b.deposit_cents FROM bookings b JOIN artisans a ON a.id = b.artisan_id WHERE b.public_code = $1`,
      [code],
    );
    expect(booked).toEqual([{ slug: 'plomberie-lefevre', status: 'confirmed', deposit_cents: 2700 }]);

    // The operator suspends the business from the console.
    const ops = await open();
    await ops.page.goto(`${t.origin}/operator`);
    await ops.page.getByLabel('Adresse e-mail').fill(OPERATOR.email);
    await ops.page.getByLabel('Mot de passe').fill(OPERATOR.password);
    await ops.page.getByRole('button', { name: 'Se connecter' }).click();
    const card = ops.page.getByRole('listitem').filter({ has: ops.page.getByRole('heading', { name: 'Plomberie Bérénice Lefèvre' }) });
    await card.waitFor();
    expect(plain((await card.textContent())!)).toContain('StatutActive');
    await card.getByRole('button', { name: 'Suspendre Plomberie Bérénice Lefèvre' }).click();
    await ops.page.getByRole('status').filter({ hasText: 'Plomberie Bérénice Lefèvre est suspendue' }).waitFor();

    // The page refuses bookings, and so does its API.
    await site.goto(`${t.origin}/plomberie-lefevre`);
    await site.getByText('Ce professionnel ne prend pas de réservation en ligne pour le moment.').waitFor();
    expect(await site.getByRole('heading', { name: '1. Choisissez une prestation' }).count()).toBe(0);
    await expectAccessible(site, 'suspended new business (phone)');
    const refused = await t.request('POST', '/plomberie-lefevre/api/bookings', {
      serviceId: (await t.service.db.query<{ id: string }>(`SELECT s.id FROM services s JOIN artisans a ON a.id = s.artisan_id WHERE a.slug = 'plomberie-lefevre'`))[0]!.id,
      date: '2027-03-03',
      time: '10:00',
      customer: { name: 'Jeanne Roux', email: 'jeanne@example.com', phone: '+33612345670' },
      notifications: { email: true, sms: false },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('BUSINESS_SUSPENDED');

    for (const g of opened) g.assertClean();
  }, 180_000);
});

describe(`sign-up closed (the default) in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  beforeAll(async () => {
    t = await startBrowserService(ENGINE);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('/inscription says in French that sign-up is closed, with no form', async () => {
    const g = await openGuardedPage(browser, t.origin);
    try {
      await g.page.goto(`${t.origin}/inscription`);
      await g.page.getByRole('heading', { name: 'Inscriptions fermées', level: 1 }).waitFor();
      expect(plain(await g.page.locator('main').innerText())).toContain('Les inscriptions sont fermées sur ce service pour le moment.');
      expect(await g.page.getByRole('button', { name: 'Créer mon espace' }).count()).toBe(0);
      await expectAccessible(g.page, 'sign-up closed (phone)');
      g.assertClean();
    } finally {
      await g.close();
    }
  }, 60_000);
});
