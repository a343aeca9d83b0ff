import type { ArtisanProfile } from '../../domain/artisan-settings.ts';
import type { BookingRecord } from '../../domain/booking.ts';

/** What the notification use case needs from the outside world (mail, SMS, storage, texts). */

/** `payment_refunded`: a payment that came after the hold expired, refunded in full (customer only). */
export type NotificationKind = 'confirmed' | 'cancelled' | 'rescheduled' | 'reminder' | 'payment_refunded';
export type RecipientKind = 'customer' | 'artisan';
/** Every message's kind: a booking's notifications and the maintenance invitations (issue 22). */
export type MessageKind = NotificationKind | 'maintenance_invitation' | 'maintenance_reminder' | 'completion_report';
export type Channel = 'email' | 'sms';

/** Who the messages come from and go to on the artisan's side, and their notification settings. */
export type ArtisanContact = Pick<ArtisanProfile, 'id' | 'displayName' | 'email' | 'phone' | 'timezone' | 'plan'> & {
  notifyArtisanEmail: boolean;
  /** Alerted by SMS as well (only sent on a plan with SMS). */
  notifyArtisanSms: boolean;
  reminderHoursBefore: number;
};

export interface NotificationContext {
  booking: BookingRecord;
  artisan: ArtisanContact;
  /** iCalendar SEQUENCE: how many times the event changed since it was first sent. */
  sequence: number;
}

/** Where a message comes from, so the embedded mailbox (and the log) can file it. */
export interface MessageOrigin {
  kind: MessageKind;
  recipientKind: RecipientKind;
  /** The business the message is sent for. */
  artisanId: string;
  bookingId: string;
  outboxId: string;
}

export interface EmailMessage extends MessageOrigin {
  /** Stable per outbox job and recipient: a resend after a crash carries the same one. */
  messageId: string;
  to: { name: string; address: string };
  /**
   * Customer-facing messages come from the business: its name as the sender's name and its
   * address as Reply-To. The sending address itself stays the instance's (SPF, DKIM).
   */
  sender?: { name: string; replyTo: string };
  subject: string;
  text: string;
  html: string;
  ics?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /** Files sent with it (the completion report's PDF). */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export interface SmsMessage extends MessageOrigin {
  messageId: string;
  /** E.164. */
  to: string;
  text: string;
}

export interface SentReceipt {
  providerRef?: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<SentReceipt>;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SentReceipt>;
}

export interface Delivery {
  artisanId: string;
  outboxId: string;
  key: string;
  channel: Channel;
  messageId: string;
  providerRef: string | null;
  bookingId: string;
  sentMs: number;
}

export interface NotificationStore {
  readContext(bookingId: string): Promise<NotificationContext | undefined>;
  /** Delivery keys already sent for this outbox job. */
  deliveredKeys(artisanId: string, outboxId: string): Promise<Set<string>>;
  recordDelivery(delivery: Delivery): Promise<void>;
}

export interface RenderInput {
  kind: NotificationKind;
  ctx: NotificationContext;
  manageUrl: string;
  /** On a reschedule: where it was. */
  previousStartMs?: number;
  /** On a cancellation: what the provider had refunded before it (0 when absent). */
  refundedBeforeCents?: number;
  /** On a cancellation recorded by the artisan (theirs or the customer's by phone): the reason they wrote for the customer. */
  cancellationReason?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The French texts (adapter): what a customer and the artisan read. */
export interface MessageTemplates {
  customerEmail(input: RenderInput): RenderedEmail;
  artisanEmail(input: RenderInput): RenderedEmail | undefined;
  customerSms(input: RenderInput): string;
  /** The artisan's SMS alert of a new, moved or cancelled booking (undefined: none for this kind). */
  artisanSms(input: RenderInput): string | undefined;
  calendarInvite(ctx: NotificationContext, method: 'REQUEST' | 'CANCEL'): string;
}
