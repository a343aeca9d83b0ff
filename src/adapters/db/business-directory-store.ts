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

/** How long an address found stays trusted: a renamed slug or host moves within this time. */
export const DIRECTORY_TTL_MS = 5_000;
/** Addresses kept (slugs and host names of the businesses visited lately). */
export const DIRECTORY_SIZE = 10_000;

/**
 * Every public request asks which business it is for; the answer is kept a few seconds so
 * that this costs no round trip on a busy page. Slugs and the sole business are kept only when
 * found (a business created a moment ago is found at once); host names are kept either way, so
 * that requests on a host that is no business's do not each cost a read. Bounded whatever the
 * number of businesses.
 */
const published = () => qb.selectFrom('artisans').select('id').where('unconfirmed_since', 'is', null);

export function makeBusinessDirectory(db: Queryable, now: () => number = Date.now): BusinessDirectory {
  const found = new BoundedMap<string, { id: string | undefined; untilMs: number }>(DIRECTORY_SIZE);
  const lookup = async (key: string, read: () => Promise<string | undefined>, keepMisses = false): Promise<string | undefined> => {
    const hit = found.get(key);
    if (hit && hit.untilMs > now()) return hit.id;
    const id = await read();
    if (id === undefined && !keepMisses) found.delete(key);
    else found.set(key, { id, untilMs: now() + DIRECTORY_TTL_MS });
    return id;
  };
  return {
    // An unconfirmed sign-up answers like an unknown business.
    bySlug: (slug) => lookup(`s:${slug}`, async () => (await first(db, published().where('slug', '=', slug)))?.id),
    byHost: (host) => lookup(`h:${host}`, async () => (await first(db, published().where('host_name', '=', host)))?.id, true),
    // Within the business (index bookings_code_within_business, migration 0053): another
    // business's code and one never issued both stop in the index.
    hasBookingCode: async (artisanId, code) =>
      (await first(db, qb.selectFrom('bookings').select(sql<number>`1`.as('one')).where('artisan_id', '=', artisanId).where('public_code', '=', code))) !== undefined,
    sole: () => lookup('sole', () => readSoleBusiness(db)),
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
  };
}
