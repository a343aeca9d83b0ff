import { ConflictError, NotFoundError, PolicyError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { planLimits, type PlanCode } from '../domain/plans.ts';
import type { CalendarConnection, CalendarKind, CalendarStore, ConnectionSecrets, ConnectionSettings } from './ports/calendars.ts';
import type { CalendarSync, SyncReport } from './calendar-sync.ts';
import type { Clock } from './ports/clock.ts';
import type { Randomness } from './ports/randomness.ts';

export interface ConnectionInput {
  providerId: string;
  name: string;
  url?: string;
  serverUrl?: string;
  username?: string;
  password?: string;
  calendarUrl?: string;
  writeBookings?: boolean;
}

export type ConnectionPatch = Partial<Omit<ConnectionInput, 'providerId'>>;

/** An OAuth 2 authorization-code flow with PKCE (Google, Microsoft). */
export interface OAuthProvider {
  start(): Promise<{ codeVerifier: string; authorizationUrl(state: string): string }>;
  /** Rejects with CalendarError (French) when the code is refused. */
  exchange(code: string, codeVerifier: string): Promise<ConnectionSecrets>;
}

/** Says whether the server may fetch a URL the artisan typed (SSRF guard); a French reason when not. */
export type UrlCheck = (url: string) => Promise<string | undefined>;

const planLimitReached = (): PolicyError =>
  new PolicyError('PLAN_LIMIT_REACHED', "Votre abonnement ne permet pas de connecter un calendrier de plus. Déconnectez-en un ou passez à l'abonnement supérieur.");

const connectionNotFound = (): NotFoundError => new NotFoundError('CALENDAR_NOT_FOUND', 'Ce calendrier connecté est introuvable.');

function httpUrl(value: string | undefined, field: string, details: ErrorDetail[], protocols = ['http:', 'https:']): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value.trim());
    if (!protocols.includes(url.protocol)) {
      details.push({ field, message: `L'adresse doit commencer par ${protocols.map((p) => `${p}//`).join(' ou ')}.` });
      return undefined;
    }
    if (url.username || url.password) {
      details.push({ field, message: "L'adresse ne doit pas contenir d'identifiants : utilisez les champs prévus." });
      return undefined;
    }
    return url.toString();
  } catch {
    details.push({ field, message: "L'adresse n'est pas valide." });
    return undefined;
  }
}

/**
 * The artisan's connected calendars (back office): connect, change, sync now, disconnect.
 * Credentials go to the store to be sealed and never come back in an answer.
 */
export function makeCalendarConnections(deps: {
  store: CalendarStore;
  sync: CalendarSync;
  clock: Clock;
  random: Randomness;
  checkUrl: UrlCheck;
  oauth?: Partial<Record<'google' | 'outlook', OAuthProvider>>;
}) {
  async function checkUrls(urls: { field: string; url: string | undefined }[]): Promise<void> {
    const details: ErrorDetail[] = [];
    for (const { field, url } of urls) {
      if (!url) continue;
      const problem = await deps.checkUrl(url.replace(/^webcals?:/i, 'https:'));
      if (problem) details.push({ field, message: problem });
    }
    if (details.length > 0) throw new ValidationError(details, "Cette adresse ne peut pas être utilisée.");
  }

  function validate(input: ConnectionInput): { kind: CalendarKind; settings: ConnectionSettings; secrets: ConnectionSecrets; name: string } {
    const details: ErrorDetail[] = [];
    const name = input.name.trim().replace(/\s+/g, ' ');
    if (!name) details.push({ field: 'name', message: 'Le nom est obligatoire.' });
    if ((input.providerId === 'google' || input.providerId === 'outlook') && !deps.oauth?.[input.providerId]) {
      throw new ValidationError([
        {
          field: 'providerId',
          message:
            input.providerId === 'google'
              ? "La connexion directe à Google Agenda n'est pas configurée sur ce serveur (GOOGLE_CLIENT_ID) : utilisez l'adresse iCal secrète (ics)."
              : "La connexion directe à Outlook n'est pas configurée sur ce serveur (MICROSOFT_CLIENT_ID) : utilisez l'adresse iCal publiée par Outlook (ics).",
        },
      ]);
    }
    if (input.providerId === 'google' || input.providerId === 'outlook') {
      if (details.length > 0) throw new ValidationError(details);
      return { kind: input.providerId, name, settings: {}, secrets: {} };
    }
    if (input.providerId === 'ics') {
      const url = httpUrl(input.url, 'url', details, ['http:', 'https:', 'webcal:', 'webcals:']);
      if (input.url === undefined) details.push({ field: 'url', message: "L'adresse iCal est obligatoire." });
      if (input.writeBookings) details.push({ field: 'writeBookings', message: "Un abonnement iCal se lit seulement : il ne peut pas recevoir les rendez-vous." });
      if (details.length > 0 || !url) throw new ValidationError(details);
      return { kind: 'ics', name, settings: { host: new URL(url).host }, secrets: { url } };
    }
    if (input.providerId === 'caldav') {
      const serverUrl = httpUrl(input.serverUrl, 'serverUrl', details);
      const calendarUrl = httpUrl(input.calendarUrl, 'calendarUrl', details);
      if (input.serverUrl === undefined) details.push({ field: 'serverUrl', message: "L'adresse du serveur CalDAV est obligatoire." });
      if (!input.username?.trim()) details.push({ field: 'username', message: "L'identifiant est obligatoire." });
      if (!input.password) details.push({ field: 'password', message: 'Le mot de passe est obligatoire (sur iCloud : un mot de passe pour app).' });
      if (details.length > 0 || !serverUrl) throw new ValidationError(details);
      return {
        kind: 'caldav',
        name,
        settings: { serverUrl, username: input.username!.trim(), ...(calendarUrl ? { calendarUrl } : {}) },
        secrets: { password: input.password! },
      };
    }
    throw new ValidationError([{ field: 'providerId', message: 'Type de calendrier inconnu (ics, caldav, google, outlook).' }]);
  }

  async function get(artisanId: string, id: string): Promise<CalendarConnection> {
    const found = await deps.store.find(artisanId, id);
    if (!found) throw connectionNotFound();
    return found;
  }

  async function syncNow(artisanId: string, id: string): Promise<{ connection: CalendarConnection; report: SyncReport }> {
    const report = await deps.sync.syncNow(artisanId, id);
    if (!report) {
      await get(artisanId, id);
      throw new ConflictError('CALENDAR_SYNC_IN_PROGRESS', 'Une synchronisation de ce calendrier est déjà en cours. Réessayez dans un instant.');
    }
    return { connection: await get(artisanId, id), report };
  }

  return {
    list: (artisanId: string) => deps.store.list(artisanId),
    /** The kinds connected by an OAuth flow that this server is configured for. */
    connectable: () => ({ google: Boolean(deps.oauth?.google), outlook: Boolean(deps.oauth?.outlook) }),
    get,

    /**
     * Connects a calendar and imports it at once (its first sync's outcome is in the answer).
     * Google, Outlook: the connection waits for the artisan's consent at `authorizationUrl`.
     */
    async create(artisanId: string, input: ConnectionInput): Promise<{ connection: CalendarConnection; report: SyncReport; authorizationUrl?: string }> {
      const valid = validate(input);
      const provider = valid.kind === 'google' || valid.kind === 'outlook' ? deps.oauth?.[valid.kind] : undefined;
      if (provider) {
        const id = deps.random.uuid();
        const state = `${id}.${Buffer.from(deps.random.bytes(16)).toString('hex')}`;
        const flow = await provider.start();
        const outcome = await deps.store.insert(
          { id, artisanId, ...valid, secrets: { codeVerifier: flow.codeVerifier, state }, writeBookings: input.writeBookings ?? true, nowMs: deps.clock.now() },
          (plan) => planLimits(plan as PlanCode).calendars,
        );
        if (outcome === 'limit') throw planLimitReached();
        const pending = `Autorisation ${valid.kind === 'google' ? 'Google' : 'Outlook'} en attente : ouvrez l'adresse d'autorisation pour terminer la connexion.`;
        return { connection: await get(artisanId, id), report: { ok: false, counts: null, error: pending }, authorizationUrl: flow.authorizationUrl(state) };
      }
      await checkUrls([
        { field: 'url', url: valid.secrets.url },
        { field: 'serverUrl', url: valid.settings.serverUrl },
        { field: 'calendarUrl', url: valid.settings.calendarUrl },
      ]);
      const id = deps.random.uuid();
      const nowMs = deps.clock.now();
      const writeBookings = valid.kind === 'caldav' && input.writeBookings === true;
      const outcome = await deps.store.insert({ id, artisanId, ...valid, writeBookings, nowMs }, (plan) => planLimits(plan as PlanCode).calendars);
      if (outcome === 'limit') throw planLimitReached();
      if (writeBookings) await deps.store.enqueueExportsOfActive(artisanId, nowMs);
      return syncNow(artisanId, id);
    },

    /** A new address or new credentials are read at once: the answer holds that sync's outcome. */
    async update(artisanId: string, id: string, patch: ConnectionPatch): Promise<{ connection: CalendarConnection; report?: SyncReport }> {
      const current = await get(artisanId, id);
      const details: ErrorDetail[] = [];
      const name = patch.name?.trim().replace(/\s+/g, ' ');
      if (name !== undefined && !name) details.push({ field: 'name', message: 'Le nom est obligatoire.' });
      let settings: ConnectionSettings | undefined;
      let secrets: ConnectionSecrets | undefined;
      if (current.kind === 'google' || current.kind === 'outlook') {
        for (const f of ['url', 'serverUrl', 'username', 'password', 'calendarUrl'] as const) {
          if (patch[f] !== undefined) details.push({ field: f, message: 'Ce champ ne concerne pas un calendrier connecté par autorisation.' });
        }
      } else if (current.kind === 'ics') {
        const url = httpUrl(patch.url, 'url', details, ['http:', 'https:', 'webcal:', 'webcals:']);
        for (const f of ['serverUrl', 'username', 'password', 'calendarUrl'] as const) {
          if (patch[f] !== undefined) details.push({ field: f, message: "Ce champ ne concerne pas un abonnement iCal." });
        }
        if (patch.writeBookings) details.push({ field: 'writeBookings', message: "Un abonnement iCal se lit seulement : il ne peut pas recevoir les rendez-vous." });
        if (url) {
          settings = { host: new URL(url).host };
          secrets = { url };
        }
      } else {
        if (patch.url !== undefined) details.push({ field: 'url', message: 'Ce champ ne concerne que les abonnements iCal.' });
        const serverUrl = httpUrl(patch.serverUrl, 'serverUrl', details);
        const calendarUrl = httpUrl(patch.calendarUrl, 'calendarUrl', details);
        if (patch.username !== undefined && !patch.username.trim()) details.push({ field: 'username', message: "L'identifiant est obligatoire." });
        if (patch.password !== undefined && !patch.password) details.push({ field: 'password', message: 'Le mot de passe ne peut pas être vide.' });
        if (serverUrl || calendarUrl || patch.username !== undefined) {
          settings = {
            ...current.settings,
            ...(serverUrl ? { serverUrl } : {}),
            ...(patch.username !== undefined ? { username: patch.username.trim() } : {}),
          };
          // A new server or account: the calendar is found again unless given.
          if (calendarUrl) settings.calendarUrl = calendarUrl;
          else if (serverUrl || patch.username !== undefined) delete settings.calendarUrl;
        }
        if (patch.password) secrets = { ...current.secrets, password: patch.password };
      }
      if (details.length > 0) throw new ValidationError(details);
      await checkUrls([
        { field: 'url', url: secrets?.url },
        { field: 'serverUrl', url: patch.serverUrl === undefined ? undefined : settings?.serverUrl },
        { field: 'calendarUrl', url: patch.calendarUrl === undefined ? undefined : settings?.calendarUrl },
      ]);
      await deps.store.update(artisanId, id, { name, writeBookings: patch.writeBookings, settings, secrets }, deps.clock.now());
      if (patch.writeBookings === true && !current.writeBookings) await deps.store.enqueueExportsOfActive(artisanId, deps.clock.now());
      // No longer written to: what was written there goes, so no event is left to go stale.
      if (patch.writeBookings === false && current.writeBookings) await deps.sync.removeOwnEvents(current);
      if (settings || secrets) {
        // Another run holding the connection leaves this one due at once (next pass).
        const report = await deps.sync.syncNow(artisanId, id);
        return { connection: await get(artisanId, id), ...(report ? { report } : {}) };
      }
      return { connection: await get(artisanId, id) };
    },

    syncNow,

    /** The OAuth callback: the code is exchanged (with the PKCE verifier) and the calendar imported. */
    async completeOAuth(artisanId: string, kind: 'google' | 'outlook', query: { code?: string; state?: string; error?: string }) {
      const provider = deps.oauth?.[kind];
      const id = query.state?.split('.')[0] ?? '';
      const invalid = () => new ValidationError([{ field: 'state', message: "Ce lien d'autorisation n'est pas valide ou a déjà servi : recommencez la connexion." }]);
      if (!provider || !/^[0-9a-f-]{36}$/i.test(id)) throw invalid();
      const connection = await deps.store.find(artisanId, id);
      if (!connection || connection.kind !== kind || !connection.secrets.state || connection.secrets.state !== query.state) throw invalid();
      if (query.error || !query.code) {
        // Refused on the provider's page: the pending connection (never authorised, nothing written) goes.
        await deps.store.remove(artisanId, id);
        throw new ValidationError([{ field: 'code', message: "L'autorisation a été refusée : le calendrier n'est pas connecté." }]);
      }
      let secrets: ConnectionSecrets;
      try {
        secrets = await provider.exchange(query.code, connection.secrets.codeVerifier ?? '');
      } catch (error) {
        throw new ValidationError([{ field: 'code', message: error instanceof Error ? error.message : "L'autorisation n'a pas abouti." }]);
      }
      await deps.store.update(artisanId, id, { secrets }, deps.clock.now());
      if (connection.writeBookings) await deps.store.enqueueExportsOfActive(artisanId, deps.clock.now());
      return syncNow(artisanId, id);
    },

    /**
     * Disconnects: the events this service wrote there are removed first (what could not be
     * removed is said), then the connection, its blocks and its records go.
     */
    async remove(artisanId: string, id: string): Promise<{ removedEvents: number; notRemoved: { bookingId: string; error: string }[] }> {
      const connection = await get(artisanId, id);
      const { removed, failed } = await deps.sync.removeOwnEvents(connection);
      await deps.store.remove(artisanId, id);
      return { removedEvents: removed, notRemoved: failed };
    },
  };
}

export type CalendarConnections = ReturnType<typeof makeCalendarConnections>;
