import { sql } from 'kysely';
import type { BusinessDirectory } from '../../app/ports/business-directory.ts';
import { BoundedMap } from '../../app/creation-state.ts';
import type { Queryable } from './database.ts';
import { first, qb } from './kysely.ts';

/**
 * The instance's business when it has exactly one (the one rule for "a one-business instance").
 * A sign-up waiting for its confirmation is not published: it does not count.
 */
export async function readSoleBusiness(db: Queryable): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>('SELECT id FROM artisans WHERE unconfirmed_since IS NULL LIMIT 2');
  return rows.length === 1 ? rows[0]!.id : undefined;
}

/**
 * How long an address found stays trusted at most. The directory stamp is what drops a changed
 * address (every insert, deletion, publication and change of a slug or host name moves it); this
 * bound only catches a write that bypassed the stamp's trigger. Long enough that a uniform walk
 * over DIRECTORY_SIZE businesses does not read each address again (platform bench, session 11).
 */
export const DIRECTORY_TTL_MS = 60_000;
/**
 * How often the directory stamp is read (migration 0040): an address changed on another
 * instance (the operator renamed a business, a sign-up was published) is dropped here within
 * this time; changed through this instance, at once.
 */
export const DIRECTORY_STAMP_MS = 1_000;
/** Addresses kept (slugs and host names of the businesses visited lately). */
export const DIRECTORY_SIZE = 10_000;

/**
 * Every public request asks which business it is for; the answer is kept a few seconds so
 * that this costs no round trip on a busy page. Slugs and the sole business are kept only when
 * found (a business created a moment ago is found at once); host names are kept either way, so
 * that requests on a host that is no business's do not each cost a read. Bounded whatever the
 * number of businesses. Everything kept is dropped when the directory stamp moved: read with
 * each address (same statement, same snapshot) and on its own at most once a second.
 */
const published = () => qb.selectFrom('artisans').select('id').where('unconfirmed_since', 'is', null);
const stampQuery = () => qb.selectFrom('business_directory_stamp').select('version');

export function makeBusinessDirectory(db: Queryable, now: () => number = Date.now): BusinessDirectory {
  const found = new BoundedMap<string, { id: string | undefined; untilMs: number }>(DIRECTORY_SIZE);
  /** The latest stamp seen; everything kept was read at it or before. */
  let stamp = -1;
  let stampReadAt = -Infinity;
  let stampRead: Promise<void> | undefined;
  /** A newer stamp: what was kept may be stale. */
  const saw = (version: number | string | bigint | null | undefined): void => {
    const v = Number(version ?? 0);
    if (v > stamp) {
      if (stamp !== -1) found.clear();
      stamp = v;
    }
  };
  const checkStamp = async (): Promise<void> => {
    if (now() - stampReadAt < DIRECTORY_STAMP_MS) return;
    stampRead ??= (async () => {
      try {
        saw((await first(db, stampQuery()))?.version);
        stampReadAt = now();
      } finally {
        stampRead = undefined;
      }
    })();
    await stampRead;
  };
  const lookup = async (key: string, read: () => Promise<{ id: string | undefined; version: number | string | bigint }>, keepMisses = false): Promise<string | undefined> => {
    if (found.get(key)) await checkStamp();
    const hit = found.get(key);
    if (hit && hit.untilMs > now()) return hit.id;
    const { id, version } = await read();
    saw(version);
    if (id === undefined && !keepMisses) found.delete(key);
    else found.set(key, { id, untilMs: now() + DIRECTORY_TTL_MS });
    return id;
  };
  /** The address's business and the stamp, in one statement. */
  const byColumn = (column: 'slug' | 'host_name', value: string) => async () => {
    const row = await first(db, stampQuery().select(() => [published().where(column, '=', value).limit(1).as('id')]));
    return { id: row?.id ?? undefined, version: row?.version ?? 0 };
  };
  return {
    // An unconfirmed sign-up answers like an unknown business.
    bySlug: (slug) => lookup(`s:${slug}`, byColumn('slug', slug)),
    byHost: (host) => lookup(`h:${host}`, byColumn('host_name', host), true),
    // Within the business (index bookings_code_within_business, migration 0053): another
    // business's code and one never issued both stop in the index.
    hasBookingCode: async (artisanId, code) =>
      (await first(db, qb.selectFrom('bookings').select(sql<number>`1`.as('one')).where('artisan_id', '=', artisanId).where('public_code', '=', code))) !== undefined,
    sole: () =>
      lookup('sole', async () => {
        // The stamp first: read before the businesses, it can only be older than what they show.
        const version = (await first(db, stampQuery()))?.version ?? 0;
        return { id: await readSoleBusiness(db), version };
      }),
    // Read when the back office shows an address (never on a visitor's request): not kept.
    addressOf: async (artisanId) => {
      const row = await first(db, qb.selectFrom('artisans').select(['slug', 'host_name']).where('id', '=', artisanId));
      return row && { slug: row.slug, hostName: row.host_name };
    },
    published(slug) {
      // Reachable at once: a miss on the slug was not kept, the sole business may have been.
      found.delete(`s:${slug}`);
      found.delete('sole');
    },
    moved() {
      // The old address answers as unknown at once here; on other instances, at the stamp's next read.
      found.clear();
    },
  };
}
