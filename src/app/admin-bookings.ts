import type { Temporal } from 'temporal-polyfill';
import { ConflictError, NotFoundError, ValidationError, bookingNotFound } from '../domain/errors.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { CustomerRef } from '../domain/customer-ref.ts';
import type { Address } from '../domain/address.ts';
import type { CustomerMatch } from './ports/customer-store.ts';
import { phoneDigitsOf } from './phone-search.ts';
import { todayIn, weekOf } from '../domain/time.ts';
import type { BookingRecord } from '../domain/booking.ts';
import { BOOKED_STATUSES, STANDING_STATUSES, VISIBLE_STATUSES, holdsSlot, isOutcome } from '../domain/booking-lifecycle.ts';

/** The artisan's view of bookings: lists, one booking with its history, customers' data. */

export type ListedStatus = (typeof VISIBLE_STATUSES)[number];

export interface BookingQuery {
  artisanId: string;
  from?: Temporal.PlainDate;
  to?: Temporal.PlainDate;
  statuses: ListedStatus[];
  /** One booking by its public code (already normalised). */
  code?: string;
  /** Free text: part of the customer's name, e-mail or phone (any common format), or of the booking code. */
  search?: CustomerMatch;
  /** Only the bookings given to this member (a technician's own list). */
  technicianId?: string;
  /**
   * The changes feed: bookings changed at or after `sinceMs`, in the order of their last change
   * (then id), after position `after` (a previous page's last); `offset` is then unused.
   */
  changes?: { sinceMs?: number; after?: BookingPosition };
  limit: number;
  offset: number;
}

/** Where a booking stands in the changes feed: its last change to the microsecond, and its id. */
export interface BookingPosition {
  micros: string;
  id: string;
}

/** The opaque cursor of the changes feed (base64url of "micros.id"). */
export const encodeCursor = (p: BookingPosition): string => Buffer.from(`${p.micros}.${p.id}`).toString('base64url');
export function decodeCursor(cursor: string): BookingPosition {
  const m = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError([{ field: 'cursor', message: 'Curseur invalide : reprenez la valeur « nextCursor » d’une page précédente.' }]);
  return { micros: m[1]!, id: m[2]! };
}

export interface HistoryEntry {
  atMs: number;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/** What the week agenda shows of a booking (a projection: no history-sized columns). */
export interface AgendaEntry {
  publicCode: string;
  status: BookingRecord['status'];
  channel: BookingRecord['channel'];
  serviceId: string;
  serviceName: string;
  startMs: number;
  endMs: number;
  durationMinutes: number;
  customerName: string;
  customerPhone: string | null;
  address: Address | null;
  /** What is left to collect on site (domain/money.ts's amountDueOnSite): the week sheet prints it. */
  amountDueCents: number;
  /** Business plan: who the booking is given to (absent when nobody). */
  technicianId?: string;
  teamId?: string;
}

export interface AgendaQuery {
  artisanId: string;
  from: Temporal.PlainDate;
  to: Temporal.PlainDate;
  statuses: ListedStatus[];
  limit: number;
}

/** One week of the agenda as read; the reader hands back the same (frozen) object while the week is unchanged. */
export interface AgendaWeek {
  readonly timezone: string | undefined;
  readonly items: readonly AgendaEntry[];
}

export interface AdminBookingReader {
  /**
   * The agenda's projection of the bookings whose local start date is within [from, to], by
   * start; with the artisan's zone. The same object again while nothing it shows has changed.
   */
  listAgenda(q: AgendaQuery): Promise<AgendaWeek>;
  /** Bookings whose local start date (artisan's zone) is within [from, to], by start time. */
  /** In the changes feed, `positions` holds each item's position. */
  listBookings(q: BookingQuery): Promise<{ items: BookingRecord[]; total: number; positions?: BookingPosition[] }>;
  listHistory(bookingId: string): Promise<HistoryEntry[]>;
  /** Every booking of the customer (by e-mail, or by phone for a customer without one). */
  findByCustomer(artisanId: string, customer: CustomerRef): Promise<BookingRecord[]>;
  /**
   * Replaces the customer's personal data on every booking of theirs with a placeholder and
   * scrubs it from history and messages; amounts, dates and payment ids stay (bookkeeping).
   */
  anonymizeCustomer(artisanId: string, customer: CustomerRef, nowMs: number, actor: string): Promise<number>;
}

const MAX_RANGE_DAYS = 366;
/** More than a week can hold at the smallest slot step: the agenda is never cut short. */
export const AGENDA_MAX_BOOKINGS = 2_100;

export function makeAdminBookings(deps: { reader: AdminBookingReader; clock: { now(): number }; zoneOf?: (artisanId: string) => Promise<string | undefined> }) {
  const { reader } = deps;
  const visible = async (artisanId: string, code: string): Promise<BookingRecord> => {
    const publicCode = normalizePublicCode(code);
    const [found] = publicCode
      ? (await reader.listBookings({ artisanId, statuses: [...VISIBLE_STATUSES], limit: 1, offset: 0, code: publicCode })).items
      : [];
    if (!found) throw bookingNotFound();
    return found;
  };

  return {
    async list(q: Omit<BookingQuery, 'search'> & { search?: string }): Promise<{ items: BookingRecord[]; total: number; positions?: BookingPosition[] }> {
      if (q.from && q.to) {
        const days = q.from.until(q.to).total({ unit: 'days' });
        if (days < 0) throw new ValidationError([{ field: 'to', message: 'La date de fin doit suivre la date de début.' }]);
        if (days > MAX_RANGE_DAYS) throw new ValidationError([{ field: 'to', message: `La période est limitée à ${MAX_RANGE_DAYS} jours.` }]);
      }
      const text = q.search?.trim();
      const phoneDigits = text ? phoneDigitsOf(text) : undefined;
      return reader.listBookings({ ...q, search: text ? { text, ...(phoneDigits ? { phoneDigits } : {}) } : undefined });
    },

    /**
     * The week (Monday to Sunday, local dates) holding `day`, by default today in the artisan's
     * zone on the service's clock (then `today` is given): its confirmed and moved bookings, by start, in one read.
     */
    async agenda(
      artisanId: string,
      week?: Temporal.PlainDate,
    ): Promise<{ from: Temporal.PlainDate; to: Temporal.PlainDate; today?: Temporal.PlainDate; timezone: string | undefined; bookings: readonly AgendaEntry[] }> {
      const zone = week ? undefined : await deps.zoneOf?.(artisanId);
      const today = zone ? todayIn(zone, deps.clock.now()) : undefined;
      const day = week ?? today;
      if (!day) throw new ValidationError([{ field: 'week', message: 'Indiquez une date de la semaine voulue.' }]);
      const { monday: from, sunday: to } = weekOf(day);
      const { timezone, items } = await reader.listAgenda({ artisanId, from, to, statuses: [...BOOKED_STATUSES], limit: AGENDA_MAX_BOOKINGS });
      return { from, to, ...(today ? { today } : {}), timezone: timezone ?? zone, bookings: items };
    },

    /**
     * The artisan's day (today in their zone, on the service's clock): its confirmed and moved
     * bookings, and those already marked done or missed, in full (address, phone, amounts), by start, and the instant it was read at, so
     * the page tells the next intervention by the service's clock, not the phone's.
     */
    async today(artisanId: string): Promise<{ today: Temporal.PlainDate; nowMs: number; items: BookingRecord[] }> {
      const zone = await deps.zoneOf?.(artisanId);
      if (!zone) throw new ValidationError([{ field: 'timezone', message: 'Le fuseau horaire de l’entreprise est inconnu.' }]);
      const nowMs = deps.clock.now();
      const today = todayIn(zone, nowMs);
      const { items } = await reader.listBookings({ artisanId, from: today, to: today, statuses: [...STANDING_STATUSES], limit: AGENDA_MAX_BOOKINGS, offset: 0 });
      return { today, nowMs, items };
    },

    async get(artisanId: string, code: string): Promise<{ booking: BookingRecord; history: HistoryEntry[] }> {
      const booking = await visible(artisanId, code);
      return { booking, history: await reader.listHistory(booking.id) };
    },

    /** Everything held about one customer (GDPR access request). */
    async exportCustomer(artisanId: string, customer: CustomerRef) {
      const bookings = await reader.findByCustomer(artisanId, customer);
      const withHistory = [];
      for (const booking of bookings) withHistory.push({ booking, history: await reader.listHistory(booking.id) });
      return withHistory;
    },

    /** GDPR erasure; refused while an appointment is still to come (the artisan needs the contact). */
    async eraseCustomer(artisanId: string, customer: CustomerRef, actor: string): Promise<number> {
      const bookings = await reader.findByCustomer(artisanId, customer);
      const now = deps.clock.now();
      // One marked done or missed is over, even before its planned end.
      const upcoming = bookings.filter((b) => holdsSlot(b.status) && !isOutcome(b.status) && b.endMs > now);
      if (upcoming.length > 0) {
        throw new ConflictError(
          'CUSTOMER_HAS_ACTIVE_BOOKINGS',
          `Ce client a encore ${upcoming.length} rendez-vous à venir (${upcoming.map((b) => b.publicCode).join(', ')}) : annulez-les ou attendez qu'ils soient passés avant d'effacer ses données.`,
        );
      }
      if (bookings.length === 0) {
        throw new NotFoundError('CUSTOMER_NOT_FOUND', customer.email !== undefined ? 'Aucune donnée pour cette adresse e-mail.' : 'Aucune donnée pour ce numéro de téléphone.');
      }
      return reader.anonymizeCustomer(artisanId, customer, now, actor);
    },
  };
}

export type AdminBookings = ReturnType<typeof makeAdminBookings>;
