import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { browserSuite, DESKTOP, expectAccessible, openGuardedPage, plain, screenshot } from './helpers/browser.ts';

/**
 * Issue 23 item 5, the customer's form for a visit at home, in headless Chromium: the boiler
 * service is "chez le client" (address and phone required), every error is shown at once next
 * to its field with a summary at the top of the form and the focus on the first, and each next
 * step (slots, form, 3-D Secure) is scrolled into view. axe on phone and desktop.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris
const DAY = 'mercredi 10 mars 2027';

/** What the summary lists for an empty form of a visit at home, in the form's order. */
const EMPTY_FORM_PROBLEMS = [
  ['name', 'Nom et prénom', 'Indiquez votre nom.'],
  ['email', 'Adresse e-mail', 'Indiquez votre adresse e-mail.'],
  ['phone', 'Téléphone', 'Indiquez votre téléphone : l’artisan vient chez vous et doit pouvoir vous joindre.'],
  ['street', 'Rue', 'Indiquez le numéro et la rue.'],
  ['postalCode', 'Code postal', 'Indiquez le code postal.'],
  ['city', 'Ville', 'Indiquez la ville.'],
  ['consent', 'Conditions', 'Pour réserver, acceptez les conditions d’annulation et de vente.'],
] as const;

describe(`the booking form of a visit at home in headless Chromium on ${ENGINE}`, () => {
  const { t, open: openGuarded } = browserSuite(ENGINE, START);

  const open = async (options: Parameters<typeof openGuardedPage>[2] = {}): Promise<Page> => {
    const g = await openGuarded(options);
    // Instant scrolling: what is in view can be checked at once (smooth scrolling is the default).
    await g.page.emulateMedia({ reducedMotion: 'reduce' });
    await g.page.goto(`${t.origin}/`);
    await g.page.getByRole('heading', { name: 'Marc Dupont - Plomberie' }).waitFor();
    return g.page;
  };
  const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
  const inView = (locator: Locator) =>
    locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
  const scrollY = (page: Page) => page.evaluate(() => window.scrollY);
  /** Service, day, slot; each next step must come into view without the customer scrolling. */
  const pickSlot = async (page: Page, service: RegExp, time = '09:00') => {
    await page.getByRole('button', { name: service }).click();
    const before = await scrollY(page);
    await page.getByRole('button', { name: new RegExp(`^${DAY}, \\d+ créneaux? libres?`) }).click();
    const slots = page.getByRole('heading', { name: `Créneaux libres le ${DAY}` });
    await slots.waitFor();
    await expect.poll(() => inView(page.getByRole('button', { name: `${DAY} à ${time}` }))).toBe(true);
    expect(await scrollY(page)).toBeGreaterThan(before);
    await page.getByRole('button', { name: `${DAY} à ${time}` }).click();
    const form = page.getByRole('heading', { name: '3. Vos coordonnées' });
    await form.waitFor();
    await expect.poll(() => inView(form)).toBe(true);
    expect(await isFocused(form)).toBe(true);
  };
  const summaryOf = (page: Page) => page.getByRole('alert').filter({ hasText: 'Certains champs sont à corriger.' });
  /** Each field refused: aria-invalid, and its message tied to it by aria-describedby. */
  const expectFieldError = async (page: Page, id: string, message: string) => {
    const field = page.locator(`#${id}`);
    expect(await field.getAttribute('aria-invalid'), id).toBe('true');
    const described = (await field.getAttribute('aria-describedby'))!.split(' ');
    const texts = await Promise.all(described.map((d) => page.locator(`#${d}`).innerText()));
    expect(texts.map(plain), id).toContain(message);
  };
  const bookingPosts = (page: Page): string[] => {
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/bookings') posts.push(r.url());
    });
    return posts;
  };

  it('on a phone, an empty form shows every error at once: by each field, listed as links at the top, the focus on the first; nothing is sent', async () => {
    const page = await open();
    const posts = bookingPosts(page);
    await pickSlot(page, /^Entretien de chaudière/);
    for (const label of ['Téléphone (obligatoire)', 'Rue (obligatoire)', 'Code postal (obligatoire)', 'Ville (obligatoire)']) {
      expect(await page.getByLabel(label, { exact: true }).getAttribute('aria-required'), label).toBe('true');
    }
    expect(await page.getByLabel('Décrivez le problème (facultatif)').getAttribute('maxlength')).toBe('1000');

    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    const summary = summaryOf(page);
    await summary.waitFor();
    expect((await summary.getByRole('link').allInnerTexts()).map(plain)).toEqual(EMPTY_FORM_PROBLEMS.map(([, label, message]) => `${label} : ${message}`));
    for (const [id, , message] of EMPTY_FORM_PROBLEMS) await expectFieldError(page, id, message);
    await expect.poll(() => isFocused(page.locator('#name'))).toBe(true);
    // At the top of the form: right under its heading, before every field.
    expect(
      await page.locator('form').evaluate((form) => {
        const s = form.querySelector('.error-summary');
        const firstField = form.querySelector('input, textarea');
        return !!s && !!firstField && s.previousElementSibling?.id === 'form-title' && (s.compareDocumentPosition(firstField) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      }),
    ).toBe(true);
    expect(posts).toEqual([]);
    await expectAccessible(page, 'every error at once (phone)');
    await screenshot(page, 'booking-9-all-errors-phone');

    // A link of the summary takes the customer to its field.
    await summary.getByRole('link', { name: 'Ville : Indiquez la ville.' }).click();
    expect(await isFocused(page.locator('#city'))).toBe(true);

    // Wrong formats too, all in one go, the focus on the first of them.
    await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@exemple');
    await page.getByLabel('Téléphone (obligatoire)').fill('12');
    await page.getByLabel('Code postal (obligatoire)').fill('7501');
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await expect.poll(() => isFocused(page.locator('#email'))).toBe(true);
    expect((await summaryOf(page).getByRole('link').allInnerTexts()).map((s) => plain(s).split(' : ')[0])).toEqual([
      'Adresse e-mail', 'Téléphone', 'Rue', 'Code postal', 'Ville', 'Conditions',
    ]);
    expect(await page.locator('#name').getAttribute('aria-invalid')).toBeNull();
    expect(posts).toEqual([]);

    // Corrected, with the problem described: booked, and the artisan reads it.
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    await page.getByLabel('Téléphone (obligatoire)').fill('06 12 34 56 78');
    await page.getByLabel('Rue (obligatoire)').fill('12 rue des Lilas');
    await page.getByLabel('Code postal (obligatoire)').fill('75011');
    await page.getByLabel('Ville (obligatoire)').fill('Paris');
    await page.getByLabel('Décrivez le problème (facultatif)').fill('La chaudière se met en sécurité.\nCode erreur F28.');
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    const code = plain(await page.locator('dd.code').innerText());
    const stored = (await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders())).body.booking;
    expect(stored).toMatchObject({
      problemDescription: 'La chaudière se met en sécurité.\nCode erreur F28.',
      customer: { phone: '+33612345678', address: { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' } },
    });
  }, 90_000);

  it('on a desktop, the server’s refusals are shown at once too, mapped onto their fields, and the page passes axe', async () => {
    const page = await open({ viewport: DESKTOP });
    await pickSlot(page, /^Entretien de chaudière/);
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await summaryOf(page).waitFor();
    await expect.poll(() => isFocused(page.locator('#name'))).toBe(true);
    await expectAccessible(page, 'every error at once (desktop)');
    await screenshot(page, 'booking-9-all-errors-desktop');

    // Well-formed to the page's rough checks; the server refuses the number and the postcode.
    await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    await page.getByLabel('Téléphone (obligatoire)').fill('00 00 00 00 00');
    await page.getByLabel('Rue (obligatoire)').fill('12 rue des Lilas');
    await page.getByLabel('Code postal (obligatoire)').fill('00100');
    await page.getByLabel('Ville (obligatoire)').fill('Paris');
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await expect.poll(async () => (await summaryOf(page).getByRole('link').allInnerTexts()).map((s) => plain(s).split(' : ')[0])).toEqual(['Téléphone', 'Code postal']);
    await expect.poll(() => isFocused(page.locator('#phone'))).toBe(true);
    expect(await page.locator('#postalCode').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#consent').getAttribute('aria-invalid')).toBeNull();
    await expectAccessible(page, 'server errors at once (desktop)');
  }, 60_000);

  it('the 3-D Secure step is scrolled into view and takes the focus, on a phone', async () => {
    const page = await open();
    await pickSlot(page, /^Diagnostic et audit complet/, '14:00');
    await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    await page.getByLabel('Carte avec authentification 3-D Secure').check();
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    const bank = page.getByRole('heading', { name: 'Authentification 3-D Secure (simulée)' });
    await bank.waitFor();
    await expect.poll(() => inView(bank)).toBe(true);
    expect(await isFocused(bank)).toBe(true);
    expect(await inView(page.getByRole('button', { name: 'Valider' }))).toBe(true);
    await expectAccessible(page, '3-D Secure step in view (phone)');
  });
});
