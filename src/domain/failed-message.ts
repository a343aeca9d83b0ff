/**
 * A message that could not be sent, said the way the artisan reads it on the booking and the
 * agenda (issue 23 item 8): « L'e-mail de confirmation n'a pas pu être envoyé à Jean Martin. »,
 * never the mail server's own words (ECONNREFUSED…), which stay in the log.
 */
export type FailedKind = 'confirmed' | 'cancelled' | 'rescheduled' | 'reminder' | 'payment_refunded';

export interface FailedDelivery {
  recipient: 'customer' | 'artisan';
  channel: 'email' | 'sms';
}

const OF_KIND: Record<FailedKind, string> = {
  confirmed: 'de confirmation',
  cancelled: "d'annulation",
  rescheduled: 'de déplacement',
  reminder: 'de rappel',
  payment_refunded: 'de remboursement',
};

/** The deliveries named in a notification job's last error ("customer.email: …; artisan.sms: …"). */
export function failedDeliveries(lastError: string | null): FailedDelivery[] {
  const found: FailedDelivery[] = [];
  for (const m of (lastError ?? '').matchAll(/\b(customer|artisan)\.(email|sms):/g)) {
    const d = { recipient: m[1] as FailedDelivery['recipient'], channel: m[2] as FailedDelivery['channel'] };
    if (!found.some((f) => f.recipient === d.recipient && f.channel === d.channel)) found.push(d);
  }
  return found;
}

/** One French sentence per delivery that failed (one in general terms when the error names none). */
export function failedMessageTexts(kind: FailedKind, deliveries: FailedDelivery[], customerName: string): string[] {
  const of = OF_KIND[kind];
  if (deliveries.length === 0) return [`Le message ${of} n'a pas pu être envoyé.`];
  return deliveries.map((d) => {
    const what = d.channel === 'email' ? `L'e-mail ${of}` : `Le SMS ${of}`;
    return d.recipient === 'customer' ? `${what} n'a pas pu être envoyé à ${customerName}.` : `${what} qui vous était adressé n'a pas pu être envoyé.`;
  });
}
