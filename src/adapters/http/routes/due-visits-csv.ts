import { stringify } from 'csv-stringify/sync';
import type { DueVisit } from '../../../app/due-visits.ts';
import { DUE_VISIT_STATE_LABELS } from '../../../domain/due-visit-wording.ts';

const COLUMNS = [
  'Échéance', 'État', 'Prestation', 'Client', 'E-mail', 'Téléphone', 'Adresse', 'Code postal', 'Ville', 'Technicien',
  'Invitation envoyée', 'Relance envoyée', 'Motif de clôture', 'Réservation précédente',
];

/**
 * Text typed by customers or the office that a spreadsheet would run as a formula (=, +, -, @
 * first): a leading apostrophe keeps it text (OWASP's CSV injection advice). Phone numbers are
 * validated E.164 and stay as they are.
 */
const text = (value: string | undefined): string => (value && /^[=+\-@\t\r]/.test(value) ? `'${value}` : (value ?? ''));

/**
 * The office's list as a spreadsheet opens it in France: « ; » between fields, UTF-8 with a
 * byte-order mark (without it, accented letters come out garbled), one visit a line.
 */
export function dueVisitsCsv(visits: DueVisit[]): string {
  const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());
  const rows = visits.map((v) => [
    v.dueOn,
    DUE_VISIT_STATE_LABELS[v.status],
    text(v.serviceName),
    text(v.customer.name),
    text(v.customer.email),
    v.customer.phone ?? '',
    text(v.customer.address?.street),
    text(v.customer.address?.postalCode),
    text(v.customer.address?.city),
    text(v.technician?.name),
    iso(v.invitedMs),
    iso(v.remindedMs),
    text(v.closedReason),
    v.previousBookingCode,
  ]);
  return stringify([COLUMNS, ...rows], { delimiter: ';', bom: true, record_delimiter: 'windows' });
}
