import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { browserSuite, DESKTOP, expectAccessible, openGuardedPage, plain, screenshot } from './helpers/browser.ts';
import { bookingBody } from './helpers/service.ts';

/**
 * The booking page (`/`) in Debian's headless Chromium against the real service over HTTP,
 * with the "no request leaves the origin" guard and axe (WCAG 2.1 AA) on every state.
 * One engine: the API the page calls is tested on every engine by the api-* suites.
 * The visitor's browser is in New York; the artisan is in Paris: the page must show and book
 * Paris times.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris

describe(`the booking page in headless Chromium on ${ENGINE}`, () => {
  const { t, open: openGuarded } = browserSuite(ENGINE, START);

  const open = async (options: Parameters<typeof openGuardedPage>[2] = {}): Promise<Page> => {
    const g = await openGuarded(options);
    await g.page.goto(`${t.origin}/`);
    await g.page.getByRole('heading', { name: 'Marc Dupont - Plomberie' }).waitFor();
    return g.page;
  };
  const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
  /** Presses Tab until the control has the focus: how a keyboard user gets there. */
  const tabTo = async (page: Page, locator: Locator, max = 120) => {
    await locator.waitFor();
    for (let i = 0; i < max; i++) {
      if (await isFocused(locator)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${locator.toString()}`);
  };
  const slotFree = async (date: string, time: string) =>
    ((await t.request('GET', `/api/availability?serviceId=diag&date=${date}`)).body.slots as { time: string; available: boolean }[]).find((s) => s.time === time)?.available;

  /** Service, day, slot by pointer (the keyboard-only path has its own test). */
  const pickSlot = async (page: Page, day = 'mercredi 10 mars 2027', time = '09:00') => {
    await page.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
    await page.getByRole('button', { name: new RegExp(`^${day}, \\d+ créneaux? libres?`) }).click();
    await page.getByRole('button', { name: `${day} à ${time}` }).click();
    await page.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
  };
  const fillCustomer = async (page: Page, email = 'jean@example.com') => {
    await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill(email);
    await page.getByLabel('Téléphone', { exact: true }).fill('06 12 34 56 78');
  };

  it('shows the artisan (name, trade, click-to-call phone) and the services with duration, price and deposit, on a phone and a desktop', async () => {
    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      const page = await open(viewport ? { viewport } : {});
      const header = plain(await page.locator('header').innerText());
      expect(header).toContain('Plombier chauffagiste');
      const call = page.getByRole('link', { name: 'Appeler l’artisan au 06 12 34 56 78' });
      expect(await call.getAttribute('href')).toBe('tel:+33612345678');
      const diag = plain(await page.getByRole('button', { name: /^Diagnostic et audit complet/ }).innerText());
      expect(diag).toContain('30 min · 40,00 € · acompte 12,00 €');
      const urgence = plain(await page.getByRole('button', { name: /^Intervention urgente/ }).innerText());
      expect(urgence).toContain('45 min · 120,00 € · acompte 48,00 €');
      await expectAccessible(page, `services (${label})`);
      await screenshot(page, `booking-1-services-${label}`);
    }
  });

  it('a customer books on a 390×844 phone with the keyboard only, in another time zone, and gets a code the API knows', async () => {
    const page = await open({ timezoneId: 'America/Los_Angeles' });
    const service = page.getByRole('button', { name: /^Diagnostic et audit complet/ });
    await tabTo(page, service);
    await page.keyboard.press('Enter');
    expect(await service.getAttribute('aria-pressed')).toBe('true');

    // The month calendar: today (Monday 1 March) and Wednesday 10 March, in Paris dates.
    const day = page.getByRole('button', { name: 'mercredi 10 mars 2027, 17 créneaux libres' });
    await day.waitFor();
    expect(await page.getByRole('button', { name: 'lundi 1 mars 2027, 14 créneaux libres' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'dimanche 7 mars 2027, aucun créneau libre' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'calendar');
    await tabTo(page, day);
    await page.keyboard.press('Enter');
    const slot = page.getByRole('button', { name: 'mercredi 10 mars 2027 à 09:00' });
    await tabTo(page, slot);
    await screenshot(page, 'booking-2-calendar-phone');
    await page.keyboard.press('Enter');

    // The form takes the focus; fields are typed in order.
    const heading = page.getByRole('heading', { name: '3. Vos coordonnées' });
    await heading.waitFor();
    expect(await isFocused(heading)).toBe(true);
    expect(plain(await page.locator('form').innerText())).toContain('Diagnostic et audit complet le mercredi 10 mars 2027 à 9 h (30 min).');
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByLabel('Nom et prénom (obligatoire)'))).toBe(true);
    await page.keyboard.type('Jean Martin');
    await page.keyboard.press('Tab');
    await page.keyboard.type('jean@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('06 12 34 56 78');
    const consent = page.getByLabel(/J’accepte les conditions d’annulation ci-dessus et les conditions générales de vente/);
    await tabTo(page, consent);
    await page.keyboard.press('Space');
    expect(await consent.isChecked()).toBe(true);
    await expectAccessible(page, 'form filled');
    await screenshot(page, 'booking-3-form-phone');
    const pay = page.getByRole('button', { name: 'Payer l’acompte de 12,00 € et réserver' });
    await tabTo(page, pay);
    await page.keyboard.press('Enter');

    const done = page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' });
    await done.waitFor();
    expect(await isFocused(done)).toBe(true);
    const code = plain(await page.locator('dd.code').innerText());
    expect(code).toMatch(/^AC-[A-Z0-9]{6}$/);
    const facts = plain(await page.locator('main').innerText());
    expect(facts).toContain('Diagnostic et audit complet le mercredi 10 mars 2027 à 9 h.');
    expect(facts).toContain('Acompte payé 12,00 €');
    expect(facts).toContain('Reste à payer 28,00 € le jour de l’intervention');
    await expectAccessible(page, 'confirmation');
    await screenshot(page, 'booking-4-confirmation-phone');

    const known = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(known.status).toBe(200);
    expect(known.body.booking).toMatchObject({ status: 'confirmed', serviceId: 'diag', startDateTime: '2027-03-10T09:00:00+01:00', customer: { name: 'Jean Martin', phone: '+33612345678' } });

    // "Ajouter à mon agenda" is the booking's .ics; the manage link opens the manage page.
    const ics = await page.getByRole('link', { name: 'Ajouter à mon agenda' }).getAttribute('href');
    const file = await t.inject({ method: 'GET', url: ics! });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/calendar/);
    expect(file.body).toContain('DTSTART:20270310T080000Z');
    expect(file.body).toContain(`Code de réservation : ${code}`);
    await page.getByRole('link', { name: 'Gérer ma réservation' }).click();
    await page.locator('#code', { hasText: code }).waitFor();
  });

  it('writes out the cancellation policy with this booking’s dates and amounts, and stores the consent with the booking', async () => {
    const page = await open();
    await pickSlot(page);
    const policy = plain(await page.locator('.policy').innerText());
    expect(policy).toContain('Remboursement total de l’acompte (12,00 €) si vous annulez avant le lundi 8 mars à 9 h.');
    expect(policy).toContain('Remboursement de 6,00 € sur 12,00 € d’acompte si vous annulez entre le lundi 8 mars à 9 h et le mardi 9 mars à 9 h.');
    expect(policy).toContain('Après le mardi 9 mars à 9 h, l’acompte de 12,00 € est conservé.');
    expect(plain(await page.locator('.terms').innerText())).toContain('Conditions générales de vente — Marc Dupont - Plomberie');

    await fillCustomer(page);
    // Without the checkbox: refused in French, nothing booked.
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByText('Pour réserver, acceptez les conditions d’annulation et de vente.', { exact: true }).waitFor();
    expect(await slotFree('2027-03-10', '09:00')).toBe(true);

    t.clock.set('2027-03-01T07:12:00Z');
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    const code = plain(await page.locator('dd.code').innerText());
    const version = (await t.request('GET', '/api/artisan')).body.artisan.terms.version;
    const detail = await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders());
    expect(detail.body.consent).toEqual({ acceptedAt: '2027-03-01T08:12:00+01:00', termsVersion: version, refundPolicy: { tiers: [{ minHoursBefore: 48, refundRate: 1 }, { minHoursBefore: 24, refundRate: 0.5 }] } });
  });

  it('never names a deadline already past: inside the 48 h window it starts at the half refund, the same afternoon it says the deposit is not refundable', async () => {
    // Monday 08:00 in Paris (the visitor's own clock is months away: the page goes by the service's).
    const tomorrow = await open();
    await pickSlot(tomorrow, 'mardi 2 mars 2027', '14:00');
    const inWindow = plain(await tomorrow.locator('.policy').innerText());
    expect(inWindow).not.toContain('Remboursement total');
    expect(inWindow).toContain('Remboursement de 6,00 € sur 12,00 € d’acompte si vous annulez avant le lundi 1er mars à 14 h.');
    expect(inWindow).toContain('Après le lundi 1er mars à 14 h, l’acompte de 12,00 € est conservé.');

    const sameDay = await open();
    // The calendar cell's name has the number it shows ("1"); the slot's, prose's "1er".
    await sameDay.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
    await sameDay.getByRole('button', { name: /^lundi 1 mars 2027, \d+ créneaux? libres?/ }).click();
    await sameDay.getByRole('button', { name: 'lundi 1er mars 2027 à 14:00' }).click();
    await sameDay.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
    const tooLate = plain(await sameDay.locator('.policy').innerText());
    expect(tooLate).not.toMatch(/Remboursement|si vous annulez avant/);
    expect(tooLate).toContain('L’acompte de 12,00 € n’est pas remboursable : le rendez-vous est trop proche pour une annulation remboursée.');
  });

  it('shows the server’s French per-field errors inline, tied to their fields', async () => {
    const page = await open();
    await pickSlot(page);
    await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    // Well-formed to the page's rough checks, refused by the server's (numbering plan, postcode ranges).
    await page.getByLabel('Téléphone', { exact: true }).fill('00 00 00 00 00');
    await page.getByLabel('Code postal').fill('00100');
    await page.getByLabel('Rue').fill('12 rue des Lilas');
    await page.getByLabel('Ville').fill('Paris');
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('alert').filter({ hasText: 'Certains champs sont à corriger.' }).waitFor();
    const phone = page.getByLabel('Téléphone', { exact: true });
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    const phoneError = await page.locator(`#${await phone.getAttribute('aria-describedby')}`).innerText();
    expect(phoneError).toMatch(/numéro|téléphone/i);
    expect(await page.getByLabel('Code postal').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Nom et prénom (obligatoire)').inputValue()).toBe('Jean Martin');
    await expectAccessible(page, 'field errors');
    await screenshot(page, 'booking-5-field-errors-phone');
    expect(await slotFree('2027-03-10', '09:00')).toBe(true);
  });

  it('a declined card leaves the slot free and the form filled, and says why', async () => {
    const page = await open();
    await pickSlot(page);
    await fillCustomer(page);
    await page.getByLabel('Carte refusée').check();
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(plain(await alert.innerText())).toMatch(/refus/i);
    expect(await page.getByLabel('Nom et prénom (obligatoire)').inputValue()).toBe('Jean Martin');
    expect(await page.getByLabel('Adresse e-mail (obligatoire)').inputValue()).toBe('jean@example.com');
    expect(await page.getByLabel('Téléphone', { exact: true }).inputValue()).toBe('06 12 34 56 78');
    expect(await page.getByLabel(/J’accepte les conditions/).isChecked()).toBe(true);
    expect(await slotFree('2027-03-10', '09:00')).toBe(true);
    await expectAccessible(page, 'declined');
    await screenshot(page, 'booking-6-declined-phone');

    // Another card, same form: booked.
    await page.getByLabel('Carte acceptée').check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    expect(await slotFree('2027-03-10', '09:00')).toBe(false);
  });

  it('3-D Secure (simulated): the bank step appears, "Valider" confirms the booking', async () => {
    const page = await open();
    await pickSlot(page, 'mardi 9 mars 2027', '14:00');
    await fillCustomer(page);
    await page.getByLabel('Carte avec authentification 3-D Secure').check();
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('heading', { name: 'Authentification 3-D Secure (simulée)' }).waitFor();
    // Held while the customer authenticates: nobody else can take it.
    expect(await slotFree('2027-03-09', '14:00')).toBe(false);
    await expectAccessible(page, '3-D Secure step');
    await screenshot(page, 'booking-8-3ds-phone');
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    const code = plain(await page.locator('dd.code').innerText());
    const known = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(known.body.booking).toMatchObject({ status: 'confirmed', startDateTime: '2027-03-09T14:00:00+01:00' });
    expect(await page.getByRole('link', { name: 'Ajouter à mon agenda' }).count()).toBe(1);
  });

  it('3-D Secure (simulated) refused: the slot is released and the form stays filled', async () => {
    const page = await open();
    await pickSlot(page, 'mardi 9 mars 2027', '15:00');
    await fillCustomer(page);
    await page.getByLabel('Carte avec authentification 3-D Secure').check();
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('button', { name: 'Refuser' }).click();
    await page.getByRole('alert').waitFor();
    expect(plain(await page.getByRole('alert').innerText())).toMatch(/refus|authentification/i);
    expect(await page.getByLabel('Nom et prénom (obligatoire)').inputValue()).toBe('Jean Martin');
    expect(await page.getByRole('button', { name: /^Payer l’acompte/ }).count()).toBe(1);
    expect(await slotFree('2027-03-09', '15:00')).toBe(true);
  });

  it('a second browser taking the same slot meanwhile: the conflict message and fresh slots', async () => {
    const first = await open();
    await pickSlot(first, 'jeudi 11 mars 2027', '10:30');
    await fillCustomer(first);
    await first.getByLabel(/J’accepte les conditions/).check();

    const second = await open({ viewport: DESKTOP, timezoneId: 'Asia/Tokyo' });
    await pickSlot(second, 'jeudi 11 mars 2027', '10:30');
    await fillCustomer(second, 'paul@example.com');
    await second.getByLabel(/J’accepte les conditions/).check();
    await second.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await second.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
    await screenshot(second, 'booking-4-confirmation-desktop');

    await first.getByRole('button', { name: /^Payer l’acompte/ }).click();
    const alert = first.getByRole('alert').filter({ hasText: 'Voici les créneaux encore libres.' });
    await alert.waitFor();
    expect(plain(await alert.innerText())).toContain("Le créneau sélectionné n'est plus disponible.");
    await first.getByRole('button', { name: 'jeudi 11 mars 2027 à 11:00' }).waitFor();
    expect(await first.getByRole('button', { name: 'jeudi 11 mars 2027 à 10:30' }).count()).toBe(0);
    expect(await first.getByRole('heading', { name: '3. Vos coordonnées' }).count()).toBe(0);
    await expectAccessible(first, 'conflict');
    await screenshot(first, 'booking-7-conflict-phone');
    // Another slot, the same details: booked.
    await first.getByRole('button', { name: 'jeudi 11 mars 2027 à 11:00' }).click();
    expect(await first.getByLabel('Nom et prénom (obligatoire)').inputValue()).toBe('Jean Martin');
    await first.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await first.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
  });

  it('the month calendar follows the bookings: a full day shows no free slot', async () => {
    // Fill Friday 12 March entirely through the API.
    const times = ['08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30'];
    for (const [i, time] of times.entries()) {
      const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-12', time, { customer: { name: `Client ${i}`, email: `c${i}@example.com` } }));
      expect(res.status).toBe(201);
    }
    const page = await open();
    await page.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
    const full = page.getByRole('button', { name: 'vendredi 12 mars 2027, aucun créneau libre' });
    await full.waitFor();
    expect(await full.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Mois suivant' }).click();
    await page.getByRole('button', { name: 'jeudi 1 avril 2027, 17 créneaux libres' }).waitFor();
    await page.getByRole('button', { name: 'Mois précédent' }).click();
    await page.getByRole('button', { name: 'mercredi 10 mars 2027, 17 créneaux libres' }).waitFor();
  });

  it('the accessibility check can fail: an unlabelled control added to the page is reported', async () => {
    const page = await open();
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      document.querySelector('main')!.append(input);
    });
    await expect(expectAccessible(page, 'broken on purpose')).rejects.toThrow(/label/);
  });
});
