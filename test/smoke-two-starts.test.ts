import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIGEST_FILE, sourcesDigest } from '../scripts/build-front.mjs';
import { freePort, killAllServiceProcesses, startServiceProcess } from './helpers/process.ts';

/**
 * Two `npm start` launched together in one checkout (two instances of one business, say) must
 * both serve: the front is built by one of them while the other waits for it, and neither
 * fails on the other's build. The front goes to a folder of this test's own (WEB_DIST_DIR), empty
 * at first, so both starts really find it missing and race for it.
 */
describe('smoke: two npm start launched together in one checkout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'artisanconnect-two-starts-'));
  const dist = join(dir, 'dist');

  afterAll(async () => {
    await killAllServiceProcesses();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('both serve the booking page and the back office, and the front is built once', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const env = (name: string) => ({ DATA_DIR: join(dir, name), WEB_DIST_DIR: dist, LOG_LEVEL: 'info' });
    const a = startServiceProcess('npm', env('a'), portA);
    const b = startServiceProcess('npm', env('b'), portB);
    await Promise.all([a.waitForHealth(120_000), b.waitForHealth(120_000)]);

    for (const p of [a, b]) {
      for (const path of ['/', '/admin']) {
        const res = await fetch(`${p.baseUrl}${path}`);
        expect(res.status, `${path} on ${p.port}:\n${p.output()}`).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
        expect(await res.text()).toMatch(/<script type="module"[^>]+src="\/assets\//);
      }
    }
    const logs = a.output() + b.output();
    expect(logs).not.toMatch(/Found another Vite/);
    // One start built it; the other found it current once the first had finished.
    expect(logs.match(/Front built into/g) ?? []).toHaveLength(1);
    expect(logs).toMatch(/Front up to date/);
    expect(readFileSync(join(dist, DIGEST_FILE), 'utf8').trim()).toBe(sourcesDigest(dist));
    expect(existsSync(`${dist}.build-lock`)).toBe(false);
  }, 180_000);
});
