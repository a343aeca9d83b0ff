import type { ErrorDetail } from './errors.ts';

/** Where the intervention takes place: a tradesperson goes to the customer. */
export interface Address {
  street: string;
  postalCode: string;
  city: string;
}

const squash = (s: string): string => s.trim().replace(/\s+/g, ' ');

/**
 * French postal addresses: a street line, a five-digit code (metropolitan France and the
 * overseas departments, 01000–98999) and a town. Problems are pushed as per-field details.
 */
export function normalizeAddress(input: Address, details: ErrorDetail[], field: string): Address {
  const street = squash(input.street);
  const postalCode = input.postalCode.replace(/\s+/g, '');
  const city = squash(input.city);
  if (street.length < 3) details.push({ field: `${field}.street`, message: "L'adresse (numéro et rue) est obligatoire." });
  if (!/^(0[1-9]|[1-8]\d|9[0-8])\d{3}$/.test(postalCode)) {
    details.push({ field: `${field}.postalCode`, message: 'Le code postal doit comporter 5 chiffres.' });
  }
  if (city.length < 1) details.push({ field: `${field}.city`, message: 'La ville est obligatoire.' });
  return { street, postalCode, city };
}
