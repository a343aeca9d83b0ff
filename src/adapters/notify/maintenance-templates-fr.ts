import type { InvitationRender, InvitationTemplates } from '../../app/maintenance-invitations.ts';
import { phoneForReading } from '../../domain/phone-format.ts';
import { formatAddress, formatLongDate, formatShortDate, smsSegments, toGsm7 } from './french-format.ts';
import { render, type Row } from './templates-fr.ts';

/** The French invitation to book the next maintenance visit, and its reminder (issue 22 item 5). */

function email({ batch, bookingUrls, optOutUrl }: InvitationRender) {
  const { artisan, customer, visits } = batch;
  const first = visits[0]!;
  const reminder = batch.step === 'reminder';
  const several = visits.length > 1;
  const what = several ? 'vos prochains entretiens' : `votre prochain entretien « ${first.serviceName} »`;
  const rows: Row[] = [
    ...visits.map((v) => ({ label: v.serviceName, value: `à prévoir vers le ${formatLongDate(v.dueOn)}` })),
    ...(first.address ? [{ label: "Adresse d'intervention", value: formatAddress(first.address) }] : []),
    { label: 'Artisan', value: artisan.phone ? `${artisan.displayName} - ${phoneForReading(artisan.phone)}` : artisan.displayName },
  ];
  const others = visits.slice(1).map((v) => `Pour « ${v.serviceName} » : ${bookingUrls[v.id]}`);
  return render({
    subject: reminder ? `Rappel : ${what} avec ${artisan.displayName}` : `Il est temps de prévoir ${what} avec ${artisan.displayName}`,
    heading: reminder ? 'Votre entretien reste à prévoir' : 'Votre prochain entretien approche',
    intro: [
      `Bonjour ${customer.name},`,
      reminder
        ? `Nous vous avions proposé de prévoir ${what} avec ${artisan.displayName}. Il n'est pas encore réservé : choisissez votre créneau en un instant.`
        : `Lors de votre dernière intervention, vous avez souhaité que ${artisan.displayName} vous propose ${several ? 'les prochains entretiens' : 'le prochain entretien'}. ${several ? 'Ils arrivent' : 'Il arrive'} bientôt à échéance.`,
      'Le lien ci-dessous ouvre la page de réservation avec la prestation et votre adresse déjà remplies, sur les jours autour de la date prévue. Un acompte vous sera demandé comme d’habitude.',
    ],
    rows,
    action: { label: several ? `Réserver « ${first.serviceName} »` : 'Choisir mon créneau', url: bookingUrls[first.id]! },
    outro: [
      ...others,
      'Vous recevez ce message parce que vous avez coché « Me proposer le prochain entretien » lors de votre réservation.',
      `Pour ne plus recevoir ces propositions, en un clic : ${optOutUrl}`,
    ],
  });
}

const SMS_SEGMENTS_MAX = 2;

function sms({ batch, bookingUrls, optOutUrl }: InvitationRender): string {
  const { artisan, visits } = batch;
  const first = visits[0]!;
  const when = formatShortDate(first.dueOn);
  const lead = batch.step === 'reminder' ? 'Rappel : votre' : 'Votre';
  const short = batch.step === 'reminder' ? 'rappel, entretien' : 'entretien';
  const links = ` : ${bookingUrls[first.id]} STOP : ${optOutUrl}`;
  // The links must stay whole: the service's name goes first, then the business's, when the
  // text would take a third segment.
  const texts = [
    `${artisan.displayName} : ${lead} entretien "${first.serviceName}" est à prévoir vers le ${when}. Réservez${links}`,
    `${artisan.displayName} : ${short} à prévoir vers le ${when}${links}`,
    `${short.charAt(0).toUpperCase()}${short.slice(1)} à prévoir vers le ${when}${links}`,
  ].map(toGsm7);
  return texts.find((t) => smsSegments(t) <= SMS_SEGMENTS_MAX) ?? texts.at(-1)!;
}

export const frenchInvitationTemplates: InvitationTemplates = { email, sms };
