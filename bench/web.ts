/**
 * BENCH_SCENARIOS=web: the customer's pages. (1) What the booking page downloads: its
 * JavaScript and CSS gzipped (budget: < 60 KB of JavaScript). (2) The month calendar's
 * endpoint (31 days) against the one-day availability, same server, same load. (3) A
 * Lighthouse 12.2.3 mobile run of `/` with Debian's Chromium.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { runLoad, type LoadResult } from './load.ts';
import { fmt, table } from './report.ts';
import { ROOT, startServer } from './server.ts';

export interface WebConfig {
  duration: number;
  warmup: number;
  connections: number;
  log(text?: string): void;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The files a built page loads (script, module preloads, stylesheets), gzipped at level 9. */
function pageWeight(page: string): { js: number; css: number; files: string[] } {
  const html = readFileSync(join(ROOT, 'web/dist', page), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  let js = 0;
  let css = 0;
  for (const ref of refs) {
    const size = gzipSync(readFileSync(join(ROOT, 'web/dist', ref)), { level: 9 }).length;
    if (ref.endsWith('.js')) js += size;
    else if (ref.endsWith('.css')) css += size;
  }
  return { js, css, files: refs };
}

export async function runWeb(config: WebConfig): Promise<void> {
  const { log } = config;
  log('\n## Web front (BENCH_SCENARIOS=web)\n');
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('vite build failed');
  const rows = (['site/booking.html', 'site/manage.html', 'admin/index.html'] as const).map((page) => {
    const w = pageWeight(page);
    return [page, `${fmt(w.js / 1024, 1)} KB`, `${fmt(w.css / 1024, 1)} KB`, String(w.files.length)];
  });
  log('What each page downloads (JavaScript and CSS, gzip -9; HTML not counted; budget < 60 KB of JavaScript):\n');
  log(table(['page', 'JS gzipped', 'CSS gzipped', 'files'], rows));

  const dataDir = mkdtempSync(join(os.tmpdir(), 'artisanconnect-bench-web-'));
  const server = await startServer({ dataDir, label: 'web' });
  try {
    const today = new Date();
    const nextMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1));
    const from = nextMonth.toISOString().slice(0, 10);
    const to = new Date(Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const day = new Date(Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth(), 10)).toISOString().slice(0, 10);
    const routes: [string, string][] = [
      [`one day (${day})`, `/api/availability?serviceId=diag&date=${day}`],
      [`month, 31 days (${from} – ${to})`, `/api/availability/days?serviceId=diag&from=${from}&to=${to}`],
    ];
    const results: LoadResult[] = [];
    for (const [, path] of routes) {
      await runLoad({ url: server.url, path, connections: config.connections, duration: config.warmup });
      results.push(await runLoad({ url: server.url, path, connections: config.connections, duration: config.duration }));
    }
    log(`\nMonth calendar vs one day (PGlite worker thread, demo data, ${config.connections} connections, ${config.duration} s each after ${config.warmup} s warm-up):\n`);
    log(
      table(
        ['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx'],
        routes.map(([name], i) => [name, fmt(results[i]!.rps, 0), fmt(results[i]!.p50, 2), fmt(results[i]!.p99, 2), String(results[i]!.failures)]),
      ),
    );
    const [one, month] = results as [LoadResult, LoadResult];
    log(`\nmonth / one day: ${fmt(one.rps / month.rps, 2)}× the cost per request (throughput ratio), p50 ${fmt(month.p50 / one.p50, 2)}× (goal: under 2×)`);

    // Lighthouse 12.2.3, mobile (its default form factor and throttling), performance + accessibility.
    const chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM,
      chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const result = await lighthouse(`${server.url}/`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] });
      const lhr = result?.lhr;
      if (!lhr) throw new Error('Lighthouse gave no result');
      const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
      const metric = (id: string) => lhr.audits[id]?.displayValue ?? 'n/a';
      log(`\nLighthouse ${lhr.lighthouseVersion} on ${server.url}/ (mobile: ${lhr.configSettings.formFactor}, ${lhr.configSettings.throttlingMethod} throttling), ${lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}:\n`);
      log(
        table(
          ['performance', 'accessibility', 'FCP', 'LCP', 'TBT', 'CLS', 'Speed Index'],
          [[String(score('performance')), String(score('accessibility')), metric('first-contentful-paint'), metric('largest-contentful-paint'), metric('total-blocking-time'), metric('cumulative-layout-shift'), metric('speed-index')]],
        ),
      );
      const failing = Object.values(lhr.audits).filter((a) => a.score !== null && a.score < 1 && lhr.categories.accessibility?.auditRefs.some((r) => r.id === a.id));
      if (failing.length) log(`\naccessibility audits below 1: ${failing.map((a) => a.id).join(', ')}`);
    } finally {
      chrome.kill();
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
