import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import ICAL from 'ical.js';

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

export const SMTP_USER = 'artisanconnect';
export const SMTP_PASS = 'secret-smtp';

/**
 * A real SMTP server for the tests (smtp-server), with authentication, that parses what it
 * receives with mailparser. It can be stopped and started again on the same port, to play a
 * mail server that is down for a while.
 */
export class TestSmtp {
  received: ReceivedMail[] = [];
  /** Refuses every recipient, quoting the address back (as real servers do). */
  rejectRecipients = false;
  port = 0;
  private server: SMTPServer | undefined;

  get url(): string {
    return `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      // A mail server that goes down drops its connections: without this, close() waits up to
      // 30 s for the pooled transport's idle connections before stopping.
      closeTimeout: 50,
      onAuth: (auth, _session, callback) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASS) callback(null, { user: auth.username });
        else callback(new Error('Invalid credentials'));
      },
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipients) callback(new Error(`<${address.address}>: Recipient address rejected: mailbox unavailable`));
        else callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((r) => r.envelopeTo.includes(address));
  }
}

/** The .ics a message carries (nodemailer's icalEvent part), parsed with ical.js. */
export function calendarOf(mail: ParsedMail): {
  method: string;
  uid: string;
  sequence: number;
  start: string;
  end: string;
  status: string | null;
  location: string | null;
} {
  const part = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  if (!part) throw new Error('no text/calendar part in the message');
  const calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
    location: event.location ?? null,
  };
}

export const manageLinkIn = (text: string): string => {
  const match = /https?:\/\/\S+\/gerer\?token=[A-Za-z0-9_.-]+/.exec(text);
  if (!match) throw new Error('no manage link in the message');
  return match[0];
};
