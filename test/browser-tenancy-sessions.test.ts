import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminAuthOn } from '../src/main.ts';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD, setDemoPassword } from './helpers/admin.ts';
import { DESKTOP, browserSuite, expectAccessible, plain } from './helpers/browser.ts';
import { bookingBody, parisDate, type TestClock } from './helpers/service.ts';
import { addBusiness, type TestBusiness } from './helpers/tenants.ts';

/**
 * Issue 19, isolation in the browser: two businesses on one instance, built alike (same hours,
 * same service ids, a booking at the same time each), and their back offices open at the same
 * time in two browser contexts. Each sees only its own agenda and bookings, and the other's
 * booking, opened by its address, answers as missing.
 */
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris
const OWNER_B = 'martin@chauffage-martin.test';

describe('two businesses, two back office sessions side by side (Chromium, pglite)', () => {
  const { t, open } = browserSuite('pglite', START);
  let b: TestBusiness;
  let day: string;
  let codeA: string;
  let codeB: string;

  beforeAll(async () => {
    const db = t.service.db;
    const [demo] = await db.query<{ id: string }>('SELECT id FROM artisans');
    await db.query(`UPDATE artisans SET slug = 'plomberie-dupont' WHERE id = $1`, [demo!.id]);
    b = await addBusiness(db, demo!.id, 'chauffage-martin', 'Chauffage Martin');
    await db.query(`INSERT INTO admin_users (id, artisan_id, email, password_hash, password_changed_at, created_at) VALUES ($1, $2, $3, 'x', now(), now())`, [
      randomUUID(),
      b.id,
      OWNER_B,
    ]);
    await adminAuthOn(db).setPassword(OWNER_B, TEST_PASSWORD);
    await setDemoPassword(db);
  }, 120_000);

  const book = async (slug: string, name: string): Promise<string> => {
    const res = await t.request('POST', `/${slug}/api/bookings`, bookingBody(day, '10:00', { customer: { name, email: 'meme.client@example.com', phone: '+33612345678' } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.booking.publicCode as string;
  };
  const signIn = async (page: Page, email: string): Promise<void> => {
    await page.goto(`${t.origin}/admin`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
  };
  const bookingsList = async (page: Page): Promise<string> => {
    await page.goto(`${t.origin}/admin/reservations`);
    await page.getByRole('heading', { name: 'Réservations', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    return plain(await page.locator('main').innerText());
  };

  it('each session lists only its own bookings and opens none of the other’s', async () => {
    day = parisDate(t.clock as TestClock, 2);
    codeA = await book('plomberie-dupont', 'Alice Lefèvre');
    codeB = await book(b.slug, 'Bruno Caron');

    const a = await open({ viewport: DESKTOP });
    const other = await open({ viewport: DESKTOP });
    await signIn(a.page, DEMO_ARTISAN_EMAIL);
    await signIn(other.page, OWNER_B);
    expect(plain(await a.page.locator('header').innerText())).toContain(DEMO_ARTISAN_EMAIL);
    expect(plain(await other.page.locator('header').innerText())).toContain('Chauffage Martin');

    // Both sessions live at once: each list holds its own booking, never the other's.
    const listA = await bookingsList(a.page);
    const listB = await bookingsList(other.page);
    expect(listA).toContain(codeA);
    expect(listA).toContain('Alice Lefèvre');
    expect(listA).not.toContain(codeB);
    expect(listA).not.toContain('Bruno Caron');
    expect(listB).toContain(codeB);
    expect(listB).toContain('Bruno Caron');
    expect(listB).not.toContain(codeA);
    expect(listB).not.toContain('Alice Lefèvre');
    await expectAccessible(other.page, 'bookings of the second business');

    // The agenda of the booked day: the same hour in both, each with its own customer.
    for (const [page, own, foreign] of [
      [a.page, 'Alice Lefèvre', 'Bruno Caron'],
      [other.page, 'Bruno Caron', 'Alice Lefèvre'],
    ] as const) {
      await page.goto(`${t.origin}/admin/reservations`);
      await page.getByRole('link', { name: /à 10 h/ }).first().click();
      await page.getByRole('heading', { name: /^Réservation AC-/ }).waitFor();
      const detail = plain(await page.locator('main').innerText());
      expect(detail).toContain(own);
      expect(detail).not.toContain(foreign);
    }

    // The other business's booking, opened by its address, is not there; one's own is.
    const detailOf = async (page: Page, code: string) => {
      const answered = page.waitForResponse((r) => r.url().includes(`/api/admin/bookings/${code}`) && r.request().method() === 'GET');
      await page.goto(`${t.origin}/admin/reservations/${code}`);
      return (await answered).status();
    };
    expect(await detailOf(a.page, codeB)).toBe(404);
    expect(plain(await a.page.locator('main').innerText())).not.toContain('Bruno Caron');
    expect(await detailOf(other.page, codeA)).toBe(404);
    expect(plain(await other.page.locator('main').innerText())).not.toContain('Alice Lefèvre');
    expect(await detailOf(other.page, codeB)).toBe(200);

    // Signing one out leaves the other signed in, on its own data.
    await a.page.context().clearCookies();
    const again = await bookingsList(other.page);
    expect(again).toContain(codeB);
    expect(again).not.toContain(codeA);
  });
});
