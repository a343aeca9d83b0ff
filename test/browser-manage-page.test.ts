import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import { resetBookings, type Engine } from './helpers/db.ts';
import { freePort } from './helpers/process.ts';
import { bookingBody, startTestService, type TestService } from './helpers/service.ts';
import { manageLinkIn } from './helpers/smtp.ts';

/**
 * The /gerer page in a real browser (Debian's Chromium, headless, driven by playwright-core,
 * which never downloads a browser) against the real service over HTTP. The link comes from
 * the e-mail the worker "sent"; nothing of the page is mocked.
 *
 * One engine: what is under test here is the page, and the API it calls is covered on every
 * engine by test/manage-link.test.ts and test/api-manage.test.ts.
 */
const ENGINE: Engine = 'pglite';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris
const SERVICE_NAME = 'Diagnostic et audit complet'; // the demo's 'diag': 30 min, 40 €, 30 % deposit
const DEPOSIT = '12,00 €';

describe(`the manage page in headless Chromium on ${ENGINE}`, () => {
  let t: TestService;
  let origin = '';
  let browser: Browser | undefined;
  let launchError: Error | undefined;
  let context: BrowserContext | undefined;
  let requests: string[] = [];
  let pageErrors: string[] = [];
  let dialogs: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // The links in the messages point at the address the browser will open.
    t = await startTestService(ENGINE, { env: { PUBLIC_BASE_URL: origin } });
    await t.service.app.listen({ port, host: '127.0.0.1' });
    if (!existsSync(CHROMIUM)) {
      launchError = new Error(
        `Chromium not found at ${CHROMIUM}. The browser test needs Debian's Chromium: apt-get install -y chromium ` +
          '(npm test installs it when run as root: scripts/provision.mjs), or set CHROMIUM_PATH to a Chromium binary.',
      );
      return;
    }
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 90_000 });
    } catch (error) {
      launchError = new Error(`Chromium at ${CHROMIUM} did not start: ${String(error)}`);
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    t.clock.ms = START;
    await resetBookings(t.service.db);
    requests = [];
    pageErrors = [];
    dialogs = [];
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    // Self-contained: every request the page made went to the service itself.
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  /** A phone-sized page in a visitor's zone far from the artisan's (times must stay Paris times). */
  const openPage = async (url: string): Promise<Page> => {
    if (!browser) throw launchError ?? new Error('Chromium was not launched');
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR', timezoneId: 'America/New_York' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(url);
    return page;
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
  /** Visible text with its (non-breaking) spaces made plain. */
  const textOf = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
  const text = (page: Page) => textOf(page.locator('body'));
  const acceptDialogs = (page: Page) =>
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });

  it('shows the booking from the e-mailed link in French, in the artisan’s time zone, without the token', async () => {
    const { link, token } = await bookAndLink();
    expect(link.startsWith(`${origin}/gerer?token=`)).toBe(true);
    const page = await openPage(link);

    await page.getByRole('heading', { name: 'Gérer mon rendez-vous' }).waitFor();
    await page.locator('#when', { hasText: 'mercredi 10 mars 2027 à 09:00' }).waitFor();
    expect(await textOf(page.locator('#service'))).toBe(SERVICE_NAME);
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');
    expect(await textOf(page.locator('#deposit'))).toBe(`${DEPOSIT} (autorisé)`);
    expect(await page.locator('#address').isHidden()).toBe(true);
    // The slot picker offers the day's free slots, the booking's own 09:00 excluded.
    await page.getByRole('button', { name: 'Déplacer au mercredi 10 mars 2027 à 08:30' }).waitFor();
    expect(await page.getByRole('button', { name: 'à 09:00' }).count()).toBe(0);

    const body = await text(page);
    expect(body).not.toContain(token);
    expect(body).not.toContain(token.split('.')[1]!);
    expect(body).not.toMatch(/Error|undefined|null|NaN|\bat \S+:\d+/);
    expect(await page.title()).toBe('Gérer mon rendez-vous — ArtisanConnect');
    await page.screenshot({ path: '/tmp/gerer.png', fullPage: true });
  });

  it('shows the intervention address the customer gave', async () => {
    const address = { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' };
    const { link } = await bookAndLink('2027-03-10', '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', address } });
    const page = await openPage(link);
    await page.locator('#address', { hasText: '12 rue des Lilas, 75011 Paris' }).waitFor();
    expect(await textOf(page.locator('#address-label'))).toBe('Adresse');
  });

  it('moves the booking to a slot the page offers on another day', async () => {
    const { code, token } = await bookAndLink();
    const page = await openPage(`${origin}/gerer?token=${token}`);
    acceptDialogs(page);
    await page.locator('#when', { hasText: '09:00' }).waitFor();

    await page.getByLabel('Nouvelle date').fill('2027-03-11');
    await page.getByText('Créneaux libres le jeudi 11 mars 2027').waitFor();
    await page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' }).click();

    await page.locator('#status', { hasText: 'Déplacé' }).waitFor();
    expect(dialogs).toEqual(['Déplacer le rendez-vous au jeudi 11 mars 2027 à 10:30\u00a0?']);
    expect(await textOf(page.locator('#when'))).toBe('jeudi 11 mars 2027 à 10:30');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await text(page)).toContain('Votre rendez-vous est déplacé au jeudi 11 mars 2027 à 10:30.');

    const booking = await lookup(token);
    expect(booking).toMatchObject({ publicCode: code, status: 'rescheduled', startDateTime: '2027-03-11T10:30:00+01:00' });
    // The refreshed picker no longer offers the slot just taken.
    await page.getByRole('button', { name: 'à 10:00' }).waitFor();
    expect(await page.getByRole('button', { name: 'à 10:30' }).count()).toBe(0);
  });

  it('cancels after the confirm dialog (dismissing it changes nothing) and says what happens to the deposit', async () => {
    const { token } = await bookAndLink();
    const page = await openPage(`${origin}/gerer?token=${token}`);
    await page.locator('#status', { hasText: 'Confirmé' }).waitFor();

    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    expect((await lookup(token)).status).toBe('confirmed');
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');

    acceptDialogs(page);
    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await page.locator('#status', { hasText: 'Annulé' }).waitFor();
    expect(dialogs).toEqual(['Annuler définitivement ce rendez-vous\u00a0?']);
    // Nine days ahead: the whole deposit comes back.
    const message = await textOf(page.getByRole('status'));
    expect(message).toBe(`Votre rendez-vous est annulé. Votre acompte de ${DEPOSIT} vous est intégralement remboursé.`);
    expect(await page.getByRole('heading', { name: 'Déplacer le rendez-vous' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).isVisible()).toBe(false);
    expect((await lookup(token)).status).toBe('cancelled');
  });

  it('says how much of the deposit is kept when cancelling late', async () => {
    const { token } = await bookAndLink();
    t.clock.set('2027-03-09T00:00:00Z'); // 33 hours before: half the deposit is refunded
    const page = await openPage(`${origin}/gerer?token=${token}`);
    acceptDialogs(page);
    await page.getByRole('button', { name: 'Annuler mon rendez-vous' }).click();
    await page.locator('#status', { hasText: 'Annulé' }).waitFor();
    expect(await textOf(page.getByRole('status'))).toBe(
      'Votre rendez-vous est annulé. 6,00 € de votre acompte vous sont remboursés, 6,00 € sont conservés selon les conditions d’annulation.',
    );
  });

  it('explains a tampered, an expired and a missing token in French, without crashing', async () => {
    const { link, token } = await bookAndLink();
    const tampered = `${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`;
    let page = await openPage(tampered);
    await page.getByRole('alert').filter({ hasText: "Ce lien de gestion n'est pas valide." }).waitFor();
    expect(await page.locator('#booking').isVisible()).toBe(false);
    expect(await page.locator('#loading').isVisible()).toBe(false);
    expect(await text(page)).not.toContain(token.split('.')[0]!);
    await context!.close();

    t.clock.set('2027-05-20T00:00:00Z'); // MANAGE_LINK_DAYS (60) after the appointment
    page = await openPage(link);
    await page.getByRole('alert').filter({ hasText: 'Ce lien de gestion a expiré.' }).waitFor();
    expect(await page.locator('#booking').isVisible()).toBe(false);
    await context!.close();

    page = await openPage(`${origin}/gerer`);
    await page.getByRole('alert').filter({ hasText: 'Ce lien ne contient pas de jeton de gestion.' }).waitFor();
    expect(await text(page)).not.toMatch(/Error|undefined|\bat \S+:\d+/);
  });

  it('shows the French 409 message when the chosen slot was taken meanwhile, and offers fresh slots', async () => {
    const { token } = await bookAndLink();
    const page = await openPage(`${origin}/gerer?token=${token}`);
    acceptDialogs(page);
    await page.getByLabel('Nouvelle date').fill('2027-03-11');
    const slot = page.getByRole('button', { name: 'Déplacer au jeudi 11 mars 2027 à 10:30' });
    await slot.waitFor();
    // Someone else books it while the page still offers it.
    const other = await t.request('POST', '/api/bookings', bookingBody('2027-03-11', '10:30', { customer: { name: 'Paul Roux', email: 'paul@example.com' } }));
    expect(other.status).toBe(201);

    await slot.click();
    await page.getByRole('alert').filter({ hasText: "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire." }).waitFor();
    expect(await textOf(page.locator('#status'))).toBe('Confirmé');
    expect(await textOf(page.locator('#when'))).toBe('mercredi 10 mars 2027 à 09:00');
    expect(await lookup(token)).toMatchObject({ status: 'confirmed', startDateTime: '2027-03-10T09:00:00+01:00' });
    await page.getByRole('button', { name: 'à 11:00' }).waitFor();
    expect(await page.getByRole('button', { name: 'à 10:30' }).count()).toBe(0);
  });
});
