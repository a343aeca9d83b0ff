import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, setDemoPassword } from './helpers/admin.ts';
import { bookingBody } from './helpers/service.ts';
import type { Engine } from './helpers/db.ts';
import { DESKTOP, PHONE, browserSuite, clickAdminMenu, expectAccessible, screenshot, signInDemoArtisan } from './helpers/browser.ts';
import { TestSmtp } from './helpers/smtp.ts';

/**
 * The "Équipe" screen (issue 20, Business plan): the owner lists the members and invites a
 * technician by e-mail (a real SMTP server receives the invitation); on Pro the invitation is
 * refused with the plan's French message. axe on phone and desktop.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');

describe(`the team screen in headless Chromium on ${ENGINE}`, () => {
  const smtp = new TestSmtp();
  const env: Record<string, string> = { MAIL_FROM: 'ArtisanConnect <ne-pas-repondre@artisanconnect.test>' };
  // Registered before the suite's own: the service starts with the mail server's address.
  beforeAll(async () => {
    await smtp.start();
    env.SMTP_URL = smtp.url;
  });
  afterAll(() => smtp.stop());
  const { t, open } = browserSuite(ENGINE, START, env);
  beforeAll(async () => {
    await setDemoPassword(t.service.db);
  });

  it('on Pro the invitation is refused in French; on Business the owner invites a technician, listed as invited (phone and desktop, axe)', async () => {
    await t.service.db.query(`UPDATE artisans SET plan = 'pro'`);
    const { page } = await open({ viewport: PHONE });
    await signInDemoArtisan(page, t.origin);
    await clickAdminMenu(page, 'Équipe');
    await page.getByRole('heading', { name: 'Équipe', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Responsable' }).waitFor();
    await expectAccessible(page, 'team screen (phone)');
    await page.getByLabel('Nom', { exact: true }).fill('Paul Tech');
    await page.getByLabel('Adresse e-mail').fill('paul@plomberie.test');
    await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await page.getByText(/offre Business permet d'inviter/).waitFor();

    await t.service.db.query(`UPDATE artisans SET plan = 'business'`);
    const { page: desk } = await open({ viewport: DESKTOP });
    await signInDemoArtisan(desk, t.origin);
    await clickAdminMenu(desk, 'Équipe');
    await desk.getByRole('heading', { name: 'Équipe', level: 1 }).waitFor();
    await desk.getByLabel('Nom', { exact: true }).fill('Paul Tech');
    await desk.getByLabel('Adresse e-mail').fill('paul@plomberie.test');
    await desk.getByLabel('Rôle').selectOption('technician');
    await desk.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await desk.getByText(/Invitation envoyée à paul@plomberie\.test/).waitFor();
    const row = desk.getByRole('row', { name: /Paul Tech/ });
    await row.getByRole('cell', { name: 'Invitation envoyée' }).waitFor();
    expect(await row.getByRole('cell', { name: 'Technicien' }).count()).toBe(1);
    await expectAccessible(desk, 'team screen with an invited member (desktop)');
    await screenshot(desk, 'admin-team-desktop');
    for (let i = 0; i < 100 && smtp.to('paul@plomberie.test').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(smtp.to('paul@plomberie.test')).toHaveLength(1);
    // Paul opens his invitation, chooses a password and signs in on a phone: his own bookings only.
    const token = new URL(/https?:\/\/\S+/.exec(smtp.to('paul@plomberie.test')[0]!.mail.text!)![0]).searchParams.get('token')!;
    expect((await t.request('POST', '/api/admin/password/reset', { token, password: 'mot-de-passe-de-paul' })).status).toBe(204);
    const paulId = (await t.request('GET', '/api/admin/members', undefined, adminHeaders())).body.members.find((m: { email: string }) => m.email === 'paul@plomberie.test').id as string;
    const codes: string[] = [];
    for (const time of ['09:00', '11:00']) {
      const res = await t.request('POST', '/api/admin/bookings', { ...bookingBody('2027-03-10', time), customer: { name: `Client ${time}`, phone: '06 12 34 56 78' }, notifications: { email: false, sms: false } }, adminHeaders());
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      codes.push(res.body.booking.publicCode);
    }
    expect((await t.request('PUT', `/api/admin/bookings/${codes[0]}/assignment`, { technicianId: paulId, teamId: null }, adminHeaders())).status).toBe(204);
    // Paul, the only technician, was given both at creation (routing): the second is taken back.
    expect((await t.request('PUT', `/api/admin/bookings/${codes[1]}/assignment`, { technicianId: null, teamId: null }, adminHeaders())).status).toBe(204);
    const { page: phone } = await open({ viewport: PHONE });
    await phone.goto(`${t.origin}/admin`);
    await phone.getByLabel('Adresse e-mail').fill('paul@plomberie.test');
    await phone.getByLabel('Mot de passe').fill('mot-de-passe-de-paul');
    await phone.getByRole('button', { name: 'Se connecter' }).click();
    await phone.getByRole('heading', { name: 'Réservations', level: 1 }).waitFor();
    await phone.getByText(codes[0]!).first().waitFor();
    expect(await phone.getByText(codes[1]!).count()).toBe(0);
    const nav = phone.getByRole('navigation', { name: 'Espace artisan' });
    await nav.getByRole('button', { name: 'Menu' }).click();
    expect((await nav.getByRole('link').allInnerTexts()).map((x) => x.trim())).toEqual(['Réservations']);
    await expectAccessible(phone, 'a technician’s bookings (phone)');
    await screenshot(phone, 'admin-technician-phone');

    // Deactivating by keyboard: the row says so, the member stays listed.
    await row.getByRole('button', { name: 'Désactiver Paul Tech' }).focus();
    await desk.keyboard.press('Enter');
    await row.getByRole('cell', { name: 'Désactivé' }).waitFor();
  }, 120_000);
});
