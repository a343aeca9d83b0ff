import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeEmail } from '../domain/public-code.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { normalizeAddress, type Address } from '../domain/address.ts';
import type { Customer } from './ports.ts';

/** Normalises customer details: trimmed name, lower-case e-mail, phone in E.164 (France by default). */
export function normalizeCustomer(
  input: { name: string; email: string; phone?: string | null; address?: Address | null },
  details: ErrorDetail[],
  field = 'customer',
): Customer {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length === 0) details.push({ field: `${field}.name`, message: 'Le nom est obligatoire.' });
  const customer: Customer = { name, email: normalizeEmail(input.email) };
  const rawPhone = input.phone?.trim();
  if (rawPhone) {
    const phone = parsePhoneNumberFromString(rawPhone, 'FR');
    if (!phone || !phone.isValid()) {
      details.push({ field: `${field}.phone`, message: "Le numéro de téléphone n'est pas valide." });
    } else {
      customer.phone = phone.number;
    }
  }
  if (input.address) customer.address = normalizeAddress(input.address, details, `${field}.address`);
  return customer;
}
