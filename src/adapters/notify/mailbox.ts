import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { qb, run } from '../db/kysely.ts';
import type { Channel, EmailMessage, Mailer, SmsMessage, SmsSender } from '../../app/ports/notifications.ts';
import { toE164 } from './twilio-sms.ts';

export interface MailboxEntry {
  id: string;
  channel: Channel;
  to: string;
  recipientKind: 'customer' | 'artisan';
  kind: string;
  subject: string | null;
  text: string;
  html: string | null;
  ics: string | null;
  messageId: string;
  bookingId: string | null;
  publicCode: string | null;
  createdMs: number;
}

// Written by `keep` below from these very types: one narrowing per column.
const storedChannel = (v: string): Channel => v as Channel;
const storedRecipientKind = (v: string): MailboxEntry['recipientKind'] => v as MailboxEntry['recipientKind'];

/**
 * The embedded default when no SMTP server (SMTP_URL) or no Twilio account is configured:
 * every message is kept in the database, where the artisan reads what would have been sent.
 * A resend with the same Message-ID is kept once.
 */
export function makeMailbox(db: Database, deps: { uuid: () => string; now: () => number }) {
  const keep = async (entry: Omit<MailboxEntry, 'id' | 'createdMs' | 'publicCode'> & { artisanId: string; outboxId: string }): Promise<{ providerRef: string }> => {
    const id = deps.uuid();
    await run(
      db,
      qb
        .insertInto('mailbox')
        .values({
          artisan_id: entry.artisanId,
          id,
          channel: entry.channel,
          recipient: entry.to,
          recipient_kind: entry.recipientKind,
          kind: entry.kind,
          subject: entry.subject,
          text_body: entry.text,
          html_body: entry.html,
          ics: entry.ics,
          message_id: entry.messageId,
          booking_id: entry.bookingId,
          outbox_id: entry.outboxId,
          created_at: new Date(deps.now()),
        })
        .onConflict((oc) => oc.columns(['artisan_id', 'message_id']).doNothing()),
    );
    return { providerRef: `mailbox:${id}` };
  };
  const mailer: Mailer = {
    send: (m: EmailMessage) =>
      keep({ channel: 'email', to: m.to.address, recipientKind: m.recipientKind, kind: m.kind, subject: m.subject, text: m.text, html: m.html,
        ics: m.ics?.content ?? null, messageId: m.messageId, artisanId: m.artisanId, bookingId: m.bookingId, outboxId: m.outboxId }),
  };
  const sms: SmsSender = {
    send: (m: SmsMessage) =>
      keep({ channel: 'sms', to: toE164(m.to) ?? m.to, recipientKind: m.recipientKind, kind: m.kind, subject: null, text: m.text, html: null,
        ics: null, messageId: m.messageId, artisanId: m.artisanId, bookingId: m.bookingId, outboxId: m.outboxId }),
  };
  return {
    mailer,
    sms,
    /** One business's messages, newest first. */
    async list(
      artisanId: string,
      filter: { channel?: Channel; publicCode?: string; limit: number; offset: number },
    ): Promise<{ messages: MailboxEntry[]; total: number }> {
      let query = qb
        .selectFrom('mailbox as m')
        .leftJoin('bookings as b', (j) => j.onRef('b.artisan_id', '=', 'm.artisan_id').onRef('b.id', '=', 'm.booking_id'))
        .selectAll('m')
        .select(['b.public_code', sql<number>`count(*) OVER ()::int`.as('total')])
        .where('m.artisan_id', '=', artisanId);
      if (filter.channel !== undefined) query = query.where('m.channel', '=', filter.channel);
      if (filter.publicCode !== undefined) query = query.where('b.public_code', '=', filter.publicCode);
      const rows = await run(db, query.orderBy('m.created_at', 'desc').orderBy('m.seq', 'desc').limit(filter.limit).offset(filter.offset));
      return {
        total: rows[0]?.total ?? 0,
        messages: rows.map((r) => ({
          id: r.id,
          channel: storedChannel(r.channel),
          to: r.recipient,
          recipientKind: storedRecipientKind(r.recipient_kind),
          kind: r.kind,
          subject: r.subject,
          text: r.text_body,
          html: r.html_body,
          ics: r.ics,
          messageId: r.message_id,
          bookingId: r.booking_id,
          publicCode: r.public_code,
          createdMs: r.created_at.getTime(),
        })),
      };
    },
  };
}

export type Mailbox = ReturnType<typeof makeMailbox>;
