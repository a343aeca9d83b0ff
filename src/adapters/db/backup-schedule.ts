import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Backup } from './backup.ts';

const NAME = /^artisanconnect-\d{8}T\d{6}Z(\.tar\.gz|\.sql)$/;

export interface BackupFile {
  name: string;
  sizeBytes: number;
  createdMs: number;
}

/** The complete backups of the directory, newest first (a `.partial` is still being written). */
export function listBackups(dir: string): BackupFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort()
    .reverse()
    .map((name) => {
      const st = statSync(join(dir, name));
      return { name, sizeBytes: st.size, createdMs: st.mtimeMs };
    });
}

/** The path of a backup named by a client, only when the name is a backup's (no other file, no path). */
export function backupPath(dir: string, name: string): string | undefined {
  if (!NAME.test(name)) return undefined;
  const file = join(dir, name);
  return existsSync(file) ? file : undefined;
}

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
  let running: Promise<string> | undefined;

  /** Writes one backup now; while one is being written (the schedule's, the operator's), that one. */
  function runOnce(): Promise<string> {
    running ??= write().finally(() => (running = undefined));
    return running;
  }

  async function write(): Promise<string> {
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
    void runOnce()
      .catch((err: unknown) => deps.log.error({ err }, 'scheduled backup failed; next try at the next interval'));
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
      await running?.catch(() => undefined);
    },
  };
}
