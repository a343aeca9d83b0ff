import type { StoredReport } from '../../app/completion-reports.ts';
import type { BookingRecord } from '../../domain/booking.ts';
import { formatLongDateTime } from './french-format.ts';
import { render } from './templates-fr.ts';

/** The French e-mail carrying a completion report (its PDF attached). */
export function reportEmail(input: { booking: BookingRecord; business: string; report: StoredReport; manageUrl: string }) {
  const { booking, business, report, manageUrl } = input;
  const when = formatLongDateTime(booking.startMs, booking.timezone);
  return render({
    subject: `Compte rendu de votre intervention du ${when}`,
    heading: 'Le compte rendu de votre intervention',
    intro: [`Bonjour ${booking.customer.name},`, `Vous trouverez ci-joint le compte rendu de l’intervention « ${booking.serviceName} » réalisée le ${when} par ${business}.`],
    rows: report.entries.slice(0, 3).map((e) => ({ label: e.label, value: e.value })),
    action: { label: 'Retrouver le compte rendu', url: manageUrl },
    outro: ['Conservez-le : il pourra vous être demandé (assurance, vente du logement).'],
  });
}
