import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './helpers/db.ts';
import { adminHeaders } from './helpers/admin.ts';
import { bookingBody, serviceForSuite } from './helpers/service.ts';

/**
 * Several moves of one booking before the worker runs: one message saying what truly changed
 * (from the time the customer was told, to the final time), with the .ics at the booking's
 * revision. Clock: Monday 2027-03-01 08:00 Paris.
 */
const START = Date.parse('2027-03-01T07:00:00Z');

describe.each(ENGINES)('quick successive moves on %s', (engine) => {
  const t = serviceForSuite(engine, START);
  const drain = async () => {
    for (let i = 0; i < 20 && (await t.service.worker.runOnce()) > 0; i++);
  };
  const rescheduleMails = async (code: string) => {
    const res = await t.request('GET', `/api/admin/messages?channel=email&bookingCode=${code}`, undefined, adminHeaders());
    return (res.body.messages as any[]).filter((m) => m.recipientKind === 'customer' && /déplacé/.test(m.subject));
  };
  const move = async (code: string, newDate: string, newTime: string) => {
    const res = await t.request('POST', `/api/bookings/${code}/reschedule`, { email: 'jean@example.com', newDate, newTime });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('six moves before the worker runs: one message, from the original time to the final one, SEQUENCE 6', async () => {
    const code = (await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'))).body.booking.publicCode;
    await drain();
    for (const [date, time] of [['2027-03-10', '10:00'], ['2027-03-10', '11:00'], ['2027-03-11', '09:00'], ['2027-03-11', '14:00'], ['2027-03-12', '09:30'], ['2027-03-12', '16:00']]) {
      await move(code, date!, time!);
    }
    await drain();
    const mails = await rescheduleMails(code);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('Votre rendez-vous du mercredi 10 mars 2027 à 9 h a lieu désormais le vendredi 12 mars 2027 à 16 h.');
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(mails[0].ics)).getFirstSubcomponent('vevent')!);
    expect(event.startDate.toJSDate().toISOString()).toBe('2027-03-12T15:00:00.000Z');
    expect(event.sequence).toBe(6);
  });

  it('moved and moved back before the worker runs: no "moved" message at all', async () => {
    const code = (await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'))).body.booking.publicCode;
    await drain();
    await move(code, '2027-03-10', '11:00');
    await move(code, '2027-03-10', '09:00');
    await drain();
    expect(await rescheduleMails(code)).toEqual([]);
  });

  it('moves the worker sees one by one each say their own change', async () => {
    const code = (await t.request('POST', '/api/bookings', bookingBody('2027-03-10', '09:00'))).body.booking.publicCode;
    await drain();
    await move(code, '2027-03-10', '10:00');
    await drain();
    await move(code, '2027-03-10', '11:00');
    await drain();
    const texts = (await rescheduleMails(code)).map((m) => /Votre rendez-vous du .*?\./.exec(m.text)![0]).sort();
    expect(texts).toEqual([
      'Votre rendez-vous du mercredi 10 mars 2027 à 10 h a lieu désormais le mercredi 10 mars 2027 à 11 h.',
      'Votre rendez-vous du mercredi 10 mars 2027 à 9 h a lieu désormais le mercredi 10 mars 2027 à 10 h.',
    ]);
  });
});
