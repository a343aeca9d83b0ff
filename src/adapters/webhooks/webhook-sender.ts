import { Webhook } from 'standardwebhooks';
import { isPublicAddress, makeSafeFetch, makeUrlCheck } from '../calendars/safe-fetch.ts';
import type { RenderedEvent, SendResult, WebhookSender } from '../../app/webhooks.ts';
import { presentAdminBooking } from '../http/routes/admin-bookings.ts';
import { formatInstant, instantToLocal } from '../../domain/time.ts';
import { PAYLOAD_VERSION } from '../../app/webhooks.ts';

/** Standard Webhooks: no redirect is followed, the whole exchange is cut at 15 s. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** The receiver's answer is read up to this size (its body is not used). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Test receivers only: tests run them on the loopback over plain HTTP. Never set by the
 * service's configuration; compose() takes it as a test override.
 */
export interface WebhookTestAllowance {
  isAllowedAddress: (address: string) => boolean;
  allowHttp: true;
}

/**
 * Sends over the calendars' SSRF guard (safe-fetch.ts: every address after DNS resolution must
 * be public unicast), with `redirect: 'manual'` so a 3xx counts as a failed attempt.
 */
export function makeWebhookSender(options: { test?: WebhookTestAllowance } = {}): WebhookSender {
  const limits = { allowPrivate: false, isAllowedAddress: options.test?.isAllowedAddress ?? isPublicAddress };
  const fetch = makeSafeFetch({ ...limits, timeoutMs: WEBHOOK_TIMEOUT_MS, maxBytes: MAX_RESPONSE_BYTES, maxRedirects: 0 });
  const check = makeUrlCheck(limits);
  const schemes = options.test?.allowHttp ? ['https:', 'http:'] : ['https:'];
  return {
    async send(url, message): Promise<SendResult> {
      const timestamp = new Date(message.timestampSec * 1000);
      // Two signatures while a rotation runs: the receiver accepts either (Standard Webhooks).
      const signature = message.secrets.map((s) => new Webhook(s).sign(message.id, timestamp, message.body)).join(' ');
      const started = Date.now();
      try {
        if (!schemes.includes(new URL(url).protocol)) return { error: 'Adresse refusée : seules les adresses https:// sont acceptées.' };
        const res = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'ArtisanConnect-Webhooks/1',
            'webhook-id': message.id,
            'webhook-timestamp': String(message.timestampSec),
            'webhook-signature': signature,
          },
          body: message.body,
        });
        return { statusCode: res.status };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (/réseau privé ou local/.test(text)) return { error: 'Adresse refusée : elle mène à un réseau privé ou local.' };
        if (Date.now() - started >= WEBHOOK_TIMEOUT_MS - 50) return { error: `Pas de réponse dans les ${WEBHOOK_TIMEOUT_MS / 1000} s.` };
        if (/taille maximale/.test(text)) return { error: 'Réponse trop volumineuse.' };
        return { error: 'Serveur injoignable.' };
      }
    },
    async checkUrl(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return 'Adresse invalide : saisissez une adresse complète commençant par https://.';
      }
      if (!schemes.includes(url.protocol)) return 'Seules les adresses https:// sont acceptées.';
      if (url.username || url.password) return 'L’adresse ne doit pas contenir d’identifiant ni de mot de passe.';
      if (raw.length > 2000) return 'Adresse trop longue (2 000 caractères au plus).';
      const refusal = await check(raw);
      if (refusal === undefined) return undefined;
      return /réseau privé ou local/.test(refusal) ? `Adresse refusée : « ${url.hostname} » mène à un réseau privé ou local. Utilisez une adresse publique.` : refusal;
    },
  };
}

/** Where the booking was, as the admin API writes a booking's times. */
const whenOf = (startMs: number, endMs: number, zone: string) => {
  const local = instantToLocal(startMs, zone);
  return { startDateTime: formatInstant(startMs, zone), endDateTime: formatInstant(endMs, zone), date: local.date, time: local.time };
};

/**
 * An event's JSON body: {id, type, timestamp, version, data: {booking, previous?, cancellation?,
 * refund?}}, the booking exactly as the admin API shows it.
 */
export function renderWebhookEvent(eventId: string, p: RenderedEvent): string {
  return JSON.stringify({
    id: eventId,
    type: p.type,
    timestamp: new Date(p.occurredMs).toISOString(),
    version: PAYLOAD_VERSION,
    data: {
      booking: presentAdminBooking(p.booking),
      ...(p.previous ? { previous: whenOf(p.previous.startMs, p.previous.endMs, p.booking.timezone) } : {}),
      ...(p.cancellation ? { cancellation: p.cancellation } : {}),
      ...(p.refund ? { refund: p.refund } : {}),
      ...(p.message ? { message: p.message } : {}),
      ...(p.previousAssignment ? { previousAssignment: p.previousAssignment } : {}),
    },
  });
}

/** The body of an event about no booking (calendar.sync_failed): the same envelope, `data` as given. */
export function renderPlainWebhookEvent(eventId: string, type: string, occurredMs: number, data: Record<string, unknown>): string {
  return JSON.stringify({ id: eventId, type, timestamp: new Date(occurredMs).toISOString(), version: PAYLOAD_VERSION, data });
}
