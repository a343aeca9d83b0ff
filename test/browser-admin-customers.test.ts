import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, clickAdminMenu, expectAccessible, plain, screenshot, signInDemoArtisan } from './helpers/browser.ts';

/**
 * Phone-only customers in the back office (issue 23, items 3 and 4): on a phone, the artisan
 * takes a booking for a customer without e-mail, found by typing their number as
 * "06 11 22 33 44"; writes a private note; opens the customer's file. On a laptop, a time the
 * page does not offer is placed after the warning, and the bookings list finds the customer
 * by their number typed as on the caller ID. axe on each screen. Server clock: Monday
 * 2027-03-01, 08:00 in Paris.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const LEROY = { name: 'Mme Leroy', phone: '0611223344', address: { street: '3 rue des Ormes', postalCode: '75012', city: 'Paris' } };

describe(`phone-only customers in headless Chromium on ${ENGINE}`, () => {
  const { t, open } = browserSuite(ENGINE, START);
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  /** Mme Leroy came once already (a phone booking without e-mail, the Wednesday before). */
  const pastVisit = async () => {
    const res = await t.request('POST', '/api/admin/bookings', { serviceId: 'diag', date: '2027-03-03', time: '09:00', customer: LEROY, notifications: { email: false, sms: false } }, adminHeaders());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const newBooking = async (viewport: typeof PHONE): Promise<Page> => {
    const { page } = await open({ viewport });
    await signInDemoArtisan(page, t.origin);
    await clickAdminMenu(page, 'Réservation par téléphone');
    await page.getByRole('heading', { name: 'Réservation prise par téléphone' }).waitFor();
    return page;
  };

  it('on a phone: finds the customer by typing 06 11 22 33 44, books without e-mail, notes it privately and opens the file', async () => {
    const past = await pastVisit();
    const page = await newBooking(PHONE);
    await page.getByLabel('Jour', { exact: true }).first().fill('2027-03-10');
    await page.getByRole('button', { name: '10 h', exact: true }).click();

    const lookup = page.getByRole('combobox', { name: 'Client déjà venu ? Nom ou téléphone' });
    await lookup.pressSequentially('06 11 22 33 44', { delay: 20 });
    const option = page.getByRole('option', { name: /Mme Leroy/ });
    await option.waitFor();
    expect(await lookup.getAttribute('aria-expanded')).toBe('true');
    expect(plain(await option.innerText())).toBe('Mme Leroy — 06 11 22 33 44 1 rendez-vous, le dernier le mercredi 3 mars 2027 — Paris');
    await expectAccessible(page, 'new booking, customer suggestions (phone)');
    await lookup.press('ArrowDown');
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await lookup.press('Enter');
    expect(await lookup.getAttribute('aria-expanded')).toBe('false');
    await page.waitForTimeout(600); // past the lookup's debounce: choosing is not a new search
    expect(await page.getByRole('listbox', { includeHidden: true }).isHidden()).toBe(true);
    expect(await page.getByLabel('Nom', { exact: true }).inputValue()).toBe('Mme Leroy');
    expect(await page.getByLabel('Téléphone', { exact: true }).inputValue()).toBe('06 11 22 33 44');
    expect(await page.getByLabel('E-mail (facultatif)').inputValue()).toBe('');
    expect(await page.getByLabel('Ville').inputValue()).toBe('Paris');
    // No e-mail: the confirmation goes by SMS (the demo's plan has SMS), or not at all.
    expect(await page.getByRole('radio', { name: 'Par SMS' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Aucune' }).isChecked()).toBe(false);
    expect(await page.getByRole('radio', { name: 'Par e-mail' }).count()).toBe(0);
    // What the customer said on the phone, in the field the customer's own form has (same label and limit).
    const problem = page.getByLabel('Décrivez le problème (facultatif)');
    expect(await problem.getAttribute('maxlength')).toBe('1000');
    await problem.fill('Fuite sous l’évier de la cuisine\ndepuis hier soir');
    await expectAccessible(page, 'new booking, customer chosen (phone)');
    await screenshot(page, 'admin-phone-booking-lookup-phone');
    await page.getByRole('button', { name: 'Enregistrer le rendez-vous du mercredi 10 mars 2027 à 10 h' }).click();

    await page.getByRole('heading', { name: /^Réservation AC-[A-Z0-9]{6} — Confirmée$/ }).waitFor();
    const facts = plain(await page.locator('section.card').nth(1).innerText());
    expect(facts).toContain('E-mail Aucun : le client ne peut pas retrouver cette réservation avec son code et un e-mail');
    expect(facts).toContain('06 11 22 33 44');
    const code = /AC-[A-Z0-9]{6}/.exec(await page.getByRole('heading', { level: 1 }).innerText())![0];
    const stored = await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders());
    expect(stored.body.booking.customer).toEqual({ name: 'Mme Leroy', phone: '+33611223344', address: LEROY.address });
    expect(stored.body.booking.notifications).toEqual({ email: false, sms: true });
    expect(stored.body.booking.problemDescription).toBe('Fuite sous l’évier de la cuisine\ndepuis hier soir');
    expect(plain(await page.locator('dd.problem').innerText())).toBe('Fuite sous l’évier de la cuisine depuis hier soir');

    await page.getByLabel('Note privée (jamais montrée au client)').fill('Digicode 4821, chaudière au sous-sol');
    await page.getByRole('button', { name: 'Enregistrer la note' }).click();
    await page.getByText('Note enregistrée.').waitFor();
    expect((await t.request('GET', `/api/admin/bookings/${code}/note`, undefined, adminHeaders())).body.note).toBe('Digicode 4821, chaudière au sous-sol');
    await expectAccessible(page, 'booking without e-mail, with its note (phone)');

    await page.getByRole('link', { name: 'Tous les rendez-vous de Mme Leroy' }).click();
    await page.getByRole('heading', { name: 'Fiche client : Mme Leroy' }).waitFor();
    const upcoming = plain(await page.locator('section.card', { has: page.getByRole('heading', { name: 'À venir' }) }).innerText());
    expect(upcoming).toContain('mercredi 3 mars 2027 à 9 h');
    expect(upcoming).toContain('mercredi 10 mars 2027 à 10 h');
    expect(upcoming).toContain('Confirmée — acompte : aucun acompte');
    expect(plain(await page.locator('dl.facts').innerText())).toContain('2 rendez-vous (0 annulé), 80,00 € de prestations');
    await page.getByLabel('Note privée (jamais montrée au client)').fill('Préfère être appelée le matin');
    await page.getByRole('button', { name: 'Enregistrer la note' }).click();
    await page.getByText('Note enregistrée.').waitFor();
    await expectAccessible(page, 'customer file (phone)');
    await screenshot(page, 'admin-customer-file-phone');
    expect(past).toMatch(/^AC-/);
  });

  it('on a laptop: a time the page does not offer is placed after the warning; the list finds the customer by their number', async () => {
    await pastVisit();
    const page = await newBooking(DESKTOP);
    await page.getByText('Une autre heure, que la page ne propose pas').click();
    await page.locator('#pb-other-date').fill('2027-03-10');
    await page.locator('#pb-other-time').fill('07:30');
    await page.getByLabel('Nom', { exact: true }).fill('M. Petit');
    await page.getByLabel('Téléphone', { exact: true }).fill('06 98 76 54 32');
    await page.getByRole('button', { name: 'Enregistrer le rendez-vous du mercredi 10 mars 2027 à 7 h 30' }).click();
    const warning = page.getByRole('alert').filter({ hasText: 'n’est pas proposé' });
    await warning.waitFor();
    expect(plain(await warning.innerText())).toContain('Non proposée : c’est en dehors de vos horaires d’ouverture (8 h 30 – 18 h).');
    const force = page.getByRole('checkbox', { name: 'Placer quand même à cette heure' });
    const save = page.locator('form button[type="submit"]');
    expect(await save.isDisabled()).toBe(true);
    await expectAccessible(page, 'new booking, time not offered (desktop)');
    await force.check();
    await page.getByRole('button', { name: 'Placer quand même le mercredi 10 mars 2027 à 7 h 30' }).click();
    await page.getByRole('heading', { name: /^Réservation AC-[A-Z0-9]{6} — Confirmée$/ }).waitFor();
    expect(plain(await page.locator('section.card').first().innerText())).toContain('mercredi 10 mars 2027 à 7 h 30');
    await expectAccessible(page, 'booking detail (desktop)');

    await clickAdminMenu(page, 'Réservations');
    await page.getByLabel('Rechercher (nom, e-mail, téléphone, code)').fill('06 11 22 33 44');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText('1 réservation', { exact: true }).waitFor();
    expect(plain(await page.locator('table.list tbody').innerText())).toContain('Mme Leroy');
    await expectAccessible(page, 'bookings found by phone (desktop)');
    await page.getByRole('link', { name: 'Mme Leroy' }).click();
    await page.getByRole('heading', { name: 'Fiche client : Mme Leroy' }).waitFor();
    await expectAccessible(page, 'customer file (desktop)');
  });
});
