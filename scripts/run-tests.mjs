#!/usr/bin/env node
// `npm test`: gets what the suite drives (Chromium and Radicale from Debian's packages, a
// PostgreSQL server and Redis found or started: test-services.mjs), runs the whole vitest suite
// and ends with the plain count line CI reads: "N passed, N failed".
//
// Whatever the environment, the run fails when no test ran on the PostgreSQL server or on
// Redis: a suite that silently ran on PGlite alone would hide half of what it promises.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { provision } from './provision.mjs';
import { testServices } from './test-services.mjs';

provision();
const services = await testServices();
const stopServices = () => services.stop();
process.on('exit', stopServices);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopServices();
    process.exit(130);
  });
}

const reportDir = join(process.cwd(), '.test-data');
mkdirSync(reportDir, { recursive: true });
const report = join(reportDir, 'vitest-report.json');
rmSync(report, { force: true });

const vitest = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
const status = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, ...services.env } },
  );
  child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

let passed = 0;
let failed = 0;
let onPostgres = 0;
let onRedis = 0;
const filtered = process.argv.length > 2; // `npm test -- some.test.ts`: a part of the suite
if (existsSync(report)) {
  const data = JSON.parse(readFileSync(report, 'utf8'));
  for (const file of data.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++; // a file that crashed
    const redisFile = /redis/i.test(basename(file.name ?? ''));
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'passed') passed++;
      else if (t.status === 'failed') failed++;
      if (t.status !== 'passed') continue;
      // Suites run per engine are named after it ('… on postgres'); 'PostgreSQL' in prose does not count.
      if (/\bpostgres\b/.test(t.fullName ?? '')) onPostgres++;
      if (redisFile) onRedis++;
    }
  }
} else {
  failed++;
}

let code = status;
if (!filtered && onPostgres === 0) {
  console.error('No test ran against the PostgreSQL server: failing (see above for why none could be had).');
  failed++;
  code = 1;
}
if (!filtered && onRedis === 0) {
  console.error('No test ran against Redis: failing (see above for why none could be had).');
  failed++;
  code = 1;
}
if (code !== 0 && failed === 0) failed = 1;
stopServices();
console.log(`\nPostgreSQL-server tests passed: ${onPostgres}; Redis tests passed: ${onRedis}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(code);
