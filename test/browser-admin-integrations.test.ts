import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDemoPassword } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, clickAdminMenu, expectAccessible, screenshot, signInDemoArtisan } from './helpers/browser.ts';
import { TEST_RECEIVERS, drainWebhooks, startReceiver, verifies, type Receiver } from './helpers/webhook-receiver.ts';

/**
 * The « Intégrations » screen (issue 21): the artisan adds a webhook endpoint (the secret shown
 * once), sends the test event, sees its delivery, replays it; the receiver, started by the test
 * on the loopback, checks every signature with `standardwebhooks`. axe on phone and desktop.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');

describe(`the integrations screen in headless Chromium on ${ENGINE}`, () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  const { t, open } = browserSuite(ENGINE, START, {}, { webhookTestReceivers: TEST_RECEIVERS });
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  it('adds an endpoint, shows the secret once, sends the test event, lists its delivery and replays it (phone and desktop, axe)', async () => {
    const { page } = await open({ viewport: DESKTOP });
    await signInDemoArtisan(page, t.origin);
    await clickAdminMenu(page, 'Intégrations');
    await page.getByRole('heading', { name: 'Intégrations', level: 1 }).waitFor();
    await page.getByText('Aucune adresse pour l’instant.').waitFor();
    await expectAccessible(page, 'integrations screen, empty (desktop)');

    await page.getByLabel('Adresse (https://…)').fill(receiver.url());
    await page.getByLabel('Nom (pour vous y retrouver)').fill('Mon Zapier');
    await page.getByRole('checkbox', { name: /Réservation annulée/ }).uncheck();
    await page.getByRole('button', { name: 'Ajouter l’adresse' }).click();
    await page.getByText('Adresse ajoutée.').waitFor();
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Mon Zapier' }) });
    await card.getByText(/Événements : Nouvelle réservation, Réservation déplacée$/).waitFor();
    await page.getByRole('button', { name: 'J’ai copié le secret' }).click();
    expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0);

    await card.getByRole('button', { name: 'Envoyer un événement de test à « Mon Zapier »' }).click();
    await page.getByText(/Événement de test envoyé à « Mon Zapier »/).waitFor();
    const deliveries = page.getByRole('region', { name: 'Envois à « Mon Zapier »' });
    await deliveries.getByRole('cell', { name: 'En attente' }).waitFor();
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.json.type).toBe('webhook.test');
    expect(verifies(secret, receiver.received[0]!)).toBe(true);

    // Shown again: delivered, with the receiver's answer.
    await card.getByRole('button', { name: 'Masquer les envois' }).click();
    await card.getByRole('button', { name: 'Voir les envois' }).click();
    const row = deliveries.getByRole('row', { name: /Événement de test/ });
    await row.getByRole('cell', { name: 'Remis (1 essai)' }).waitFor();
    await row.getByRole('cell', { name: 'HTTP 200' }).waitFor();
    await expectAccessible(page, 'integrations screen with a delivery (desktop)');
    await screenshot(page, 'admin-integrations-desktop');

    await row.getByRole('button', { name: /^Renvoyer « Événement de test »/ }).click();
    await page.getByText('Envoi relancé : il part dans quelques secondes.').waitFor();
    await drainWebhooks(t);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
    expect(verifies(secret, receiver.received[1]!)).toBe(true);

    // On a phone: the same screen, the endpoint listed, axe clean; turned off from there.
    const { page: phone } = await open({ viewport: PHONE });
    await signInDemoArtisan(phone, t.origin);
    await clickAdminMenu(phone, 'Intégrations');
    await phone.getByRole('heading', { name: 'Mon Zapier' }).waitFor();
    await phone.getByRole('button', { name: 'Voir les envois' }).click();
    await phone.getByRole('cell', { name: 'Remis (1 essai)' }).waitFor();
    await expectAccessible(phone, 'integrations screen with a delivery (phone)');
    await phone.getByRole('button', { name: 'Désactiver « Mon Zapier »' }).click();
    await phone.getByText('« Mon Zapier » est désactivée : plus rien ne lui est envoyé.').waitFor();
    expect(await phone.getByRole('button', { name: /Envoyer un événement de test/ }).count()).toBe(0);
    await screenshot(phone, 'admin-integrations-phone');
  }, 120_000);
});
