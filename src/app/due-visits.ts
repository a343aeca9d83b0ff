import type { Customer } from '../domain/booking.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { parseLocalDate } from '../domain/time.ts';
import type { Clock } from './ports/clock.ts';

/**
 * Where a due visit stands (issue 22 item 6): due; invited (the invitation went); booked (the
 * customer has a booking of the service since: cancelling it makes the visit due again);
 * overdue (its date passed unbooked); declined (the customer opted out of invitations);
 * closed by the office (the customer moved, the contract ended).
 */
export const DUE_VISIT_STATES = ['due', 'invited', 'booked', 'overdue', 'declined', 'closed'] as const;
export type DueVisitState = (typeof DUE_VISIT_STATES)[number];

/** A visit falling due (issue 22 item 4): what the next maintenance visit is, and for whom. */
export interface DueVisit {
  id: string;
  serviceId: string;
  serviceName: string;
  /** The completed booking it follows. */
  previousBookingCode: string;
  /** Local date (AAAA-MM-JJ): the previous visit's date plus the interval. */
  dueOn: string;
  intervalMonths: number;
  status: DueVisitState;
  invitedMs?: number;
  remindedMs?: number;
  closedReason?: string;
  /** The technician who did the visit it follows (with teams). */
  technician?: { id: string; name: string };
  customer: Customer;
}

export interface DueVisitFilter {
  /** One visit (the answer of an office action). */
  id?: string;
  /** AAAA-MM: visits due that month. */
  month?: string;
  status?: DueVisitState;
  /** A postal code's beginning (the département: "69"). */
  zone?: string;
  technicianId?: string;
}

export interface DueVisitReader {
  /** The business's due visits, by due date, as they stand at `nowMs`. */
  list(artisanId: string, filter: DueVisitFilter, nowMs: number, limit: number): Promise<DueVisit[]>;
}

/** The office's actions on one visit (issue 22 item 6). Each answers false when the visit is not the business's. */
export interface DueVisitWriter {
  /** Invites now, by hand: a new invitation (and its reminder) replaces any still to send. */
  inviteNow(artisanId: string, id: string, nowMs: number): Promise<boolean>;
  /** A new due date; an invitation not sent yet follows it. */
  move(artisanId: string, id: string, dueOn: string, nowMs: number): Promise<boolean>;
  /** Closed for good (the customer moved, the contract ended): nothing more is sent. */
  close(artisanId: string, id: string, reason: string, nowMs: number): Promise<boolean>;
}

export const DUE_VISITS_LIMIT = 500;

const notInvitable = (state: DueVisitState): ConflictError =>
  new ConflictError(
    'DUE_VISIT_NOT_INVITABLE',
    state === 'declined'
      ? 'Ce client a demandé à ne plus recevoir d’invitation : il ne peut plus être invité.'
      : state === 'booked'
        ? 'Ce client a déjà réservé cette visite.'
        : 'Cet entretien est clôturé : il ne peut plus être invité.',
    [{ field: 'status', message: state }],
  );

export const dueVisitNotFound = (): NotFoundError => new NotFoundError('DUE_VISIT_NOT_FOUND', "Cet entretien à prévoir n'existe pas.");
export const invitationLinkInvalid = (): AppError =>
  new AppError('INVITATION_LINK_INVALID', "Ce lien n'est pas valide. Utilisez le lien reçu par e-mail ou réservez directement depuis la page de l'entreprise.");

export function makeDueVisits(deps: { reader: DueVisitReader; writer: DueVisitWriter; clock: Clock }) {
  const one = async (artisanId: string, id: string): Promise<DueVisit> => {
    const [visit] = await deps.reader.list(artisanId, { id }, deps.clock.now(), 1);
    if (!visit) throw dueVisitNotFound();
    return visit;
  };
  const found = (ok: boolean): void => {
    if (!ok) throw dueVisitNotFound();
  };
  return {
    list: (artisanId: string, filter: DueVisitFilter = {}): Promise<DueVisit[]> => deps.reader.list(artisanId, filter, deps.clock.now(), DUE_VISITS_LIMIT),

    async inviteNow(artisanId: string, id: string): Promise<DueVisit> {
      const visit = await one(artisanId, id);
      if (visit.status === 'booked' || visit.status === 'declined' || visit.status === 'closed') throw notInvitable(visit.status);
      found(await deps.writer.inviteNow(artisanId, id, deps.clock.now()));
      return one(artisanId, id);
    },

    async move(artisanId: string, id: string, dueOn: string): Promise<DueVisit> {
      if (!parseLocalDate(dueOn)) throw new ValidationError([{ field: 'dueOn', message: 'Date invalide : attendu AAAA-MM-JJ.' }]);
      const visit = await one(artisanId, id);
      if (visit.status === 'closed') throw notInvitable(visit.status);
      found(await deps.writer.move(artisanId, id, dueOn, deps.clock.now()));
      return one(artisanId, id);
    },

    async close(artisanId: string, id: string, reason: string): Promise<DueVisit> {
      found(await deps.writer.close(artisanId, id, reason.trim(), deps.clock.now()));
      return one(artisanId, id);
    },
  };
}
export type DueVisits = ReturnType<typeof makeDueVisits>;
