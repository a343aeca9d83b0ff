import nodemailer from 'nodemailer';
import type { EmailMessage, Mailer } from '../../app/ports/notifications.ts';
import type { AccountMail } from '../../app/password-reset.ts';
import { maskContacts } from '../mask-contacts.ts';

/**
 * E-mail through SMTP (SMTP_URL: smtp:// or smtps://, credentials inside). The Message-ID is
 * ours, derived from the outbox job, so a resend after a crash is recognisable as the same
 * message. A refusal (server down, recipient refused) rejects: the outbox retries with backoff.
 *
 * The transport is nodemailer's pool: up to `maxConnections` (SMTP_MAX_CONNECTIONS) open
 * connections, reused for up to 100 messages each and closed after 30 s idle, so a message
 * costs one MAIL/RCPT/DATA exchange instead of a connection, greeting, EHLO and login.
 */
export function makeSmtpMailer(options: {
  url: string;
  from: string;
  timeoutMs?: number;
  maxConnections?: number;
}): Mailer & { close(): void; sendAccountMail(mail: AccountMail): Promise<void> } {
  const timeout = options.timeoutMs ?? 15_000;
  // MAIL_FROM is "Name <address>" or a bare address (checked by the config).
  const instanceAddress = /<([^<>\s]+)>\s*$/.exec(options.from)?.[1] ?? options.from.trim();
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: 100,
    idleTimeout: 30_000,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  });
  return {
    async send(message: EmailMessage) {
      try {
        // Address objects: nodemailer encodes names with accents or quotes (RFC 2047).
        const info = await transport.sendMail({
          from: message.sender ? { name: message.sender.name, address: instanceAddress } : options.from,
          ...(message.sender ? { replyTo: { name: message.sender.name, address: message.sender.replyTo } } : {}),
          to: { name: message.to.name, address: message.to.address },
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.messageId}>`,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-ArtisanConnect-Kind': message.kind },
          ...(message.ics ? { icalEvent: { method: message.ics.method, filename: 'rendez-vous.ics', content: message.ics.content } } : {}),
          ...(message.attachments ? { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) } : {}),
        });
        return { providerRef: typeof info.response === 'string' ? info.response.slice(0, 200) : undefined };
      } catch (error) {
        // SMTP replies quote the recipient's address: it must not reach the logs.
        throw new Error(`SMTP: ${maskContacts(error instanceof Error ? error.message : String(error))}`);
      }
    },
    /** A message about an account (password reset), on the same pool. */
    async sendAccountMail(mail: AccountMail) {
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-ArtisanConnect-Kind': mail.kind ?? 'password_reset' },
        });
      } catch (error) {
        throw new Error(`SMTP: ${maskContacts(error instanceof Error ? error.message : String(error))}`);
      }
    },
    close: () => transport.close(),
  };
}
