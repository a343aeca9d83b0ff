import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { browserSuite, DESKTOP, expectAccessible, screenshot } from './helpers/browser.ts';

/**
 * The booking page of a business that routes by zone (issue 20, item 3): it asks for the
 * intervention's postcode before showing days; a postcode nobody covers gets the business's
 * phone, not an empty calendar; a covered one shows the days, and the booking goes to the
 * technician who covers it. Headless Chromium against the real service, axe on every state.
 * One engine: the API is tested on both by test/api-team-routing.test.ts.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris

describe(`the booking page asks for the postcode in headless Chromium on ${ENGINE}`, () => {
  const { t, open } = browserSuite(ENGINE, START);

  it('postcode first; Marseille gets the phone; Saint-Denis shows the days and books Alice (phone and desktop)', async () => {
    const alice = randomUUID();
    const artisanId = (await t.service.db.query<{ id: string }>('SELECT id FROM artisans'))[0]!.id;
    await t.service.db.query(`UPDATE artisans SET plan = 'business' WHERE id = $1`, [artisanId]);
    await t.service.db.query(
      `INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at, role, name) VALUES ($1, $2, 'alice@plomberie.test', '', now(), now(), 'technician', 'Alice')`,
      [alice, artisanId],
    );
    const routing = await t.request('PUT', `/api/admin/members/${alice}/routing`, { skills: [], zones: [{ kind: 'departement', code: '93' }] }, adminHeaders());
    expect(routing.status, JSON.stringify(routing.body)).toBe(200);

    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      const { page } = await open(viewport ? { viewport } : {});
      await page.goto(`${t.origin}/`);
      await page.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
      const postcode = page.getByLabel('Code postal du lieu d’intervention (obligatoire)');
      await postcode.waitFor();
      // No day before the postcode.
      expect(await page.getByRole('button', { name: /mars 2027, \d+ créneaux? libres?/ }).count()).toBe(0);
      await expectAccessible(page, `postcode asked (${label})`);
      await postcode.fill('13001');
      await page.getByRole('button', { name: 'Voir les disponibilités' }).click();
      await page.getByText(/Nous n'intervenons pas au code postal 13001.*06 12 34 56 78/).waitFor();
      expect(await page.getByRole('button', { name: /mars 2027, \d+ créneaux? libres?/ }).count()).toBe(0);
      await expectAccessible(page, `postcode not covered (${label})`);
      await screenshot(page, `booking-postcode-uncovered-${label}`);
      await postcode.fill('93200');
      await page.getByRole('button', { name: 'Voir les disponibilités' }).click();
      await page.getByRole('button', { name: 'mercredi 10 mars 2027, 17 créneaux libres' }).waitFor();
      await expectAccessible(page, `days of a covered postcode (${label})`);
      if (label === 'phone') continue;

      await page.getByRole('button', { name: 'mercredi 10 mars 2027, 17 créneaux libres' }).click();
      await page.getByRole('button', { name: 'mercredi 10 mars 2027 à 09:00' }).click();
      await page.getByRole('heading', { name: '3. Vos coordonnées' }).waitFor();
      // The address starts with the postcode given.
      expect(await page.getByLabel('Code postal', { exact: true }).inputValue()).toBe('93200');
      await page.getByLabel('Nom et prénom (obligatoire)').fill('Jean Martin');
      await page.getByLabel('Adresse e-mail (obligatoire)').fill('jean@example.com');
      await page.getByLabel('Téléphone', { exact: true }).fill('06 12 34 56 78');
      await page.getByLabel('Rue').fill('1 rue de la République');
      await page.getByLabel('Ville').fill('Saint-Denis');
      await page.getByLabel(/J’accepte les conditions/).check();
      await page.getByRole('button', { name: /réserver/ }).click();
      await page.getByRole('heading', { name: 'Votre rendez-vous est confirmé' }).waitFor();
      await expectAccessible(page, `booked (${label})`);
      const [row] = await t.service.db.query<{ technician_id: string }>(`SELECT technician_id FROM bookings WHERE customer_email = 'jean@example.com'`);
      expect(row!.technician_id).toBe(alice);
    }
  }, 120_000);
});
