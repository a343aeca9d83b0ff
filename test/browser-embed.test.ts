import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, openGuardedPage, screenshot, signInDemoArtisan, startBrowserService } from './helpers/browser.ts';
import { setDemoPassword } from './helpers/admin.ts';
import { freePort } from './helpers/process.ts';
import type { TestService } from './helpers/service.ts';
import { addBusiness } from './helpers/tenants.ts';

/**
 * The embed snippet of the README on the artisan's own site: a page of another origin
 * (`localhost` vs the service's `127.0.0.1`, another port) shows the booking page in an
 * iframe that sizes itself, when that origin is in EMBED_ALLOWED_ORIGINS; a site that is not
 * listed gets nothing (CSP frame-ancestors).
 */
describe('the booking page embedded in another site', () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  const sites: Server[] = [];
  let allowed = '';
  let refused = '';
  let pastedSite = { url: '', snippet: '' };

  /** The artisan's own site on `port`: the README snippet, pointing at the service. */
  const site = async (port: number): Promise<string> => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plomberie Dupont — site</title></head><body>
<h1>Plomberie Dupont</h1><p>Prenez rendez-vous ci-dessous.</p>
<iframe data-artisanconnect src="${t.origin}/?embed=1" title="Prendre rendez-vous" style="width:100%;border:0" height="300"></iframe>
<script src="${t.origin}/embed.js" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    sites.push(server);
    return `http://localhost:${port}`;
  };

  /** The artisan's site with whatever the back office gave them to paste (set by the test). */
  const pasted = async (port: number): Promise<string> => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plomberie Dupont — rendez-vous</title></head><body>
<h1>Plomberie Dupont</h1>
${pastedSite.snippet}
</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    sites.push(server);
    return `http://localhost:${port}`;
  };

  beforeAll(async () => {
    // The allowed sites' addresses must be known before the service starts (EMBED_ALLOWED_ORIGINS).
    const allowedPort = await freePort();
    const pastedPort = await freePort();
    t = await startBrowserService('pglite', { EMBED_ALLOWED_ORIGINS: `http://localhost:${allowedPort} http://localhost:${pastedPort}` });
    allowed = await site(allowedPort);
    pastedSite.url = await pasted(pastedPort);
    refused = await site(await freePort());
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    for (const s of sites) s.close();
  });

  it('renders in a page of an allowed origin and sizes itself to its content', async () => {
    const g = await openGuardedPage(browser, allowed, { allowOrigins: [t.origin] });
    try {
      await g.page.goto(`${allowed}/`);
      const frame = g.page.frameLocator('iframe[data-artisanconnect]');
      await frame.getByRole('heading', { name: 'Marc Dupont - Plomberie' }).waitFor();
      await frame.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
      await frame.getByRole('heading', { name: '2. Choisissez un jour et un horaire' }).waitFor();
      // The page told the snippet its height: far more than the 300 px it started with.
      await g.page.waitForFunction(() => (document.querySelector('iframe[data-artisanconnect]') as HTMLIFrameElement).getBoundingClientRect().height > 900);
      const height = await g.page.locator('iframe[data-artisanconnect]').evaluate((el) => el.getBoundingClientRect().height);
      const inner = await frame.locator('html').evaluate((el) => el.scrollHeight);
      expect(Math.abs(height - inner)).toBeLessThan(40);
      await expectAccessible(g.page, 'embedding page');
      await screenshot(g.page, 'embed-allowed-phone');
      g.assertClean();
    } finally {
      await g.close();
    }
  });

  it("the back office's Intégration snippet, pasted in a page of another origin, shows the booking page sized to its content", async () => {
    await setDemoPassword(t.service.db);
    const admin = await openGuardedPage(browser, t.origin);
    try {
      await signInDemoArtisan(admin.page, t.origin);
      await admin.page.goto(`${t.origin}/admin/integration`);
      await admin.page.getByRole('heading', { name: 'Intégrer la page de réservation' }).waitFor();
      const code = admin.page.getByLabel('Code à copier');
      await expect.poll(() => code.inputValue()).toContain('<iframe');
      pastedSite = { ...pastedSite, snippet: await code.inputValue() };
      await pastedPageResizes();
      // The screen also names the sites allowed to show it.
      await admin.page.getByText(pastedSite.url).waitFor();
      admin.assertClean();
    } finally {
      await admin.close();
    }
  });

  async function pastedPageResizes(): Promise<void> {
    const g = await openGuardedPage(browser, pastedSite.url, { allowOrigins: [t.origin] });
    try {
      await g.page.goto(`${pastedSite.url}/`);
      const frame = g.page.frameLocator('iframe');
      await frame.getByRole('heading', { name: 'Marc Dupont - Plomberie' }).waitFor();
      await frame.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
      await frame.getByRole('heading', { name: '2. Choisissez un jour et un horaire' }).waitFor();
      // The frame follows its content: its height becomes the page's, whatever the snippet started with.
      const heights = async () => ({
        frame: await g.page.locator('iframe').evaluate((el) => el.getBoundingClientRect().height),
        inner: await frame.locator('html').evaluate((el) => el.scrollHeight),
      });
      await expect.poll(async () => {
        const h = await heights();
        return Math.abs(h.frame - h.inner);
      }, { timeout: 15_000 }).toBeLessThan(40);
      const { inner } = await heights();
      expect(inner).not.toBe(900); // the content's own height, not the snippet's starting one
      g.assertClean();
    } finally {
      await g.close();
    }
  }

  it('is refused in a page of an origin that is not listed', async () => {
    const g = await openGuardedPage(browser, refused, { allowOrigins: [t.origin] });
    try {
      const refusal = g.page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()) });
      await g.page.goto(`${refused}/`);
      await g.page.getByRole('heading', { name: 'Plomberie Dupont' }).waitFor();
      // Chromium reports the refusal and leaves the frame without the booking page.
      expect((await refusal).text()).toContain(t.origin);
      expect(await g.page.frameLocator('iframe[data-artisanconnect]').getByRole('heading', { name: 'Marc Dupont - Plomberie' }).count()).toBe(0);
    } finally {
      await g.close();
    }
  });

  // Last: a second business makes the bare address of the tests above answer 404.
  it("with two businesses, each snippet shows its own business's page, and a booking made in it is that business's", async () => {
    const demo = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo]);
    const other = await addBusiness(t.service.db, demo, 'chauffage-martin', 'Chauffage Martin');
    await setDemoPassword(t.service.db);
    const admin = await openGuardedPage(browser, t.origin);
    try {
      await signInDemoArtisan(admin.page, t.origin);
      await admin.page.goto(`${t.origin}/admin/integration`);
      const code = admin.page.getByLabel('Code à copier');
      await expect.poll(() => code.inputValue()).toContain('<iframe');
      const snippet = await code.inputValue();
      expect(snippet).toContain(`src="${t.origin}/plomberie-dupont?embed=1"`);
      await expectAccessible(admin.page, 'Intégration with two businesses');
      pastedSite = { ...pastedSite, snippet };
      admin.assertClean();
    } finally {
      await admin.close();
    }
    const g = await openGuardedPage(browser, pastedSite.url, { allowOrigins: [t.origin] });
    try {
      await g.page.goto(`${pastedSite.url}/`);
      const frame = g.page.frameLocator('iframe[data-artisanconnect]');
      await frame.getByRole('heading', { name: 'Marc Dupont - Plomberie' }).waitFor();
      await frame.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
      await frame.getByRole('button', { name: /^mercredi 10 mars 2027, \d+ créneaux? libres?/ }).click();
      await frame.getByRole('button', { name: 'mercredi 10 mars 2027 à 09:00' }).click();
      await frame.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
      await frame.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
      await frame.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
      await frame.getByLabel('Téléphone', { exact: true }).fill('06 12 34 56 78');
      await frame.getByLabel('Carte acceptée').check();
      await frame.getByLabel(/J’accepte les conditions/).check();
      await frame.getByRole('button', { name: /^Payer l’acompte/ }).click();
      await frame.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
      const booked = (await frame.locator('dd.code').innerText()).trim();
      const owner = await t.service.db.query<{ artisan_id: string }>('SELECT artisan_id FROM bookings WHERE public_code = $1', [booked]);
      expect(owner.map((r) => r.artisan_id)).toEqual([demo]);
      expect((await t.service.db.query('SELECT 1 FROM bookings WHERE artisan_id = $1', [other.id])).length).toBe(0);
      g.assertClean();
    } finally {
      await g.close();
    }
  });
});
