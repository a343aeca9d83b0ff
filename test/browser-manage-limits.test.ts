import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminHeaders } from './helpers/admin.ts';
import type { Engine } from './helpers/db.ts';
import { browserSuite, expectAccessible, plain } from './helpers/browser.ts';
import { bookingBody } from './helpers/service.ts';
import { manageLinkIn } from './helpers/smtp.ts';

/**
 * The guessing limit (10 code + e-mail tries a minute per address, decisions §6) against a
 * customer moving their booking, who taps day after day: with the default limits, a customer
 * who proved who they are browses on the browsing budget, a guesser still meets the limit,
 * and a page that does hit a limit shows a countdown to its retry, never a list left loading.
 */
const ENGINE: Engine = 'pglite';
const START = Date.parse('2027-03-01T07:00:00Z'); // Monday 08:00 in Paris
/** The weekdays of March 2027 after the clock's today, the demo artisan's open days (Easter Monday, the 29th, is a public holiday). */
const MARCH_WEEKDAYS = [2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26, 30, 31];
const DAY_NAMES = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const dayLabel = (d: number) => `${DAY_NAMES[new Date(Date.UTC(2027, 2, d)).getUTCDay()]} ${d === 1 ? '1er' : d} mars 2027`;

async function browseDays(page: Page, count: number): Promise<number> {
  let browsed = 0;
  for (const d of MARCH_WEEKDAYS.filter((x) => x !== 10).slice(0, count)) {
    await page.getByRole('button', { name: new RegExp(`^${dayLabel(d)}, \\d+ créneaux? libres?$`) }).click();
    // The day's slots are shown: the request was answered, not refused.
    await page.getByRole('button', { name: new RegExp(`^Déplacer au ${dayLabel(d)} à \\d\\d:\\d\\d$`) }).first().waitFor({ timeout: 5_000 });
    browsed++;
  }
  return browsed;
}

describe(`rate limits on the manage page with the default limits, on ${ENGINE}`, () => {
  // The default guessing and browsing limits; creation is raised only to set the bookings up.
  const { t, open } = browserSuite(ENGINE, START, {
    RATE_LIMIT_MANAGE_PER_MINUTE: '10',
    RATE_LIMIT_READ_PER_MINUTE: '300',
    RATE_LIMIT_CREATE_PER_MINUTE: '1000',
  });

  const book = async (email: string, time: string) => {
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', time, { customer: { name: 'Jean Martin', email } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const code = res.body.booking.publicCode as string;
    while ((await t.service.worker.runOnce()) > 0);
    const list = await t.request('GET', `/api/admin/messages?bookingCode=${code}&channel=email`, undefined, adminHeaders());
    const message = (list.body.messages as { recipientKind: string; text: string }[]).find((m) => m.recipientKind === 'customer');
    return { code, link: manageLinkIn(message!.text) };
  };

  it('a customer with the e-mailed link, then one who typed their code and e-mail, each browse 20 days in a minute without a 429; 11 wrong codes from one address still get 429', async () => {
    const { link } = await book('jean@example.com', '09:00');
    const fromLink = (await open()).page;
    await fromLink.goto(link);
    await fromLink.locator('#when', { hasText: 'mercredi 10 mars 2027' }).waitFor();
    expect(await browseDays(fromLink, 20)).toBe(20);
    expect(plain(await fromLink.locator('body').innerText())).not.toMatch(/Trop de tentatives|réessayer dans/);

    // The same address: the lookup by code + e-mail is one identity check; the browsing after it is not.
    const { code } = await book('marie@example.com', '10:00').then(async (b) => {
      await t.request('POST', `/api/bookings/${b.code}/cancel`, { email: 'jean@example.com' }); // a wrong e-mail: one guess
      return b;
    });
    const typed = (await open()).page;
    await typed.goto(`${t.origin}/reservation?code=${code}`);
    await typed.getByLabel('Adresse e-mail').fill('marie@example.com');
    await typed.getByRole('button', { name: 'Voir ma réservation' }).click();
    await typed.locator('#when', { hasText: 'mercredi 10 mars 2027' }).waitFor();
    expect(await browseDays(typed, 20)).toBe(20);
    await expectAccessible(typed, 'manage page after 20 days browsed');

    // Guessing: 8 more wrong pairs answer 404 like missing data, the 11th identity check of the minute is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await t.request('GET', `/api/bookings/public?code=AC-ZZZZ${String(i).padStart(2, '0')}&email=x@example.com`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 429]);
    const refused = await t.request('GET', `/api/bookings/public?code=${code}&email=marie@example.com`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
  }, 180_000);
});

describe(`a page that meets a limit, on ${ENGINE}`, () => {
  // A browsing budget small enough to meet: the page shows the wait and retries by itself.
  const { t, open } = browserSuite(ENGINE, START, { RATE_LIMIT_READ_PER_MINUTE: '6', RATE_LIMIT_CREATE_PER_MINUTE: '1000' });

  it('shows a countdown to the automatic retry instead of a list left loading', async () => {
    const res = await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'));
    expect(res.status).toBe(201);
    while ((await t.service.worker.runOnce()) > 0);
    const list = await t.request('GET', `/api/admin/messages?bookingCode=${res.body.booking.publicCode}&channel=email`, undefined, adminHeaders());
    const link = manageLinkIn((list.body.messages as { recipientKind: string; text: string }[]).find((m) => m.recipientKind === 'customer')!.text);
    const page = (await open()).page;
    await page.goto(link);
    await page.locator('#when', { hasText: 'mercredi 10 mars 2027' }).waitFor();
    const countdown = page.locator('#retry-countdown');
    for (const d of MARCH_WEEKDAYS) {
      if (await countdown.isVisible()) break;
      const day = page.getByRole('button', { name: new RegExp(`^${dayLabel(d)}, \\d+ créneaux? libres?$`) });
      if (await day.isVisible()) await day.click();
    }
    await countdown.waitFor();
    const first = plain(await countdown.innerText());
    expect(first).toMatch(/^Beaucoup de demandes en peu de temps : les disponibilités se rechargent dans (\d+) s\.$/);
    const seconds = Number(/dans (\d+) s/.exec(first)![1]);
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThanOrEqual(60);
    // It counts down: a second later it says less.
    await page.waitForFunction((s) => {
      const m = /dans (\d+)/.exec(document.querySelector('#retry-countdown')?.textContent ?? '');
      return m !== null && Number(m[1]) < s;
    }, seconds, { timeout: 3_000 });
    expect(await page.getByText('Chargement des disponibilités').count()).toBe(0);
    await expectAccessible(page, 'manage page waiting for its retry');
  }, 120_000);
});
