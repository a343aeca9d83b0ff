import type { CalendarConnection, CalendarStore, ConnectionSecrets, ExportRecord } from '../../app/calendar-ports.ts';
import { BOOKED_STATUSES } from '../../domain/booking-lifecycle.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { Database, Queryable } from './database.ts';

const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const msOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const epoch = (column: string, alias = column): string => `(extract(epoch FROM c.${column}) * 1000)::float8 AS ${alias}`;

const SELECT = `SELECT c.id, c.artisan_id, c.provider_id, c.name, c.settings, c.secret_ciphertext, c.write_bookings,
    c.last_error, c.last_export_error, c.last_counts, c.sync_cursor, a.timezone, a.booking_horizon_days,
    ${epoch('next_sync_at', 'next_ms')}, ${epoch('last_attempt_at', 'attempt_ms')}, ${epoch('last_success_at', 'success_ms')},
    ${epoch('last_error_at', 'error_ms')}, ${epoch('last_export_error_at', 'export_error_ms')}, ${epoch('created_at', 'created_ms')}
  FROM calendar_connections c JOIN artisans a ON a.id = c.artisan_id`;

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
  const toConnection = (r: Record<string, unknown>): CalendarConnection => ({
    id: r.id as string,
    artisanId: r.artisan_id as string,
    kind: r.provider_id as CalendarConnection['kind'],
    name: r.name as string,
    settings: r.settings as CalendarConnection['settings'],
    secrets: JSON.parse(box.open(r.secret_ciphertext as string, r.id as string)) as ConnectionSecrets,
    writeBookings: r.write_bookings as boolean,
    timezone: r.timezone as string,
    horizonDays: r.booking_horizon_days as number,
    nextSyncMs: Number(r.next_ms),
    lastAttemptMs: msOrNull(r.attempt_ms),
    lastSuccessMs: msOrNull(r.success_ms),
    lastError: (r.last_error as string | null) ?? null,
    lastErrorMs: msOrNull(r.error_ms),
    lastExportError: (r.last_export_error as string | null) ?? null,
    lastExportErrorMs: msOrNull(r.export_error_ms),
    lastCounts: (r.last_counts as CalendarConnection['lastCounts']) ?? null,
    syncCursor: (r.sync_cursor as string | null) ?? null,
    createdMs: Number(r.created_ms),
  });

  const toExport = (r: Record<string, unknown>): ExportRecord => ({
    connectionId: r.connection_id as string,
    bookingId: r.booking_id as string,
    uid: r.uid as string,
    remoteRef: r.remote_ref as string,
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    drift: (r.drift as ExportRecord['drift']) ?? null,
    writingSinceMs: msOrNull(r.writing_ms),
    updatedMs: Number(r.updated_ms),
  });
  const EXPORT_SELECT = `SELECT connection_id, booking_id, uid, remote_ref, drift,
      (extract(epoch FROM writing_since) * 1000)::float8 AS writing_ms, (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms,
      (extract(epoch FROM starts_at) * 1000)::float8 AS start_ms, (extract(epoch FROM ends_at) * 1000)::float8 AS end_ms FROM calendar_exports`;

  const release = (q: Queryable, id: string, owner: string, nextMs: number) =>
    q.query(`UPDATE calendar_connections SET lease_owner = NULL, lease_until = NULL, next_sync_at = $3 WHERE id = $1 AND lease_owner = $2`, [id, owner, iso(nextMs)]);

  return {
    async list(artisanId) {
      return (await db.query(`${SELECT} WHERE c.artisan_id = $1 ORDER BY c.created_at, c.id`, [artisanId])).map(toConnection);
    },
    async find(artisanId, id) {
      const rows = await db.query(`${SELECT} WHERE c.artisan_id = $1 AND c.id = $2`, [artisanId, id]);
      return rows[0] ? toConnection(rows[0]) : undefined;
    },
    async insert(c, limitOf) {
      return db.transaction(async (tx) => {
        // The artisan row lock serialises concurrent connects, so the plan limit holds.
        const [artisan] = await tx.query<{ plan: string }>(`SELECT plan FROM artisans WHERE id = $1 FOR UPDATE`, [c.artisanId]);
        if (!artisan) throw new Error('artisan not found');
        const limit = limitOf(artisan.plan);
        const [count] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM calendar_connections WHERE artisan_id = $1`, [c.artisanId]);
        if (limit !== null && count!.n >= limit) return 'limit';
        await tx.query(
          `INSERT INTO calendar_connections (id, artisan_id, provider_id, name, settings, secret_ciphertext, write_bookings, next_sync_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)`,
          [c.id, c.artisanId, c.kind, c.name, JSON.stringify(c.settings), box.seal(JSON.stringify(c.secrets), c.id), c.writeBookings, iso(c.nowMs)],
        );
        return 'inserted';
      });
    },
    async update(artisanId, id, patch, nowMs) {
      const rows = await db.query(
        `UPDATE calendar_connections SET name = coalesce($3, name), write_bookings = coalesce($4, write_bookings),
            settings = coalesce($5::jsonb, settings), secret_ciphertext = coalesce($6, secret_ciphertext), updated_at = $7,
            -- New settings or credentials: sync again at once.
            next_sync_at = CASE WHEN $5::jsonb IS NOT NULL OR $6::text IS NOT NULL THEN $7 ELSE next_sync_at END,
            -- Maybe another account or calendar: the next read is a full one.
            sync_cursor = CASE WHEN $5::jsonb IS NOT NULL OR $6::text IS NOT NULL THEN NULL ELSE sync_cursor END
          WHERE artisan_id = $1 AND id = $2 RETURNING id`,
        [
          artisanId,
          id,
          patch.name ?? null,
          patch.writeBookings ?? null,
          patch.settings ? JSON.stringify(patch.settings) : null,
          patch.secrets ? box.seal(JSON.stringify(patch.secrets), id) : null,
          iso(nowMs),
        ],
      );
      return rows.length > 0;
    },
    async remove(artisanId, id) {
      // Its blocks and export records go with it (ON DELETE CASCADE): one statement per table.
      const rows = await db.query(`DELETE FROM calendar_connections WHERE artisan_id = $1 AND id = $2 RETURNING id`, [artisanId, id]);
      return rows.length > 0;
    },
    async lease(artisanId, id, owner, nowMs, leaseMs) {
      const rows = await db.query<{ id: string }>(
        `UPDATE calendar_connections SET lease_owner = $3, lease_until = $5
          WHERE artisan_id = $1 AND id = $2 AND (lease_until IS NULL OR lease_until < $4) RETURNING id`,
        [artisanId, id, owner, iso(nowMs), iso(nowMs + leaseMs)],
      );
      return rows[0] ? this.find(artisanId, id) : undefined;
    },
    async leaseDue(owner, nowMs, leaseMs, limit) {
      const rows = await db.query<{ id: string; artisan_id: string }>(
        `UPDATE calendar_connections SET lease_owner = $1, lease_until = $3
          WHERE id IN (SELECT id FROM calendar_connections
                        WHERE next_sync_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
                        ORDER BY next_sync_at LIMIT $4 FOR UPDATE SKIP LOCKED)
          RETURNING id, artisan_id`,
        [owner, iso(nowMs), iso(nowMs + leaseMs), limit],
      );
      const found = await Promise.all(rows.map((r) => this.find(r.artisan_id, r.id)));
      return found.filter((c): c is CalendarConnection => c !== undefined);
    },
    async staleForService(serviceId, nowMs, staleMs) {
      return db.query<{ artisanId: string; id: string }>(
        `SELECT c.artisan_id AS "artisanId", c.id FROM calendar_connections c JOIN services s ON s.artisan_id = c.artisan_id
          WHERE s.id = $1 AND calendar_due_for_sync(c.last_attempt_at, c.lease_until, $2, $3)`,
        [serviceId, iso(nowMs - staleMs), iso(nowMs)],
      );
    },
    async replaceBlocks(c, owner, events, counts, settings, nowMs, nextSyncMs, remote) {
      await db.transaction(async (tx) => {
        if (remote) {
          if (remote.full) await tx.query(`DELETE FROM calendar_remote_events WHERE artisan_id = $1 AND connection_id = $2`, [c.artisanId, c.id]);
          else if (remote.removals.length > 0) {
            await tx.query(`DELETE FROM calendar_remote_events WHERE artisan_id = $1 AND connection_id = $2 AND remote_id = ANY($3::text[])`, [c.artisanId, c.id, remote.removals]);
          }
          if (remote.upserts.length > 0) {
            await tx.query(
              `INSERT INTO calendar_remote_events (artisan_id, connection_id, remote_id, data)
               SELECT $1, $2, r.id, r.data FROM unnest($3::text[], $4::jsonb[]) AS r(id, data)
               ON CONFLICT (connection_id, remote_id) DO UPDATE SET data = EXCLUDED.data`,
              [c.artisanId, c.id, remote.upserts.map((u) => u.id), remote.upserts.map((u) => JSON.stringify(u.data))],
            );
          }
          await tx.query(`UPDATE calendar_connections SET sync_cursor = $3 WHERE artisan_id = $1 AND id = $2`, [c.artisanId, c.id, remote.cursor]);
        }
        // One data_version bump for the whole import instead of one per statement (or row).
        await tx.query(`SELECT set_config('artisanconnect.version_bumped', 'on', true)`);
        await tx.query(`DELETE FROM busy_blocks WHERE artisan_id = $1 AND calendar_connection_id = $2`, [c.artisanId, c.id]);
        if (events.length > 0) {
          await tx.query(
            `INSERT INTO busy_blocks (id, artisan_id, provider_id, source, summary, starts_at, ends_at, calendar_connection_id, external_uid)
             SELECT gen_random_uuid(), $1, $2, 'external', e.summary, e.s, e.e, $3, e.uid
               FROM unnest($4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[]) AS e(summary, s, e, uid)`,
            [c.artisanId, c.kind, c.id, events.map((e) => e.summary), events.map((e) => iso(e.startMs)), events.map((e) => iso(e.endMs)), events.map((e) => e.uid)],
          );
        }
        await tx.query(`UPDATE artisans SET data_version = data_version + 1 WHERE id = $1`, [c.artisanId]);
        await tx.query(`SELECT set_config('artisanconnect.version_bumped', '', true)`);
        await tx.query(
          `UPDATE calendar_connections SET last_attempt_at = $3, last_success_at = $3, last_error = NULL, last_error_at = NULL,
              last_counts = $4, settings = coalesce($5::jsonb, settings)
            WHERE artisan_id = $1 AND id = $2`,
          [c.artisanId, c.id, iso(nowMs), JSON.stringify(counts), settings ? JSON.stringify(settings) : null],
        );
        await release(tx, c.id, owner, nextSyncMs);
      });
    },
    async remoteItems(c) {
      const rows = await db.query<{ remote_id: string; data: unknown }>(
        `SELECT remote_id, data FROM calendar_remote_events WHERE artisan_id = $1 AND connection_id = $2 ORDER BY remote_id`,
        [c.artisanId, c.id],
      );
      return rows.map((r) => ({ id: r.remote_id, data: r.data }));
    },
    async replaceSecrets(artisanId, id, secrets) {
      await db.query(`UPDATE calendar_connections SET secret_ciphertext = $3 WHERE artisan_id = $1 AND id = $2`, [artisanId, id, box.seal(JSON.stringify(secrets), id)]);
    },
    async recordFailure(c, owner, message, nowMs, nextSyncMs) {
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE calendar_connections SET last_attempt_at = $3, last_error = left($4, 500), last_error_at = $3 WHERE artisan_id = $1 AND id = $2`,
          [c.artisanId, c.id, iso(nowMs), message],
        );
        await release(tx, c.id, owner, nextSyncMs);
      });
    },
    async recordExportError(connectionId, message, nowMs) {
      await db.query(`UPDATE calendar_connections SET last_export_error = left($2, 500), last_export_error_at = CASE WHEN $2::text IS NULL THEN NULL ELSE $3::timestamptz END WHERE id = $1`, [
        connectionId,
        message,
        iso(nowMs),
      ]);
    },
    async writable(artisanId) {
      return (await db.query(`${SELECT} WHERE c.artisan_id = $1 AND c.write_bookings ORDER BY c.created_at`, [artisanId])).map(toConnection);
    },
    async listExports(connectionId) {
      return (await db.query(`${EXPORT_SELECT} WHERE connection_id = $1 ORDER BY starts_at`, [connectionId])).map(toExport);
    },
    async findExport(connectionId, bookingId) {
      const rows = await db.query(`${EXPORT_SELECT} WHERE connection_id = $1 AND booking_id = $2`, [connectionId, bookingId]);
      return rows[0] ? toExport(rows[0]) : undefined;
    },
    async saveExport(artisanId, r, nowMs, writing = false) {
      await db.query(
        `INSERT INTO calendar_exports (artisan_id, connection_id, booking_id, uid, remote_ref, starts_at, ends_at, drift, updated_at, writing_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, CASE WHEN $9 THEN $8::timestamptz END)
         ON CONFLICT (connection_id, booking_id) DO UPDATE SET uid = EXCLUDED.uid, remote_ref = EXCLUDED.remote_ref,
           starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, drift = NULL, updated_at = EXCLUDED.updated_at,
           writing_since = EXCLUDED.writing_since`,
        [artisanId, r.connectionId, r.bookingId, r.uid, r.remoteRef, iso(r.startMs), iso(r.endMs), iso(nowMs), writing],
      );
    },
    async deleteExport(connectionId, bookingId) {
      await db.query(`DELETE FROM calendar_exports WHERE connection_id = $1 AND booking_id = $2`, [connectionId, bookingId]);
    },
    async flagDrift(r, drift, details) {
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE calendar_exports SET drift = $3 WHERE connection_id = $1 AND booking_id = $2`, [r.connectionId, r.bookingId, drift]);
        await tx.query(`INSERT INTO booking_events (booking_id, type, actor, data) VALUES ($1, 'calendar_event_changed', 'system', $2)`, [
          r.bookingId,
          JSON.stringify(details),
        ]);
      });
    },
    async enqueueExportsOfActive(artisanId, nowMs) {
      const rows = await db.query(
        `INSERT INTO outbox (id, topic, booking_id, payload, run_at)
         SELECT gen_random_uuid(), 'calendar.booking_changed', b.id, '{"change":"connected"}', $2 FROM bookings b
          WHERE b.artisan_id = $1 AND b.status = ANY($3) AND b.ends_at > $2 RETURNING id`,
        [artisanId, iso(nowMs), [...BOOKED_STATUSES]],
      );
      return rows.length;
    },
  };
}
