import { describe, expect, it } from 'vitest';
import { normalizeAddress } from './address.ts';
import type { ErrorDetail } from './errors.ts';

const check = (street: string, postalCode: string, city: string) => {
  const details: ErrorDetail[] = [];
  const address = normalizeAddress({ street, postalCode, city }, details, 'customer.address');
  return { address, fields: details.map((d) => d.field) };
};

describe('normalizeAddress', () => {
  it.each([
    ['12 rue des Lilas', '75011', 'Paris'],
    ['3 bis avenue Foch', '13001', 'Marseille'],
    ['Lieu-dit Les Granges', '01000', 'Bourg-en-Bresse'],
    ['5 rue Victor Hugo', '97400', 'Saint-Denis'],
    ['1 place du Marché', '20000', 'Ajaccio'],
  ])('accepts %s, %s %s', (street, code, city) => {
    expect(check(street, code, city).fields).toEqual([]);
  });

  it('squashes spaces and removes spaces inside the postal code', () => {
    expect(check('  12   rue  des Lilas ', ' 75 011 ', '  Paris ').address).toEqual({ street: '12 rue des Lilas', postalCode: '75011', city: 'Paris' });
  });

  it.each([
    ['', '75011', 'Paris', ['customer.address.street']],
    ['12 rue des Lilas', '7501', 'Paris', ['customer.address.postalCode']],
    ['12 rue des Lilas', '00100', 'Paris', ['customer.address.postalCode']],
    ['12 rue des Lilas', '99000', 'Paris', ['customer.address.postalCode']],
    ['12 rue des Lilas', 'ABCDE', 'Paris', ['customer.address.postalCode']],
    ['12 rue des Lilas', '75011', '   ', ['customer.address.city']],
    [' ', '1', '', ['customer.address.street', 'customer.address.postalCode', 'customer.address.city']],
  ])('refuses %j %j %j', (street, code, city, fields) => {
    expect(check(street, code, city).fields).toEqual(fields);
  });
});
