import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference, configTable, loadConfig } from '../src/config.ts';
import { CONFIG_DOC_FILES, CONFIG_TABLE_BEGIN, CONFIG_TABLE_END } from '../scripts/config-docs.ts';
import { REPO_ROOT } from './helpers/process.ts';

/** The environment tables of the README and docs/deployment.md are the configuration's own description. */
describe('configuration reference', () => {
  it.each(CONFIG_DOC_FILES)('%s holds the table generated from src/config.ts (run npm run docs:config after changing a variable)', (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(text).toContain(`${CONFIG_TABLE_BEGIN}\n${configTable()}\n${CONFIG_TABLE_END}`);
  });

  it('describes each variable once, with a meaning, and lists the ones added for operations', () => {
    const names = configReference().map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of configReference()) expect(v.meaning.length, v.name).toBeGreaterThan(10);
    for (const name of ['METRICS_TOKEN', 'BACKUP_DIR', 'BACKUP_INTERVAL_HOURS', 'BACKUP_KEEP', 'RETENTION_MONTHS', 'MAILBOX_RETENTION_DAYS', 'PG_BIN_DIR', 'TRUST_PROXY']) {
      expect(names).toContain(name);
    }
  });

  it('shows the defaults the service actually uses', () => {
    const c = loadConfig({});
    const shown = new Map(configReference().map((v) => [v.name, v.default]));
    expect(shown.get('RETENTION_MONTHS')).toBe(`\`${c.retention.customerMonths}\``);
    expect(shown.get('BACKUP_KEEP')).toBe(`\`${c.backup.keep}\``);
    expect(shown.get('PORT')).toBe(`\`${c.port}\``);
    expect(shown.get('METRICS_TOKEN')).toBe('–');
    expect(c.retention.customerMonths).toBe(36);
  });

  it('refuses a short METRICS_TOKEN and out-of-range backup settings by name', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ BACKUP_KEEP: '0' })).toThrow(/BACKUP_KEEP/);
    expect(() => loadConfig({ RETENTION_MONTHS: 'abc' })).toThrow(/RETENTION_MONTHS/);
  });
});
