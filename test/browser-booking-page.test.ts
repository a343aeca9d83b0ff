import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetBookings, type Engine } from './helpers/db.ts';
import { DESKTOP, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import type { TestService } from './helpers/service.ts';

/**
 * The booking page (`/`) in Debian's headless Chromium against the real service over HTTP.
 * One engine: the API the page calls is tested on every engine by the api-* suites.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris

describe(`the booking page in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  let open: GuardedPage | undefined;

  beforeAll(async () => {
    t = await startBrowserService(ENGINE);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    t.clock.ms = START;
    await resetBookings(t.service.db);
    if (open) {
      open.assertClean();
      await open.close();
      open = undefined;
    }
  });

  it('lists the active services with duration, price and deposit in euros, accessible, on a phone and a desktop', async () => {
    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      open = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
      const { page } = open;
      await page.goto(`${t.origin}/`);
      await page.getByText('Diagnostic et audit complet').first().waitFor();
      const body = plain(await page.locator('main').innerText());
      expect(body).toContain('40,00 €');
      expect(body).toContain('12,00 €');
      expect(await page.title()).toContain('ArtisanConnect');
      await expectAccessible(page, `booking page (${label})`);
      await screenshot(page, `booking-services-${label}`);
      open.assertClean();
      await open.close();
      open = undefined;
    }
  });

  it('the accessibility check can fail: an unlabelled control added to the page is reported', async () => {
    open = await openGuardedPage(browser, t.origin);
    const { page } = open;
    await page.goto(`${t.origin}/`);
    await page.getByText('Diagnostic et audit complet').first().waitFor();
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'text';
      document.querySelector('main')!.append(input);
    });
    await expect(expectAccessible(page, 'broken on purpose')).rejects.toThrow(/label/);
  });
});
