#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain count line CI reads:
// "N passed, N failed". With REQUIRE_POSTGRES_TESTS=1 it also fails when no test ran on
// the PostgreSQL server (TEST_DATABASE_URL missing or unreachable would otherwise pass
// silently on PGlite alone).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { provision } from './provision.mjs';

// Chromium and Radicale: installed from Debian's packages when missing (as root), before any test runs.
provision();

const reportDir = join(process.cwd(), '.test-data');
mkdirSync(reportDir, { recursive: true });
const report = join(reportDir, 'vitest-report.json');
rmSync(report, { force: true });

const vitest = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let onPostgres = 0;
if (existsSync(report)) {
  const data = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of data.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++; // a file that crashed
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
      // Suites run per engine are named after it ('… on postgres'); 'PostgreSQL' in prose does not count.
      if (/\bpostgres\b/.test(t.fullName ?? '') && t.status === 'passed') onPostgres++;
    }
  }
} else {
  failed++;
}

let code = run.status ?? 1;
if (process.env.REQUIRE_POSTGRES_TESTS === '1' && onPostgres === 0) {
  console.error('No test ran against the PostgreSQL server (TEST_DATABASE_URL): failing.');
  failed++;
  code = 1;
}
if (code !== 0 && failed === 0) failed = 1;
console.log(`\nPostgreSQL-server tests passed: ${onPostgres}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code);
