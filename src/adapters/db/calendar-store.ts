import { sql, type ExpressionBuilder, type InferResult, type Selectable } from 'kysely';
import type { CalendarConnection, CalendarKind, ConnectionRef, CalendarStore, ConnectionSecrets, ConnectionSettings, ExportRecord, SyncCounts } from '../../app/ports/calendars.ts';
import { BOOKED_STATUSES } from '../../domain/booking-lifecycle.ts';
import { calendarSyncFailedEventOf } from '../../app/webhook-events.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { Database, Queryable } from './database.ts';
import { first, qb, run } from './kysely.ts';
import type { DB, Json } from './schema.ts';

// What this store wrote itself comes back in the shape it wrote (provider ids, settings and
// counts objects, drift markers): one narrowing per column, here.
const storedKind = (v: string): CalendarKind => v as CalendarKind;
const storedSettings = (v: Json): ConnectionSettings => v as ConnectionSettings;
const storedCounts = (v: Json | null): SyncCounts | null => v as SyncCounts | null;
const storedDrift = (v: string | null): ExportRecord['drift'] => v as ExportRecord['drift'];

const connections = () =>
  qb
    .selectFrom('calendar_connections as c')
    .innerJoin('artisans as a', 'a.id', 'c.artisan_id')
    .select([
      'c.id',
      'c.artisan_id',
      'c.provider_id',
      'c.name',
      'c.settings',
      'c.secret_ciphertext',
      'c.write_bookings',
      'c.last_error',
      'c.last_export_error',
      'c.last_counts',
      'c.sync_cursor',
      'a.timezone',
      'a.booking_horizon_days',
      'c.next_sync_at',
      'c.last_attempt_at',
      'c.last_success_at',
      'c.last_error_at',
      'c.last_export_error_at',
      'c.created_at',
    ]);
type ConnectionRow = InferResult<ReturnType<typeof connections>>[number];

const exports = () =>
  qb.selectFrom('calendar_exports').select(['artisan_id', 'connection_id', 'booking_id', 'uid', 'remote_ref', 'drift', 'writing_since', 'updated_at', 'starts_at', 'ends_at']);

const toExport = (
  r: Pick<Selectable<DB['calendar_exports']>, 'artisan_id' | 'connection_id' | 'booking_id' | 'uid' | 'remote_ref' | 'drift' | 'writing_since' | 'updated_at' | 'starts_at' | 'ends_at'>,
): ExportRecord => ({
  artisanId: r.artisan_id,
  connectionId: r.connection_id,
  bookingId: r.booking_id,
  uid: r.uid,
  remoteRef: r.remote_ref,
  startMs: r.starts_at.getTime(),
  endMs: r.ends_at.getTime(),
  drift: storedDrift(r.drift),
  writingSinceMs: r.writing_since?.getTime() ?? null,
  updatedMs: r.updated_at.getTime(),
});

/** Whether `box` opens the stored credentials (checked on one of them; no box opens nothing); undefined when none is stored. */
export async function opensStoredCredentials(db: Database, box: SecretBox | undefined): Promise<boolean | undefined> {
  const [row] = await db.query<{ id: string; secret_ciphertext: string }>('SELECT id, secret_ciphertext FROM calendar_connections ORDER BY id LIMIT 1');
  if (!row) return undefined;
  if (!box) return false;
  try {
    box.open(row.secret_ciphertext, row.id);
    return true;
  } catch {
    return false;
  }
}

/**
 * Connections, their imported blocks and the events exported to them. Credentials are sealed
 * with the SecretBox (bound to the row id) on the way in and opened only on the way out to a
 * connector; every statement is scoped by artisan_id.
 */
export function makeCalendarStore(db: Database, box: SecretBox): CalendarStore {
  const toConnection = (r: ConnectionRow): CalendarConnection => ({
    id: r.id,
    artisanId: r.artisan_id,
    kind: storedKind(r.provider_id),
    name: r.name,
    settings: storedSettings(r.settings),
    secrets: JSON.parse(box.open(r.secret_ciphertext, r.id)) as ConnectionSecrets,
    writeBookings: r.write_bookings,
    timezone: r.timezone,
    horizonDays: r.booking_horizon_days,
    nextSyncMs: r.next_sync_at.getTime(),
    lastAttemptMs: r.last_attempt_at?.getTime() ?? null,
    lastSuccessMs: r.last_success_at?.getTime() ?? null,
    lastError: r.last_error,
    lastErrorMs: r.last_error_at?.getTime() ?? null,
    lastExportError: r.last_export_error,
    lastExportErrorMs: r.last_export_error_at?.getTime() ?? null,
    lastCounts: storedCounts(r.last_counts),
    syncCursor: r.sync_cursor,
    createdMs: r.created_at.getTime(),
  });

  const release = (q: Queryable, c: ConnectionRef, owner: string, nextMs: number) =>
    run(
      q,
      qb
        .updateTable('calendar_connections')
        .set({ lease_owner: null, lease_until: null, next_sync_at: new Date(nextMs) })
        .where('artisan_id', '=', c.artisanId)
        .where('id', '=', c.id)
        .where('lease_owner', '=', owner),
    );

  return {
    async list(artisanId) {
      return (await run(db, connections().where('c.artisan_id', '=', artisanId).orderBy('c.created_at').orderBy('c.id'))).map(toConnection);
    },
    async find(artisanId, id) {
      const r = await first(db, connections().where('c.artisan_id', '=', artisanId).where('c.id', '=', id));
      return r ? toConnection(r) : undefined;
    },
    async insert(c, limitOf) {
      return db.transaction(async (tx) => {
        // The artisan row lock serialises concurrent connects, so the plan limit holds.
        const artisan = await first(tx, qb.selectFrom('artisans').select('plan').where('id', '=', c.artisanId).forUpdate());
        if (!artisan) throw new Error('artisan not found');
        const limit = limitOf(artisan.plan);
        const count = await first(
          tx,
          qb
            .selectFrom('calendar_connections')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('artisan_id', '=', c.artisanId),
        );
        if (limit !== null && count!.n >= limit) return 'limit';
        const now = new Date(c.nowMs);
        await run(
          tx,
          qb.insertInto('calendar_connections').values({
            id: c.id,
            artisan_id: c.artisanId,
            provider_id: c.kind,
            name: c.name,
            settings: JSON.stringify(c.settings),
            secret_ciphertext: box.seal(JSON.stringify(c.secrets), c.id),
            write_bookings: c.writeBookings,
            next_sync_at: now,
            created_at: now,
            updated_at: now,
          }),
        );
        return 'inserted';
      });
    },
    async update(artisanId, id, patch, nowMs) {
      const now = new Date(nowMs);
      // New settings or credentials: sync again at once, and maybe another account or
      // calendar: the next read is a full one. Absent fields stay (Kysely leaves undefined out).
      const resync = Boolean(patch.settings || patch.secrets);
      const rows = await run(
        db,
        qb
          .updateTable('calendar_connections')
          .set({
            name: patch.name,
            write_bookings: patch.writeBookings,
            settings: patch.settings ? JSON.stringify(patch.settings) : undefined,
            secret_ciphertext: patch.secrets ? box.seal(JSON.stringify(patch.secrets), id) : undefined,
            updated_at: now,
            ...(resync ? { next_sync_at: now, sync_cursor: null } : {}),
          })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .returning('id'),
      );
      return rows.length > 0;
    },
    async remove(artisanId, id) {
      // Its blocks and export records go with it (ON DELETE CASCADE): one statement per table.
      const rows = await run(db, qb.deleteFrom('calendar_connections').where('artisan_id', '=', artisanId).where('id', '=', id).returning('id'));
      return rows.length > 0;
    },
    async lease(artisanId, id, owner, nowMs, leaseMs) {
      const now = new Date(nowMs);
      const rows = await run(
        db,
        qb
          .updateTable('calendar_connections')
          .set({ lease_owner: owner, lease_until: new Date(nowMs + leaseMs) })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .returning('id'),
      );
      return rows[0] ? this.find(artisanId, id) : undefined;
    },
    /**
     * Businesses take turns (issue 19 item 7): one connection per business per lease, the
     * business waiting longest first, and none of a business that has a sync under way (a
     * live lease, here or on another instance). A business with a broken or slow calendar
     * thus holds one sync at a time, never the others' turns.
     */
    async leaseDue(owner, nowMs, leaseMs, limit) {
      const now = new Date(nowMs);
      const free = (eb: ExpressionBuilder<DB, 'calendar_connections'>) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]);
      const rows = await run(
        db,
        qb
          .updateTable('calendar_connections')
          .set({ lease_owner: owner, lease_until: new Date(nowMs + leaseMs) })
          .where((eb) =>
            eb(
              eb.refTuple('artisan_id', 'id'),
              'in',
              eb
                .selectFrom(
                  // Each business's longest-waiting due connection (through calendar_connections_due:
                  // the cost follows what is due, not the number of businesses).
                  eb
                    .selectFrom('calendar_connections as due')
                    .distinctOn('due.artisan_id')
                    .select(['due.artisan_id', 'due.id', 'due.next_sync_at'])
                    .where('due.next_sync_at', '<=', now)
                    .where((eb) => eb.or([eb('due.lease_until', 'is', null), eb('due.lease_until', '<', now)]))
                    .where(({ not, exists, selectFrom }) =>
                      not(exists(selectFrom('calendar_connections as busy').select('busy.id').whereRef('busy.artisan_id', '=', 'due.artisan_id').where('busy.lease_until', '>=', now))),
                    )
                    .orderBy('due.artisan_id')
                    .orderBy('due.next_sync_at')
                    .as('first_of_each'),
                )
                .select(['first_of_each.artisan_id', 'first_of_each.id'])
                .orderBy('first_of_each.next_sync_at')
                .limit(limit)
                .$asTuple('artisan_id', 'id'),
            ),
          )
          // Checked again under the row lock: a connection another instance leased meanwhile is left.
          .where('next_sync_at', '<=', now)
          .where(free)
          .returning(['id', 'artisan_id']),
      );
      // A connection that cannot be read (its secrets no longer open) must not take the others
      // leased with it down: it is left out, its lease runs out.
      const found = await Promise.all(rows.map((r) => this.find(r.artisan_id, r.id).catch(() => undefined)));
      return found.filter((c): c is CalendarConnection => c !== undefined);
    },
    async replaceBlocks(c, owner, events, counts, settings, nowMs, nextSyncMs, remote) {
      await db.transaction(async (tx) => {
        if (remote) {
          const kept = qb.deleteFrom('calendar_remote_events').where('artisan_id', '=', c.artisanId).where('connection_id', '=', c.id);
          if (remote.full) await run(tx, kept);
          else if (remote.removals.length > 0) await run(tx, kept.where(sql<boolean>`remote_id = ANY(${remote.removals}::text[])`));
          if (remote.upserts.length > 0) {
            await run(
              tx,
              qb
                .insertInto('calendar_remote_events')
                .columns(['artisan_id', 'connection_id', 'remote_id', 'data'])
                .expression(
                  sql`SELECT ${c.artisanId}, ${c.id}, r.id, r.data FROM unnest(${remote.upserts.map((u) => u.id)}::text[], ${remote.upserts.map((u) =>
                    JSON.stringify(u.data),
                  )}::jsonb[]) AS r(id, data)`,
                )
                .onConflict((oc) => oc.columns(['artisan_id', 'connection_id', 'remote_id']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') }))),
            );
          }
          await run(tx, qb.updateTable('calendar_connections').set({ sync_cursor: remote.cursor }).where('artisan_id', '=', c.artisanId).where('id', '=', c.id));
        }
        // One data_version bump for the whole import instead of one per statement (or row).
        await tx.query(`SELECT set_config('artisanconnect.version_bumped', 'on', true)`);
        await run(tx, qb.deleteFrom('busy_blocks').where('artisan_id', '=', c.artisanId).where('calendar_connection_id', '=', c.id));
        if (events.length > 0) {
          await run(
            tx,
            qb
              .insertInto('busy_blocks')
              .columns(['id', 'artisan_id', 'provider_id', 'source', 'summary', 'starts_at', 'ends_at', 'calendar_connection_id', 'external_uid', 'member_id'])
              .expression(
                // A member's own calendar (issue 20) blocks only them: its blocks carry the member.
                sql`SELECT gen_random_uuid(), ${c.artisanId}, ${c.kind}, 'external', e.summary, e.s, e.e, ${c.id}, e.uid,
                           (SELECT k.member_id FROM calendar_connections k WHERE k.artisan_id = ${c.artisanId} AND k.id = ${c.id})
                      FROM unnest(${events.map((e) => e.summary)}::text[], ${events.map((e) => new Date(e.startMs))}::timestamptz[],
                                  ${events.map((e) => new Date(e.endMs))}::timestamptz[], ${events.map((e) => e.uid)}::text[]) AS e(summary, s, e, uid)`,
              ),
          );
        }
        await run(tx, qb.updateTable('artisans').set({ data_version: sql`data_version + 1` }).where('id', '=', c.artisanId));
        await tx.query(`SELECT set_config('artisanconnect.version_bumped', '', true)`);
        const now = new Date(nowMs);
        await run(
          tx,
          qb
            .updateTable('calendar_connections')
            .set({
              last_attempt_at: now,
              last_success_at: now,
              last_error: null,
              last_error_at: null,
              last_counts: JSON.stringify(counts),
              settings: settings ? JSON.stringify(settings) : undefined,
            })
            .where('artisan_id', '=', c.artisanId)
            .where('id', '=', c.id),
        );
        await release(tx, c, owner, nextSyncMs);
      });
    },
    async remoteItems(c) {
      const rows = await run(
        db,
        qb
          .selectFrom('calendar_remote_events')
          .select(['remote_id', 'data'])
          .where('artisan_id', '=', c.artisanId)
          .where('connection_id', '=', c.id)
          .orderBy('remote_id'),
      );
      return rows.map((r) => ({ id: r.remote_id, data: r.data }));
    },
    async replaceSecrets(artisanId, id, secrets) {
      await run(
        db,
        qb
          .updateTable('calendar_connections')
          .set({ secret_ciphertext: box.seal(JSON.stringify(secrets), id) })
          .where('artisan_id', '=', artisanId)
          .where('id', '=', id),
      );
    },
    async recordFailure(c, owner, message, nowMs, nextSyncMs) {
      await db.transaction(async (tx) => {
        const now = new Date(nowMs);
        const before = await first(
          tx,
          qb.selectFrom('calendar_connections').select(['last_error', 'name', 'provider_id']).where('artisan_id', '=', c.artisanId).where('id', '=', c.id).forUpdate(),
        );
        // Working until now (or never synced): the business's integrations hear of it, once (issue 21).
        if (before && before.last_error === null) {
          const event = calendarSyncFailedEventOf({ id: c.id, name: before.name, providerId: before.provider_id }, message, nowMs);
          await run(
            tx,
            qb.insertInto('outbox').values({ artisan_id: c.artisanId, id: sql<string>`gen_random_uuid()`, topic: event.topic, payload: JSON.stringify(event.payload), run_at: now }),
          );
        }
        await run(
          tx,
          qb
            .updateTable('calendar_connections')
            .set({ last_attempt_at: now, last_error: sql<string>`left(${message}, 500)`, last_error_at: now })
            .where('artisan_id', '=', c.artisanId)
            .where('id', '=', c.id),
        );
        await release(tx, c, owner, nextSyncMs);
      });
    },
    async recordExportError(c, message, nowMs) {
      await run(
        db,
        qb
          .updateTable('calendar_connections')
          .set({
            last_export_error: message === null ? null : sql<string>`left(${message}, 500)`,
            last_export_error_at: message === null ? null : new Date(nowMs),
          })
          .where('artisan_id', '=', c.artisanId)
          .where('id', '=', c.id),
      );
    },
    async writable(artisanId) {
      return (await run(db, connections().where('c.artisan_id', '=', artisanId).where('c.write_bookings', '=', true).orderBy('c.created_at'))).map(
        toConnection,
      );
    },
    async listExports(c) {
      return (await run(db, exports().where('artisan_id', '=', c.artisanId).where('connection_id', '=', c.id).orderBy('starts_at'))).map(toExport);
    },
    async findExport(c, bookingId) {
      const r = await first(db, exports().where('artisan_id', '=', c.artisanId).where('connection_id', '=', c.id).where('booking_id', '=', bookingId));
      return r ? toExport(r) : undefined;
    },
    async saveExport(artisanId, r, nowMs, writing = false) {
      const now = new Date(nowMs);
      await run(
        db,
        qb
          .insertInto('calendar_exports')
          .values({
            artisan_id: artisanId,
            connection_id: r.connectionId,
            booking_id: r.bookingId,
            uid: r.uid,
            remote_ref: r.remoteRef,
            starts_at: new Date(r.startMs),
            ends_at: new Date(r.endMs),
            drift: null,
            updated_at: now,
            writing_since: writing ? now : null,
          })
          .onConflict((oc) =>
            oc.columns(['artisan_id', 'connection_id', 'booking_id']).doUpdateSet((eb) => ({
              uid: eb.ref('excluded.uid'),
              remote_ref: eb.ref('excluded.remote_ref'),
              starts_at: eb.ref('excluded.starts_at'),
              ends_at: eb.ref('excluded.ends_at'),
              drift: null,
              updated_at: eb.ref('excluded.updated_at'),
              writing_since: eb.ref('excluded.writing_since'),
            })),
          ),
      );
    },
    async deleteExport(c, bookingId) {
      await run(
        db,
        qb.deleteFrom('calendar_exports').where('artisan_id', '=', c.artisanId).where('connection_id', '=', c.id).where('booking_id', '=', bookingId),
      );
    },
    async flagDrift(r, drift, details) {
      // Records come from listExports, which says whose they are.
      const artisanId = r.artisanId!;
      await db.transaction(async (tx) => {
        await run(
          tx,
          qb
            .updateTable('calendar_exports')
            .set({ drift })
            .where('artisan_id', '=', artisanId)
            .where('connection_id', '=', r.connectionId)
            .where('booking_id', '=', r.bookingId),
        );
        await run(
          tx,
          qb
            .insertInto('booking_events')
            .values({ artisan_id: artisanId, booking_id: r.bookingId, type: 'calendar_event_changed', actor: 'system', data: JSON.stringify(details) }),
        );
      });
    },
    async enqueueExportsOfActive(artisanId, nowMs) {
      const now = new Date(nowMs);
      const rows = await run(
        db,
        qb
          .insertInto('outbox')
          .columns(['artisan_id', 'id', 'topic', 'booking_id', 'payload', 'run_at'])
          .expression(
            qb
              .selectFrom('bookings as b')
              .select([
                'b.artisan_id',
                sql<string>`gen_random_uuid()`.as('id'),
                sql<string>`'calendar.booking_changed'`.as('topic'),
                'b.id as booking_id',
                sql<string>`'{"change":"connected"}'`.as('payload'),
                sql<Date>`${now}::timestamptz`.as('run_at'),
              ])
              .where('b.artisan_id', '=', artisanId)
              .where('b.status', 'in', [...BOOKED_STATUSES])
              .where('b.ends_at', '>', now),
          )
          .returning('id'),
      );
      return rows.length;
    },
  };
}
