import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDemoPassword } from './helpers/admin.ts';
import { DESKTOP, PHONE, clickAdminMenu, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, signInDemoArtisan, startBrowserService } from './helpers/browser.ts';
import { FakeStripe } from './helpers/fake-stripe.ts';
import { STRIPE_ENV } from './helpers/stripe-service.ts';
import type { TestService } from './helpers/service.ts';

/**
 * The Paiements screen's Stripe Connect section (STRIPE_MODE=connect) in headless Chromium,
 * on a phone and a desktop: the button leads to Stripe's onboarding form (the Account Link of
 * the local Stripe-compatible server, which completes the form and sends the browser back to
 * /admin/paiements?stripe=retour), and back on the screen the account reads as connected.
 */
describe('connecting a Stripe account from the Paiements screen', () => {
  const fake = new FakeStripe();
  let t: TestService & { origin: string };
  let browser: Browser;
  beforeAll(async () => {
    await fake.start();
    t = await startBrowserService('pglite', { ...STRIPE_ENV, STRIPE_API_URL: fake.url, STRIPE_MODE: 'connect' });
    await setDemoPassword(t.service.db);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake.stop();
  });

  for (const [label, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`on a ${label}: "Connecter mon compte Stripe" goes through Stripe's form and comes back connected`, async () => {
      await t.service.db.query('DELETE FROM payment_accounts');
      fake.reset();
      const g = await openGuardedPage(browser, t.origin, { viewport, allowOrigins: [fake.url] });
      try {
        const { page } = g;
        await signInDemoArtisan(page, t.origin);
        await clickAdminMenu(page, 'Paiements');
        const section = page.getByRole('region', { name: 'Votre compte Stripe' });
        await section.getByText('Aucun compte Stripe connecté').waitFor();
        expect(plain(await section.innerText())).toContain('votre page ne prend pas d’acompte en ligne');
        await expectAccessible(page, `Paiements, no Stripe account (${label})`);

        // The button asks for an Account Link and opens it: Stripe's form, then back to Paiements.
        await section.getByRole('button', { name: 'Connecter mon compte Stripe' }).click();
        await page.waitForURL(`${t.origin}/admin/paiements?stripe=retour`);
        expect(fake.requests.some((r) => r.path === '/v1/account_links')).toBe(true);
        const back = page.getByRole('region', { name: 'Votre compte Stripe' });
        await back.getByText('Compte Stripe connecté').waitFor();
        expect(plain(await back.innerText())).toContain('Les acomptes sont payés par carte et versés sur votre compte Stripe.');
        expect(await back.getByRole('button').count(), 'nothing left to do').toBe(0);
        await expectAccessible(page, `Paiements, Stripe account connected (${label})`);
        await screenshot(page, `admin-stripe-connected-${label}`);
        // The booking page now takes deposits online.
        expect((await t.request('GET', '/api/artisan')).body.artisan.onlineDeposits).toBe(true);
        expect(fake.violations).toEqual([]);
        g.assertClean();
      } finally {
        await g.close();
      }
    });
  }
});
