import { PGlite } from '@electric-sql/pglite';
import { auto_explain } from '@electric-sql/pglite/contrib/auto_explain';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import pg from 'pg';

/**
 * Plans of a statement and of every statement it runs inside functions (the availability
 * statement may be a PL/pgSQL function, whose EXPLAIN shows a bare "Result"): auto_explain
 * with log_analyze and log_nested_statements, its output sent to the client as NOTICEs.
 * Three runs, the last one kept (plan caches warm, a single sample less at the mercy of the
 * scheduler).
 */
const SETTINGS = `LOAD 'auto_explain';
  SET auto_explain.log_min_duration = 0;
  SET auto_explain.log_analyze = on;
  SET auto_explain.log_buffers = on;
  SET auto_explain.log_timing = on;
  SET auto_explain.log_nested_statements = on;
  SET auto_explain.log_level = notice;`;

/** Keeps the first line of each "Query Text:" (a function body is long) and the whole plan. */
function shorten(notice: string): string {
  const lines = notice.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Query Text:'));
  if (at < 0) return notice;
  const plan = lines.findIndex((l, i) => i > at && l.includes('(cost='));
  const text = lines[at] ?? '';
  const cut = plan > at + 1 ? `${text} …` : text;
  return [...lines.slice(0, at), cut, ...(plan > at ? lines.slice(plan) : lines.slice(at + 1))].join('\n');
}

export async function explainPostgres(url: string, text: string, params: readonly unknown[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  let notices: string[] = [];
  client.on('notice', (n) => notices.push(shorten(n.message ?? '')));
  try {
    await client.query(SETTINGS);
    for (let i = 0; i < 3; i++) {
      notices = [];
      await client.query(text, [...params]);
    }
    return notices;
  } finally {
    await client.end();
  }
}

/** The same on a PGlite data directory; the service must not have it open. */
export async function explainPglite(dataDir: string, text: string, params: readonly unknown[]): Promise<string[]> {
  const db = await PGlite.create({ dataDir, extensions: { btree_gist, auto_explain } });
  try {
    await db.exec(`SET TIME ZONE UTC; ${SETTINGS}`);
    let notices: string[] = [];
    for (let i = 0; i < 3; i++) {
      notices = [];
      await db.query(text, [...params], { onNotice: (n) => notices.push(shorten(n.message ?? '')) });
    }
    return notices;
  } finally {
    await db.close();
  }
}
