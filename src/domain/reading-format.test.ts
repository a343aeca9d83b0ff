import { describe, expect, it } from 'vitest';
import { phoneForReading } from './phone-format.ts';
import { addressForReading, dayOfMonth, durationForReading, hourMinute, smsHref, telHref } from './reading-format.ts';

const NBSP = '\u00a0';

describe('reading format', () => {
  it.each([
    ['+33612345678', '06 12 34 56 78'],
    ['+33142685300', '01 42 68 53 00'],
    ['+33987654321', '09 87 65 43 21'],
    ['+442079460958', '+44 20 7946 0958'],
    ['+32470123456', '+32 470 12 34 56'],
    ['pas un numéro', 'pas un numéro'],
  ])('phone %s reads %s', (stored, shown) => {
    expect(phoneForReading(stored)).toBe(shown);
  });

  it.each([
    [1, '1er'],
    [2, '2'],
    [11, '11'],
    [21, '21'],
    [31, '31'],
  ])('day %i of a month reads %s (only the first is an ordinal)', (day, shown) => {
    expect(dayOfMonth(day)).toBe(shown);
  });

  it('an address reads on one line', () => {
    expect(addressForReading({ street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' })).toBe('12 rue des Lilas, 75011 Paris');
  });

  it('links call and text the stored number', () => {
    expect(telHref('+33612345678')).toBe('tel:+33612345678');
    expect(smsHref('+33612345678')).toBe('sms:+33612345678');
  });

  it.each([
    [9, 30, `9${NBSP}h${NBSP}30`],
    [14, 0, `14${NBSP}h`],
    [8, 5, `8${NBSP}h${NBSP}05`],
    [0, 0, `0${NBSP}h`],
  ])('%i:%i reads %s', (h, m, shown) => {
    expect(hourMinute(h, m)).toBe(shown);
  });

  it.each([
    [30, `30${NBSP}min`],
    [60, `1${NBSP}h`],
    [90, `1${NBSP}h${NBSP}30`],
    [120, `2${NBSP}h`],
    [2880, `48${NBSP}h`],
  ])('%i minutes read %s', (minutes, shown) => {
    expect(durationForReading(minutes)).toBe(shown);
  });
});
