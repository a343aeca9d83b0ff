import twilio from 'twilio';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { SmsMessage, SmsSender } from '../../app/ports/notifications.ts';
import { maskContacts } from '../mask-contacts.ts';

/** A phone number in E.164, read as French when it has no country prefix; undefined when invalid. */
export function toE164(phone: string): string | undefined {
  const parsed = parsePhoneNumberFromString(phone, 'FR');
  return parsed?.isValid() ? parsed.number : undefined;
}

/**
 * The SDK's own request client, sending to another origin: how the tests (and a Twilio-shaped
 * gateway) receive the SDK's real requests. Path, form body and Basic auth are unchanged.
 */
type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: TData };

class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super({ timeout: 15_000 });
  }
  override request<TData>(opts: RequestOptions<TData>) {
    const target = new URL(opts.uri);
    target.protocol = this.base.protocol;
    target.host = this.base.host;
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

/** SMS with the official Twilio SDK (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM). */
export function makeTwilioSms(options: { accountSid: string; authToken: string; from: string; apiBaseUrl?: string }): SmsSender {
  const client = twilio(options.accountSid, options.authToken, {
    ...(options.apiBaseUrl ? { httpClient: new RebasedRequestClient(new URL(options.apiBaseUrl)) } : {}),
  });
  return {
    async send(message: SmsMessage) {
      const to = toE164(message.to);
      // An invalid number will not become valid by retrying: recorded as skipped, not failed.
      if (!to) return { providerRef: 'skipped:invalid-number' };
      try {
        const sent = await client.messages.create({ to, from: options.from, body: message.text });
        return { providerRef: sent.sid };
      } catch (error) {
        throw new Error(`Twilio: ${maskContacts(error instanceof Error ? error.message : String(error))}`);
      }
    },
  };
}
