import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setDemoPassword } from './helpers/admin.ts';
import { decodeQrPng } from './helpers/qr.ts';
import { DESKTOP, PHONE, browserSuite, expectAccessible, plain, screenshot, signInDemoArtisan } from './helpers/browser.ts';

/**
 * The business profile after setup (issue 23 item 9), on a phone: every field edited on the
 * Compte screen, a bad phone refused in French next to its field, and the booking page to share
 * (its address, "Voir ma page", a QR code downloaded that decodes to the address). Demo artisan;
 * server clock Monday 2027-03-01 08:00 in Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');

describe('the business profile and the booking page to share, in headless Chromium', () => {
  const { t, open } = browserSuite('pglite', START);

  it('edits name, trade, phone and contact e-mail; names a bad phone in French; shares the page with a QR code that decodes to it', async () => {
    await setDemoPassword(t.service.db);
    const { page } = await open({ viewport: PHONE });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.origin }).catch(() => undefined);
    await signInDemoArtisan(page, t.origin);
    // The demo page can take bookings: no checklist on its agenda.
    expect(await page.getByRole('region', { name: /ne peut pas encore prendre/ }).count()).toBe(0);

    await page.goto(`${t.origin}/admin/compte`);
    await page.getByRole('heading', { name: 'Votre entreprise' }).waitFor();
    const field = (label: string) => page.getByLabel(label, { exact: true });
    // The stored +33612345678 reads the French way.
    await expect.poll(() => field('Téléphone (facultatif)').inputValue()).toBe('06 12 34 56 78');
    expect(await field('Nom affiché aux clients').inputValue()).toBe('Marc Dupont - Plomberie');

    await field('Téléphone (facultatif)').fill('06 12');
    await page.getByRole('button', { name: 'Enregistrer le profil' }).click();
    const phoneError = page.locator('#profile-phone-err');
    await phoneError.waitFor();
    expect(plain(await phoneError.innerText())).toBe("Le numéro de téléphone n'est pas valide.");
    expect(await field('Téléphone (facultatif)').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'profile with a phone error (phone)');

    await field('Nom affiché aux clients').fill('Marc Dupont Chauffage');
    await field('Métier (facultatif)').fill('Chauffagiste');
    await field('Téléphone (facultatif)').fill('+33 6 98 76 54 32');
    await field('E-mail de contact').fill('Contact@Dupont-Chauffage.fr');
    await page.getByRole('button', { name: 'Enregistrer le profil' }).click();
    await page.getByText('Profil enregistré', { exact: false }).waitFor();
    expect(await phoneError.count()).toBe(0);
    const [row] = await t.service.db.query<{ display_name: string; trade: string; phone: string; email: string }>('SELECT display_name, trade, phone, email FROM artisans');
    expect(row).toEqual({ display_name: 'Marc Dupont Chauffage', trade: 'Chauffagiste', phone: '+33698765432', email: 'contact@dupont-chauffage.fr' });

    // After a reload, the saved values, the phone French-style.
    await page.reload();
    await page.getByRole('heading', { name: 'Votre entreprise' }).waitFor();
    await expect.poll(() => field('Téléphone (facultatif)').inputValue()).toBe('06 98 76 54 32');
    expect(await field('Métier (facultatif)').inputValue()).toBe('Chauffagiste');
    expect(await field('E-mail de contact').inputValue()).toBe('contact@dupont-chauffage.fr');

    // The page to share.
    const url = `${t.origin}/`;
    const card = page.getByRole('region', { name: 'Ma page de réservation' });
    expect(plain(await card.innerText())).toContain(`Adresse à partager : ${url}`);
    expect(await card.getByRole('link', { name: /Voir ma page/ }).getAttribute('href')).toBe(url);
    const qr = card.getByRole('img', { name: `QR code de l’adresse ${url}` });
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expectAccessible(page, 'account with profile and booking page (phone)');
    await screenshot(page, 'admin-profile-phone');
    await page.setViewportSize(DESKTOP);
    await expectAccessible(page, 'account with profile and booking page (desktop)');
    await screenshot(page, 'admin-profile-desktop');

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Télécharger le QR code (PNG)' }).click()]);
    expect(download.suggestedFilename()).toBe('qr-page-de-reservation.png');
    expect(decodeQrPng(readFileSync((await download.path())!))).toBe(url);
  }, 120_000);
});
