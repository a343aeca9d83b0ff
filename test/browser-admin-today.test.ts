import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, expectAccessible, plain, screenshot, signInDemoArtisan } from './helpers/browser.ts';
import { pdfText } from './helpers/pdf.ts';
import { bookingBody } from './helpers/service.ts';

/**
 * The artisan's day on a phone (issue 23, items 1 and 10): the menu folded behind a button,
 * today's interventions with the next one first, call / SMS / maps links, what is left to
 * collect, and the day sheet printed to PDF by Chromium without the menu. Server clock:
 * Monday 2027-03-01, 08:00 in Paris to book, then 11:15 (the 10:30 visit is over).
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const LATE_MORNING = Date.parse('2027-03-01T10:15:00Z');
const ROUX_ADDRESS = { street: '5 avenue de la République', postalCode: '75011', city: 'Paris' };
const MARTIN_ADDRESS = { street: '12 rue des Lilas', postalCode: '93100', city: 'Montreuil' };

describe(`the day on a phone in headless Chromium on ${ENGINE}`, () => {
  const { t, open } = browserSuite(ENGINE, START);
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  /** Today: an online booking at 10:30 (deposit paid) and a phone booking at 14:00 (no deposit); then the clock moves to 11:15. */
  const bookTheDay = async () => {
    const online = await t.request('POST', '/api/bookings', bookingBody('2027-03-01', '10:30', { customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678', address: MARTIN_ADDRESS } }));
    expect(online.status, JSON.stringify(online.body)).toBe(201);
    const phone = await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-01', '14:00', { customer: { name: 'Mme Roux', email: 'roux@example.fr', phone: '06 11 22 33 44', address: ROUX_ADDRESS } }), adminHeaders());
    expect(phone.status, JSON.stringify(phone.body)).toBe(201);
    t.clock.ms = LATE_MORNING;
  };
  const signIn = async (viewport = PHONE): Promise<Page> => {
    const { page } = await open({ viewport });
    await signInDemoArtisan(page, t.origin);
    await page.getByRole('heading', { name: 'Aujourd’hui, lundi 1er mars 2027' }).waitFor();
    await page.locator('.intervention, .today p:not(.hint)').first().waitFor();
    return page;
  };

  it('opens on today: the next intervention first, with its call, SMS and maps links and what is left to collect', async () => {
    await bookTheDay();
    const page = await signIn();
    // The first screen shows the day, not the menu: its links are behind the button.
    const toggle = page.getByRole('button', { name: 'Menu' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('link', { name: 'Prestations', exact: true }).isVisible()).toBe(false);
    const next = page.locator('.intervention').first();
    const box = await next.boundingBox();
    expect(box!.y + 80, 'the next intervention starts on the first screen').toBeLessThan(PHONE.height);

    expect(plain(await next.innerText())).toBe(
      'Prochaine intervention 14 h – 14 h 30 Diagnostic et audit complet — Paris Mme Roux 5 avenue de la République, 75011 Paris (ouvrir dans les cartes) Appeler le 06 11 22 33 44 SMS au 06 11 22 33 44 Reste à encaisser : 40,00 €',
    );
    expect(await next.getAttribute('class')).toContain('is-next');
    expect(await next.getByRole('link', { name: 'Appeler le 06 11 22 33 44' }).getAttribute('href')).toBe('tel:+33611223344');
    expect(await next.getByRole('link', { name: 'SMS au 06 11 22 33 44' }).getAttribute('href')).toBe('sms:+33611223344');
    const maps = await next.getByRole('link', { name: /5 avenue de la République/ }).getAttribute('href');
    expect(maps).toBe(`https://www.google.com/maps/search/?api=1&query=${encodeURIComponent('5 avenue de la République, 75011 Paris')}`);
    expect(new URL(maps!).searchParams.get('query')).toBe('5 avenue de la République, 75011 Paris');

    // The 10:30 visit is over: after, under its own heading, with its deposit taken off.
    await page.getByRole('heading', { name: 'Déjà passées' }).waitFor();
    const over = plain(await page.locator('.interventions.over').innerText());
    expect(over).toContain('10 h 30 – 11 h');
    expect(over).toContain('Jean Martin');
    expect(over).toContain('Appeler le 06 12 34 56 78');
    expect(over).toContain('Reste à encaisser : 28,00 € (prix 40,00 €, acompte déjà versé)');
    expect(plain(await page.locator('.today > .hint').innerText())).toBe('2 interventions, 68,00 € à encaisser sur place au total.');
    // No keyboard hint on a touch screen.
    expect(plain(await page.locator('.keyboard-hint').textContent() ?? '')).toBe('Flèches gauche et droite sur le titre : semaine précédente ou suivante.');
    expect(await page.locator('.keyboard-hint').isHidden()).toBe(true);
    await expectAccessible(page, 'today (phone)');
    await screenshot(page, 'admin-today-phone');
  });

  it('the menu opens from its button (aria-expanded), closes on Escape with the focus back, and a chosen page gets the focus', async () => {
    const page = await signIn();
    const toggle = page.getByRole('button', { name: 'Menu' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('link', { name: 'Prestations', exact: true }).waitFor();
    await expectAccessible(page, 'menu open (phone)');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Menu');
    await toggle.click();
    await page.getByRole('link', { name: 'Prestations', exact: true }).click();
    await page.getByRole('heading', { name: 'Prestations', level: 1 }).waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('contenu');
  });

  it('on a desktop the menu is open and the day reads the same; axe passes', async () => {
    await bookTheDay();
    const page = await signIn(DESKTOP);
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Prestations', exact: true }).isVisible()).toBe(true);
    expect(plain(await page.locator('.intervention.is-next').innerText())).toContain('Mme Roux');
    await expectAccessible(page, 'today (desktop)');
    await screenshot(page, 'admin-today-desktop');
  });

  it('prints the day sheet to PDF without the menu or buttons: addresses, phones and amounts to collect', async () => {
    await bookTheDay();
    const page = await signIn();
    // The print dialog is not the test's: the button marks the part to print, then asks the browser to print.
    await page.evaluate(() => {
      window.print = () => undefined;
    });
    await page.getByRole('button', { name: 'Imprimer la journée' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.print)).toBe('day');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = plain(await pdfText(new Uint8Array(pdf)));
    for (const expected of [
      'Aujourd’hui, lundi 1er mars 2027',
      '14 h – 14 h 30',
      'Mme Roux',
      '5 avenue de la République, 75011 Paris',
      '06 11 22 33 44',
      'Reste à encaisser : 40,00 €',
      '12 rue des Lilas, 93100 Montreuil',
      '06 12 34 56 78',
      'Reste à encaisser : 28,00 €',
    ]) {
      expect(text).toContain(expected);
    }
    for (const absent of ['Menu', 'Se déconnecter', 'Prestations', 'Imprimer', 'Semaine du', 'ArtisanConnect — espace artisan']) {
      expect(text).not.toContain(absent);
    }

    // The week: every booking of the week with its time range, city, phone, street address and what is left to collect, without the day sheet.
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Imprimer la semaine' }).click();
    await page.emulateMedia({ media: 'print' });
    const week = plain(await pdfText(new Uint8Array(await page.pdf({ format: 'A4' }))));
    expect(week).toContain('Semaine du lundi 1er mars 2027');
    expect(week).toContain('14 h – 14 h 30 Diagnostic et audit complet — Mme Roux (Paris), 06 11 22 33 44 5 avenue de la République, 75011 Paris Reste à encaisser : 40,00 €');
    // The deposit paid online is not to collect again: the same amounts as the day sheet.
    expect(week).toContain('Jean Martin (Montreuil), 06 12 34 56 78 12 rue des Lilas, 93100 Montreuil Reste à encaisser : 28,00 €');
    expect(week).not.toContain('Aujourd’hui, lundi');
    expect(week).not.toContain('Menu');
  });
});
