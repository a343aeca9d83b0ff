import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { freePort, REPO_ROOT } from './process.ts';
import { startTestService, type TestService } from './service.ts';
import { resetBookings, type Engine } from './db.ts';
import { DEMO_ARTISAN_EMAIL, TEST_PASSWORD } from './admin.ts';

/**
 * Browser tests of the customer's site and the back office: Debian's Chromium (headless,
 * driven by playwright-core, which never downloads a browser) against the real service over
 * HTTP. Shared by test/browser-*.test.ts (both apps).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the background-networking flags Chromium keeps calling Google's services. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. The browser tests need Debian's Chromium: apt-get install -y chromium ` +
        '(npm test installs it when run as root: scripts/provision.mjs), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 90_000 });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${String(error)}`);
  }
}

/** The real service listening on a free port, its links pointing at the address the browser opens. */
export async function startBrowserService(
  engine: Engine,
  env: Record<string, string> = {},
  options: Omit<NonNullable<Parameters<typeof startTestService>[1]>, 'env'> = {},
): Promise<TestService & { origin: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t = await startTestService(engine, { ...options, env: { PUBLIC_BASE_URL: origin, ...env } });
  await t.service.app.listen({ port, host: '127.0.0.1' });
  return Object.assign(t, { origin });
}

/**
 * One service and one Chromium for a describe block: started before its tests, closed after;
 * before each test the clock goes back to `startMs` and the bookings are emptied; after each,
 * every page opened with `open` must have stayed on its origin without errors, and is closed.
 * `t` reads through to the running service.
 */
export function browserSuite(
  engine: Engine,
  startMs: number,
  env: Record<string, string> = {},
  options: Omit<NonNullable<Parameters<typeof startTestService>[1]>, 'env'> = {},
): {
  t: TestService & { origin: string };
  open(options?: Parameters<typeof openGuardedPage>[2]): Promise<GuardedPage>;
} {
  let current: (TestService & { origin: string }) | undefined;
  let browser: Browser | undefined;
  const opened: GuardedPage[] = [];
  beforeAll(async () => {
    current = await startBrowserService(engine, env, options);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await current?.close();
  });
  beforeEach(async () => {
    current!.clock.ms = startMs;
    await resetBookings(current!.service.db);
  });
  afterEach(async () => {
    for (const g of opened.splice(0)) {
      g.assertClean();
      await g.close();
    }
  });
  const t = new Proxy({} as TestService & { origin: string }, {
    get: (_target, property) => {
      if (!current) throw new Error('the browser suite service is not started yet');
      return current[property as keyof typeof current];
    },
  });
  return {
    t,
    async open(options = {}) {
      const g = await openGuardedPage(browser!, current!.origin, options);
      opened.push(g);
      return g;
    },
  };
}

export interface GuardedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page asked for that is not on an allowed origin (refused, and reported). */
  outside: string[];
  /** Uncaught exceptions and CSP refusals. */
  errors: string[];
  /** Fails the test when the page reached outside its origin or threw. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * A fresh browser context on one page with the "no request leaves the origin" guard: any
 * request to another origin (except `allowOrigins`) is aborted and recorded. Defaults: a
 * phone in French, in a zone far from the artisan's (times must stay the artisan's).
 */
export async function openGuardedPage(
  browser: Browser,
  origin: string,
  options: { viewport?: { width: number; height: number }; timezoneId?: string; allowOrigins?: string[]; mobile?: boolean } = {},
): Promise<GuardedPage> {
  const viewport = options.viewport ?? PHONE;
  const mobile = options.mobile ?? viewport.width < 600;
  const context = await browser.newContext({
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    locale: 'fr-FR',
    timezoneId: options.timezoneId ?? 'America/New_York',
  });
  context.setDefaultTimeout(15_000);
  const allowed = new Set([origin, ...(options.allowOrigins ?? [])]);
  const outside: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || allowed.has(new URL(url).origin)) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) errors.push(message.text());
  });
  return {
    page,
    context,
    outside,
    errors,
    assertClean() {
      expect(outside, 'requests that left the origin').toEqual([]);
      expect(errors, 'page errors and CSP refusals').toEqual([]);
    },
    close: () => context.close(),
  };
}

/** WCAG 2.1 A + AA rules of axe-core. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page (evaluated through the debugging protocol, so the page's strict
 * CSP stays on) and fails on any serious or critical WCAG 2.1 AA violation, naming them.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: { run(ctx: Document, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe.run;
    const result = await run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }, WCAG_TAGS);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    throw new Error(`Accessibility (axe, WCAG 2.1 AA) of ${state}:\n${serious.map((v) => `- ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.slice(0, 3))}`).join('\n')}`);
  }
}

/** Writes docs/screenshots/<name>.png (full page), shown in the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Visible text with its (non-breaking) spaces made plain. */
export const plain = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** Signs the demo artisan in through the back office's form at `origin` and waits for the agenda. */
export async function signInDemoArtisan(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/admin`);
  await page.getByLabel('Adresse e-mail').fill(DEMO_ARTISAN_EMAIL);
  await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('heading', { name: 'Agenda', level: 1 }).waitFor();
}

/**
 * A page of the back office's menu, clicked as a person does: on a phone the menu is folded
 * behind its "Menu" button (opened first), on a wider screen it is always shown.
 */
export async function clickAdminMenu(page: Page, label: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Espace artisan' });
  const toggle = nav.getByRole('button', { name: 'Menu' });
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await nav.getByRole('link', { name: label, exact: true }).click();
}
