import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeEmail } from '../domain/public-code.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { normalizeAddress, type Address } from '../domain/address.ts';
import type { Customer } from '../domain/booking.ts';

/** Normalises customer details: trimmed name, lower-case e-mail, phone in E.164 (France by default). */
export function normalizeCustomer(
  input: { name: string; email?: string | null; phone?: string | null; address?: Address | null },
  details: ErrorDetail[],
  field = 'customer',
  /** A booking the artisan takes: the e-mail may be left out, a phone is then required. */
  options: { emailOptional?: boolean } = {},
): Customer {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length === 0) details.push({ field: `${field}.name`, message: 'Le nom est obligatoire.' });
  const email = input.email?.trim() ? normalizeEmail(input.email) : undefined;
  const customer: Customer = { name, ...(email ? { email } : {}) };
  if (!email && !options.emailOptional) details.push({ field: `${field}.email`, message: 'Ce champ est obligatoire.' });
  if (!email && options.emailOptional && !input.phone?.trim()) {
    details.push({ field: `${field}.phone`, message: 'Sans e-mail, le téléphone est obligatoire pour joindre le client.' });
  }
  const rawPhone = input.phone?.trim();
  if (rawPhone) {
    const phone = normalizePhone(rawPhone);
    if (!phone) details.push({ field: `${field}.phone`, message: "Le numéro de téléphone n'est pas valide." });
    else customer.phone = phone;
  }
  if (input.address) customer.address = normalizeAddress(input.address, details, `${field}.address`);
  return customer;
}

/** What "Décrivez le problème" may hold (the column's CHECK, migration 0030). */
export const PROBLEM_DESCRIPTION_MAX = 1000;

/** The customer's description of the problem: trimmed, null when empty; too long is a detail. */
export function normalizeProblemDescription(raw: string | null | undefined, details: ErrorDetail[], field = 'problemDescription'): string | null {
  const text = raw?.trim().replace(/\r\n?/g, '\n') ?? '';
  if (text.length > PROBLEM_DESCRIPTION_MAX) details.push({ field, message: `${PROBLEM_DESCRIPTION_MAX} caractères au maximum.` });
  return text || null;
}

/**
 * A service "chez le client": the artisan comes to the customer, so the intervention address
 * and a phone are required. Every missing field is a detail of its own, added to the ones the
 * details already hold (a field refused for its format is not said twice).
 */
export function checkAtCustomer(customer: Customer, details: ErrorDetail[], field = 'customer'): void {
  const add = (name: string, message: string) => {
    if (!details.some((d) => d.field === `${field}.${name}`)) details.push({ field: `${field}.${name}`, message });
  };
  if (!customer.phone) add('phone', 'Le téléphone est obligatoire : l’artisan intervient chez vous et doit pouvoir vous joindre.');
  if (!customer.address) {
    add('address.street', "L'adresse (numéro et rue) est obligatoire pour une intervention à domicile.");
    add('address.postalCode', 'Le code postal est obligatoire pour une intervention à domicile.');
    add('address.city', 'La ville est obligatoire pour une intervention à domicile.');
  }
}

/** A phone number in E.164 (+33612345678), French when no country code is given; undefined when invalid. */
export function normalizePhone(raw: string): string | undefined {
  const phone = parsePhoneNumberFromString(raw.trim(), 'FR');
  return phone && phone.isValid() ? phone.number : undefined;
}

/** Types of number that receive SMS (libphonenumber-js): a mobile, or one it cannot tell from a mobile. */
const SMS_TYPES: ReadonlySet<string | undefined> = new Set([undefined, 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER']);

/** SMS asked for: the customer must have given a phone that can receive them (not a landline). */
export function checkSmsPhone(customer: Customer, details: ErrorDetail[], field = 'customer.phone'): void {
  if (details.some((d) => d.field === field)) return;
  if (!customer.phone) {
    details.push({ field, message: 'Un numéro de téléphone est nécessaire pour recevoir des SMS.' });
  } else if (!SMS_TYPES.has(parsePhoneNumberFromString(customer.phone)?.getType())) {
    details.push({ field, message: 'Ce numéro ne peut pas recevoir de SMS (ligne fixe ou numéro spécial) : indiquez un numéro de mobile ou décochez les SMS.' });
  }
}
