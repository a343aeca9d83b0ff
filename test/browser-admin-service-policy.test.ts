import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminHeaders, setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, expectAccessible, plain, signInDemoArtisan, clickAdminMenu } from './helpers/browser.ts';

/**
 * A service's refund policy in the back office's service form (issue 17): the form shows the
 * policy the service has, whatever its tiers, keeps it when something else is edited, says
 * when the service follows the default policy, and lets the artisan edit tiers or switch
 * between the default and a policy of its own. Read back through the API. One engine: the API
 * itself runs on every engine in api-admin-services.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const THREE_TIERS = {
  tiers: [
    { minHoursBefore: 72, refundRate: 1 },
    { minHoursBefore: 24, refundRate: 0.3 },
    { minHoursBefore: 6, refundRate: 0.1 },
  ],
};

describe(`the service form's refund policy in headless Chromium on ${ENGINE}`, () => {
  const { t, open } = browserSuite(ENGINE, START);
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  const admin = (method: 'GET' | 'PATCH', url: string, body?: unknown) => t.request(method, `/api/admin${url}`, body, adminHeaders());
  // The demo's services, as seeded (each test renames or changes some).
  beforeEach(async () => {
    for (const [id, name] of [['diag', 'Diagnostic et audit complet'], ['urgence', 'Intervention urgente'], ['entretien-chaudiere', 'Entretien de chaudière']]) {
      expect((await admin('PATCH', `/services/${id}`, { name, refundPolicy: null })).status).toBe(200);
    }
  });
  const policyOf = async (id: string) => {
    const res = await admin('GET', `/services/${id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.service as { name: string; refundPolicy: unknown };
  };
  /** Signs in, opens Prestations and the edit form of the service named `name`; returns the form. */
  const editForm = async (name: string, viewport = PHONE) => {
    const { page } = await open({ viewport });
    await signInDemoArtisan(page, t.origin);
    await clickAdminMenu(page, 'Prestations');
    await page.getByRole('heading', { name: 'Prestations', level: 1 }).waitFor();
    await page.getByRole('button', { name: `Modifier « ${name} »` }).click();
    const form = page.locator('li.card', { has: page.getByRole('heading', { name, level: 2 }) }).locator('form');
    await form.waitFor();
    return { page, form };
  };
  const save = async (page: Page, form: ReturnType<Page['locator']>) => {
    await form.getByRole('button', { name: 'Enregistrer la prestation' }).click();
    await page.getByText('Prestation enregistrée.').waitFor();
  };
  const values = (form: ReturnType<Page['locator']>, i: number) =>
    Promise.all([form.getByLabel(`Palier ${i} : heures avant le début`).inputValue(), form.getByLabel(`Palier ${i} : part remboursée (%)`).inputValue()]);

  it('a three-tier policy set through the API is shown, and kept when only the name is edited', async () => {
    const set = await admin('PATCH', '/services/urgence', { refundPolicy: THREE_TIERS });
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    const { page, form } = await editForm('Intervention urgente');
    expect(await form.getByRole('radio', { name: 'Politique propre à cette prestation' }).isChecked()).toBe(true);
    expect(await form.getByRole('radio', { name: /^Politique par défaut/ }).isChecked()).toBe(false);
    expect(await values(form, 1)).toEqual(['72', '100']);
    expect(await values(form, 2)).toEqual(['24', '30']);
    expect(await values(form, 3)).toEqual(['6', '10']);
    expect(await form.getByLabel('Palier 4 : heures avant le début').count()).toBe(0);

    await form.getByLabel('Nom').fill('Dépannage urgent');
    await save(page, form);

    const after = await policyOf('urgence');
    expect(after.name).toBe('Dépannage urgent');
    expect(after.refundPolicy).toEqual(THREE_TIERS);
  });

  it('a service on the default policy says so and stays on it when only the name is edited', async () => {
    expect((await policyOf('diag')).refundPolicy).toBeNull();

    const { page, form } = await editForm('Diagnostic et audit complet');
    expect(await form.getByRole('radio', { name: /^Politique par défaut/ }).isChecked()).toBe(true);
    // The default's terms, in words, and no tier to edit while it applies.
    expect(plain(await form.getByRole('group', { name: 'Remboursement de l’acompte si le client annule' }).innerText())).toContain(
      '100 % remboursés si le client annule au moins 48 h avant, 50 % au moins 24 h avant ; plus tard, l’acompte est conservé.',
    );
    expect(await form.getByLabel('Palier 1 : heures avant le début').count()).toBe(0);

    await form.getByLabel('Nom').fill('Diagnostic complet');
    await save(page, form);

    const after = await policyOf('diag');
    expect(after.name).toBe('Diagnostic complet');
    expect(after.refundPolicy).toBeNull();
  });

  it('tiers are edited, added and removed, and the service goes back to the default policy', async () => {
    const { page, form } = await editForm('Entretien de chaudière');
    await form.getByRole('radio', { name: 'Politique propre à cette prestation' }).check();
    // Its own policy starts from the default's tiers.
    expect(await values(form, 1)).toEqual(['48', '100']);
    expect(await values(form, 2)).toEqual(['24', '50']);

    await form.getByLabel('Palier 2 : part remboursée (%)').fill('40');
    await form.getByRole('button', { name: 'Ajouter un palier' }).click();
    await form.getByLabel('Palier 3 : heures avant le début').fill('2,5');
    await form.getByLabel('Palier 3 : part remboursée (%)').fill('12,5');
    await form.getByRole('button', { name: 'Retirer le palier 1' }).click();
    expect(await values(form, 1)).toEqual(['24', '40']);
    await save(page, form);
    expect((await policyOf('entretien-chaudiere')).refundPolicy).toEqual({
      tiers: [
        { minHoursBefore: 24, refundRate: 0.4 },
        { minHoursBefore: 2.5, refundRate: 0.125 },
      ],
    });

    // A tier the API refuses is named next to its field, and nothing is saved.
    await page.getByRole('button', { name: 'Modifier « Entretien de chaudière »' }).click();
    await form.getByLabel('Palier 2 : part remboursée (%)').fill('60');
    await form.getByRole('button', { name: 'Enregistrer la prestation' }).click();
    await form.getByText("Une annulation 2.5 h avant ne peut pas être mieux remboursée qu'une annulation 24 h avant.").waitFor();
    expect(await form.getByLabel('Palier 2 : part remboursée (%)').getAttribute('aria-invalid')).toBe('true');
    expect((await policyOf('entretien-chaudiere')).refundPolicy).toEqual({ tiers: [{ minHoursBefore: 24, refundRate: 0.4 }, { minHoursBefore: 2.5, refundRate: 0.125 }] });

    await form.getByRole('radio', { name: /^Politique par défaut/ }).check();
    await save(page, form);
    expect((await policyOf('entretien-chaudiere')).refundPolicy).toBeNull();
  });

  it('the form passes axe on phone and desktop, on the default policy and with tiers shown', async () => {
    expect((await admin('PATCH', '/services/urgence', { refundPolicy: THREE_TIERS })).status).toBe(200);
    for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const own = await editForm('Intervention urgente', viewport);
      await expectAccessible(own.page, `service form with its own three tiers (${label})`);
      await own.page.getByRole('button', { name: 'Modifier « Diagnostic et audit complet »' }).click();
      const other = own.page.locator('li.card', { has: own.page.getByRole('heading', { name: 'Diagnostic et audit complet', level: 2 }) }).locator('form');
      await other.getByRole('radio', { name: /^Politique par défaut/ }).waitFor();
      await expectAccessible(own.page, `service forms, one on the default policy (${label})`);
    }
  });
  it('a service’s minimum notice: shown as the service has it, kept when the name is edited, changed to 48 h or back to the business’s', async () => {
    expect((await admin('PATCH', '/services/urgence', { minNoticeMinutes: 60 })).status).toBe(200);
    const { page, form } = await editForm('Intervention urgente');
    const notice = form.getByLabel('Délai minimum avant le rendez-vous');
    expect(await notice.inputValue()).toBe('60');
    await form.getByLabel('Nom').fill('Urgence plomberie');
    await save(page, form);
    expect(((await admin('GET', '/services/urgence')).body.service as { minNoticeMinutes: number }).minNoticeMinutes).toBe(60);

    await page.getByRole('button', { name: 'Modifier « Urgence plomberie »' }).click();
    const again = page.locator('li.card', { has: page.getByRole('heading', { name: 'Urgence plomberie', level: 2 }) }).locator('form');
    await again.getByLabel('Délai minimum avant le rendez-vous').selectOption({ label: '48 h (une installation)' });
    await expectAccessible(page, 'service form with its notice');
    await save(page, again);
    // The first save's confirmation may still be shown: wait for the record itself.
    await expect.poll(async () => (await admin('GET', '/services/urgence')).body.service.minNoticeMinutes).toBe(2880);

    await page.getByRole('button', { name: 'Modifier « Urgence plomberie »' }).click();
    const third = page.locator('li.card', { has: page.getByRole('heading', { name: 'Urgence plomberie', level: 2 }) }).locator('form');
    await third.getByLabel('Délai minimum avant le rendez-vous').selectOption({ label: 'Celui de l’entreprise (réglages)' });
    await save(page, third);
    await expect.poll(async () => (await admin('GET', '/services/urgence')).body.service.minNoticeMinutes).toBeNull();
    expect((await admin('PATCH', '/services/urgence', { minNoticeMinutes: 60 })).status).toBe(200);
  });

  it('« Intervention chez le client »: shown as the service has it, ticked for the diagnostic and saved; axe on phone and desktop', async () => {
    try {
      for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
        const { page, form } = await editForm('Entretien de chaudière', viewport);
        expect(await form.getByLabel('Intervention chez le client').isChecked()).toBe(true);
        await expectAccessible(page, `service form of a visit at home (${label})`);
      }
      const { page, form } = await editForm('Diagnostic et audit complet');
      const home = form.getByLabel('Intervention chez le client');
      expect(await home.isChecked()).toBe(false);
      await home.check();
      await save(page, form);
      await expect.poll(async () => (await admin('GET', '/services/diag')).body.service.atCustomer).toBe(true);
      expect((await t.request('GET', '/api/services')).body.services.find((s: { id: string }) => s.id === 'diag').atCustomer).toBe(true);
    } finally {
      expect((await admin('PATCH', '/services/diag', { atCustomer: false })).status).toBe(200);
    }
  });
});
