import { isStanding } from '../domain/booking-lifecycle.ts';
import { bookingIdOfUid } from '../domain/calendar-uid.ts';
import { CalendarError, type CalendarConnection, type CalendarConnector, type CalendarKind, type CalendarStore, type ChangeSet, type ConnectionSettings, type ExportedEvent, type ImportWindow, type IncrementalReader, type RemoteItem, type ExternalEvent, type SyncCounts } from './ports/calendars.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { Clock } from './ports/clock.ts';

const DAY_MS = 86_400_000;
/** A sync holds its connection this long at most; a dead instance's lease then runs out. */
const LEASE_MS = 2 * 60_000;
/** Background syncs a process runs at once: a calendar that hangs (until its timeout) holds one. */
export const SYNC_LANES = 4;

export interface SyncReport {
  ok: boolean;
  counts: SyncCounts | null;
  error: string | null;
}

export interface CalendarSyncDeps {
  store: CalendarStore;
  connectors: Partial<Record<CalendarKind, CalendarConnector>>;
  bookings: { findBookingById(id: string): Promise<BookingRecord | undefined> };
  /** The booking as an event of the artisan's own calendar (with the customer's details). */
  renderEvent(booking: BookingRecord): Promise<ExportedEvent | undefined>;
  clock: Clock;
  /** 0..1, for the jitter of the next sync. */
  random: () => number;
  intervalMinutes: number;
  /** Who holds leases taken by this process. */
  owner: string;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Calendar import (each connection's events over the booking horizon become its busy blocks)
 * and export (each booking change made to match in every writable calendar). Both are
 * state-based: an import replaces the connection's whole set, an export reads the booking
 * as it is now, so retried, duplicated or reordered runs converge.
 */
export function makeCalendarSync(deps: CalendarSyncDeps) {
  const intervalMs = deps.intervalMinutes * 60_000;
  // Jittered, so connections created together do not all sync in the same second.
  const nextSync = (nowMs: number): number => nowMs + Math.round(intervalMs * (0.8 + 0.4 * deps.random()));

  const connectorOf = (c: CalendarConnection): CalendarConnector => {
    const connector = deps.connectors[c.kind];
    if (!connector) throw new CalendarError('Ce type de calendrier ne peut pas encore être synchronisé.');
    return connector;
  };

  /**
   * Compares our exported events with what the calendar held when it was listed (at
   * `listedMs`); flags hand-made changes. An export being written, or recorded after the
   * listing began, is left for the next sync: the listing may predate our own write.
   */
  async function checkDrift(connection: CalendarConnection, own: ExternalEvent[], fromMs: number, toMs: number, listedMs: number): Promise<void> {
    const exports = await deps.store.listExports(connection);
    const byUid = new Map(own.map((e) => [e.uid, e]));
    for (const record of exports) {
      if (record.endMs <= fromMs || record.startMs >= toMs) continue;
      // Unconfirmed (being written, or the write failed and its job retries): the calendar may
      // hold either version, so neither is a change by hand.
      if (record.writingSinceMs != null) continue;
      if (record.updatedMs !== undefined && record.updatedMs >= listedMs) continue;
      const found = byUid.get(record.uid);
      const drift = !found ? 'deleted' : found.startMs !== record.startMs || found.endMs !== record.endMs ? 'moved' : null;
      if (drift === record.drift) continue;
      const message =
        drift === 'deleted'
          ? `L'événement de ce rendez-vous a été supprimé à la main dans le calendrier « ${connection.name} ». Le rendez-vous reste confirmé ici : annulez-le depuis l'espace artisan si c'était voulu.`
          : drift === 'moved'
            ? `L'événement de ce rendez-vous a été déplacé à la main dans le calendrier « ${connection.name} ». Le rendez-vous n'a pas bougé ici : déplacez-le depuis l'espace artisan pour prévenir le client.`
            : `L'événement de ce rendez-vous est de nouveau à l'heure dans le calendrier « ${connection.name} ».`;
      await deps.store.flagDrift(record, drift, {
        connectionId: connection.id,
        calendar: connection.name,
        change: drift ?? 'restored',
        message,
        ...(found && drift === 'moved' ? { calendarStartMs: found.startMs, calendarEndMs: found.endMs } : {}),
      });
    }
  }

  /**
   * The changes since the connection's cursor applied to the events kept from earlier reads,
   * and the result expanded over the current window (so a horizon moving on needs no full read).
   */
  async function readIncremental(reader: IncrementalReader, connection: CalendarConnection, window: ImportWindow): Promise<{ events: ExternalEvent[]; remote: ChangeSet }> {
    const remote = await reader.changes(connection, window, connection.syncCursor);
    const items = new Map<string, RemoteItem>();
    if (!remote.full) for (const item of await deps.store.remoteItems(connection)) items.set(item.id, item);
    for (const id of remote.removals) items.delete(id);
    for (const item of remote.upserts) items.set(item.id, item);
    // The copy does not grow for ever with the days gone by.
    for (const id of reader.past?.([...items.values()], window) ?? []) {
      items.delete(id);
      remote.removals.push(id);
    }
    remote.upserts = remote.full ? [...items.values()] : remote.upserts.filter((u) => items.has(u.id));
    const own = new Map((await deps.store.listExports(connection)).filter((r) => r.remoteRef).map((r) => [r.remoteRef, r.bookingId]));
    return { events: reader.expand([...items.values()], window, own), remote };
  }

  /** One import of a leased connection; a failure keeps the previous blocks and is recorded. */
  async function runLeased(connection: CalendarConnection): Promise<SyncReport> {
    const nowMs = deps.clock.now();
    const window = { fromMs: nowMs - DAY_MS, toMs: nowMs + (connection.horizonDays + 1) * DAY_MS, timezone: connection.timezone };
    try {
      const connector = connectorOf(connection);
      const listedMs = deps.clock.now();
      let events: ExternalEvent[];
      let settings: ConnectionSettings | undefined;
      let remote: ChangeSet | undefined;
      if (connector.incremental) {
        ({ events, remote } = await readIncremental(connector.incremental, connection, window));
      } else {
        ({ events, settings } = await connector.read(connection, window));
      }
      const own = events.filter((e) => bookingIdOfUid(e.uid) !== undefined);
      const foreign = events.filter((e) => bookingIdOfUid(e.uid) === undefined);
      const counts: SyncCounts = { blocks: foreign.length, ownEvents: own.length, windowStartMs: window.fromMs, windowEndMs: window.toMs };
      if (connection.writeBookings) await checkDrift(connection, own, window.fromMs, window.toMs, listedMs);
      await deps.store.replaceBlocks(connection, deps.owner, foreign, counts, settings, deps.clock.now(), nextSync(deps.clock.now()), remote);
      return { ok: true, counts, error: null };
    } catch (error) {
      const message = error instanceof CalendarError ? error.message : 'Erreur inattendue pendant la synchronisation ; elle sera retentée.';
      if (!(error instanceof CalendarError)) deps.log?.warn({ err: error, connectionId: connection.id }, 'calendar sync failed unexpectedly');
      await deps.store.recordFailure(connection, deps.owner, message, deps.clock.now(), nextSync(deps.clock.now()));
      return { ok: false, counts: connection.lastCounts, error: message };
    }
  }

  /** Before a booking is taken: the stale calendars its read step found are synced, for at most `budgetMs`. */
  async function syncBeforeBooking(stale: { artisanId: string; id: string }[], budgetMs: number): Promise<void> {
    if (stale.length === 0) return;
    const runs = Promise.all(
      stale.map(async ({ artisanId, id }) => {
        const leased = await deps.store.lease(artisanId, id, deps.owner, deps.clock.now(), LEASE_MS);
        if (leased) await runLeased(leased);
      }),
    ).catch((err: unknown) => deps.log?.warn({ err }, 'pre-booking calendar sync failed'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([runs, new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)))]);
    clearTimeout(timer);
  }

  // Background syncs under way (startDue), each in its own lane.
  const running = new Set<Promise<unknown>>();

  return {
    /** Sync now (the artisan's button): undefined when another run holds the connection. */
    async syncNow(artisanId: string, id: string): Promise<SyncReport | undefined> {
      const leased = await deps.store.lease(artisanId, id, deps.owner, deps.clock.now(), LEASE_MS);
      return leased ? runLeased(leased) : undefined;
    },

    /** The background pass: every due connection (several instances share them by lease). */
    async runDue(limit = 5): Promise<number> {
      const due = await deps.store.leaseDue(deps.owner, deps.clock.now(), LEASE_MS, limit);
      await Promise.all(due.map(runLeased));
      return due.length;
    },

    /**
     * The worker's pass: due connections are leased into the free lanes and synced there
     * without waiting for them, so a calendar that hangs until its timeout holds one lane while
     * the next passes keep syncing the others. Answers how many were started.
     */
    async startDue(lanes = SYNC_LANES): Promise<number> {
      const free = lanes - running.size;
      if (free <= 0) return 0;
      const due = await deps.store.leaseDue(deps.owner, deps.clock.now(), LEASE_MS, free);
      for (const connection of due) {
        const sync: Promise<unknown> = runLeased(connection)
          .catch((err: unknown) => deps.log?.warn({ err, connectionId: connection.id }, 'calendar sync failed'))
          .finally(() => running.delete(sync));
        running.add(sync);
      }
      return due.length;
    },

    /** Resolves once the background syncs under way have ended (shutdown). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },

    /** How long a calendar goes without a sync before a booking syncs it first (the sync interval). */
    staleAfterMs: intervalMs,

    syncBeforeBooking,

    /**
     * The outbox handler of `calendar.booking_changed`: every writable calendar is made to
     * match the booking as it is now (an event while it is active, none after). The record of
     * where the event lives is written before the event, so a crash in between leaves nothing
     * the next run cannot find and remove. Throws when a calendar failed (retried with backoff).
     */
    async exportBooking(bookingId: string): Promise<{ written: number; removed: number }> {
      const booking = await deps.bookings.findBookingById(bookingId);
      if (!booking) return { written: 0, removed: 0 };
      const targets = await deps.store.writable(booking.artisanId);
      // Only a booking the customer has is in the artisan's calendars (not a hold being paid); it stays once its outcome is recorded.
      const active = isStanding(booking.status);
      const event = active ? await deps.renderEvent(booking) : undefined;
      const failures: string[] = [];
      let written = 0;
      let removed = 0;
      for (const connection of targets) {
        const writer = deps.connectors[connection.kind]?.write;
        if (!writer) continue;
        try {
          const existing = await deps.store.findExport(connection, booking.id);
          if (event) {
            // The intent first: a sync listing the calendar while the write is under way
            // must not flag the event as moved or deleted by hand.
            const intended = { connectionId: connection.id, bookingId: booking.id, uid: event.uid, remoteRef: existing?.remoteRef ?? '', startMs: event.startMs, endMs: event.endMs, drift: null };
            await deps.store.saveExport(booking.artisanId, intended, deps.clock.now(), true);
            const ref = await writer.put(connection, event, existing?.remoteRef || undefined);
            await deps.store.saveExport(
              booking.artisanId,
              { connectionId: connection.id, bookingId: booking.id, uid: event.uid, remoteRef: ref, startMs: event.startMs, endMs: event.endMs, drift: null },
              deps.clock.now(),
            );
            if (existing?.remoteRef && existing.remoteRef !== ref) await writer.remove(connection, existing.remoteRef);
            written++;
          } else {
            // Also when nothing is recorded: a crash between writing the event and recording
            // it must not leave the event behind.
            await writer.remove(connection, existing?.remoteRef || (await writer.locate(connection, booking.id)));
            if (existing) {
              await deps.store.deleteExport(connection, booking.id);
              removed++;
            }
          }
          if (connection.lastExportError) await deps.store.recordExportError(connection, null, deps.clock.now());
        } catch (error) {
          const message = error instanceof CalendarError ? error.message : "Erreur inattendue pendant l'écriture du rendez-vous.";
          failures.push(`${connection.id}: ${message}`);
          await deps.store.recordExportError(connection, `Rendez-vous ${booking.publicCode} non reporté dans ce calendrier : ${message}`, deps.clock.now());
        }
      }
      if (failures.length > 0) throw new Error(`calendar export failed: ${failures.join('; ')}`);
      return { written, removed };
    },

    /** Removes the events this service wrote to a calendar being disconnected. */
    async removeOwnEvents(connection: CalendarConnection): Promise<{ removed: number; failed: { bookingId: string; error: string }[] }> {
      const writer = deps.connectors[connection.kind]?.write;
      const exports = await deps.store.listExports(connection);
      if (!writer) return { removed: 0, failed: [] };
      let removed = 0;
      const failed: { bookingId: string; error: string }[] = [];
      for (const record of exports) {
        try {
          await writer.remove(connection, record.remoteRef || (await writer.locate(connection, record.bookingId)));
          await deps.store.deleteExport(connection, record.bookingId);
          removed++;
        } catch (error) {
          failed.push({ bookingId: record.bookingId, error: error instanceof CalendarError ? error.message : 'Erreur inattendue.' });
        }
      }
      return { removed, failed };
    },
  };
}

export type CalendarSync = ReturnType<typeof makeCalendarSync>;
