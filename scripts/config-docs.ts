// `npm run docs:config`: writes the environment table generated from src/config.ts (each
// variable is described once, where it is read) into README.md and docs/deployment.md,
// between the markers below. test/ops-config-docs.test.ts fails when a file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configTable } from '../src/config.ts';

export const CONFIG_TABLE_BEGIN = '<!-- config-table: generated from src/config.ts by `npm run docs:config`; do not edit by hand -->';
export const CONFIG_TABLE_END = '<!-- /config-table -->';
export const CONFIG_DOC_FILES = ['README.md', 'docs/deployment.md'];

/** The file's text with the generated table between the markers (which must be there). */
export function withConfigTable(text: string, file: string): string {
  const begin = text.indexOf(CONFIG_TABLE_BEGIN);
  const end = text.indexOf(CONFIG_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`${file}: the config-table markers are missing`);
  return `${text.slice(0, begin)}${CONFIG_TABLE_BEGIN}\n${configTable()}\n${text.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const file of CONFIG_DOC_FILES) {
    const path = `${root}${file}`;
    const before = readFileSync(path, 'utf8');
    const after = withConfigTable(before, file);
    if (after !== before) writeFileSync(path, after);
    console.log(`${file}: ${after === before ? 'up to date' : 'table rewritten'}`);
  }
}
