import type { DatabaseProbe } from '../../app/readiness.ts';
import type { Database } from './database.ts';
import { migrationStatus } from './migrate.ts';

/** The database as health and readiness see it: a trivial query, and the migrations' state. */
export function makeDatabaseProbe(db: Database): DatabaseProbe {
  return {
    kind: db.kind,
    async ping() {
      await db.query('SELECT 1');
    },
    migrations: () => migrationStatus(db),
  };
}
