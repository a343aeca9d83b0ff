import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, adminHeaders, loginAsArtisan, setDemoPassword } from './helpers/admin.ts';
import { resetBookings, type Engine } from './helpers/db.ts';
import { DESKTOP, clickAdminMenu, expectAccessible, launchBrowser, openGuardedPage, plain, screenshot, signInDemoArtisan, startBrowserService, type GuardedPage } from './helpers/browser.ts';
import { REPO_ROOT } from './helpers/process.ts';
import { bookingBody, type TestService } from './helpers/service.ts';
import { manageLinkIn } from './helpers/smtp.ts';
import { filesOf, rowsOf } from './helpers/archive.ts';

/**
 * The artisan's back office (/admin) in Debian's headless Chromium against the real service
 * over HTTP, signed in as the demo artisan (Marc Dupont, Paris, Monday–Friday 08:30–18:00 with
 * a 12:00–13:00 break). Server clock: Monday 2027-03-01 08:00 in Paris; the browser sits in
 * New York (times must stay the artisan's). One engine: the API is tested on every engine by
 * the api-* suites.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z');
const NBSP = '\u00a0';

describe(`the back office in headless Chromium on ${ENGINE}`, () => {
  let t: TestService & { origin: string };
  let browser: Browser;
  let open: GuardedPage | undefined;

  beforeAll(async () => {
    t = await startBrowserService(ENGINE);
    await setDemoPassword(t.service.db);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await open?.close();
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    if (open) {
      open.assertClean();
      await open.close();
      open = undefined;
    }
    t.clock.ms = START;
    await resetBookings(t.service.db);
  });

  const signIn = async (viewport?: { width: number; height: number }): Promise<Page> => {
    open = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
    const { page } = open;
    await signInDemoArtisan(page, t.origin);
    return page;
  };
  /** Headers of a session of the demo artisan made outside the browser (token management is for sessions). */
  const sessionHeaders = async (): Promise<Record<string, string>> => {
    const { cookie, csrf } = await loginAsArtisan(t);
    return { cookie, 'x-csrf-token': csrf };
  };
  const go = async (page: Page, link: string, heading: string) => {
    await clickAdminMenu(page, link);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  /** The customer's booking page, in a browser of its own (no back office session), the diagnostic picked. */
  const bookingPage = async (): Promise<GuardedPage> => {
    const customer = await openGuardedPage(browser, t.origin);
    await customer.page.goto(`${t.origin}/`);
    await customer.page.getByRole('heading', { name: 'Marc Dupont - Plomberie', level: 1 }).waitFor();
    await customer.page.getByRole('button', { name: /^Diagnostic et audit complet/ }).click();
    return customer;
  };
  /** The times the booking page lists for a day (`date` in words and YYYY-MM-DD) once the customer picks it in the month calendar. */
  const offeredTimes = async (page: Page, day: string, date: string): Promise<string[]> => {
    // The list of the day before stays until that day's answer is in: wait for it.
    const answered = page.waitForResponse((r) => r.url().includes('/api/availability?') && r.url().includes(`date=${date}`));
    await page.getByRole('button', { name: new RegExp(`^${day}, \\d+ créneaux? libres?$`) }).click();
    await answered;
    const group = page.getByRole('group', { name: `Créneaux libres le ${day}` });
    await group.waitFor();
    return (await group.getByRole('button').allInnerTexts()).map(plain);
  };
  /** Every start of the 30-minute diagnostic in an opening from `from` to `to` (HH:MM), on the half hour. */
  const halfHours = (from: string, to: string): string[] => {
    const minutes = (v: string) => Number(v.slice(0, 2)) * 60 + Number(v.slice(3));
    const out: string[] = [];
    for (let m = minutes(from); m + 30 <= minutes(to); m += 30) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    return out;
  };
  const drain = async () => {
    while ((await t.service.worker.runOnce()) > 0);
  };
  /** Presses Tab until the focused element has this accessible label (keyboard only). */
  const tabTo = async (page: Page, label: string, max = 150) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.getAttribute('aria-label') ?? el?.innerText ?? '';
      });
      if (plain(focused) === label) return;
    }
    throw new Error(`"${label}" never got the keyboard focus`);
  };

  it('a wrong password is refused; signed in, a write without the CSRF token is refused; sign-out ends the session', async () => {
    open = await openGuardedPage(browser, t.origin);
    const { page } = open;
    await page.goto(`${t.origin}/admin`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await expectAccessible(page, 'sign-in (phone)');
    await page.getByLabel('Adresse e-mail').fill(DEMO_ARTISAN_EMAIL);
    await page.getByLabel('Mot de passe').fill('pas-le-bon-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(plain(await page.getByRole('alert').innerText())).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(await page.getByRole('navigation', { name: 'Espace artisan' }).count()).toBe(0);

    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    // On a phone, who is signed in is said in the menu.
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(plain(await page.locator('header').innerText())).toContain(`Marc Dupont - Plomberie (${DEMO_ARTISAN_EMAIL})`);
    await page.getByRole('button', { name: 'Menu' }).click();

    // The session cookie alone is not enough to write: the page's own requests carry the token.
    const forged = await page.evaluate(async () => {
      const res = await fetch('/api/admin/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sans jeton' }) });
      return { status: res.status, body: await res.json() };
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_REJECTED');
    expect(await t.service.db.query(`SELECT 1 FROM api_tokens WHERE name = 'sans jeton'`)).toEqual([]);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/admin/me')).status)).toBe(401);
  });

  it("closes a day: the customer's booking page stops offering it", async () => {
    // Wednesday 10 March: 08:30–12:00 and 13:00–18:00, 7 + 10 half-hour starts for the 30-minute diagnostic.
    const before = await bookingPage();
    await before.page.getByRole('button', { name: 'mercredi 10 mars 2027, 17 créneaux libres' }).waitFor();
    before.assertClean();
    await before.close();

    const page = await signIn();
    await go(page, 'Horaires', 'Horaires et règles de réservation');
    await page.getByLabel('Date', { exact: true }).fill('2027-03-10');
    await page.getByRole('button', { name: 'Ajouter l’exception' }).click();
    // No booking that day: the closing flow saves it at once (test/browser-admin-closures.test.ts: with one).
    await page.getByRole('status').filter({ hasText: 'Fermeture du mercredi 10 mars 2027 enregistrée.' }).waitFor();
    await page.getByText('mercredi 10 mars 2027 : fermé').waitFor();

    const after = await bookingPage();
    try {
      const closed = after.page.getByRole('button', { name: 'mercredi 10 mars 2027, aucun créneau libre' });
      await closed.waitFor();
      expect(await closed.isDisabled()).toBe(true);
      // The days around it are still offered, with all their slots.
      expect(await after.page.getByRole('button', { name: 'mardi 9 mars 2027, 17 créneaux libres' }).isEnabled()).toBe(true);
      expect(await offeredTimes(after.page, 'jeudi 11 mars 2027', '2027-03-11')).toEqual([...halfHours('08:30', '12:00'), ...halfHours('13:00', '18:00')]);
      after.assertClean();
    } finally {
      await after.close();
    }
  });

  it("changes the hours with the keyboard only, and the slots the customer's booking page lists follow", async () => {
    const demo = (await t.request('GET', '/api/admin/artisan', undefined, adminHeaders())).body.artisan as Record<'openingRules' | 'breakRules', { dayOfWeek: number; startMinutes: number; endMinutes: number }[]>;
    const rules = (list: typeof demo.openingRules) => list.map(({ dayOfWeek, startMinutes, endMinutes }) => ({ dayOfWeek, startMinutes, endMinutes }));
    try {
      const before = await bookingPage();
      expect(await offeredTimes(before.page, 'mercredi 3 mars 2027', '2027-03-03')).toEqual([...halfHours('08:30', '12:00'), ...halfHours('13:00', '18:00')]);
      before.assertClean();
      await before.close();

      // Wednesday now opens at 10:00 and closes at 16:00 (the 12:00–13:00 break stays).
      // From the sign-in on, only the keyboard: Tab to the menu button (a phone), open it, Tab to the entry, Enter, Tab to the fields.
      const page = await signIn();
      await tabTo(page, 'Menu');
      await page.keyboard.press('Enter');
      expect(await page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded')).toBe('true');
      await tabTo(page, 'Horaires');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Horaires et règles de réservation', level: 1 }).waitFor();
      await tabTo(page, 'mercredi, ouverture 1 : début');
      await page.keyboard.type('1000');
      await tabTo(page, 'mercredi, ouverture 1 : fin');
      await page.keyboard.type('1600');
      await tabTo(page, 'Enregistrer les horaires');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Horaires enregistrés' }).waitFor();

      const after = await bookingPage();
      try {
        expect(await offeredTimes(after.page, 'mercredi 3 mars 2027', '2027-03-03')).toEqual([...halfHours('10:00', '12:00'), ...halfHours('13:00', '16:00')]);
        // The next Wednesday follows too; Thursday keeps its hours.
        expect(await offeredTimes(after.page, 'mercredi 10 mars 2027', '2027-03-10')).toEqual([...halfHours('10:00', '12:00'), ...halfHours('13:00', '16:00')]);
        expect(await offeredTimes(after.page, 'jeudi 4 mars 2027', '2027-03-04')).toEqual([...halfHours('08:30', '12:00'), ...halfHours('13:00', '18:00')]);
        after.assertClean();
      } finally {
        await after.close();
      }
    } finally {
      // Back to the demo hours for the other tests.
      const restored = await t.request('PATCH', '/api/admin/artisan', { openingRules: rules(demo.openingRules), breakRules: rules(demo.breakRules) }, adminHeaders());
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    }
  });

  it('adds a phone booking; it appears in the agenda, which is usable with the keyboard', async () => {
    const page = await signIn();
    await go(page, 'Réservation par téléphone', 'Réservation prise par téléphone');
    await page.getByLabel('Prestation').selectOption('diag');
    await page.getByLabel('Jour', { exact: true }).fill('2027-03-03');
    await page.getByRole('button', { name: `9${NBSP}h${NBSP}30`, exact: true }).click();
    await page.getByLabel('Nom', { exact: true }).fill('Mme Roux');
    await page.getByLabel('E-mail (facultatif)').fill('roux@example.fr');
    await page.getByLabel('Téléphone', { exact: true }).fill('06 11 22 33 44');
    await page.getByRole('button', { name: /Enregistrer le rendez-vous du mercredi 3 mars 2027/ }).click();
    await page.getByRole('heading', { name: /Réservation AC-[A-Z0-9]{6} — Confirmée/ }).waitFor();
    expect(plain(await page.locator('main').innerText())).toContain('par téléphone (par vous)');

    // Keyboard only from here: the menu (a phone: its button first), the week heading (← / →), the booking's link.
    await tabTo(page, 'Menu');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Agenda');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
    const line = page.getByRole('link', { name: /9 h 30 Diagnostic et audit complet — Mme Roux/ });
    await line.waitFor();
    expect(plain(await line.innerText())).toContain('téléphone');
    await tabTo(page, 'Semaine du lundi 1er mars 2027');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'Semaine du lundi 8 mars 2027' }).waitFor();
    expect(await line.count()).toBe(0);
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('heading', { name: 'Semaine du lundi 1er mars 2027' }).waitFor();
    await tabTo(page, plain(await line.innerText()));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Réservation AC-/ }).waitFor();
  });

  it("cancels a booking with the refund shown first; the customer's manage page shows it cancelled and refunded", async () => {
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(created.status).toBe(201);
    const code = created.body.booking.publicCode as string;
    await drain();
    const mail = (await t.request('GET', `/api/admin/messages?bookingCode=${code}&channel=email`, undefined, adminHeaders())).body.messages.find(
      (m: { recipientKind: string }) => m.recipientKind === 'customer',
    );
    const link = manageLinkIn(mail.text);

    const page = await signIn();
    await go(page, 'Réservations', 'Réservations');
    await page.getByRole('link', { name: /mercredi 10 mars 2027 à 9 h/ }).click();
    await page.getByRole('heading', { name: `Réservation ${code} — Confirmée` }).waitFor();
    const main = plain(await page.locator('main').innerText());
    expect(main).toMatch(/Acompte 12,00 € \((réservé sur la carte, encaissé au début du rendez-vous|encaissé)\)/);
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    // The form asks who cancels; the artisan's own cancellation (the default) refunds in full.
    const who = page.getByRole('group', { name: 'Qui annule ?' });
    expect(await who.getByRole('radio', { name: 'Vous annulez : l’acompte de 12,00 € est intégralement remboursé.' }).isChecked()).toBe(true);
    await page.getByLabel('Motif (facultatif, transmis au client)').fill('Empêchement');
    await page.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.getByRole('heading', { name: `Réservation ${code} — Annulée` }).waitFor();
    expect(plain(await page.getByRole('status').first().innerText())).toBe('Rendez-vous annulé. Remboursement au client : 12,00 €.');
    expect(plain(await page.locator('.history').innerText())).toContain('Réservation annulée, par vous (motif : Empêchement)');

    // The refund is settled by the worker; then the customer opens the link of their e-mail.
    await drain();
    const customer = await openGuardedPage(browser, t.origin);
    try {
      await customer.page.goto(link);
      await customer.page.locator('#status', { hasText: 'Annulé' }).waitFor();
      expect(plain(await customer.page.locator('#deposit').innerText())).toBe('12,00 € (remboursé)');
      // Nothing left to cancel or move.
      expect(await customer.page.getByRole('button', { name: /Annuler|Déplacer/ }).count()).toBe(0);
      customer.assertClean();
    } finally {
      await customer.close();
    }
  });

  it('retries a dead message from the Messages screen', async () => {
    const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '10:00'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const code = created.body.booking.publicCode as string;
    const killed = await t.service.db.query(
      `UPDATE outbox SET status = 'dead', attempts = max_attempts, last_error = 'SMTP indisponible', created_at = '2027-03-01T07:00:00Z' WHERE topic = 'notify.booking_confirmed' RETURNING id`,
    );
    expect(killed).toHaveLength(1);
    const page = await signIn();
    await go(page, 'Messages', 'Messages');
    await page.getByText('Dernière erreur : SMTP indisponible').waitFor();
    // Asked for on 1 March at 07:00 UTC: 08:00 in Paris, the artisan's zone (the browser is in New York).
    expect(plain(await page.locator('li', { hasText: 'Dernière erreur : SMTP indisponible' }).innerText())).toMatch(/ essais — demandé le 01\/03\/2027 08:00 /);
    await page.getByRole('button', { name: `Réessayer (Confirmation ${code})` }).click();
    await page.getByRole('status').filter({ hasText: 'Message relancé' }).waitFor();
    await page.getByText('Aucun message en échec.').waitFor();
    const rows = await t.service.db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'notify.booking_confirmed'`);
    expect(rows).toEqual([{ status: 'pending' }]);
    await drain();
    await page.reload();
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    // The retried confirmation went out: the mailbox lists it, to the customer.
    await page.getByText(/^E-mail à jean@example\.com — .*confirm/i).waitFor();
    const sent = await t.request('GET', `/api/admin/messages?bookingCode=${code}`, undefined, adminHeaders());
    expect(sent.body.messages.some((m: { recipientKind: string }) => m.recipientKind === 'customer')).toBe(true);
  });

  it("an artisan in Martinique sees every instant in Martinique's time, neither Paris's nor the browser's", async () => {
    // Martinique is UTC−4 all year; Paris is UTC+1 and the browser's New York UTC−5 in early March.
    const moved = await t.request('PATCH', '/api/admin/artisan', { timezone: 'America/Martinique' }, adminHeaders());
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    try {
      // Booked (and its terms accepted) on 1 March at 07:00 UTC: 03:00 in Martinique.
      const { version } = (await t.request('GET', '/api/artisan')).body.artisan.terms;
      const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00', { consent: { termsVersion: version } }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const code = created.body.booking.publicCode as string;
      await t.service.db.query(`UPDATE booking_events SET created_at = '2027-03-01T07:00:00Z'`);
      // The confirmation goes out at 08:30 UTC (04:30 there); an API token made at 07:00 UTC is used at 09:15 UTC (05:15 there).
      const token = await t.request('POST', '/api/admin/tokens', { name: 'Comptabilité', scopes: ['bookings:read', 'export'] }, await sessionHeaders());
      expect(token.status).toBe(201);
      t.clock.ms = Date.parse('2027-03-01T08:30:00Z');
      await drain();
      await t.service.db.query(`UPDATE mailbox SET created_at = '2027-03-01T08:30:00Z'`);
      t.clock.ms = Date.parse('2027-03-01T09:15:00Z');
      expect((await t.request('GET', '/api/admin/me', undefined, { authorization: `Bearer ${token.body.token}` })).status).toBe(200);
      // Days off from 15 to 19 March inclusive, Martinique days.
      const off = await t.request('POST', '/api/admin/busy-blocks', { startDateTime: '2027-03-15T00:00:00-04:00', endDateTime: '2027-03-20T00:00:00-04:00', summary: 'Congés' }, adminHeaders());
      expect(off.status, JSON.stringify(off.body)).toBe(201);

      const page = await signIn();
      await page.goto(`${t.origin}/admin/reservations/${code}`);
      await page.getByRole('heading', { name: `Réservation ${code} — Confirmée` }).waitFor();
      expect(plain(await page.locator('main').innerText())).toContain('mercredi 10 mars 2027 à 9 h');
      const history = (await page.locator('.history li').allInnerTexts()).map(plain);
      expect(history.length).toBeGreaterThan(0);
      for (const line of history) expect(line).toMatch(/^01\/03\/2027 03:00 — /);
      expect(plain(await page.locator('.facts').nth(1).innerText())).toContain('Conditions d’annulation et de vente acceptées le 01/03/2027 03:00');

      await go(page, 'Messages', 'Messages');
      const mail = page.getByText(/^E-mail à jean@example\.com — /);
      await mail.waitFor();
      expect(plain(await mail.innerText())).toMatch(/\(01\/03\/2027 04:30\)$/);

      await go(page, 'Compte', 'Compte');
      const line = page.locator('li', { hasText: 'Comptabilité' });
      await line.waitFor();
      expect(plain(await line.innerText())).toContain('actif — créé le 01/03/2027 03:00 — dernière utilisation le 01/03/2027 05:15');
      expect(plain(await line.innerText())).toContain('Droits : Lire les réservations, Export des données d’un client');

      await go(page, 'Congés', 'Congés et indisponibilités');
      const block = page.locator('li', { hasText: 'Congés :' });
      await block.waitFor();
      expect(plain(await block.innerText())).toContain('Congés : du lundi 15 mars au vendredi 19 mars');
    } finally {
      await t.service.db.query(`DELETE FROM api_tokens WHERE name = 'Comptabilité'`);
      const back = await t.request('PATCH', '/api/admin/artisan', { timezone: 'Europe/Paris' }, adminHeaders());
      expect(back.status, JSON.stringify(back.body)).toBe(200);
    }
  });

  it('creates an API token with the rights ticked in the account screen; the list shows them; the token can do that and no more', async () => {
    const page = await signIn();
    await go(page, 'Compte', 'Compte');
    await page.getByLabel('Nom du jeton').fill('Agenda Google');
    const rights = page.getByRole('group', { name: 'Ce que le jeton pourra faire' });
    // Least privilege by default: only reading the bookings is ticked.
    expect(await rights.getByRole('checkbox', { checked: true }).count()).toBe(1);
    await rights.getByRole('checkbox', { name: 'Lire les réservations' }).uncheck();
    await page.getByRole('button', { name: 'Créer un jeton' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choisissez au moins un droit' }).waitFor();
    await rights.getByRole('checkbox', { name: 'Calendriers' }).check();
    await page.getByRole('button', { name: 'Créer un jeton' }).click();
    const shown = page.getByRole('status').filter({ hasText: 'Jeton créé' });
    await shown.waitFor();
    const token = (await shown.locator('code').innerText()).trim();
    const line = page.locator('li', { hasText: 'Agenda Google' });
    await line.waitFor();
    expect(plain(await line.innerText())).toContain('Droits : Calendriers');
    expect(plain(await line.innerText())).toContain('jamais utilisé');
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.request('GET', '/api/admin/calendars', undefined, bearer)).status).toBe(200);
    const refused = await t.request('GET', '/api/admin/bookings', undefined, bearer);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TOKEN_SCOPE_MISSING');
    await t.service.db.query(`DELETE FROM api_tokens WHERE name = 'Agenda Google'`);
  });

  it('« Exporter mes données » in the account screen downloads the business’s own archive', async () => {
    const page = await signIn();
    await go(page, 'Compte', 'Compte');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Exporter mes données' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^artisanconnect-export-.+-\d{8}T\d{6}Z\.tar\.gz$/);
    const files = await filesOf(readFileSync((await download.path())!));
    const manifest = JSON.parse(files.get('manifest.json')!);
    expect(manifest).toMatchObject({ formatVersion: 1, format: 'ndjson' });
    expect(rowsOf(files.get('tables/admin_users.ndjson')).map((u) => u.email)).toEqual([DEMO_ARTISAN_EMAIL]);
    expect(files.get('tables/admin_users.ndjson')).not.toContain('password_hash');
  });

  it('the terms of sale typed in the account screen are the ones the booking page serves', async () => {
    const page = await signIn();
    await go(page, 'Compte', 'Compte');
    await page.getByLabel('Texte affiché sur la page de réservation, accepté par le client').fill('Acompte non remboursable moins de 24 h avant.');
    await page.getByRole('button', { name: 'Enregistrer les conditions de vente' }).click();
    await page.getByRole('status').filter({ hasText: 'Conditions de vente enregistrées' }).waitFor();
    const pub = await t.request('GET', '/api/artisan');
    expect(pub.body.artisan.terms.text).toBe('Acompte non remboursable moins de 24 h avant.');
    await t.service.db.query(`UPDATE artisans SET terms_of_sale = NULL`).catch(() => undefined);
  });

  it('switches the deposit to "authorise, capture at the start" from the Paiements screen; the next booking is only authorised', async () => {
    // Before: the default strategy takes the deposit at booking.
    const before = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00'));
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    expect(before.body.booking.deposit.paymentStatus).toBe('captured');
    const page = await signIn();
    await go(page, 'Paiements', 'Paiements');
    const main = plain(await page.locator('main').innerText());
    expect(main).toContain('Paiements simulés (mode test)');
    const capture = page.getByRole('radio', { name: 'Encaisser l’acompte à la réservation (recommandé)' });
    const authorize = page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' });
    expect(await capture.isChecked()).toBe(true);
    expect(await authorize.isChecked()).toBe(false);
    // The explanation is read with the choice.
    expect(await authorize.getAttribute('aria-describedby')).toBeTruthy();
    expect(main).toMatch(/environ 7 jours/);
    await authorize.check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: 'Réglage enregistré' }).waitFor();
    try {
      const settings = await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders());
      expect(settings.body).toEqual({ captureStrategy: 'authorize', provider: 'simulated' });
      // Wednesday 2027-03-03, two days ahead: inside the 7-day authorisation window.
      const created = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '10:00'));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.booking.deposit.paymentStatus).toBe('authorized');
      // Reloaded, the screen shows the saved choice.
      await page.reload();
      await page.getByRole('heading', { name: 'Paiements', level: 1 }).waitFor();
      expect(await page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' }).isChecked()).toBe(true);
    } finally {
      await t.request('PATCH', '/api/admin/payment-settings', { captureStrategy: 'capture' }, adminHeaders());
    }
  });

  it("the Paiements screen shows the API's French error when the save is refused", async () => {
    const page = await signIn();
    await go(page, 'Paiements', 'Paiements');
    // The session ends in another tab (signed out there): the save is refused with the API's message.
    const other = await page.context().newPage();
    await other.goto(`${t.origin}/admin`);
    await other.getByRole('button', { name: 'Se déconnecter' }).click();
    await other.getByRole('heading', { name: 'Connexion' }).waitFor();
    await other.close();
    await page.getByRole('radio', { name: 'Bloquer l’acompte, puis l’encaisser au début du rendez-vous' }).check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(plain(await alert.innerText())).toBe('Connexion requise : identifiez-vous pour accéder à cet espace.');
    const settings = await t.request('GET', '/api/admin/payment-settings', undefined, adminHeaders());
    expect(settings.body.captureStrategy).toBe('capture');
  });

  it('every screen passes axe (WCAG 2.1 AA) on a phone and a desktop; screenshots in docs/screenshots', async () => {
    const booked = await t.request('POST', '/api/bookings', bookingBody('2027-03-03', '09:00', { customer: { name: 'Jean Martin', email: 'jean@example.com', phone: '+33612345678', address: { street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' } } }));
    const code = booked.body.booking.publicCode as string;
    await t.request('POST', '/api/admin/bookings', bookingBody('2027-03-02', '14:00', { customer: { name: 'Mme Roux', email: 'roux@example.fr' } }), adminHeaders());
    await drain();
    // The screens with something in them: a failed message to retry, days off, an API token.
    const failing = await t.request('POST', '/api/bookings', bookingBody('2027-03-04', '10:00', { customer: { name: 'Paul Durand', email: 'paul@example.com' } }));
    expect(failing.status, JSON.stringify(failing.body)).toBe(201);
    // What a mail server that is down leaves as the last error: the artisan never reads it as it is.
    await t.service.db.query(`UPDATE outbox SET status = 'dead', attempts = max_attempts, last_error = 'connect ECONNREFUSED 127.0.0.1:25', created_at = '2027-03-01T07:00:00Z' WHERE topic = 'notify.booking_confirmed' AND status = 'pending'`);
    const off = await t.request('POST', '/api/admin/busy-blocks', { startDateTime: '2027-03-15T00:00:00+01:00', endDateTime: '2027-03-20T00:00:00+01:00', summary: 'Congés' }, adminHeaders());
    expect(off.status, JSON.stringify(off.body)).toBe(201);
    expect((await t.request('POST', '/api/admin/tokens', { name: 'Comptabilité', scopes: ['bookings:read'] }, await sessionHeaders())).status).toBe(201);
    const screens: [path: string, heading: string | RegExp, name: string][] = [
      ['/admin', 'Agenda', 'agenda'],
      ['/admin/reservations', 'Réservations', 'bookings'],
      [`/admin/reservations/${code}`, /Réservation AC-/, 'booking-detail'],
      ['/admin/nouvelle-reservation', 'Réservation prise par téléphone', 'phone-booking'],
      ['/admin/horaires', 'Horaires et règles de réservation', 'hours'],
      ['/admin/prestations', 'Prestations', 'services'],
      ['/admin/conges', 'Congés et indisponibilités', 'time-off'],
      ['/admin/calendriers', 'Calendriers', 'calendars'],
      ['/admin/notifications', 'Notifications', 'notifications'],
      ['/admin/messages', 'Messages', 'messages'],
      ['/admin/paiements', 'Paiements', 'payments'],
      ['/admin/compte', 'Compte', 'account'],
      ['/admin/integration', 'Intégrer la page de réservation', 'embed'],
    ];
    const shots: string[] = [];
    const shot = async (page: Page, name: string) => {
      await screenshot(page, name);
      shots.push(name);
    };
    for (const [label, viewport] of [['phone', undefined], ['desktop', DESKTOP]] as const) {
      const page = await signIn(viewport);
      for (const [path, heading, name] of screens) {
        await page.goto(`${t.origin}${path}`);
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        await expectAccessible(page, `${path} (${label})`);
        await shot(page, `admin-${name}-${label}`);
        // No configuration name, error code or jargon in what the artisan reads (issue 23, item 11).
        const text = await page.locator('body').innerText();
        expect(text.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bE[A-Z]{4,}\b/g), `identifiers shown on ${path}`).toBeNull();
        for (const jargon of ['journal du service', 'Pas entre deux créneaux', 'Délai de prévenance (minutes)', '127.0.0.1:25'] /* the failed message's server, not the page's own address */) expect(text, `${path} (${label})`).not.toContain(jargon);
      }
      // The move picker and the cancel confirmation, opened.
      await page.goto(`${t.origin}/admin/reservations/${code}`);
      await page.getByRole('button', { name: 'Déplacer' }).click();
      await page.getByLabel('Jour').fill('2027-03-04');
      await page.getByRole('group', { name: /Créneaux libres/ }).waitFor();
      await expectAccessible(page, `move picker (${label})`);
      await shot(page, `admin-move-${label}`);
      await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
      await page.getByRole('heading', { name: 'Annuler ce rendez-vous' }).waitFor();
      await expectAccessible(page, `cancel confirmation (${label})`);
      await shot(page, `admin-cancel-${label}`);
      open!.assertClean();
      await open!.close();
      open = undefined;
      // The sign-in screen (signed out).
      open = await openGuardedPage(browser, t.origin, viewport ? { viewport } : {});
      await open.page.goto(`${t.origin}/admin`);
      await open.page.getByRole('heading', { name: 'Connexion' }).waitFor();
      await expectAccessible(open.page, `sign-in (${label})`);
      await shot(open.page, `admin-sign-in-${label}`);
      open.assertClean();
      await open.close();
      open = undefined;
    }
    await t.service.db.query(`DELETE FROM api_tokens WHERE name = 'Comptabilité'`);
    // Each of them is shown in the README.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(shots.filter((name) => !readme.includes(`(docs/screenshots/${name}.png)`)), 'screenshots the README does not show').toEqual([]);
  }, 240_000);
});
