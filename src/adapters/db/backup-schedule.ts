import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Backup } from './backup.ts';

const NAME = /^artisanconnect-\d{8}T\d{6}Z(\.tar\.gz|\.sql)$/;

/**
 * Scheduled backups (BACKUP_DIR): one every `intervalHours`, the first a minute after start,
 * written under a temporary name and renamed when complete; then only the newest `keep`
 * backups of the directory are kept. A failed backup is logged and retried at the next
 * interval; it never stops the service.
 */
export function makeBackupSchedule(deps: {
  backup: () => Promise<Backup>;
  dir: string;
  intervalHours: number;
  keep: number;
  now: () => number;
  log: Logger;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function runOnce(): Promise<string> {
    mkdirSync(deps.dir, { recursive: true });
    const backup = await deps.backup();
    const stamp = new Date(deps.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const file = join(deps.dir, `artisanconnect-${stamp}${backup.extension}`);
    const partial = `${file}.partial`;
    try {
      await pipeline(backup.stream, createWriteStream(partial, { mode: 0o600 }));
      renameSync(partial, file);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    // Names sort by time: keep the newest `keep`.
    const backups = readdirSync(deps.dir).filter((f) => NAME.test(f)).sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - deps.keep))) rmSync(join(deps.dir, old), { force: true });
    deps.log.info({ file }, 'scheduled backup written');
    return file;
  }

  const tick = (): void => {
    running = runOnce()
      .catch((err: unknown) => deps.log.error({ err }, 'scheduled backup failed; next try at the next interval'))
      .finally(() => (running = undefined));
  };

  return {
    runOnce,
    start(firstDelayMs = 60_000): void {
      const every = deps.intervalHours * 3_600_000;
      timer = setTimeout(function again() {
        tick();
        timer = setTimeout(again, every);
        timer.unref();
      }, firstDelayMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
