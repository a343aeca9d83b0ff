import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { browserSuite, DESKTOP, expectAccessible, openGuardedPage, plain, screenshot } from './helpers/browser.ts';
import { bookingBody } from './helpers/service.ts';
import { manageLinkIn } from './helpers/smtp.ts';

/**
 * The manage page (`/reservation`, and `/gerer?token=…` from the messages) in Debian's
 * headless Chromium against the real service over HTTP. The link comes from the e-mail the
 * worker "sent"; nothing of the page is mocked. The visitor's browser is in New York: the
 * times shown stay the artisan's (Paris). One engine: the API is covered on every engine by
 * test/manage-link.test.ts, test/api-manage.test.ts and test/api-availability-days.test.ts.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris
const SERVICE_NAME = 'Diagnostic et audit complet'; // the demo's 'diag': 30 min, 40 €, 30 % deposit
const DEPOSIT = '12,00 €';

describe(`the manage page in headless Chromium on ${ENGINE}`, () => {
  const { t, open: openGuarded } = browserSuite(ENGINE, START);

  const openPage = async (url: string, options: Parameters<typeof openGuardedPage>[2] = {}): Promise<Page> => {
    const g = await openGuarded(options);
    await g.page.goto(url);
    return g.page;
  };

  /** Books through the API and returns the manage link from the e-mail the customer got. */
  const bookAndLink = async (date = '2027-03-10', time = '09:00', overrides: Record<string, unknown> = {}) => {
    const res = await t.request('POST', '/api/bookings', bookingBody(date, time, overrides));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const code = res.body.booking.publicCode as string;
    while ((await t.service.worker.runOnce()) > 0);
    const list = await t.request('GET', `/api/admin/messages?bookingCode=${code}&channel=email`, undefined, adminHeaders());
    const message = (list.body.messages as { recipientKind: string; text: string }[]).find((m) => m.recipientKind === 'customer');
    expect(message, 'the customer was sent an e-mail').toBeDefined();
    const link = manageLinkIn(message!.text);
    return { code, link, token: new URL(link).searchParams.get('token')! };
  };
  const lookup = async (token: string) => (await t.request('GET', `/api/bookings/manage?token=${token}`)).body.booking;
  const textOf = async (locator: Locator) => plain(await locator.innerText());
  const text = (page: Page) => textOf(page.locator('body'));
  const chooseDay = (page: Page, day: string) => page.getByRole('button', { name: new RegExp(`^${day}, \\d+ créneaux? libres?$`) }).click();

  it('shows the booking from the e-mailed link in French, in the artisan’s time zone, without the token', async () => {
    const { link, token } = await bookAndLink();
    expect(link.startsWith(`${t.origin}/gerer?token=`)).toBe(true);
    const page = await openPage(link);

    await page.getByRole('heading', { name: 'Gérer mon rendez-vous' }).waitFor();
    await page.locator('#when', { hasText: 'mercredi 10 mars 2027 à 9 h' }).waitFor();
    expect(await textOf(page.locator('#service'))).toBe(SERVICE_NAME);
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');
    // The artisan's default capture strategy takes the deposit at booking (migration 0013).
    expect(await textOf(page.locator('#deposit'))).toBe(`${DEPOSIT} (réglé)`);
    expect(await page.locator('#address').count()).toBe(0);
    // Before cancelling, the page says exactly what the policy refunds today.
    expect(await textOf(page.locator('#refund-preview'))).toBe(`Si vous annulez maintenant, votre acompte de ${DEPOSIT} vous est intégralement remboursé.`);
    // The slot picker offers the day's free slots, the booking's own 09:00 excluded.
    await page.getByRole('button', { name: 'Déplacer au mercredi 10 mars 2027 à 08:30' }).waitFor();
    expect(await page.getByRole('button', { name: /à 09:00$/ }).count()).toBe(0);

    const body = await text(page);
    expect(body).not.toContain(token);
    expect(body).not.toContain(token.split('.')[1]!);
    expect(body).not.toMatch(/Error|undefined|null|NaN|\bat \S+:\d+/);
    expect(await page.title()).toBe('Gérer mon rendez-vous — ArtisanConnect');
    await expectAccessible(page, 'manage page (link)');
    await screenshot(page, 'manage-1-booking-phone');
  });

  it('shows the intervention address the customer gave', async () => {
    const address = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };
    const { link } = await bookAndLink('2027-03-10', '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', address } });
    const page = await openPage(link);
    await page.locator('#address', { hasText: '12 rue des Lilas, 75011 Paris' }).waitFor();
    expect(await textOf(page.locator('#address-label'))).toBe('Adresse');
  });

  it('moves the booking from a signed link to a slot the calendar offers on another day', async () => {
    const { code, token } = await bookAndLink();
    const page = await openPage(`${t.origin}/gerer?token=${token}`);
    await page.locator('#when', { hasText: 'à 9 h' }).waitFor();

    await chooseDay(page, 'jeudi 11 mars 2027');
    await page.getByRole('heading', { name: 'Créneaux libres le jeudi 11 mars 2027' }).waitFor();
    await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).click();
    expect(await text(page)).toContain('Déplacer le rendez-vous au jeudi 11 mars 2027 à 10 h 30 ?');
    await expectAccessible(page, 'move confirmation');
    await page.getByRole('button', { name: 'Confirmer le déplacement' }).click();

    await page.locator('#status', { hasText: 'Déplacé' }).waitFor();
    expect(await textOf(page.locator('#when'))).toBe('jeudi 11 mars 2027 à 10 h 30');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await textOf(page.getByRole('status'))).toBe('Votre rendez-vous est déplacé au jeudi 11 mars 2027 à 10 h 30. Une confirmation vous est envoyée.');
    const booking = await lookup(token);
    expect(booking).toMatchObject({ publicCode: code, status: 'rescheduled', startDateTime: '2027-03-11T10:30:00+01:00' });
    // The refreshed picker no longer offers the slot just taken.
    await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:00' }).waitFor();
    expect(await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).count()).toBe(0);
    await screenshot(page, 'manage-2-moved-phone');
  });

  it('cancels from a signed link after the confirmation step (keeping it changes nothing) and says what happens to the deposit', async () => {
    const { token } = await bookAndLink();
    const page = await openPage(`${t.origin}/gerer?token=${token}`);
    await page.locator('#status', { hasText: 'Confirmé' }).waitFor();

    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await page.getByRole('button', { name: 'Garder mon rendez-vous' }).click();
    expect((await lookup(token)).status).toBe('confirmed');
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');

    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await expectAccessible(page, 'cancel confirmation');
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.locator('#status', { hasText: 'Annulé' }).waitFor();
    // Nine days ahead: the whole deposit comes back.
    expect(await textOf(page.getByRole('status'))).toBe(`Votre rendez-vous est annulé. Votre acompte de ${DEPOSIT} vous est intégralement remboursé.`);
    expect(await page.getByRole('heading', { name: 'Déplacer le rendez-vous' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).count()).toBe(0);
    expect((await lookup(token)).status).toBe('cancelled');
    await expectAccessible(page, 'cancelled');
    await screenshot(page, 'manage-3-cancelled-phone');
  });

  it('says beforehand, then after, how much of the deposit is kept when cancelling late', async () => {
    const { token } = await bookAndLink();
    t.clock.set('2027-03-09T00:00:00Z'); // 33 hours before: half the deposit is refunded
    const page = await openPage(`${t.origin}/gerer?token=${token}`);
    await page.locator('#refund-preview').waitFor();
    expect(await textOf(page.locator('#refund-preview'))).toBe('Si vous annulez maintenant, 6,00 € de votre acompte vous sont remboursés et 6,00 € sont conservés.');
    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.locator('#status', { hasText: 'Annulé' }).waitFor();
    expect(await textOf(page.getByRole('status'))).toBe(
      'Votre rendez-vous est annulé. 6,00 € de votre acompte vous sont remboursés, 6,00 € sont conservés selon les conditions d’annulation.',
    );
  });

  it('finds the booking with the code and the e-mail, then moves and cancels it (desktop)', async () => {
    const { code } = await bookAndLink();
    const page = await openPage(`${t.origin}/reservation`, { viewport: DESKTOP, timezoneId: 'Pacific/Auckland' });
    await page.getByRole('heading', { name: 'Retrouver ma réservation' }).waitFor();
    await expectAccessible(page, 'lookup form');
    await screenshot(page, 'manage-0-lookup-desktop');
    await page.getByLabel('Code de réservation (obligatoire)').fill(code);
    await page.getByLabel('Adresse e-mail (obligatoire)').fill('wrong@example.com');
    await page.getByRole('button', { name: 'Voir ma réservation' }).click();
    await page.getByRole('alert').waitFor();
    expect(await textOf(page.getByRole('alert'))).toMatch(/introuvable|aucune réservation/i);

    await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
    await page.getByRole('button', { name: 'Voir ma réservation' }).click();
    await page.locator('#when', { hasText: 'mercredi 10 mars 2027 à 9 h' }).waitFor();
    await screenshot(page, 'manage-1-booking-desktop');

    await chooseDay(page, 'vendredi 12 mars 2027');
    await page.getByRole('button', { name: 'Déplacer au vendredi 12 mars 2027 à 14:00' }).click();
    await page.getByRole('button', { name: 'Confirmer le déplacement' }).click();
    await page.locator('#when', { hasText: 'vendredi 12 mars 2027 à 14 h' }).waitFor();
    const moved = await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`);
    expect(moved.body.booking.startDateTime).toBe('2027-03-12T14:00:00+01:00');

    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.locator('#status', { hasText: 'Annulé' }).waitFor();
    expect((await t.request('GET', `/api/bookings/public?code=${code}&email=jean@example.com`)).body.booking.status).toBe('cancelled');
  });

  it('offers the slots of the booking’s own service even after the artisan archived it, and moves it', async () => {
    const { token } = await bookAndLink();
    expect((await t.request('PATCH', '/api/admin/services/diag', { isActive: false }, adminHeaders())).status).toBe(200);
    try {
      const page = await openPage(`${t.origin}/gerer?token=${token}`);
      await chooseDay(page, 'jeudi 11 mars 2027');
      await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).click();
      await page.getByRole('button', { name: 'Confirmer le déplacement' }).click();
      await page.locator('#status', { hasText: 'Déplacé' }).waitFor();
      expect((await lookup(token)).startDateTime).toBe('2027-03-11T10:30:00+01:00');
    } finally {
      await t.request('PATCH', '/api/admin/services/diag', { isActive: true }, adminHeaders());
    }
  });

  it('explains a tampered, an expired and a missing token in French, without crashing', async () => {
    const { link, token } = await bookAndLink();
    const tampered = `${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`;
    let page = await openPage(tampered);
    await page.getByRole('alert').filter({ hasText: "Ce lien de gestion n'est pas valide." }).waitFor();
    expect(await page.locator('#status').count()).toBe(0);
    expect(await text(page)).not.toContain(token.split('.')[0]!);
    await expectAccessible(page, 'bad link');

    t.clock.set('2027-05-20T00:00:00Z'); // MANAGE_LINK_DAYS (60) after the appointment
    page = await openPage(link);
    await page.getByRole('alert').filter({ hasText: 'Ce lien de gestion a expiré.' }).waitFor();
    expect(await page.locator('#status').count()).toBe(0);

    page = await openPage(`${t.origin}/gerer`);
    await page.getByRole('alert').filter({ hasText: 'Ce lien ne contient pas de jeton de gestion.' }).waitFor();
    await page.getByRole('heading', { name: 'Retrouver ma réservation' }).waitFor();
    expect(await text(page)).not.toMatch(/Error|undefined|\bat \S+:\d+/);
  });

  it('shows the French 409 message when the chosen slot was taken meanwhile, and offers fresh slots', async () => {
    const { token } = await bookAndLink();
    const page = await openPage(`${t.origin}/gerer?token=${token}`);
    await chooseDay(page, 'jeudi 11 mars 2027');
    await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).click();
    // Someone else books it while the page still offers it.
    const other = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '10:30', { customer: { name: 'Paul Roux', email: 'paul@example.com' } }));
    expect(other.status).toBe(201);

    await page.getByRole('button', { name: 'Confirmer le déplacement' }).click();
    await page.getByRole('alert').filter({ hasText: "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire." }).waitFor();
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');
    expect(await textOf(page.locator('#when'))).toBe('mercredi 10 mars 2027 à 9 h');
    expect(await lookup(token)).toMatchObject({ status: 'confirmed', startDateTime: '2027-03-10T09:00:00+01:00' });
    await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 11:00' }).waitFor();
    expect(await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).count()).toBe(0);
    await expectAccessible(page, 'move conflict');
  });
});
