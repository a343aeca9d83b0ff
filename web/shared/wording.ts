/**
 * The words the back office shows for the service's codes, gathered here to be reviewed in
 * one place: booking statuses (une réservation: feminine), deposit states (un acompte), the
 * history of a booking, who acted. Phones, times and durations read the same on every page
 * and in the messages: the rules live in src/domain/reading-format.ts and phone-format.ts.
 */
import { euros } from './format.ts';

export { phoneForReading } from '../../src/domain/phone-format.ts';
export { addressForReading, smsHref, telHref } from '../../src/domain/reading-format.ts';

/** Every status a booking can have (booking-lifecycle.ts, and `pending` as the public API says it), as a label agreeing with « réservation ». */
export const BOOKING_STATUS_LABEL = {
  pending: 'En attente de paiement',
  pending_payment: 'En attente de paiement',
  awaiting_authentication: 'En attente de validation par la banque',
  confirmed: 'Confirmée',
  rescheduled: 'Déplacée',
  cancelled: 'Annulée',
  payment_failed: 'Paiement refusé',
  expired: 'Expirée',
  completed: 'Réalisée',
  no_show: 'Clôturée (client absent)',
} as const satisfies Record<string, string>;

export const bookingStatusLabel = (status: string): string => (BOOKING_STATUS_LABEL as Record<string, string>)[status] ?? 'Statut inconnu';

/** The deposit's state (« l'acompte », masculine). */
const DEPOSIT_STATE: Record<string, string> = {
  pending: 'en attente de paiement',
  authorized: 'réservé sur la carte, encaissé au début du rendez-vous',
  captured: 'encaissé',
  refunded: 'remboursé',
  failed: 'refusé',
};

/** "12,00 € (encaissé)"; no deposit (a phone booking) is said as such, never "0,00 € (encaissé)". */
export function depositText(deposit: { amountCents: number; paymentStatus: string }): string {
  if (deposit.amountCents === 0) return 'Aucun acompte';
  return `${euros(deposit.amountCents)} (${DEPOSIT_STATE[deposit.paymentStatus] ?? 'état inconnu'})`;
}

/** What is left to collect at the visit: "Reste à encaisser : 28,00 €", or nothing to collect. */
export const amountDueText = (cents: number): string => (cents > 0 ? `Reste à encaisser : ${euros(cents)}` : 'Rien à encaisser sur place');

/** A booking's history, as the artisan reads it. */
export const HISTORY_LABEL: Record<string, string> = {
  hold_taken: 'Créneau retenu le temps du paiement',
  authentication_required: 'Validation demandée par la banque (3-D Secure)',
  confirmed: 'Réservation confirmée',
  payment_declined: 'Paiement refusé',
  hold_expired: 'Paiement non terminé à temps, créneau libéré',
  rescheduled: 'Réservation déplacée',
  cancelled: 'Réservation annulée',
  deposit_settled: 'Acompte réglé',
  deposit_captured: 'Acompte encaissé',
  late_payment_refunded: 'Paiement arrivé trop tard, remboursé',
  dispute_opened: 'Paiement contesté par le client auprès de sa banque',
  refund_confirmed: 'Remboursement effectué',
  customer_erased: 'Données du client effacées',
  completed: 'Intervention réalisée',
  no_show: 'Client absent (acompte conservé)',
};
export const historyLabel = (type: string): string => HISTORY_LABEL[type] ?? 'Autre événement';

/** An API token's name; the one the service made from its configuration at start-up is said in words. */
export const tokenName = (name: string): string => (name === 'ADMIN_API_TOKEN' ? 'Accès créé à l’installation du service' : name);

export const actorLabel = (actor: string): string =>
  actor === 'customer' ? 'le client' : actor === 'artisan' ? 'vous' : actor === 'system' ? 'le service' : actor.startsWith('token:') ? `l’accès « ${tokenName(actor.slice(6))} »` : 'un tiers';

/** The back office's menu: path and label, in the order shown. */
export const ADMIN_NAV: readonly (readonly [path: string, label: string])[] = [
  ['/admin', 'Agenda'],
  ['/admin/reservations', 'Réservations'],
  ['/admin/entretiens', 'Entretiens à prévoir'],
  ['/admin/nouvelle-reservation', 'Réservation par téléphone'],
  ['/admin/horaires', 'Horaires'],
  ['/admin/prestations', 'Prestations'],
  ['/admin/conges', 'Congés'],
  ['/admin/calendriers', 'Calendriers'],
  ['/admin/notifications', 'Notifications'],
  ['/admin/messages', 'Messages'],
  ['/admin/paiements', 'Paiements'],
  ['/admin/equipe', 'Équipe'],
  ['/admin/compte', 'Compte'],
  ['/admin/integration', 'Intégrer à mon site'],
  ['/admin/integrations', 'Intégrations'],
];

/** A code or configuration name a person should not have to read: SCREAMING_SNAKE, or a system error (ECONNREFUSED…). */
const TECHNICAL = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bE[A-Z]{4,}\b|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/;

/**
 * The last error of a message or a calendar, as the artisan reads it: kept when it is French
 * already, otherwise said in words (a connection refused or timed out is the sending server
 * not answering). The log keeps the technical text for whoever runs the service.
 */
export function problemText(raw: string): string {
  if (!TECHNICAL.test(raw)) return raw;
  if (/ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(raw)) return 'Le serveur d’envoi n’a pas répondu ; un nouvel essai est possible.';
  return 'Erreur technique ; la personne qui gère le service en a le détail.';
}

/** Choices for a delay the artisan picks (minimum notice, slot step), read as durations ("2 h"). */
export const NOTICE_CHOICES_MINUTES = [0, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 4320, 10080] as const;
export const STEP_CHOICES_MINUTES = [10, 15, 20, 30, 45, 60, 90, 120] as const;

/** The plans' names, as the operator's console and the back office show them. */
export const PLAN_LABEL: Record<string, string> = { starter: 'Starter (50 réservations en ligne par mois)', pro: 'Pro', business: 'Business' };
export const planLabel = (plan: string): string => PLAN_LABEL[plan] ?? plan;

/** What a suspended business's back office says at the top of every screen. */
export const SUSPENDED_BANNER =
  "Votre entreprise est suspendue par l'exploitant du service : votre page de réservation l'indique à vos clients et ne prend plus de réservation en ligne. Vos données et votre agenda restent accessibles.";

/** A message that could not be sent, on the booking and the agenda (the sentence itself comes from the API). */
export const FAILED_MESSAGE_WORDS = {
  heading: 'Messages non envoyés',
  retry: 'Renvoyer',
  retried: 'Message renvoyé : il part dans quelques secondes.',
  dead: 'Les essais automatiques sont terminés : renvoyez-le quand le problème est réglé.',
  retrying: 'Un nouvel essai automatique est prévu ; vous pouvez aussi le renvoyer tout de suite.',
} as const;

/** What to do with a booking a closure falls on (one flow for closed days and days off). */
export const CLOSURE_ACTION_LABEL = {
  keep: 'Garder le rendez-vous',
  move: 'Déplacer (le client est prévenu par e-mail)',
  cancel: 'Annuler et rembourser intégralement (le client est prévenu)',
} as const;

/** What the agenda marks on a day: a closure, special hours, days off, a public holiday. */
export function agendaMarkText(mark: { kind: 'closed' | 'special_hours' | 'time_off' | 'holiday'; label?: string; ranges?: { start: string; end: string }[]; closed?: boolean }, time: (hhmm: string) => string): string {
  const hours = (mark.ranges ?? []).map((r) => `${time(r.start)} – ${r.end === '24:00' ? 'minuit' : time(r.end)}`).join(', ');
  switch (mark.kind) {
    case 'closed':
      return 'Fermé (fermeture exceptionnelle)';
    case 'special_hours':
      return `Horaires exceptionnels : ${hours}`;
    case 'time_off':
      return hours ? `${mark.label ?? 'Indisponible'} : ${hours}` : `${mark.label ?? 'Congés'} (toute la journée)`;
    case 'holiday':
      return `${mark.label ?? 'Jour férié'} (férié, ${mark.closed ? 'fermé' : 'ouvert'})`;
  }
}
