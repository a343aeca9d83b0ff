import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A short hash of every file under src/ (paths and contents): which code a run measured. */
export function sourceFingerprint(root: string): { hash: string; files: number; migrations: string[] } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(root, 'src'));
  const hash = createHash('sha256');
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  const migrations = files.filter((f) => f.includes('/migrations/')).map((f) => f.split('/').pop() ?? f);
  return { hash: hash.digest('hex').slice(0, 12), files: files.length, migrations };
}
