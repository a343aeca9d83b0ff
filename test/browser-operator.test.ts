import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import type { TestService } from './helpers/service.ts';
import { filesOf, rowsOf } from './helpers/archive.ts';

/**
 * The operator's console in headless Chromium, on a phone (and its list on a desktop): the
 * first operator made with the code of the log, the businesses with their figures, suspend
 * (the booking page then says so), resume, a plan change, the audit, "Mot de passe oublié";
 * a business's export and its deletion (scheduled, then cancelled), the instance's backups;
 * axe (WCAG 2.1 AA) on every screen. Server clock: Monday 2027-03-01 08:00 in Paris.
 */
const ENGINE: Engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
const SECOND_ID = '0b9d9c4e-8f57-4c36-9d53-2f3c1b0f7a11';

describe(`the operator's console in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  const opened: GuardedPage[] = [];
  const open = async (options: Parameters<typeof openGuardedPage>[2] = {}) => {
    const g = await openGuardedPage(browser, t.origin, options);
    opened.push(g);
    return g;
  };

  beforeAll(async () => {
    t = await startBrowserService(ENGINE);
    browser = await launchBrowser();
    await t.service.db.query(
      `INSERT INTO artisans (id, display_name, email, phone, timezone, plan) VALUES ($1, 'Zoé Électricité', 'zoe@elec.test', '+33698765432', 'Europe/Paris', 'starter')`,
      [SECOND_ID],
    );
    // Two businesses: the demo's booking page is at its address.
    await t.service.db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id <> $1`, [SECOND_ID]);
  }, 120_000);
  afterAll(async () => {
    for (const g of opened) await g.close();
    await browser?.close();
    await t?.close();
  });

  it('on a phone: first operator with the code, list, suspend (the booking page says so), resume, plan, audit', async () => {
    const [{ value: code }] = (await t.service.db.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = 'operator_setup_code'`)) as [{ value: string }];
    const { page } = await open();
    await page.goto(`${t.origin}/operator`);
    await page.getByRole('heading', { name: 'Premier compte opérateur' }).waitFor();
    await expectAccessible(page, 'operator setup (phone)');
    await page.getByLabel('Code opérateur').fill('AAAA-BBBB-CCCC');
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByLabel('Mot de passe').fill('une-phrase-de-passe-operateur');
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Code opérateur incorrect/);
    await page.getByLabel('Code opérateur').fill(code);
    await page.getByRole('button', { name: 'Créer le compte' }).click();

    await page.getByRole('heading', { name: 'Entreprises' }).waitFor();
    await page.getByText('2 entreprises.').waitFor();
    const card = (name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
    const demo = card('Marc Dupont - Plomberie');
    expect(plain((await demo.textContent())!)).toContain('StatutActiveFormuleProRéservations ce mois-ci0Dernière activité');
    await expectAccessible(page, 'operator businesses (phone)');
    await screenshot(page, 'operator-businesses-phone');

    await demo.getByRole('button', { name: 'Suspendre Marc Dupont - Plomberie' }).click();
    await page.getByRole('status').filter({ hasText: 'Marc Dupont - Plomberie est suspendue' }).waitFor();
    await expect.poll(() => card('Marc Dupont - Plomberie').textContent()).toMatch(/Suspendue depuis le/);
    await expectAccessible(page, 'operator businesses, one suspended (phone)');

    // The suspended business's booking page, as a customer sees it.
    const customer = await open();
    await customer.page.goto(`${t.origin}/plomberie-dupont`);
    await customer.page.getByText('Ce professionnel ne prend pas de réservation en ligne pour le moment.').waitFor();
    expect(await customer.page.getByRole('link', { name: '06 12 34 56 78' }).getAttribute('href')).toBe('tel:+33612345678');
    expect(await customer.page.getByRole('heading', { name: '1. Choisissez une prestation' }).count()).toBe(0);
    await expectAccessible(customer.page, 'suspended booking page (phone)');
    await screenshot(customer.page, 'operator-suspended-booking-page-phone');

    await card('Marc Dupont - Plomberie').getByRole('button', { name: 'Rétablir Marc Dupont - Plomberie' }).click();
    await page.getByRole('status').filter({ hasText: 'est rétablie' }).waitFor();
    await customer.page.reload();
    await customer.page.getByRole('heading', { name: '1. Choisissez une prestation' }).waitFor();

    const zoe = card('Zoé Électricité');
    await zoe.getByLabel('Formule de Zoé Électricité').selectOption('business');
    await zoe.getByRole('button', { name: 'Changer la formule' }).click();
    await page.getByRole('status').filter({ hasText: 'Formule de Zoé Électricité : Business.' }).waitFor();

    await page.getByLabel('Rechercher par nom').fill('zoé');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('1 entreprise pour « zoé ».').waitFor();

    await page.getByRole('link', { name: 'Journal des actions' }).click();
    await page.getByRole('heading', { name: 'Journal des actions' }).waitFor();
    const rows = page.getByRole('row');
    await expect.poll(() => rows.count()).toBe(4);
    const texts = (await rows.allTextContents()).map(plain);
    expect(texts[1]).toContain('a changé la formule de Zoé Électricité');
    expect(texts[2]).toContain('ops@hebergeur.fr');
    expect(texts[2]).toContain('a rétabli Marc Dupont - Plomberie');
    expect(texts[3]).toContain('a suspendu Marc Dupont - Plomberie');
    await expectAccessible(page, 'operator audit (phone)');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion opérateur' }).waitFor();
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
    await expectAccessible(page, 'operator forgotten password (phone)');
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByRole('button', { name: 'Recevoir le lien' }).click();
    await page.getByRole('status').filter({ hasText: 'Si un compte existe avec cette adresse' }).waitFor();
  }, 120_000);

  it('on a desktop: the list; the back office sign-in leads to "Mot de passe oublié"', async () => {
    const { page } = await open({ viewport: DESKTOP });
    await page.goto(`${t.origin}/operator`);
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByLabel('Mot de passe').fill('une-phrase-de-passe-operateur');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('2 entreprises.').waitFor();
    await expectAccessible(page, 'operator businesses (desktop)');
    await screenshot(page, 'operator-businesses-desktop');

    const admin = await open();
    await admin.page.goto(`${t.origin}/admin`);
    await admin.page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await admin.page.getByRole('heading', { name: 'Mot de passe oublié' }).waitFor();
    await expectAccessible(admin.page, 'admin forgotten password (phone)');
    for (const g of opened) g.assertClean();
  }, 120_000);

  it('on a desktop: export a business, schedule its deletion (paid bookings listed, date shown), cancel it; the backups screen', async () => {
    const { page } = await open({ viewport: DESKTOP });
    await page.goto(`${t.origin}/operator`);
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByLabel('Mot de passe').fill('une-phrase-de-passe-operateur');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const zoe = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Zoé Électricité' }) });

    const [download] = await Promise.all([page.waitForEvent('download'), zoe.getByRole('link', { name: 'Exporter les données de Zoé Électricité' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^artisanconnect-export-${SECOND_ID}-\\d{8}T\\d{6}Z\\.tar\\.gz$`));
    const files = await filesOf(readFileSync((await download.path())!));
    expect(JSON.parse(files.get('manifest.json')!).business.displayName).toBe('Zoé Électricité');
    expect(rowsOf(files.get('tables/artisans.ndjson'))).toEqual([expect.objectContaining({ id: SECOND_ID, email: 'zoe@elec.test' })]);

    await zoe.getByRole('button', { name: 'Supprimer Zoé Électricité…' }).click();
    const panel = page.getByRole('group', { name: 'Supprimer Zoé Électricité' });
    await panel.getByText('Aucun rendez-vous à venir avec un acompte payé.').waitFor();
    expect(plain((await panel.textContent())!)).toContain('supprimée avec toutes ses données le 31 mars 2027 (délai de grâce de 30 jours)');
    await expectAccessible(page, 'operator deletion panel (desktop)');
    await panel.getByRole('button', { name: 'Confirmer la suppression le 31 mars 2027' }).click();
    await page.getByRole('status').filter({ hasText: 'Zoé Électricité est suspendue ; suppression de toutes ses données le 31 mars 2027.' }).waitFor();
    await expect.poll(async () => plain((await zoe.textContent())!)).toMatch(/Suppressionprévue le 31 mars 2027/);
    expect(await zoe.getByRole('button', { name: 'Rétablir Zoé Électricité' }).count()).toBe(0);
    await expectAccessible(page, 'operator businesses, one deletion scheduled (desktop)');
    await screenshot(page, 'operator-deletion-scheduled-desktop');

    await zoe.getByRole('button', { name: 'Annuler la suppression de Zoé Électricité' }).click();
    await page.getByRole('status').filter({ hasText: 'La suppression de Zoé Électricité est annulée' }).waitFor();
    await zoe.getByRole('button', { name: 'Rétablir Zoé Électricité' }).waitFor();

    await page.getByRole('link', { name: 'Journal des actions' }).click();
    await expect.poll(async () => (await page.getByRole('row').allTextContents()).slice(1, 4).map(plain)).toEqual([
      expect.stringContaining('a annulé la suppression de Zoé Électricité (prévue le 31 mars 2027)'),
      expect.stringContaining('a programmé la suppression de Zoé Électricité le 31 mars 2027'),
      expect.stringContaining('a exporté les données de Zoé Électricité'),
    ]);

    await page.getByRole('link', { name: 'Sauvegardes' }).click();
    await page.getByRole('heading', { name: 'Sauvegardes de l’instance' }).waitFor();
    await page.getByText('Aucun répertoire de sauvegardes programmées (BACKUP_DIR) n’est configuré.').waitFor();
    expect(await page.getByRole('link', { name: 'Télécharger une sauvegarde complète maintenant' }).getAttribute('href')).toBe('/api/operator/backup');
    await expectAccessible(page, 'operator backups (desktop)');
    for (const g of opened) g.assertClean();
  }, 120_000);

  it('on a phone: the invitations (pending, used, expired, revoked); revoking an unused one', async () => {
    const [operator] = await t.service.db.query<{ id: string }>(`SELECT id FROM operator_users WHERE email = 'ops@hebergeur.fr'`);
    const invitation = (email: string | null, createdAt: string, expiresAt: string, extra: { used?: string } = {}) =>
      t.service.db.query(
        `INSERT INTO signup_invites (token_hash, email, operator_id, created_at, expires_at, used_at, used_by_artisan_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [`hash-${email ?? createdAt}`, email, operator!.id, createdAt, expiresAt, extra.used ?? null, extra.used ? SECOND_ID : null],
      );
    await invitation('ancienne@exemple.fr', '2027-02-01T09:00:00Z', '2027-02-15T09:00:00Z');
    await invitation('zoe@elec.test', '2027-02-10T09:00:00Z', '2027-02-24T09:00:00Z', { used: '2027-02-11T09:00:00Z' });
    await invitation('lea@elec-martin.fr', '2027-02-27T09:00:00Z', '2027-03-13T09:00:00Z');
    await invitation(null, '2027-02-28T09:00:00Z', '2027-03-14T09:00:00Z');

    const { page } = await open();
    await page.goto(`${t.origin}/operator`);
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByLabel('Mot de passe').fill('une-phrase-de-passe-operateur');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await page.getByText('4 invitations.').waitFor();
    const card = (name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });
    expect(plain((await card('ancienne@exemple.fr').textContent())!)).toMatch(/^ancienne@exemple\.frStatutExpirée — Expirée le/);
    expect(plain((await card('zoe@elec.test').textContent())!)).toMatch(/StatutUtilisée — Utilisée le .* par Zoé Électricité/);
    expect(plain((await card('Toute adresse e-mail').textContent())!)).toMatch(/StatutEn attente — En attente, valable jusqu’au/);
    // Only the unused, unexpired ones can be revoked.
    expect(await page.getByRole('button', { name: /^Révoquer/ }).count()).toBe(2);
    await expectAccessible(page, 'operator invitations (phone)');
    await screenshot(page, 'operator-invitations-phone');

    await card('lea@elec-martin.fr').getByRole('button', { name: 'Révoquer l’invitation pour lea@elec-martin.fr' }).click();
    await page.getByRole('status').filter({ hasText: 'L’invitation pour lea@elec-martin.fr est révoquée : son lien n’ouvre plus l’inscription.' }).waitFor();
    await expect.poll(async () => plain((await card('lea@elec-martin.fr').textContent())!)).toMatch(/StatutRévoquée — Révoquée le/);
    expect(await page.getByRole('button', { name: /^Révoquer/ }).count()).toBe(1);
    const [row] = await t.service.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM signup_invites WHERE email = 'lea@elec-martin.fr'`);
    expect(row!.revoked_at).not.toBeNull();
    await expectAccessible(page, 'operator invitations, one revoked (phone)');
    for (const g of opened) g.assertClean();
  }, 120_000);

  it("on a phone: a business's address changed (refused in French first); the old one leads nowhere, the new one to its page", async () => {
    await t.service.db.query(`UPDATE artisans SET slug = 'elec-zoe' WHERE id = $1`, [SECOND_ID]);
    const { page } = await open();
    await page.goto(`${t.origin}/operator`);
    await page.getByLabel('Adresse e-mail').fill('ops@hebergeur.fr');
    await page.getByLabel('Mot de passe').fill('une-phrase-de-passe-operateur');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const zoe = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Zoé Électricité' }) });
    await expect.poll(async () => plain((await zoe.textContent()) ?? '')).toContain('Adresse/elec-zoe');
    expect((await t.request('GET', '/elec-zoe/api/artisan')).status).toBe(200);

    await zoe.getByRole('button', { name: 'Changer l’adresse de Zoé Électricité' }).click();
    const form = page.getByRole('form', { name: 'Adresse de Zoé Électricité' });
    await form.getByLabel('Adresse sur l’instance (/…)').fill('admin');
    await form.getByLabel('Nom d’hôte propre (facultatif)').fill('https://rdv.zoe-elec.fr/');
    await form.getByRole('button', { name: 'Enregistrer l’adresse' }).click();
    await expect.poll(async () => (await form.getByLabel('Adresse sur l’instance (/…)').getAttribute('aria-invalid'))).toBe('true');
    expect(await form.getByLabel('Nom d’hôte propre (facultatif)').getAttribute('aria-invalid')).toBe('true');
    expect(plain((await form.textContent())!)).toContain('Cette adresse est réservée');
    await expectAccessible(page, 'operator address form with errors (phone)');

    await form.getByLabel('Adresse sur l’instance (/…)').fill('zoe-electricite');
    await form.getByLabel('Nom d’hôte propre (facultatif)').fill('rdv.zoe-elec.fr');
    await form.getByRole('button', { name: 'Enregistrer l’adresse' }).click();
    await page.getByRole('status').filter({ hasText: 'Adresse de Zoé Électricité : /zoe-electricite et rdv.zoe-elec.fr.' }).waitFor();
    await expect.poll(async () => plain((await zoe.textContent()) ?? '')).toContain('Adresse/zoe-electricite — rdv.zoe-elec.fr');
    await expectAccessible(page, 'operator businesses, address changed (phone)');
    await screenshot(page, 'operator-address-changed-phone');

    // The old address is no business's now; the new one is Zoé's.
    expect((await t.request('GET', '/elec-zoe/api/artisan')).body.error.code).toBe('BUSINESS_NOT_FOUND');
    expect((await t.request('GET', '/zoe-electricite/api/artisan')).body.artisan.displayName).toBe('Zoé Électricité');
    await page.getByRole('link', { name: 'Journal des actions' }).click();
    await expect.poll(async () => plain((await page.getByRole('row').nth(1).textContent()) ?? '')).toContain(
      'a changé l’adresse de Zoé Électricité : /elec-zoe → /zoe-electricite ; nom d’hôte : aucun → rdv.zoe-elec.fr',
    );
    for (const g of opened) g.assertClean();
  }, 120_000);
});
