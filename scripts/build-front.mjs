#!/usr/bin/env node
// Builds the front (web/ -> web/dist, or WEB_DIST_DIR) only when its sources changed since the
// last build, and never races another build of the same checkout: `npm start` runs it first,
// and two starts launched together (two instances on one database, say) must both serve.
//
// - Fresh: the digest of every source file (web/ less its output, plus package-lock.json, whose
//   versions shape the bundle) is written into the output as `.sources-digest`; a build whose
//   digest matches is skipped.
// - One at a time: a lock directory beside the output (mkdir is atomic) holds the builder's pid;
//   a second builder waits for it, then finds the digest current and skips. A lock left by a
//   dead process is taken over.
// - Never half-written: Vite writes into a temporary folder that replaces the output at the end,
//   so a server reading the output meanwhile sees the old build or the new one.
//
// Vite's own CLI lock ("Found another Vite build process") is a CLI feature: the JS API used
// here has none, which is why the lock above exists.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'web');
export const DIGEST_FILE = '.sources-digest';

/** Every file the bundle is made from, in a stable order. */
function sourceFiles(outDir) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (path === outDir || entry.name === 'node_modules' || entry.name.startsWith('.dist-') || entry.name.endsWith('.build-lock')) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(WEB);
  files.push(join(ROOT, 'package-lock.json'));
  return files;
}

/** The digest of the front's sources, as written into a build made from them. */
export function sourcesDigest(outDir = defaultOutDir()) {
  const hash = createHash('sha256');
  for (const file of sourceFiles(outDir)) {
    if (!existsSync(file)) continue;
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function defaultOutDir() {
  return resolve(ROOT, process.env.WEB_DIST_DIR ?? 'web/dist');
}

function isCurrent(outDir, digest) {
  try {
    return readFileSync(join(outDir, DIGEST_FILE), 'utf8').trim() === digest;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock beside `outDir`, waiting for a live holder and taking over a dead one's. */
async function lock(outDir, { timeoutMs = 180_000 } = {}) {
  const lockDir = `${outDir}.build-lock`;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      // Just created, pid not written yet: wait a moment.
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Another build of the front holds ${lockDir} for too long (pid ${holder}).`);
    await sleep(200);
  }
}

/**
 * Builds the front into `outDir` unless it is current. Returns what happened, for the log and
 * the tests: 'built', or 'current' when a build of the same sources was already there.
 */
export async function buildFront({ outDir = defaultOutDir(), force = false, log = console.error } = {}) {
  const digest = sourcesDigest(outDir);
  if (!force && isCurrent(outDir, digest)) return 'current';
  const release = await lock(outDir);
  try {
    // Another start may have built it while this one waited for the lock.
    if (!force && isCurrent(outDir, digest)) return 'current';
    const { build } = await import('vite');
    const tmp = join(dirname(outDir), `.dist-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    await build({
      configFile: join(WEB, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    writeFileSync(join(tmp, DIGEST_FILE), `${digest}\n`);
    const old = join(dirname(outDir), `.dist-old-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
    rmSync(old, { recursive: true, force: true });
    log(`Front built into ${relative(ROOT, outDir) || outDir}.`);
    return 'built';
  } finally {
    release();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildFront({ force: process.argv.includes('--force') }).then(
    (what) => {
      if (what === 'current') console.error('Front up to date (sources unchanged since the last build).');
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
