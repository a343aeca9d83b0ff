import type { MessageTemplates, NotificationContext, RenderInput, RenderedEmail } from '../../app/ports/notifications.ts';
import { amountDueOnSite } from '../../domain/money.ts';
import { phoneForReading } from '../../domain/phone-format.ts';
import { refundStatement, type RefundStatement } from '../../domain/refund-policy.ts';
import { artisanSms } from './artisan-sms-fr.ts';
import { buildCalendarInvite } from './booking-ics.ts';
import { escapeHtml, formatAddress, formatDuration, formatEuros, formatLongDateTime, formatShortDateTime, smsSegments, toGsm7 } from './french-format.ts';

/** The French messages: e-mail (HTML with inline styles + plain text) and SMS (GSM-7, ≤ 2 segments). */

export interface Row {
  label: string;
  value: string;
}

/** A cancellation's refund: the one decided, net of what the provider had refunded before it. */
const cancellationRefund = ({ ctx, refundedBeforeCents }: Pick<RenderInput, 'ctx' | 'refundedBeforeCents'>): RefundStatement =>
  refundStatement({ depositCents: ctx.booking.depositCents, grantedCents: ctx.booking.refundCents, refundedBeforeCents: refundedBeforeCents ?? 0 });

function depositOutcome(ctx: NotificationContext, r: RefundStatement): string {
  const { booking, artisan } = ctx;
  const deposit = formatEuros(booking.depositCents);
  if (booking.depositCents === 0) return "Aucun acompte n'avait été versé.";
  const terms = `selon les conditions d'annulation`;
  if (r.alreadyRefundedCents === 0) {
    if (r.retainedCents === 0) return `Votre acompte de ${deposit} vous est intégralement remboursé.`;
    if (r.refundCents > 0) {
      return `Sur votre acompte de ${deposit}, ${formatEuros(r.refundCents)} vous sont remboursés et ${formatEuros(r.retainedCents)} restent acquis à ${artisan.displayName}, ${terms}.`;
    }
    return `Votre acompte de ${deposit} reste acquis à ${artisan.displayName}, ${terms} (annulation tardive).`;
  }
  const before = formatEuros(r.alreadyRefundedCents);
  if (r.alreadyRefundedCents >= booking.depositCents) return `Votre acompte de ${deposit} vous a déjà été intégralement remboursé.`;
  if (r.retainedCents === 0) {
    return `Votre acompte de ${deposit} vous est intégralement remboursé : ${before} vous ont déjà été remboursés et les ${formatEuros(r.refundCents)} restants vous sont remboursés maintenant.`;
  }
  if (r.refundCents > 0) {
    return `Sur votre acompte de ${deposit}, ${before} vous ont déjà été remboursés, ${formatEuros(r.refundCents)} vous sont remboursés maintenant et ${formatEuros(r.retainedCents)} restent acquis à ${artisan.displayName}, ${terms}.`;
  }
  return `Sur votre acompte de ${deposit}, ${before} vous ont déjà été remboursés et ${formatEuros(r.retainedCents)} restent acquis à ${artisan.displayName}, ${terms}.`;
}

function bookingRows(ctx: NotificationContext): Row[] {
  const { booking, artisan } = ctx;
  const rows: Row[] = [
    { label: 'Prestation', value: booking.serviceName },
    { label: 'Date', value: formatLongDateTime(booking.startMs, artisan.timezone) },
    { label: 'Durée', value: formatDuration(booking.durationMinutes) },
    ...(booking.customer.address ? [{ label: "Adresse d'intervention", value: formatAddress(booking.customer.address) }] : []),
    { label: 'Code de réservation', value: booking.publicCode },
    { label: 'Prix', value: formatEuros(booking.priceCents) },
  ];
  if (booking.depositCents > 0 && booking.status !== 'cancelled') {
    rows.push({ label: 'Acompte versé', value: formatEuros(booking.depositCents) });
    rows.push({ label: 'Reste à régler sur place', value: formatEuros(amountDueOnSite(booking)) });
  }
  rows.push({ label: 'Artisan', value: artisan.phone ? `${artisan.displayName} - ${phoneForReading(artisan.phone)}` : artisan.displayName });
  return rows;
}

export interface Layout {
  subject: string;
  heading: string;
  intro: string[];
  rows: Row[];
  action?: { label: string; url: string };
  outro: string[];
}

export function render(layout: Layout): RenderedEmail {
  const text = [
    layout.heading,
    '',
    ...layout.intro,
    '',
    ...layout.rows.map((r) => `${r.label} : ${r.value}`),
    ...(layout.action ? ['', `${layout.action.label} : ${layout.action.url}`] : []),
    ...(layout.outro.length ? ['', ...layout.outro] : []),
    '',
    '--',
    'Message envoyé par ArtisanConnect.',
  ].join('\n');
  const p = (t: string) => `<p style="margin:0 0 12px;font-size:15px;line-height:22px;color:#1f2933;">${escapeHtml(t)}</p>`;
  const rows = layout.rows
    .map(
      (r) =>
        `<tr><td style="padding:6px 12px 6px 0;font-size:14px;color:#52606d;white-space:nowrap;vertical-align:top;">${escapeHtml(r.label)}</td>` +
        `<td style="padding:6px 0;font-size:14px;color:#1f2933;font-weight:bold;">${escapeHtml(r.value).replace(/\n/g, '<br>')}</td></tr>`,
    )
    .join('');
  const button = layout.action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:20px 0;"><tr><td style="border-radius:6px;background:#1d4ed8;">` +
      `<a href="${escapeHtml(layout.action.url)}" style="display:inline-block;padding:12px 20px;font-size:15px;color:#ffffff;text-decoration:none;font-weight:bold;">${escapeHtml(layout.action.label)}</a>` +
      `</td></tr></table>`
    : '';
  const html =
    `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(layout.subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f5f7fa;font-family:Arial,Helvetica,sans-serif;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7fa;"><tr><td align="center" style="padding:24px 12px;">` +
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;">` +
    `<tr><td style="padding:24px;">` +
    `<h1 style="margin:0 0 16px;font-size:20px;line-height:28px;color:#102a43;">${escapeHtml(layout.heading)}</h1>` +
    layout.intro.map(p).join('') +
    `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 4px;">${rows}</table>` +
    button +
    layout.outro.map(p).join('') +
    `</td></tr></table>` +
    `<p style="margin:12px 0 0;font-size:12px;color:#829ab1;">Message envoyé par ArtisanConnect.</p>` +
    `</td></tr></table></body></html>`;
  return { subject: layout.subject, text, html };
}

/** The artisan's reason for cancelling, as the customer reads it (the form promises it is passed on). */
const reasonLine = (reason: string | undefined): string[] => (reason ? [`Motif : ${reason}`] : []);

function customerEmail({ kind, ctx, manageUrl, previousStartMs, refundedBeforeCents, cancellationReason }: RenderInput): RenderedEmail {
  const { booking, artisan } = ctx;
  const when = formatLongDateTime(booking.startMs, artisan.timezone);
  const hello = `Bonjour ${booking.customer.name},`;
  const manage = { label: 'Gérer mon rendez-vous', url: manageUrl };
  const calendarNote = "L'invitation jointe (.ics) ajoute le rendez-vous à votre agenda.";
  switch (kind) {
    case 'confirmed':
      return render({
        subject: `Rendez-vous confirmé : ${booking.serviceName}, ${when}`,
        heading: 'Votre rendez-vous est confirmé',
        // A tradesperson usually comes to the customer: say so when we know where.
        intro: [hello, booking.customer.address ? `${artisan.displayName} interviendra chez vous le ${when}.` : `Votre rendez-vous avec ${artisan.displayName} est fixé au ${when}.`],
        rows: bookingRows(ctx),
        action: manage,
        outro: [calendarNote, 'Pour déplacer ou annuler, utilisez le lien ci-dessus ou votre code de réservation.'],
      });
    case 'rescheduled':
      return render({
        subject: `Rendez-vous déplacé au ${when}`,
        heading: 'Votre rendez-vous a été déplacé',
        intro: [
          hello,
          previousStartMs === undefined
            ? `Votre rendez-vous a lieu désormais le ${when}.`
            : `Votre rendez-vous du ${formatLongDateTime(previousStartMs, artisan.timezone)} a lieu désormais le ${when}.`,
        ],
        rows: bookingRows(ctx),
        action: manage,
        outro: ["L'invitation jointe (.ics) met à jour le rendez-vous dans votre agenda."],
      });
    case 'reminder':
      return render({
        subject: `Rappel : votre rendez-vous du ${when}`,
        heading: 'Rappel de votre rendez-vous',
        intro: [hello, `Nous vous rappelons votre rendez-vous avec ${artisan.displayName} le ${when}.`],
        rows: bookingRows(ctx),
        action: manage,
        outro: ['Un empêchement ? Prévenez en déplaçant ou en annulant le rendez-vous avec le lien ci-dessus.'],
      });
    case 'payment_refunded':
      return render({
        subject: `Paiement remboursé : ${booking.serviceName}, ${when}`,
        heading: 'Votre paiement a été remboursé',
        intro: [
          hello,
          `Votre paiement de l'acompte (${formatEuros(booking.depositCents)}) est arrivé après la fin du délai de réservation : le créneau du ${when} n'a pas pu vous être réservé.`,
          "Le montant vous est intégralement remboursé ; il apparaîtra sur votre compte sous quelques jours. Vous pouvez réserver un autre créneau.",
        ],
        rows: bookingRows(ctx),
        outro: [],
      });
    case 'cancelled':
      return render({
        subject: `Rendez-vous annulé : ${booking.serviceName}, ${when}`,
        heading: 'Votre rendez-vous est annulé',
        intro: [
          hello,
          booking.cancelledBy === 'artisan'
            ? `${artisan.displayName} a dû annuler votre rendez-vous du ${when}. Nous vous prions de l'excuser.`
            : `Votre rendez-vous du ${when} est bien annulé.`,
          ...reasonLine(cancellationReason),
          depositOutcome(ctx, cancellationRefund({ ctx, refundedBeforeCents })),
        ],
        rows: bookingRows(ctx),
        outro: ["L'invitation jointe (.ics) retire le rendez-vous de votre agenda."],
      });
  }
}

function artisanEmail({ kind, ctx, previousStartMs, refundedBeforeCents }: RenderInput): RenderedEmail | undefined {
  const { booking, artisan } = ctx;
  const when = formatLongDateTime(booking.startMs, artisan.timezone);
  const contact: Row[] = [
    { label: 'Client', value: booking.customer.name },
    ...(booking.customer.email ? [{ label: 'E-mail', value: booking.customer.email }] : []),
    ...(booking.customer.phone ? [{ label: 'Téléphone', value: phoneForReading(booking.customer.phone) }] : []),
  ];
  // What the customer wrote in "Décrivez le problème", for the artisan only.
  const problem: Row[] = booking.problemDescription ? [{ label: 'Problème décrit', value: booking.problemDescription }] : [];
  const rows = [...contact, ...problem, ...bookingRows(ctx).filter((r) => r.label !== 'Artisan')];
  switch (kind) {
    case 'confirmed':
      return render({
        subject: `Nouvelle réservation ${booking.publicCode} : ${booking.serviceName}, ${when}`,
        heading: 'Nouvelle réservation',
        intro: [`${booking.customer.name} a réservé « ${booking.serviceName} » le ${when}.`],
        rows,
        outro: [],
      });
    case 'rescheduled':
      return render({
        subject: `Réservation ${booking.publicCode} déplacée au ${when}`,
        heading: 'Réservation déplacée',
        intro: [
          previousStartMs === undefined
            ? `La réservation de ${booking.customer.name} a lieu désormais le ${when}.`
            : `La réservation de ${booking.customer.name} du ${formatLongDateTime(previousStartMs, artisan.timezone)} a lieu désormais le ${when}.`,
        ],
        rows,
        outro: [],
      });
    case 'cancelled': {
      const r = cancellationRefund({ ctx, refundedBeforeCents });
      return render({
        subject: `Réservation ${booking.publicCode} annulée : ${booking.serviceName}, ${when}`,
        heading: 'Réservation annulée',
        intro: [
          booking.cancelledBy === 'artisan'
            ? `Vous avez annulé la réservation de ${booking.customer.name} du ${when}.`
            : `${booking.customer.name} a annulé sa réservation du ${when}.`,
          booking.depositCents === 0
            ? 'Aucun acompte n’avait été versé.'
            : r.alreadyRefundedCents > 0
              ? `Acompte : ${formatEuros(r.alreadyRefundedCents)} déjà remboursé au client avant l'annulation, ${formatEuros(r.refundCents)} remboursé à l'annulation, ${formatEuros(r.retainedCents)} conservé.`
              : `Acompte : ${formatEuros(r.refundCents)} remboursé au client, ${formatEuros(r.retainedCents)} conservé.`,
        ],
        rows,
        outro: ['Le créneau est de nouveau disponible à la réservation.'],
      });
    }
    case 'reminder':
    case 'payment_refunded':
      return undefined;
  }
}

const SMS_SEGMENTS_MAX = 2;

/** The shortest wording that fits in two segments: the service name, then the link, go first. */
function customerSms({ kind, ctx, manageUrl, refundedBeforeCents, cancellationReason }: RenderInput): string {
  const { booking, artisan } = ctx;
  const when = formatShortDateTime(booking.startMs, artisan.timezone);
  const who = artisan.displayName;
  // A reason keeps its first 120 characters: with the rest it stays within two segments.
  const reasonText = cancellationReason && cancellationReason.length > 120 ? `${cancellationReason.slice(0, 119)}…` : cancellationReason;
  const variants = (withService: boolean, withLink: boolean): string => {
    const what = withService ? ` (${booking.serviceName})` : '';
    const link = withLink ? ` Gérer : ${manageUrl}` : '';
    const reason = reasonText ? ` Motif : ${reasonText.replace(/[.\s]+$/, '')}.` : '';
    switch (kind) {
      case 'confirmed':
        return `${who} : RDV confirmé le ${when}${what}. Code ${booking.publicCode}.${link}`;
      case 'rescheduled':
        return `${who} : RDV déplacé au ${when}${what}. Code ${booking.publicCode}.${link}`;
      case 'reminder':
        return `Rappel ${who} : RDV le ${when}${what}. Code ${booking.publicCode}.${link}`;
      case 'payment_refunded':
        return `${who} : paiement arrivé après le délai, créneau du ${when} non réservé. Acompte remboursé : ${formatEuros(booking.depositCents)}.`;
      case 'cancelled': {
        const r = cancellationRefund({ ctx, refundedBeforeCents });
        const before = r.alreadyRefundedCents > 0 ? ` (déjà remboursé : ${formatEuros(r.alreadyRefundedCents)})` : '';
        const deposit =
          booking.depositCents === 0
            ? ''
            : r.refundCents > 0
              ? ` Acompte remboursé : ${formatEuros(r.refundCents)}${before}.`
              : r.alreadyRefundedCents > 0
                ? ` Acompte déjà remboursé : ${formatEuros(r.alreadyRefundedCents)}.`
                : ' Acompte conservé.';
        return `${who} : RDV du ${when}${what} annulé.${reason}${deposit} Code ${booking.publicCode}.`;
      }
    }
  };
  const candidates = [variants(true, true), variants(false, true), variants(false, false)].map(toGsm7);
  return candidates.find((c) => smsSegments(c) <= SMS_SEGMENTS_MAX) ?? candidates[candidates.length - 1]!.slice(0, 306);
}

export const frenchTemplates: MessageTemplates = {
  customerEmail,
  artisanEmail,
  customerSms,
  artisanSms,
  calendarInvite: buildCalendarInvite,
};
