import type { ErrorDetail } from '../domain/errors.ts';
import { checkAtCustomer, checkSmsPhone, normalizeCustomer, normalizeProblemDescription } from './customer-input.ts';
import { parseRequestedStart } from './day-plan.ts';
import type { BookingStore } from './ports/booking-store.ts';

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const SERVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The booking use case's own field checks, run on a body the request schema already refused
 * (a malformed e-mail, say), so that the customer reads every problem in one answer: the
 * schema's details and these (a phone or postcode that is not valid, the address and phone a
 * visit at home requires), not one round after another. The body is untrusted here: anything
 * not of the expected type is left to the schema's details.
 */
export function makeCheckBookingFields(deps: { store: Pick<BookingStore, 'readBookingContext'> }) {
  return async function checkBookingFields(artisanId: string, body: unknown): Promise<ErrorDetail[]> {
    const details: ErrorDetail[] = [];
    if (!isRecord(body)) return details;
    const c = isRecord(body.customer) ? body.customer : {};
    const a = isRecord(c.address) ? c.address : undefined;
    const customer = normalizeCustomer(
      {
        name: text(c.name),
        email: text(c.email),
        phone: text(c.phone),
        address: a ? { street: text(a.street), postalCode: text(a.postalCode), city: text(a.city) } : null,
      },
      details,
    );
    if (typeof body.problemDescription === 'string') normalizeProblemDescription(body.problemDescription, details);
    if (isRecord(body.notifications) && body.notifications.sms === true) checkSmsPhone(customer, details);
    if (typeof body.date === 'string' && typeof body.time === 'string') parseRequestedStart({ date: body.date, time: body.time }, { date: 'date', time: 'time' }, details);
    const serviceId = text(body.serviceId);
    if (SERVICE_ID.test(serviceId)) {
      const read = await deps.store.readBookingContext(artisanId, serviceId, 0, 0, { nowMs: 0, staleMs: 0 });
      if (read.ctx?.service.isActive && read.ctx.service.atCustomer) checkAtCustomer(customer, details);
    }
    return details;
  };
}

/** The schema's details first, then the use case's for fields the schema said nothing about. */
export function mergeDetails(first: readonly ErrorDetail[], more: readonly ErrorDetail[]): ErrorDetail[] {
  const seen = new Set(first.map((d) => d.field));
  // `customer.address.street` is covered by a detail on `customer.address` or `customer` (refused whole).
  const covered = (field: string): boolean => field.split('.').some((_, i, parts) => seen.has(parts.slice(0, i + 1).join('.')));
  return [...first, ...more.filter((d) => !covered(d.field))];
}
