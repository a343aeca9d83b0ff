#!/usr/bin/env node
// Makes sure the programs the test suite drives are on this machine, so that `npm ci && npm test`
// works on a fresh one with nothing installed by hand: Debian's Chromium (browser tests through
// playwright-core, which never downloads a browser) and Radicale (the real CalDAV server of the
// calendar tests), poppler-utils (pdftotext, to read the completion report's PDF); the PostgreSQL server and Redis are found or started by test-services.mjs,
// which installs their packages through `installPackages` below when it has to start them. When
// a package is missing and we run as root with apt-get, it is installed; otherwise the exact
// command to run is printed and the tests that need it fail with the same message.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the tests need: a Debian package and how to tell it is installed. */
export const REQUIRED = [
  { pkg: 'chromium', present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { pkg: 'radicale', present: () => existsSync('/usr/bin/radicale') || onPath('radicale') },
  // pdftotext: the completion report's test reads the PDF's text as a customer's reader would.
  { pkg: 'poppler-utils', present: () => existsSync('/usr/bin/pdftotext') || onPath('pdftotext') },
];

export function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Installs Debian packages when running as root with apt-get; otherwise prints the command.
 * Returns whether apt-get ran and succeeded (the caller checks for what it needed).
 */
export function installPackages(packages, { log = console.error } = {}) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!isRoot() || !onPath('apt-get')) {
    log(`The tests need ${packages.join(', ')} (Debian packages). Install them with: sudo ${cmd}`);
    return false;
  }
  log(`Installing what the tests need: ${packages.join(', ')} (Debian packages)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env })
      : update;
  if (install.status !== 0) log(`Could not install ${packages.join(', ')}: run ${cmd}`);
  return install.status === 0;
}

export function provision({ log = console.error } = {}) {
  const missing = REQUIRED.filter((r) => !r.present()).map((r) => r.pkg);
  if (missing.length === 0) return { missing: [] };
  installPackages(missing, { log });
  const still = REQUIRED.filter((r) => missing.includes(r.pkg) && !r.present()).map((r) => r.pkg);
  if (still.length > 0) log(`Still missing: ${still.join(', ')}.`);
  return { missing: still };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { missing } = provision();
  process.exit(missing.length === 0 ? 0 : 1);
}
