import type { Customer } from './booking.ts';

/**
 * Who a customer is, having no account: their normalised e-mail or, for a customer without
 * one (a phone booking), their phone in E.164. What the artisan's customer file, private notes,
 * GDPR export and erasure are keyed by.
 */
export type CustomerRef = { email: string; phone?: undefined } | { email?: undefined; phone: string };

/** The key a customer's private note is stored under: 'email:jean@example.com' or 'phone:+33611223344'. */
export const customerKey = (ref: CustomerRef): string => (ref.email !== undefined ? `email:${ref.email}` : `phone:${ref.phone}`);

/** The customer of a booking as a reference: by e-mail when there is one, else by phone. */
export function refOf(customer: Pick<Customer, 'email' | 'phone'>): CustomerRef | undefined {
  if (customer.email) return { email: customer.email };
  if (customer.phone) return { phone: customer.phone };
  return undefined;
}
