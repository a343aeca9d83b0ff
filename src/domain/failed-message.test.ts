import { describe, expect, it } from 'vitest';
import { failedDeliveries, failedMessageTexts } from './failed-message.ts';

describe('failed messages said in French', () => {
  it.each([
    ['customer.email: Greeting never received; artisan.email: connect ECONNREFUSED 127.0.0.1:2525', [{ recipient: 'customer', channel: 'email' }, { recipient: 'artisan', channel: 'email' }]],
    ['customer.sms: Twilio answered 503', [{ recipient: 'customer', channel: 'sms' }]],
    ['customer.email: a; customer.email: b', [{ recipient: 'customer', channel: 'email' }]],
    ['booking not found', []],
    [null, []],
  ] as const)('reads the deliveries of %j', (error, expected) => {
    expect(failedDeliveries(error)).toEqual(expected);
  });

  it.each([
    ['confirmed', { recipient: 'customer', channel: 'email' }, "L'e-mail de confirmation n'a pas pu être envoyé à Jean Martin."],
    ['cancelled', { recipient: 'customer', channel: 'sms' }, "Le SMS d'annulation n'a pas pu être envoyé à Jean Martin."],
    ['rescheduled', { recipient: 'artisan', channel: 'email' }, "L'e-mail de déplacement qui vous était adressé n'a pas pu être envoyé."],
    ['reminder', { recipient: 'customer', channel: 'email' }, "L'e-mail de rappel n'a pas pu être envoyé à Jean Martin."],
  ] as const)('%s to %j', (kind, delivery, text) => {
    expect(failedMessageTexts(kind, [delivery], 'Jean Martin')).toEqual([text]);
  });

  it('says it in general terms when the error names no delivery, and never repeats the server’s words', () => {
    expect(failedMessageTexts('confirmed', [], 'Jean Martin')).toEqual(["Le message de confirmation n'a pas pu être envoyé."]);
  });
});
