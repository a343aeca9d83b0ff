import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders, setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, clickAdminMenu, expectAccessible, plain, screenshot, signInDemoArtisan } from './helpers/browser.ts';
import { bookingBody } from './helpers/service.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * Closing a day that holds a booking, on a phone (issue 23 item 2): the closure lists the
 * booking as a link, the artisan chooses "move" to the first free time offered, and the
 * customer gets the e-mail of the move through the real SMTP server of the tests; the week
 * agenda then shows the closure. Then (item 8) a confirmation e-mail that could not be sent
 * shows in French on the agenda and the booking, with a button that sends it again; the cancel
 * form asks who cancels. Server clock: Monday 2027-03-01 08:00 in Paris.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const CUSTOMER = 'jean@example.com';

describe(`closing a day over a booking in headless Chromium on ${ENGINE}`, () => {
  const smtp = new TestSmtp();
  const env: Record<string, string> = { MAIL_FROM: 'Marc Dupont <rdv@artisanconnect.test>' };
  beforeAll(async () => {
    await smtp.start();
    env.SMTP_URL = smtp.url;
  });
  afterAll(async () => smtp.stop());
  const { t, open } = browserSuite(ENGINE, START, env);
  beforeAll(async () => setDemoPassword(t.service.db));
  beforeEach(async () => {
    await smtp.start();
    smtp.received = [];
  });

  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  const book = async (date: string, time: string) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const signIn = async (viewport = PHONE): Promise<Page> => {
    const { page } = await open({ viewport });
    await signInDemoArtisan(page, t.origin);
    return page;
  };

  it('closes a Friday holding a booking, chooses "move", and the customer gets the e-mail of the move', async () => {
    const code = await book('2027-03-05', '08:30');
    await drain();
    smtp.received = [];
    const page = await signIn();
    await clickAdminMenu(page, 'Horaires');
    await page.getByLabel('Date', { exact: true }).fill('2027-03-05');
    await page.getByRole('button', { name: 'Ajouter l’exception' }).click();

    const flow = page.locator('.closure-flow');
    await flow.getByRole('heading', { name: '1 rendez-vous est concerné : que voulez-vous en faire ?' }).waitFor();
    // The booking, as a link to it.
    expect(await flow.getByRole('link', { name: `réservation ${code}` }).getAttribute('href')).toBe(`/admin/reservations/${code}`);
    expect(plain(await flow.locator('fieldset.concerned legend').first().innerText())).toBe('vendredi 5 mars à 8 h 30 — Jean Martin');
    // Nothing is saved before the artisan decides.
    expect((await t.service.db.query('SELECT 1 FROM schedule_exceptions')).length).toBe(0);
    await flow.getByRole('radio', { name: 'Déplacer (le client est prévenu par e-mail)' }).check();
    const first = flow.getByRole('group', { name: 'Nouveau créneau pour Jean Martin' }).getByRole('radio').first();
    expect(await first.isChecked()).toBe(true);
    expect(plain((await first.locator('xpath=..').innerText()))).toBe('lundi 8 mars à 8 h 30');
    await expectAccessible(page, 'closing a day: the booking concerned (phone)');
    await screenshot(page, 'admin-closure-phone');
    await flow.getByRole('button', { name: 'Enregistrer et appliquer ces choix' }).click();

    const notice = page.getByRole('status').filter({ hasText: 'Fermeture du' });
    await notice.waitFor();
    expect(plain(await notice.innerText())).toBe(`Fermeture du vendredi 5 mars 2027 enregistrée. ${code} déplacé au lundi 8 mars à 8 h 30 (le client est prévenu).`);

    await drain();
    const mails = smtp.to(CUSTOMER);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.mail.subject).toMatch(/déplacé/i);
    expect(mails[0]!.mail.text).toContain('lundi 8 mars 2027 à 8 h 30');

    // The week agenda shows the closure on Friday, and the booking on Monday next week.
    await clickAdminMenu(page, 'Agenda');
    const friday = page.getByRole('region', { name: 'vendredi 5 mars 2027' });
    await friday.getByText('Fermé (fermeture exceptionnelle)').waitFor();
    expect(await friday.locator('.booking-line').count()).toBe(0);
    await expectAccessible(page, 'agenda with a closure (phone)');
  });

  it('days off from "Congés" go through the same flow; the agenda shows them and the public holidays', async () => {
    const code = await book('2027-03-03', '09:00');
    const page = await signIn(DESKTOP);
    await clickAdminMenu(page, 'Congés');
    await page.getByLabel('Du (inclus)').fill('2027-03-03');
    await page.getByLabel('Au (inclus)').fill('2027-03-04');
    await page.getByRole('button', { name: 'Bloquer ces jours' }).click();
    const flow = page.locator('.closure-flow');
    await flow.getByRole('link', { name: `réservation ${code}` }).waitFor();
    await flow.getByRole('button', { name: 'Tout annuler' }).click();
    expect(await flow.getByRole('radio', { name: /Annuler et rembourser intégralement/ }).isChecked()).toBe(true);
    await flow.getByLabel('Motif des annulations (facultatif, transmis aux clients)').fill('Congés imprévus');
    await expectAccessible(page, 'days off: the booking concerned (desktop)');
    await flow.getByRole('button', { name: 'Enregistrer et appliquer ces choix' }).click();
    await page.getByRole('status').filter({ hasText: `${code} annulé, 12,00 € remboursés` }).waitFor();

    await clickAdminMenu(page, 'Agenda');
    await page.getByRole('region', { name: 'mercredi 3 mars 2027' }).getByText('Congés (toute la journée)').waitFor();
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.getByRole('button', { name: 'Semaine suivante →' }).click();
    await page.getByRole('region', { name: 'lundi 29 mars 2027' }).getByText('Lundi de Pâques (férié, fermé)').waitFor();
    await expectAccessible(page, 'agenda with a public holiday (desktop)');
  });

  it('days off on a phone: the bookings concerned are listed with keep / move / cancel, readable on 390 px and accessible in each state', async () => {
    const customer = (name: string, email: string) => ({ customer: { name, email, phone: '+33612345678' } });
    const moved = (await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00', customer('Mme Roux', 'roux@example.fr')))).body.booking.publicCode as string;
    const cancelled = (await t.request('POST', '/api/bookings', bookingBody('2027-03-04', '10:00', customer('Paul Durand', 'paul@example.fr')))).body.booking.publicCode as string;
    const kept = (await t.request('POST', '/api/bookings', bookingBody('2027-03-04', '14:00', customer('Léa Petit', 'lea@example.fr')))).body.booking.publicCode as string;
    const page = await signIn(PHONE);
    await clickAdminMenu(page, 'Congés');
    await page.getByLabel('Du (inclus)').fill('2027-03-03');
    await page.getByLabel('Au (inclus)').fill('2027-03-04');
    await page.getByRole('button', { name: 'Bloquer ces jours' }).click();
    const flow = page.locator('.closure-flow');
    await flow.getByRole('heading', { name: '3 rendez-vous sont concernés : que voulez-vous en faire ?' }).waitFor();
    expect((await flow.locator('fieldset.concerned > legend').allInnerTexts()).map(plain)).toEqual([
      'mercredi 3 mars à 9 h — Mme Roux',
      'jeudi 4 mars à 10 h — Paul Durand',
      'jeudi 4 mars à 14 h — Léa Petit',
    ]);
    // Nothing runs off the side of a phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, 'days off: the bookings concerned (phone)');

    const bookingOf = (name: string) => flow.locator('fieldset.concerned').filter({ hasText: name });
    await bookingOf('Mme Roux').getByRole('radio', { name: 'Déplacer (le client est prévenu par e-mail)' }).check();
    await flow.getByRole('group', { name: 'Nouveau créneau pour Mme Roux' }).waitFor();
    await bookingOf('Paul Durand').getByRole('radio', { name: /Annuler et rembourser intégralement/ }).check();
    await flow.getByLabel('Motif des annulations (facultatif, transmis aux clients)').fill('Congés imprévus');
    expect(await bookingOf('Léa Petit').getByRole('radio', { name: /^Garder/ }).isChecked()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page, 'days off: keep, move and cancel chosen (phone)');
    await screenshot(page, 'admin-days-off-phone');
    await flow.getByRole('button', { name: 'Enregistrer et appliquer ces choix' }).click();

    const notice = page.getByRole('status').filter({ hasText: `${moved} déplacé` });
    await notice.waitFor();
    expect(plain(await notice.innerText())).toContain(`${cancelled} annulé, 12,00 € remboursés`);
    const status = async (code: string) => (await t.request('GET', `/api/admin/bookings/${code}`, undefined, adminHeaders())).body.booking.status as string;
    expect([await status(moved), await status(cancelled), await status(kept)]).toEqual(['rescheduled', 'cancelled', 'confirmed']);
    await expectAccessible(page, 'days off saved (phone)');
  });

  it('a confirmation that could not be sent shows in French on the agenda and the booking, and "Renvoyer" sends it', async () => {
    await smtp.stop();
    const code = await book('2027-03-10', '09:00');
    await t.service.worker.runOnce();
    const page = await signIn();
    const failed = page.locator('.failed-messages');
    await failed.getByText('L\'e-mail de confirmation n\'a pas pu être envoyé à Jean Martin.', { exact: true }).waitFor();
    const text = plain(await page.locator('main').innerText());
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|SMTP/);
    await expectAccessible(page, 'agenda with a failed message (phone)');

    await failed.getByRole('link', { name: `Réservation ${code}` }).click();
    const onBooking = page.locator('.failed-messages');
    await onBooking.getByText('L\'e-mail de confirmation n\'a pas pu être envoyé à Jean Martin.', { exact: true }).waitFor();
    await smtp.start();
    await onBooking.getByRole('button', { name: /Renvoyer/ }).click();
    await page.getByRole('status').filter({ hasText: 'Message renvoyé' }).waitFor();
    await t.service.worker.runOnce();
    expect(smtp.to(CUSTOMER)).toHaveLength(1);
    expect(smtp.to(CUSTOMER)[0]!.mail.subject).toMatch(/confirmé/i);

    // The cancel form asks who cancels.
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    const who = page.getByRole('group', { name: 'Qui annule ?' });
    expect(await who.getByRole('radio', { name: /^Vous annulez/ }).isChecked()).toBe(true);
    await who.getByRole('radio', { name: /^Le client annule/ }).check();
    await expectAccessible(page, 'booking: cancel on the customer’s behalf (phone)');
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.getByRole('status').filter({ hasText: 'Rendez-vous annulé' }).waitFor();
    await page.getByText('Réservation annulée, par vous à la demande du client').waitFor();
  });

  it('the booking page and the notification settings pass axe on desktop too', async () => {
    const code = await book('2027-03-10', '09:00');
    const page = await signIn(DESKTOP);
    await page.goto(`${t.origin}/admin/reservations/${code}`);
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    await page.getByRole('group', { name: 'Qui annule ?' }).waitFor();
    await expectAccessible(page, 'booking: cancel form (desktop)');
    await clickAdminMenu(page, 'Notifications');
    const sms = page.getByRole('checkbox', { name: 'Me prévenir aussi par SMS (au numéro de mon compte)' });
    await sms.check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Réglages enregistrés' }).waitFor();
    expect((await t.service.db.query<{ notify_artisan_sms: boolean }>('SELECT notify_artisan_sms FROM artisans'))[0]!.notify_artisan_sms).toBe(true);
    await expectAccessible(page, 'notification settings (desktop)');
    await t.service.db.query('UPDATE artisans SET notify_artisan_sms = false');
  });
});
