import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, adminHeaders, setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, clickAdminMenu, expectAccessible, plain, screenshot, signInDemoArtisan } from './helpers/browser.ts';
import { bookingBody } from './helpers/service.ts';

/**
 * Maintenance contracts in headless Chromium (issue 22): the intervention marked done on a
 * phone and its report filled in; the invitation's link opening the booking page with the
 * service and the address filled in, and booking; the office's list « Entretiens à prévoir »
 * filtered and exported. Clock: Monday 2027-03-01, 08:00 in Paris; the visit is on Wednesday
 * 2027-03-03 at 9:00, the next falls due on Friday 2028-03-03, invited on 2028-01-21.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const EMAIL = 'mme.girard@example.com';
const ADDRESS = { street: '3 rue des Chaudières', postalCode: '69003', city: 'Lyon' };

describe(`maintenance contracts in headless Chromium on ${ENGINE}`, () => {
  const { t, open } = browserSuite(ENGINE, START);
  const admin = adminHeaders();
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
    expect((await t.request('PATCH', '/api/admin/services/diag', { maintenanceIntervalMonths: 12 }, admin)).status).toBe(200);
    expect((await t.request('PUT', '/api/admin/services/diag/report-form', { preset: 'boiler' }, admin)).status).toBe(200);
  });

  const bookVisit = async (time = '09:00', customer: Record<string, unknown> = { name: 'Mme Girard', email: EMAIL, phone: '+33612345678', address: ADDRESS }, serviceId = 'diag') => {
    const { version } = (await t.request('GET', '/api/artisan')).body.artisan.terms;
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', time, { serviceId, customer, consent: { termsVersion: version, nextVisit: true } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    manageLinks.set(res.body.booking.publicCode as string, res.body.links.manage as string);
    return res.body.booking.publicCode as string;
  };
  /** The customer's manage link of each booking made above. */
  const manageLinks = new Map<string, string>();
  const complete = async (code: string) => {
    const res = await t.request('POST', `/api/admin/bookings/${code}/outcome`, { outcome: 'completed' }, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const signIn = async (viewport = PHONE): Promise<Page> => {
    const { page } = await open({ viewport });
    await signInDemoArtisan(page, t.origin);
    return page;
  };

  /** Paul, a technician of the business (Business plan), with the demo's password. */
  const addTechnician = async (): Promise<string> => {
    const [owner] = await t.service.db.query<{ artisan_id: string; password_hash: string }>('SELECT artisan_id, password_hash FROM admin_users WHERE email = $1', [DEMO_ARTISAN_EMAIL]);
    await t.service.db.query(`UPDATE artisans SET plan = 'business' WHERE id = $1`, [owner!.artisan_id]);
    const existing = await t.service.db.query<{ id: string }>(`SELECT id FROM admin_users WHERE email = 'paul@plomberie.test'`);
    if (existing[0]) return existing[0].id;
    const id = randomUUID();
    await t.service.db.query(
      `INSERT INTO admin_users (artisan_id, id, email, name, role, password_hash, password_changed_at, created_at)
       VALUES ($1, $2, 'paul@plomberie.test', 'Paul Tech', 'technician', $3, now(), now())`,
      [owner!.artisan_id, id, owner!.password_hash],
    );
    return id;
  };

  it('on a phone, the technician marks their intervention done and fills in and sends its report', async () => {
    const code = await bookVisit();
    const paul = await addTechnician();
    expect((await t.request('PUT', `/api/admin/bookings/${code}/assignment`, { technicianId: paul, teamId: null }, admin)).status).toBe(204);
    t.clock.set('2027-03-03T08:45:00Z'); // 9:45 in Paris: under way
    const { page } = await open({ viewport: PHONE });
    await page.goto(`${t.origin}/admin`);
    await page.getByLabel('Adresse e-mail').fill('paul@plomberie.test');
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Réservations', level: 1 }).waitFor();
    await page.getByRole('link', { name: /3 mars 2027/ }).first().click();
    await page.getByRole('heading', { name: new RegExp(`Réservation ${code}`) }).waitFor();
    await page.getByRole('button', { name: 'Intervention réalisée' }).click();
    await page.getByRole('status').filter({ hasText: 'Intervention enregistrée comme réalisée.' }).waitFor();
    const form = page.getByRole('form', { name: 'Compte rendu d’intervention' });
    await form.waitFor();
    await expectAccessible(page, 'completion report form (phone)');

    // Sent empty: the required field says so, in French, and has the focus of attention.
    await form.getByRole('button', { name: 'Envoyer le compte rendu au client' }).click();
    await form.getByText('Ce champ est obligatoire.').waitFor();
    expect(await form.getByLabel('Travaux réalisés (obligatoire)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Travaux réalisés (obligatoire)').fill('Nettoyage du corps de chauffe, contrôle de la combustion.');
    await form.getByLabel('Marque de l’appareil').fill('Saunier Duval');
    await form.getByLabel('Numéro de série').fill('SD-2019-44871');
    await form.getByLabel('Monoxyde de carbone mesuré (ppm)').fill('12');
    await form.getByRole('button', { name: 'Envoyer le compte rendu au client' }).click();
    await page.getByRole('status').filter({ hasText: 'Compte rendu enregistré : il part au client par e-mail, en PDF.' }).waitFor();
    expect(await form.getByRole('link', { name: 'Télécharger le PDF' }).getAttribute('href')).toBe(`/api/admin/bookings/${code}/report.pdf`);
    await form.getByRole('button', { name: 'Corriger et renvoyer le compte rendu' }).waitFor();
    // What a technician may not read (the business's failed messages) is left out, not shown as an error.
    expect(await page.getByText(/Votre rôle dans l.entreprise/).count()).toBe(0);
    await expectAccessible(page, 'completion report sent (phone)');
    await screenshot(page, 'admin-completion-report-phone');

    // The customer's manage page offers the report; the link gives the PDF.
    const { page: customer } = await open({ viewport: PHONE });
    await customer.goto(manageLinks.get(code)!);
    const download = customer.getByRole('link', { name: 'Télécharger le compte rendu d’intervention (PDF)' });
    await download.waitFor();
    await expectAccessible(customer, 'manage page with the report link (phone)');
    const pdf = await customer.request.get(new URL((await download.getAttribute('href'))!, t.origin).toString());
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    const stored = await t.request('GET', `/api/admin/bookings/${code}/report`, undefined, admin);
    expect(stored.body.report.technicianName).toBe('Paul Tech');
    expect(stored.body.report.entries.map((e: { label: string; value: string }) => `${e.label}: ${e.value}`)).toEqual([
      'Travaux réalisés: Nettoyage du corps de chauffe, contrôle de la combustion.',
      'Marque de l’appareil: Saunier Duval',
      'Numéro de série: SD-2019-44871',
      'Monoxyde de carbone mesuré (ppm): 12',
    ]);
  });

  it('the invitation link opens the booking page with the service, the address and the days around the due date, and books', async () => {
    const code = await bookVisit();
    t.clock.set('2027-03-03T08:45:00Z');
    await complete(code);
    t.clock.set('2028-01-21T08:00:00Z');
    await t.service.worker.runOnce();
    // Without SMTP the message is in the embedded mailbox.
    const [mail] = await t.service.db.query<{ text_body: string }>(`SELECT text_body FROM mailbox WHERE kind = 'maintenance_invitation' AND recipient = $1`, [EMAIL]);
    const link = /https?:\/\/\S+\?entretien=\S+/.exec(mail!.text_body)![0];

    const { page } = await open({ viewport: PHONE });
    await page.goto(link);
    await page.getByRole('status').filter({ hasText: 'Votre prochain entretien « Diagnostic et audit complet » est à prévoir vers le vendredi 3 mars 2028.' }).waitFor();
    expect(await page.getByRole('button', { name: /^Diagnostic et audit complet/ }).getAttribute('aria-pressed')).toBe('true');
    // The calendar opens on the month of the days proposed (from 25 February 2028).
    await page.getByRole('heading', { name: /février 2028/ }).waitFor();
    await expectAccessible(page, 'booking page opened from an invitation (phone)');
    await page.getByRole('button', { name: 'Mois suivant' }).click();
    await page.getByRole('button', { name: /^vendredi 3 mars 2028, \d+ créneaux? libres?/ }).click();
    await page.getByRole('button', { name: 'vendredi 3 mars 2028 à 10:00' }).click();
    await page.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
    expect(await page.getByLabel('Nom et prénom (obligatoire)').inputValue()).toBe('Mme Girard');
    expect(await page.getByLabel('Adresse e-mail (obligatoire)').inputValue()).toBe(EMAIL);
    expect(await page.getByLabel('Rue').inputValue()).toBe(ADDRESS.street);
    expect(await page.getByLabel('Code postal').inputValue()).toBe(ADDRESS.postalCode);
    expect(await page.getByLabel('Ville').inputValue()).toBe(ADDRESS.city);
    expect(await page.getByLabel('Me proposer le prochain entretien').isChecked()).toBe(true);
    await page.getByLabel(/J’accepte les conditions/).check();
    await page.getByRole('button', { name: /^Payer l’acompte/ }).click();
    await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();

    const visits = (await t.request('GET', '/api/admin/due-visits', undefined, admin)).body.dueVisits as { status: string }[];
    expect(visits.map((v) => v.status)).toEqual(['booked']);
  });

  it("the office's list « Entretiens à prévoir » filters by zone and exports the CSV, on a phone and on a desktop", async () => {
    // Two customers: Lyon (69) and Montreuil (93), both done on 3 March 2027.
    const lyon = await bookVisit('10:00');
    const montreuil = await bookVisit('11:00', { name: 'Jean Martin', email: 'jean@example.com', phone: '+33611223344', address: { street: '12 rue des Lilas', postalCode: '93100', city: 'Montreuil' } });
    t.clock.set('2027-03-03T10:30:00Z');
    await complete(lyon);
    await complete(montreuil);

    for (const viewport of [PHONE, DESKTOP]) {
      const page = await signIn(viewport);
      await clickAdminMenu(page, 'Entretiens à prévoir');
      await page.getByRole('heading', { name: 'Entretiens à prévoir', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: /^2 entretiens à prévoir$/ }).waitFor();
      await expectAccessible(page, `due visits (${viewport === PHONE ? 'phone' : 'desktop'})`);

      await page.getByLabel('Zone (début du code postal)').fill('69');
      await page.getByRole('button', { name: 'Filtrer' }).click();
      await page.getByRole('status').filter({ hasText: /^1 entretien à prévoir$/ }).waitFor();
      expect(plain(await page.locator('li.card').first().innerText())).toContain('Diagnostic et audit complet — Mme Girard');
      expect(await page.locator('li.card').count()).toBe(1);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Exporter en CSV' }).click()]);
      expect(download.suggestedFilename()).toBe('entretiens-a-prevoir.csv');
      const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(csv).toHaveLength(2);
      expect(csv[1]).toMatch(/^2028-03-03;À prévoir;Diagnostic et audit complet;Mme Girard;mme\.girard@example\.com;\+33612345678;3 rue des Chaudières;69003;Lyon;/);
      if (viewport === DESKTOP) await screenshot(page, 'admin-due-visits');
    }
  });

  it('in « Prestations », the artisan chooses a service\'s report form (axe)', async () => {
    const page = await signIn(DESKTOP);
    await clickAdminMenu(page, 'Prestations');
    await page.getByRole('heading', { name: 'Prestations', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Modifier « Intervention urgente »' }).click();
    const form = page.locator('li.card', { has: page.getByRole('heading', { name: 'Intervention urgente', level: 2 }) }).locator('form');
    const select = form.getByLabel('Compte rendu d’intervention');
    await select.waitFor();
    expect(await select.inputValue()).toBe('standard');
    await select.selectOption('boiler');
    await expectAccessible(page, 'service form with its report form');
    await form.getByRole('button', { name: 'Enregistrer la prestation' }).click();
    await page.getByText('Prestation enregistrée.').waitFor();
    try {
      const saved = await t.request('GET', '/api/admin/services/urgence/report-form', undefined, admin);
      expect(saved.body.preset).toBe('boiler');
      expect(saved.body.fields.map((f: { label: string }) => f.label)).toContain('Monoxyde de carbone mesuré (ppm)');
    } finally {
      await t.request('PUT', '/api/admin/services/urgence/report-form', { preset: 'standard' }, admin);
    }
  });
});
