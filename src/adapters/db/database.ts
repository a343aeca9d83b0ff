import type { Backup } from './backup.ts';

/**
 * One data-access port for both engines: embedded PGlite and a PostgreSQL server. Same
 * SQL, same migrations; only the driver differs.
 */
/** How a statement is sent. */
export interface QueryOptions {
  /**
   * Keep it prepared on each connection (PostgreSQL: a named statement, parsed and planned
   * once per connection instead of on every call). Only for the hot statements whose text
   * never changes; PGlite ignores it.
   */
  prepared?: boolean;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/** How a transaction runs. */
export interface TransactionOptions {
  /**
   * Schema changes (migrations): its statements get the maintenance bound instead of a
   * request's query bound (PostgreSQL; PGlite has no bound).
   */
  maintenance?: boolean;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
  /** A consistent snapshot of the whole database with the engine's own tool (see backup.ts). */
  backup?(): Promise<Backup>;
}

/** SQLSTATE of a driver error, when there is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  }
  return undefined;
}

export const EXCLUSION_VIOLATION = '23P01';
export const UNIQUE_VIOLATION = '23505';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNREACHABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed|database thread has stopped|Connection closed/i;

/** node-postgres' client-side bound (query_timeout): no answer came at all, the server or the network went silent. */
export function isQueryReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/**
 * True when an error means the database cannot be reached right now (server restarted or
 * shutting down, network cut, connection lost, embedded database closed, a statement past its
 * time bound: the server cancelled it, or the server went silent), as opposed to a
 * statement it refused. Such a request is answered 503 and may be retried; its transaction
 * did not commit.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isQueryReadTimeout(e)) return true;
    const state = sqlState(e);
    // 08: connection exception; 57014: cancelled (statement_timeout); 57P01–57P03: admin/crash
    // shutdown, cannot connect now; 53300: too many connections.
    if (state && (state.startsWith('08') || /^57P0[1-3]$/.test(state) || state === '57014' || state === '53300')) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return true;
  }
  return false;
}
