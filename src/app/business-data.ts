/**
 * A business's own data (issue 19, item 4): what an export of it holds and what it never does,
 * and the ports the export and the deletion need. The tables are read from the live schema
 * (every table whose primary key starts with `artisan_id`, plus the business's row in
 * `artisans`), so a table added later is exported and purged without a change here.
 */

/** Bumped when the archive's layout or a file's shape changes incompatibly. */
export const EXPORT_FORMAT_VERSION = 1;

/**
 * Columns never exported, table by table, and why. Secrets (password, token and reset-link
 * hashes, session and CSRF tokens, sealed calendar credentials) would let their holder act as
 * someone; the others are the instance's plumbing. Setup codes and webhook secrets live in
 * `app_secrets` and the configuration, which belong to no business and are never read here.
 * test/api-business-export.test.ts checks that every live column whose name looks like a secret
 * is on this list, so a new one fails the test until someone decides.
 */
export const WITHHELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  admin_users: ['password_hash'],
  admin_sessions: ['token_hash', 'csrf_token'],
  admin_password_resets: ['token_hash'],
  api_tokens: ['token_hash'],
  calendar_feeds: ['token_hash'],
  signup_confirmations: ['token_hash'],
  calendar_connections: ['secret_ciphertext'],
  // The endpoint's signing secrets (sealed, but a business's export is not where they travel);
  // the rotation's end date goes with them, meaningless alone.
  webhook_endpoints: ['secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at'],
  // A replayed API answer may carry a customer's manage link; the hash is of a request body.
  idempotency_keys: ['request_hash', 'response_body'],
  // The operator's e-mail, not the business's data.
  artisans: ['deletion_requested_by'],
};

/** Column names that look like secrets: each such live column must be on WITHHELD_COLUMNS. */
export const SECRET_LOOKING_COLUMN = /hash|secret|cipher|csrf|^password$|(^|_)token$|setup_code/;

export interface ExportedBusiness {
  id: string;
  displayName: string;
  slug: string | null;
}

export interface BusinessDataStore {
  /**
   * Reads every row the business owns, table by table, as one JSON object a line, with the
   * withheld columns left out, in one consistent snapshot. `line` is awaited (back-pressure).
   * undefined when the business does not exist.
   */
  exportRows(
    artisanId: string,
    withheld: Readonly<Record<string, readonly string[]>>,
    sink: { table(name: string): Promise<void>; line(json: string): Promise<void> },
  ): Promise<{ business: ExportedBusiness; counts: Record<string, number> } | undefined>;
}
