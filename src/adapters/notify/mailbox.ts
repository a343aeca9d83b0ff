import type { Database } from '../db/database.ts';
import type { Channel, EmailMessage, Mailer, SmsMessage, SmsSender } from '../../app/notification-ports.ts';
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

/**
 * The embedded default when no SMTP server (SMTP_URL) or no Twilio account is configured:
 * every message is kept in the database, where the artisan reads what would have been sent.
 * A resend with the same Message-ID is kept once.
 */
export function makeMailbox(db: Database, deps: { uuid: () => string; now: () => number }) {
  const keep = async (entry: Omit<MailboxEntry, 'id' | 'createdMs' | 'publicCode'> & { outboxId: string }): Promise<{ providerRef: string }> => {
    const id = deps.uuid();
    await db.query(
      `INSERT INTO mailbox (id, channel, recipient, recipient_kind, kind, subject, text_body, html_body, ics, message_id, booking_id, outbox_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (message_id) DO NOTHING`,
      [id, entry.channel, entry.to, entry.recipientKind, entry.kind, entry.subject, entry.text, entry.html, entry.ics, entry.messageId,
        entry.bookingId, entry.outboxId, new Date(deps.now()).toISOString()],
    );
    return { providerRef: `mailbox:${id}` };
  };
  const mailer: Mailer = {
    send: (m: EmailMessage) =>
      keep({ channel: 'email', to: m.to.address, recipientKind: m.recipientKind, kind: m.kind, subject: m.subject, text: m.text, html: m.html,
        ics: m.ics?.content ?? null, messageId: m.messageId, bookingId: m.bookingId, outboxId: m.outboxId }),
  };
  const sms: SmsSender = {
    send: (m: SmsMessage) =>
      keep({ channel: 'sms', to: toE164(m.to) ?? m.to, recipientKind: m.recipientKind, kind: m.kind, subject: null, text: m.text, html: null,
        ics: null, messageId: m.messageId, bookingId: m.bookingId, outboxId: m.outboxId }),
  };
  return {
    mailer,
    sms,
    async list(filter: { channel?: Channel; publicCode?: string; limit: number; offset: number }): Promise<{ messages: MailboxEntry[]; total: number }> {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT m.*, b.public_code, (extract(epoch FROM m.created_at) * 1000)::float8 AS created_ms, count(*) OVER ()::int AS total
           FROM mailbox m LEFT JOIN bookings b ON b.id = m.booking_id
          WHERE ($1::text IS NULL OR m.channel = $1) AND ($2::text IS NULL OR b.public_code = $2)
          ORDER BY m.created_at DESC, m.seq DESC LIMIT $3 OFFSET $4`,
        [filter.channel ?? null, filter.publicCode ?? null, filter.limit, filter.offset],
      );
      return {
        total: (rows[0]?.total as number | undefined) ?? 0,
        messages: rows.map((r) => ({
          id: r.id as string,
          channel: r.channel as Channel,
          to: r.recipient as string,
          recipientKind: r.recipient_kind as 'customer' | 'artisan',
          kind: r.kind as string,
          subject: (r.subject as string | null) ?? null,
          text: r.text_body as string,
          html: (r.html_body as string | null) ?? null,
          ics: (r.ics as string | null) ?? null,
          messageId: r.message_id as string,
          bookingId: (r.booking_id as string | null) ?? null,
          publicCode: (r.public_code as string | null) ?? null,
          createdMs: Number(r.created_ms),
        })),
      };
    },
  };
}

export type Mailbox = ReturnType<typeof makeMailbox>;
