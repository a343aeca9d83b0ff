import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES } from '../src/domain/booking-lifecycle.ts';
import { periodInZone } from '../web/shared/format.ts';
import { BOOKING_STATUS_LABEL, amountDueText, bookingStatusLabel, depositText, problemText } from '../web/shared/wording.ts';

/**
 * The back office's words for the service's codes. A status qualifies « une réservation »
 * (feminine): a past participle agrees (« Confirmée », never « Confirmé »); the others are
 * phrases that read after « Réservation … — ».
 */
describe('booking status labels agree with « réservation »', () => {
  const expected: Record<string, string> = {
    pending: 'En attente de paiement',
    pending_payment: 'En attente de paiement',
    awaiting_authentication: 'En attente de validation par la banque',
    confirmed: 'Confirmée',
    rescheduled: 'Déplacée',
    cancelled: 'Annulée',
    payment_failed: 'Paiement refusé',
    expired: 'Expirée',
  };

  it('every status of the lifecycle (and the API’s `pending`) has its label, and no other', () => {
    expect(Object.keys(BOOKING_STATUS_LABEL).sort()).toEqual([...BOOKING_STATUSES, 'pending'].sort());
  });

  it.each(Object.entries(expected))('%s reads « %s »', (status, label) => {
    expect(bookingStatusLabel(status)).toBe(label);
  });

  it.each(Object.entries(BOOKING_STATUS_LABEL))('%s: a participle qualifying the booking is feminine', (_status, label) => {
    const first = label.split(' ')[0]!;
    // « Paiement refusé »: the participle goes with « paiement »; « En attente … »: no participle.
    if (first === 'Paiement' || first === 'En') return;
    expect(first).toMatch(/ée$/);
  });

  it('an unknown status never shows its code', () => {
    expect(bookingStatusLabel('SOMETHING_NEW')).toBe('Statut inconnu');
  });
});

describe('deposit and amounts', () => {
  it('a deposit of 0 € (phone booking) is not « encaissé »', () => {
    expect(depositText({ amountCents: 0, paymentStatus: 'captured' })).toBe('Aucun acompte');
    expect(depositText({ amountCents: 1200, paymentStatus: 'captured' })).toBe('12,00\u00a0€ (encaissé)');
  });
  it('nothing to collect is said as such', () => {
    expect(amountDueText(0)).toBe('Rien à encaisser sur place');
    expect(amountDueText(2800)).toBe('Reste à encaisser : 28,00\u00a0€');
  });
});

describe('technical errors are said in words', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:25', 'Le serveur d’envoi n’a pas répondu ; un nouvel essai est possible.'],
    ['queryA ETIMEDOUT smtp.example.fr', 'Le serveur d’envoi n’a pas répondu ; un nouvel essai est possible.'],
    ['TWILIO_AUTH_FAILED', 'Erreur technique ; la personne qui gère le service en a le détail.'],
    ['SMTP indisponible', 'SMTP indisponible'],
    ['Accès à Google Agenda refusé', 'Accès à Google Agenda refusé'],
  ])('%s', (raw, shown) => {
    expect(problemText(raw)).toBe(shown);
  });
});

describe('periods in words, in the artisan’s zone', () => {
  it.each([
    ['2026-12-09T00:00:00+01:00', '2026-12-10T00:00:00+01:00', 'le mercredi 9 décembre'],
    ['2027-03-15T00:00:00+01:00', '2027-03-20T00:00:00+01:00', 'du lundi 15 mars au vendredi 19 mars'],
    ['2027-03-15T09:00:00+01:00', '2027-03-15T12:30:00+01:00', 'le lundi 15 mars de 9 h à 12 h 30'],
    ['2027-03-15T14:00:00+01:00', '2027-03-16T10:00:00+01:00', 'du lundi 15 mars à 14 h au mardi 16 mars à 10 h'],
    // Across the change to summer time (Sunday 28 March): midnight is +01:00 then +02:00.
    ['2027-03-27T00:00:00+01:00', '2027-03-29T00:00:00+02:00', 'du samedi 27 mars au dimanche 28 mars'],
  ])('%s → %s reads « %s »', (start, end, text) => {
    expect(periodInZone(start, end, 'Europe/Paris').replace(/\u00a0/g, ' ')).toBe(text);
  });
});
