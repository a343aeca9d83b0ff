import type { RenderInput } from '../../app/ports/notifications.ts';
import { phoneForReading } from '../../domain/phone-format.ts';
import { formatShortDateTime, smsSegments, toGsm7 } from './french-format.ts';

const SMS_SEGMENTS_MAX = 2;

/**
 * The artisan's SMS alert (issue 23 item 8): a new, moved or cancelled booking, in one or two
 * segments. Who, when, what, and the customer's phone to call back; nothing for reminders.
 */
export function artisanSms({ kind, ctx, previousStartMs }: RenderInput): string | undefined {
  const { booking, artisan } = ctx;
  const when = formatShortDateTime(booking.startMs, artisan.timezone);
  const who = booking.customer.name;
  const phone = booking.customer.phone ? ` Tel ${phoneForReading(booking.customer.phone)}.` : '';
  const variants = (withService: boolean, withPhone: boolean): string | undefined => {
    const what = withService ? ` (${booking.serviceName})` : '';
    const call = withPhone ? phone : '';
    switch (kind) {
      case 'confirmed':
        return `Nouvelle réservation ${booking.publicCode} : ${who}, le ${when}${what}.${call}`;
      case 'rescheduled': {
        const from = previousStartMs === undefined ? '' : ` du ${formatShortDateTime(previousStartMs, artisan.timezone)}`;
        return `Réservation ${booking.publicCode} déplacée${from} au ${when} : ${who}${what}.${call}`;
      }
      case 'cancelled':
        return `Réservation ${booking.publicCode} annulée : ${who}, le ${when}${what}.${call}`;
      case 'reminder':
      case 'payment_refunded':
        return undefined;
    }
  };
  const candidates = [variants(true, true), variants(false, true), variants(false, false)].filter((c): c is string => c !== undefined).map(toGsm7);
  if (candidates.length === 0) return undefined;
  return candidates.find((c) => smsSegments(c) <= SMS_SEGMENTS_MAX) ?? candidates[candidates.length - 1]!.slice(0, 306);
}
