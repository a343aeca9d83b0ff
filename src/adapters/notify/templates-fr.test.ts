import { describe, expect, it } from 'vitest';
import type { NotificationContext, NotificationKind } from '../../app/ports/notifications.ts';
import { DEFAULT_REFUND_POLICY } from '../../domain/refund-policy.ts';
import { isGsm7, smsSegments } from './french-format.ts';
import { frenchTemplates } from './templates-fr.ts';

const START = Date.parse('2027-03-10T08:00:00Z');

function context(overrides: { serviceName?: string; displayName?: string; refundCents?: number; status?: 'confirmed' | 'cancelled'; customerName?: string; problemDescription?: string } = {}): NotificationContext {
  return {
    sequence: 0,
    artisan: {
      id: 'a', displayName: overrides.displayName ?? 'Marc Dupont - Plomberie', email: 'marc@example.fr', phone: '+33612345678',
      timezone: 'Europe/Paris', plan: 'pro', notifyArtisanEmail: true, notifyArtisanSms: false, reminderHoursBefore: 24,
    },
    booking: {
      id: '0b7c7a3e-2f4d-4e8a-9c1b-5d6e7f8a9b0c', publicCode: 'AC-AB12CD', artisanId: 'a', serviceId: 'diag',
      serviceName: overrides.serviceName ?? 'Diagnostic et audit complet', status: overrides.status ?? 'confirmed',
      customer: { name: overrides.customerName ?? 'Jean Martin', email: 'jean@example.com', phone: '+33611111111' },
      problemDescription: overrides.problemDescription ?? null,
      startMs: START, endMs: START + 30 * 60_000, durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
      priceCents: 4000, depositRate: 0.3, depositCents: 1200, paymentStatus: 'captured', paymentProvider: 'other',
      paymentIntentId: null, paymentMethodId: null, refundCents: overrides.refundCents ?? 0, refundedCents: 0, refundPolicy: DEFAULT_REFUND_POLICY,
      notifyEmail: true, notifySms: true, timezone: 'Europe/Paris', holdExpiresMs: null, cancelledBy: 'customer',
      captureMethod: 'automatic', refundCapCents: null, dispute: null,
      createdMs: START - 86_400_000, updatedMs: START - 86_400_000, channel: 'online',
    },
  };
}

const LINK = `https://rdv.example.fr/gerer?token=${'x'.repeat(67)}.${'y'.repeat(43)}`;
const KINDS: NotificationKind[] = ['confirmed', 'rescheduled', 'reminder', 'cancelled'];

describe('French SMS', () => {
  it.each(KINDS)('%s: GSM-7, at most two segments, even with long names', (kind) => {
    for (const ctx of [
      context(),
      context({ serviceName: 'Entretien complet de chaudière à condensation avec contrôle de l’étanchéité et attestation', displayName: 'Établissements Côté & Fils — Plomberie, Chauffage, Ramonage' }),
    ]) {
      const text = frenchTemplates.customerSms({ kind, ctx, manageUrl: LINK });
      expect(isGsm7(text)).toBe(true);
      expect(smsSegments(text)).toBeLessThanOrEqual(2);
      expect(text).toContain('AC-AB12CD');
    }
  });

  it('keeps the manage link when it fits', () => {
    expect(frenchTemplates.customerSms({ kind: 'confirmed', ctx: context(), manageUrl: LINK })).toContain(LINK);
  });
});

describe('French e-mails', () => {
  it('states the deposit outcome of a cancellation: full, partial, kept', () => {
    const render = (refundCents: number) => frenchTemplates.customerEmail({ kind: 'cancelled', ctx: context({ refundCents, status: 'cancelled' }), manageUrl: LINK }).text;
    expect(render(1200)).toContain('Votre acompte de 12,00 € vous est intégralement remboursé.');
    expect(render(600)).toContain('Sur votre acompte de 12,00 €, 6,00 € vous sont remboursés et 6,00 € restent acquis à Marc Dupont - Plomberie');
    expect(render(0)).toContain('Votre acompte de 12,00 € reste acquis à Marc Dupont - Plomberie');
  });

  it('shows phones the French way (stored in E.164): the artisan to the customer, the customer to the artisan', () => {
    const customer = frenchTemplates.customerEmail({ kind: 'confirmed', ctx: context(), manageUrl: LINK });
    expect(customer.text).toContain('Artisan : Marc Dupont - Plomberie - 06 12 34 56 78');
    expect(customer.text).not.toContain('+336');
    const artisan = frenchTemplates.artisanEmail({ kind: 'confirmed', ctx: context(), manageUrl: LINK })!;
    expect(artisan.text).toContain('Téléphone : 06 11 11 11 11');
    expect(artisan.html).toContain('06 11 11 11 11');
  });

  it("gives the artisan, not the customer, what the customer wrote about the problem, line breaks kept and escaped", () => {
    const problemDescription = 'Fuite sous l’évier <b>urgent</b>\nLe robinet goutte aussi';
    const artisan = frenchTemplates.artisanEmail({ kind: 'confirmed', ctx: context({ problemDescription }), manageUrl: LINK })!;
    expect(artisan.text).toContain('Problème décrit : Fuite sous l’évier <b>urgent</b>\nLe robinet goutte aussi');
    expect(artisan.html).toContain('Fuite sous l’évier &lt;b&gt;urgent&lt;/b&gt;<br>Le robinet goutte aussi');
    expect(frenchTemplates.artisanEmail({ kind: 'confirmed', ctx: context(), manageUrl: LINK })!.text).not.toContain('Problème décrit');
    expect(frenchTemplates.customerEmail({ kind: 'confirmed', ctx: context({ problemDescription }), manageUrl: LINK }).text).not.toContain('Fuite');
  });

  it('keeps a long cancellation reason within two SMS segments', () => {
    const reason = 'Le fournisseur n’a pas livré la pièce commandée pour votre chaudière, je vous rappelle dès réception pour fixer un autre rendez-vous. '.repeat(3);
    const text = frenchTemplates.customerSms({ kind: 'cancelled', ctx: context({ status: 'cancelled' }), manageUrl: LINK, cancellationReason: reason });
    expect(text).toContain('Motif : Le fournisseur');
    expect(smsSegments(text)).toBeLessThanOrEqual(2);
  });

  it('escapes user data in HTML but not in the text part', () => {
    const mail = frenchTemplates.customerEmail({ kind: 'confirmed', ctx: context({ customerName: '<img src=x onerror=alert(1)>' }), manageUrl: LINK });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.text).toContain('Bonjour <img src=x onerror=alert(1)>,');
    expect(mail.html).toContain('<html lang="fr">');
  });

  it('has no artisan e-mail for a reminder', () => {
    expect(frenchTemplates.artisanEmail({ kind: 'reminder', ctx: context(), manageUrl: LINK })).toBeUndefined();
  });
});
