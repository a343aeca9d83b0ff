import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, signInDemoArtisan, startBrowserService, type GuardedPage, clickAdminMenu } from './helpers/browser.ts';
import { startFakeGoogle, type FakeGoogle } from './helpers/fake-google.ts';
import { startFakeMicrosoft, type FakeMicrosoft } from './helpers/fake-microsoft.ts';
import type { TestService } from './helpers/service.ts';

/**
 * The back office's Calendriers screen in Debian's headless Chromium, with Google and Microsoft
 * replaced by the local servers of their wire formats (their consent pages say yes at once, or
 * no when told to). The browser goes there and back for real: the button, the provider's page,
 * the service's OAuth callback, the screen saying how it went. Clock: Monday 2027-03-01 08:00
 * in Paris. One engine: the API is tested on every engine by the calendar-* suites.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');

describe(`the Calendriers screen with Google and Outlook in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  let google: FakeGoogle;
  let ms: FakeMicrosoft;
  const pages: GuardedPage[] = [];

  beforeAll(async () => {
    google = await startFakeGoogle();
    ms = await startFakeMicrosoft('6731de76-14a6-49ae-97bc-6eba6914391e', 'qWgdYAmab0YSkuL1qKv5bPX');
    t = await startBrowserService(ENGINE, {
      GOOGLE_CLIENT_ID: 'client-123.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'secret-456',
      GOOGLE_OAUTH_BASE_URL: google.url,
      GOOGLE_API_BASE_URL: google.url,
      MICROSOFT_CLIENT_ID: ms.clientId,
      MICROSOFT_CLIENT_SECRET: ms.clientSecret,
      MICROSOFT_OAUTH_BASE_URL: ms.url,
      MICROSOFT_GRAPH_BASE_URL: ms.url,
    });
    t.clock.ms = START;
    await setDemoPassword(t.service.db);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const p of pages) await p.close();
    await browser?.close();
    await t?.close();
    await google?.close();
    await ms?.close();
  });

  const signIn = async (viewport?: { width: number; height: number }): Promise<Page> => {
    const open = await openGuardedPage(browser, t.origin, { ...(viewport ? { viewport } : {}), allowOrigins: [google.url, ms.url] });
    pages.push(open);
    const { page } = open;
    await signInDemoArtisan(page, t.origin);
    await clickAdminMenu(page, 'Calendriers');
    await page.getByRole('heading', { name: 'Calendriers', level: 1 }).waitFor();
    return page;
  };
  const alert = async (page: Page, kind: 'status' | 'alert') => plain((await page.getByRole(kind).first().innerText()) ?? '');

  it('connects Google through its consent page and back, refuses Outlook when the artisan says no, syncs, shows a revoked access in French, disconnects', async () => {
    google.events.clear();
    google.events.set('dentist1', { id: 'dentist1', summary: 'Dentiste', start: { dateTime: '2027-03-03T10:00:00+01:00' }, end: { dateTime: '2027-03-03T11:00:00+01:00' } });
    const page = await signIn();
    expect(await page.getByText('Aucun calendrier connecté.').count()).toBe(1);

    // Google: the button, Google's page (consent given), the callback, back on the screen.
    await page.getByRole('button', { name: 'Connecter Google Agenda' }).click();
    await page.waitForURL(`${t.origin}/admin/calendriers`);
    await page.getByText('« Google Agenda » connecté.').waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Google Agenda', level: 3 }) });
    expect(plain(await card.innerText())).toContain('Google Agenda — vos rendez-vous y sont écrits');
    expect(plain(await card.innerText())).toMatch(/Dernière synchronisation réussie : .* — 1 indisponibilités importées/);
    // The outcome was taken off the address: a reload does not say it again.
    expect(new URL(page.url()).search).toBe('');
    expect(google.requests.some((r) => r.grant === 'authorization_code')).toBe(true);
    await expectAccessible(page, 'calendars after connecting Google (phone)');
    await screenshot(page, 'admin-calendars-oauth-phone');

    // Outlook: the artisan refuses on Microsoft's page; nothing stays connected.
    ms.denyNext();
    await page.getByRole('button', { name: 'Connecter Outlook' }).click();
    await page.waitForURL(`${t.origin}/admin/calendriers`);
    await page.getByText(/La connexion n’a pas abouti/).waitFor();
    expect(await alert(page, 'alert')).toContain("La connexion n’a pas abouti : L'autorisation a été refusée : le calendrier n'est pas connecté.");
    expect(await page.getByRole('heading', { name: 'Outlook', level: 3 }).count()).toBe(0);
    await expectAccessible(page, 'calendars after a refused consent (phone)');

    // Sync now, then access revoked in Google: the error is said, in French.
    await page.getByRole('button', { name: 'Synchroniser « Google Agenda »' }).click();
    await page.getByText('« Google Agenda » synchronisé.').waitFor();
    google.revoke();
    t.clock.advance(1);
    await page.getByRole('button', { name: 'Synchroniser « Google Agenda »' }).click();
    await page.getByText(/n’a pas pu être synchronisé : Accès à Google Agenda refusé/).waitFor();
    expect(plain(await card.innerText())).toContain('Dernière erreur : Accès à Google Agenda refusé');

    await page.getByRole('button', { name: 'Déconnecter « Google Agenda »' }).click();
    await page.getByText('« Google Agenda » déconnecté.').waitFor();
    await page.getByText('Aucun calendrier connecté.').waitFor();
    for (const p of pages) p.assertClean();
  });

  it('desktop: Outlook connected through Microsoft’s consent page', async () => {
    ms.events.clear();
    ms.events.set('site', {
      id: 'site',
      subject: 'Chantier',
      showAs: 'busy',
      start: { dateTime: '2027-03-04T16:00:00.0000000', timeZone: 'Romance Standard Time' },
      end: { dateTime: '2027-03-04T17:00:00.0000000', timeZone: 'Romance Standard Time' },
    });
    const page = await signIn(DESKTOP);
    await page.getByRole('button', { name: 'Connecter Outlook' }).click();
    await page.waitForURL(`${t.origin}/admin/calendriers`);
    await page.getByText('« Outlook » connecté.').waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Outlook', level: 3 }) });
    expect(plain(await card.innerText())).toMatch(/Dernière synchronisation réussie : .* — 1 indisponibilités importées/);
    await expectAccessible(page, 'calendars after connecting Outlook (desktop)');
    await screenshot(page, 'admin-calendars-oauth-desktop');
    for (const p of pages) p.assertClean();
  });
});
