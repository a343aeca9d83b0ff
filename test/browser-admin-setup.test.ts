import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import { REPO_ROOT } from './helpers/process.ts';
import type { TestService } from './helpers/service.ts';

/**
 * A real artisan's first start in the browser: an empty database (PostgreSQL when the run has
 * one, as in production; else the embedded one with SEED_DEMO=false), the setup code from the
 * log (read here from where the service keeps it, app_secrets), the wizard's steps (resumed after
 * a reload), the agenda's checklist until the page can take a booking, then the public booking page. Server clock: Monday 2027-03-01 08:00 in Paris.
 */
const ENGINE: Engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

describe(`first-run setup in headless Chromium on an empty ${ENGINE} database`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  let open: GuardedPage | undefined;

  beforeAll(async () => {
    t = await startBrowserService(ENGINE, { SEED_DEMO: 'false' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await open?.close();
    await browser?.close();
    await t?.close();
  });

  it('the setup code holder creates the artisan, sets Wednesday hours and a first service; the booking page shows the service and its slots', async () => {
    expect(await t.service.db.query('SELECT 1 FROM artisans')).toHaveLength(0);
    const [{ value: code }] = (await t.service.db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = 'setup_code'`)) as [{ value: string }];

    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      const shot = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
      await shot.page.goto(`${t.origin}/admin`);
      await shot.page.getByRole('heading', { name: 'Créer votre espace artisan' }).waitFor();
      await expectAccessible(shot.page, `setup step 1 (${label})`);
      await screenshot(shot.page, `admin-setup-${label}`);
      shot.assertClean();
      await shot.close();
    }

    open = await openGuardedPage(browser, t.origin);
    const { page } = open;
    await page.goto(`${t.origin}/admin`);
    await page.getByRole('heading', { name: 'Créer votre espace artisan' }).waitFor();
    const fill = async (field: string, value: string) => page.getByLabel(field, { exact: true }).fill(value);
    await fill('Code d’installation', 'AAAA-BBBB-CCCC');
    await fill('Nom affiché aux clients', 'Sophie Martin Plomberie');
    await fill('Métier (facultatif)', 'Plombière chauffagiste');
    await fill('E-mail de contact', 'contact@sophie-plomberie.fr');
    await fill('Téléphone (facultatif)', '06 98 76 54 32');
    await fill('E-mail de connexion', 'sophie@sophie-plomberie.fr');
    await fill('Mot de passe', 'un-mot-de-passe-tres-solide');
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    // A wrong code claims nothing.
    expect(plain(await page.getByRole('alert').innerText())).toMatch(/Code d’installation incorrect|Code d'installation incorrect/);
    expect(await t.service.db.query('SELECT 1 FROM artisans')).toHaveLength(0);

    await fill('Code d’installation', code.toLowerCase());
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    await page.getByRole('heading', { name: 'Vos horaires d’ouverture' }).waitFor();
    // Signed in: on a phone who is signed in is written in the folded menu (the header's text, not shown until it opens).
    expect(plain((await page.locator('header').textContent()) ?? '')).toContain('Sophie Martin Plomberie (sophie@sophie-plomberie.fr)');
    // A reload after step 1 resumes at step 2, step 1's account kept (signed in, its name shown).
    await page.reload();
    await page.getByRole('heading', { name: 'Vos horaires d’ouverture' }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('Étape 2 sur 4');
    expect(plain((await page.locator('header').textContent()) ?? '')).toContain('Sophie Martin Plomberie (sophie@sophie-plomberie.fr)');
    await expectAccessible(page, 'setup step 2 (hours)');
    await screenshot(page, 'admin-setup-hours-phone');
    await page.setViewportSize(DESKTOP);
    await expectAccessible(page, 'setup step 2 (hours, desktop)');
    await screenshot(page, 'admin-setup-hours-desktop');
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Ajouter une plage d’ouverture (mercredi)' }).click();
    await page.getByLabel('mercredi, ouverture 1 : début').fill('09:00');
    await page.getByLabel('mercredi, ouverture 1 : fin').fill('12:00');
    await page.getByRole('button', { name: 'Enregistrer les horaires' }).click();

    await page.getByRole('heading', { name: 'Votre première prestation' }).waitFor();
    // The server knows the hours are set: a reload resumes at step 3.
    await page.reload();
    await page.getByRole('heading', { name: 'Votre première prestation' }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('Étape 3 sur 4');
    await expectAccessible(page, 'setup step 3 (service)');
    await screenshot(page, 'admin-setup-service-phone');
    await page.setViewportSize(DESKTOP);
    await expectAccessible(page, 'setup step 3 (service, desktop)');
    await screenshot(page, 'admin-setup-service-desktop');
    await page.setViewportSize(PHONE);
    // Skipping the service and the payments lands on the agenda, whose checklist lists them.
    await page.getByRole('button', { name: 'Passer cette étape' }).click();
    await page.getByRole('heading', { name: 'L’acompte de vos clients' }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('Étape 4 sur 4');
    await expectAccessible(page, 'setup step 4 (payments)');
    await page.getByRole('button', { name: 'Passer cette étape' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    const checklist = page.getByRole('region', { name: 'Votre page ne peut pas encore prendre de rendez-vous' });
    await checklist.waitFor();
    expect(plain(await checklist.innerText())).toContain('Il reste 2 étapes');
    expect(plain(await checklist.innerText())).toContain('Horaires d’ouverture indiqués');
    await expectAccessible(page, 'agenda with the setup checklist');
    await screenshot(page, 'admin-checklist-phone');
    await page.setViewportSize(DESKTOP);
    await expectAccessible(page, 'agenda with the setup checklist (desktop)');
    await screenshot(page, 'admin-checklist-desktop');
    await page.setViewportSize(PHONE);
    // The wizard is over: a reload shows the agenda and its checklist, not the wizard.
    await page.reload();
    await checklist.waitFor();

    // Each item links to the screen that does it.
    await checklist.getByRole('link', { name: /Créer au moins une prestation active/ }).click();
    await page.getByRole('heading', { name: 'Prestations', level: 1 }).waitFor();
    await fill('Nom', 'Recherche de fuite');
    await fill('Durée (minutes)', '60');
    await fill('Prix (€)', '90,00');
    await page.getByRole('button', { name: 'Créer la prestation' }).click();
    await page.getByText('Prestation créée.').waitFor();
    await page.goto(`${t.origin}/admin`);
    await checklist.waitFor();
    expect(plain(await checklist.innerText())).toContain('Il reste 1 étape');
    await checklist.getByRole('link', { name: /Choisir comment l’acompte est encaissé/ }).click();
    await page.getByRole('heading', { name: 'Paiements', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Réglage enregistré', { exact: false }).waitFor();
    // The checklist's answer is awaited before asserting it shows nothing.
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/admin/setup-checklist'));
    await page.goto(`${t.origin}/admin`);
    expect(await (await answered).json()).toMatchObject({ ready: true });
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    expect(await checklist.count()).toBe(0);
    open.assertClean();

    // The public side: the new artisan's service, priced, and Wednesday's slots 09:00–11:00.
    const site = await open.context.newPage();
    await site.goto(`${t.origin}/`);
    await site.getByText('Recherche de fuite').first().waitFor();
    await site.getByRole('heading', { name: 'Sophie Martin Plomberie', level: 1 }).waitFor();
    const text = plain(await site.locator('main').innerText());
    expect(text).toContain('90,00 €');
    expect(text).toContain('27,00 €'); // 30 % deposit
    expect(text).not.toContain('Diagnostic et audit complet');
    // The customer picks the service, then Wednesday 3 March: the one-hour service fits from 09:00 to 11:00 (open 09:00–12:00).
    await site.getByRole('button', { name: /^Recherche de fuite/ }).click();
    await site.getByRole('button', { name: 'mercredi 3 mars 2027, 5 créneaux libres' }).click();
    const slots = site.getByRole('group', { name: 'Créneaux libres le mercredi 3 mars 2027' });
    await slots.waitFor();
    expect((await slots.getByRole('button').allInnerTexts()).map(plain)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00']);
    // Only Wednesday is open.
    expect(await site.getByRole('button', { name: 'jeudi 4 mars 2027, aucun créneau libre' }).isDisabled()).toBe(true);
    const profile = await t.service.db.query<{ display_name: string; trade: string; plan: string }>('SELECT display_name, trade, plan FROM artisans');
    expect(profile).toEqual([{ display_name: 'Sophie Martin Plomberie', trade: 'Plombière chauffagiste', plan: 'starter' }]);

    // The instance is claimed: /admin now asks to sign in.
    const other = await openGuardedPage(browser, t.origin);
    await other.page.goto(`${t.origin}/admin`);
    await other.page.getByRole('heading', { name: 'Connexion' }).waitFor();
    other.assertClean();
    await other.close();

    // The README shows each step, on a phone and a desktop.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const shots = ['setup', 'setup-hours', 'setup-service'].flatMap((step) => [`admin-${step}-phone`, `admin-${step}-desktop`]);
    expect(shots.filter((name) => !readme.includes(`(docs/screenshots/${name}.png)`)), 'screenshots the README does not show').toEqual([]);
  }, 180_000);
});
