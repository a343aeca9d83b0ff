/** What calendar sync needs from the outside world: the connections' storage and the connectors. */

export type CalendarKind = 'ics' | 'caldav' | 'google' | 'outlook';

/** Shown back to the artisan: never a secret. */
export interface ConnectionSettings {
  serverUrl?: string;
  username?: string;
  calendarUrl?: string;
  /** Where the ICS address points, without its secret path (host only). */
  host?: string;
}

/** Sealed at rest; decrypted only to talk to the calendar. */
export interface ConnectionSecrets {
  url?: string;
  password?: string;
  /** OAuth (Google, Microsoft): the long-lived grant, and the PKCE verifier while the artisan authorises. */
  refreshToken?: string;
  codeVerifier?: string;
  state?: string;
}

export interface SyncCounts {
  /** Busy occurrences imported as blocks. */
  blocks: number;
  /** Events of this service found there (not imported back). */
  ownEvents: number;
  /** Events that block nothing (free, cancelled) or fall outside the window are not counted. */
  windowStartMs: number;
  windowEndMs: number;
}

export interface CalendarConnection {
  id: string;
  artisanId: string;
  kind: CalendarKind;
  name: string;
  settings: ConnectionSettings;
  secrets: ConnectionSecrets;
  writeBookings: boolean;
  /** The artisan's zone and horizon: what the import window and floating times are read in. */
  timezone: string;
  horizonDays: number;
  nextSyncMs: number;
  lastAttemptMs: number | null;
  lastSuccessMs: number | null;
  lastError: string | null;
  lastErrorMs: number | null;
  lastExportError: string | null;
  lastExportErrorMs: number | null;
  lastCounts: SyncCounts | null;
  /** Incremental providers: where the last read stopped (sync token, delta link); null: read in full next. */
  syncCursor: string | null;
  createdMs: number;
}

/** One busy occurrence read from a calendar (a recurring series gives one per occurrence). */
export interface ExternalEvent {
  uid: string;
  startMs: number;
  endMs: number;
  summary: string;
  allDay: boolean;
}

/** A booking as it is written into the artisan's calendars. */
export interface ExportedEvent {
  bookingId: string;
  uid: string;
  /** Full iCalendar text (CalDAV) of the event. */
  ics: string;
  /** The same, field by field (JSON APIs: Google, Microsoft Graph). */
  summary: string;
  description: string;
  location?: string;
  startMs: number;
  endMs: number;
}

export interface ImportWindow {
  fromMs: number;
  toMs: number;
  timezone: string;
}

/** One event as the provider gave it, kept between incremental reads (scoped by connection). */
export interface RemoteItem {
  id: string;
  data: unknown;
}

/** What changed since a cursor; `full`: the items are the whole set (the kept copy is replaced). */
export interface ChangeSet {
  full: boolean;
  upserts: RemoteItem[];
  removals: string[];
  cursor: string | null;
}

/**
 * A provider that says what changed since the last read (Google sync tokens, Graph delta
 * links). The kept items are expanded over the current window on every sync.
 */
export interface IncrementalReader {
  /** A full read when `cursor` is null or refused by the provider (expired, window moved on). */
  changes(connection: CalendarConnection, window: ImportWindow, cursor: string | null): Promise<ChangeSet>;
  /** The busy occurrences of the kept items over the window; `own` maps remote ids of exported events to their booking. */
  expand(items: RemoteItem[], window: ImportWindow, own: Map<string, string>): ExternalEvent[];
  /** Kept items that can no longer block anything (ended before the window): dropped from the copy. */
  past?(items: RemoteItem[], window: ImportWindow): string[];
}

/** A calendar the service reads (and, when `write` is present, writes booking events to). */
export interface CalendarConnector {
  incremental?: IncrementalReader;
  /**
   * Every event over the window, expanded, including this service's own (the caller sets
   * them apart by UID). Rejects with CalendarError (French message) on any failure. May
   * return settings learnt on the way (the discovered calendar URL).
   */
  read(connection: CalendarConnection, window: ImportWindow): Promise<{ events: ExternalEvent[]; settings?: ConnectionSettings }>;
  write?: {
    /** Creates or replaces the event by its UID (where it was recorded, when it was); returns where it lives. */
    put(connection: CalendarConnection, event: ExportedEvent, existingRef?: string): Promise<string>;
    /** Where the booking's event lives or would live (deterministic), to remove one never recorded. */
    locate(connection: CalendarConnection, bookingId: string): Promise<string>;
    /** Deletes it; an event already gone is not an error. */
    remove(connection: CalendarConnection, remoteRef: string): Promise<void>;
  };
}

/** A calendar could not be read or written; the message is French and shown on the connection. */
export class CalendarError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'CalendarError';
  }
}

/** A connection as its business's rows are keyed: its business and its id. */
export type ConnectionRef = Pick<CalendarConnection, 'artisanId' | 'id'>;

export interface ExportRecord {
  /** Set when read back from the store (the business the record belongs to). */
  artisanId?: string;
  connectionId: string;
  bookingId: string;
  uid: string;
  remoteRef: string;
  startMs: number;
  endMs: number;
  drift: 'moved' | 'deleted' | null;
  /** Set while the remote write is under way (recorded before it): not checked for drift meanwhile. */
  writingSinceMs?: number | null;
  updatedMs?: number;
}

export interface NewConnection {
  id: string;
  artisanId: string;
  kind: CalendarKind;
  name: string;
  settings: ConnectionSettings;
  secrets: ConnectionSecrets;
  writeBookings: boolean;
  nowMs: number;
}

export interface CalendarStore {
  list(artisanId: string): Promise<CalendarConnection[]>;
  find(artisanId: string, id: string): Promise<CalendarConnection | undefined>;
  /** With the artisan row locked: 'limit' when `limitOf(plan)` connections already exist. */
  insert(connection: NewConnection, limitOf: (plan: string) => number | null): Promise<'inserted' | 'limit'>;
  update(artisanId: string, id: string, patch: { name?: string; writeBookings?: boolean; settings?: ConnectionSettings; secrets?: ConnectionSecrets }, nowMs: number): Promise<boolean>;
  remove(artisanId: string, id: string): Promise<boolean>;
  /** Takes the connection's sync lease when free (or expired); undefined when another holds it. */
  lease(artisanId: string, id: string, owner: string, nowMs: number, leaseMs: number): Promise<CalendarConnection | undefined>;
  /** Leases due connections (next sync passed), oldest due first; several instances safe. */
  leaseDue(owner: string, nowMs: number, leaseMs: number, limit: number): Promise<CalendarConnection[]>;
  /** Connections of the service's artisan whose last attempt is older than `staleMs` (or never). */
  /**
   * In one transaction, with ONE data_version bump: the connection's blocks become `events`,
   * its counts and last success are recorded, its lease released until `nextSyncMs`.
   */
  replaceBlocks(
    connection: CalendarConnection,
    owner: string,
    events: ExternalEvent[],
    counts: SyncCounts,
    settings: ConnectionSettings | undefined,
    nowMs: number,
    nextSyncMs: number,
    remote?: ChangeSet,
  ): Promise<void>;
  /** The remote events kept for an incremental connection (see `replaceBlocks`' `remote`). */
  remoteItems(connection: CalendarConnection): Promise<RemoteItem[]>;
  /** New credentials from the provider (a rotated refresh token): schedule and cursor untouched. */
  replaceSecrets(artisanId: string, id: string, secrets: ConnectionSecrets): Promise<void>;
  /** The previous blocks stay; the error (French) and attempt are recorded, the lease released. */
  recordFailure(connection: CalendarConnection, owner: string, message: string, nowMs: number, nextSyncMs: number): Promise<void>;
  recordExportError(connection: ConnectionRef, message: string | null, nowMs: number): Promise<void>;
  /** Writable connections of the artisan (export targets). */
  writable(artisanId: string): Promise<CalendarConnection[]>;
  listExports(connection: ConnectionRef): Promise<ExportRecord[]>;
  findExport(connection: ConnectionRef, bookingId: string): Promise<ExportRecord | undefined>;
  /** `writing`: the intent, recorded before the remote write; else the write is done. */
  saveExport(artisanId: string, record: ExportRecord, nowMs: number, writing?: boolean): Promise<void>;
  deleteExport(connection: ConnectionRef, bookingId: string): Promise<void>;
  /** Marks an exported event the artisan changed by hand and writes it to the booking's history. */
  flagDrift(record: ExportRecord, drift: 'moved' | 'deleted' | null, details: Record<string, unknown>): Promise<void>;
  /** Queues an export job for every active, future booking of the artisan (a new writable calendar). */
  enqueueExportsOfActive(artisanId: string, nowMs: number): Promise<number>;
}
