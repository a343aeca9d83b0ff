import type { Customer } from '../domain/booking.ts';

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
  status: 'due' | 'closed';
  customer: Customer;
}

export interface DueVisitReader {
  /** The business's due visits, by due date. */
  list(artisanId: string, limit: number): Promise<DueVisit[]>;
}

export const DUE_VISITS_LIMIT = 500;

export function makeDueVisits(deps: { reader: DueVisitReader }) {
  return {
    list: (artisanId: string): Promise<DueVisit[]> => deps.reader.list(artisanId, DUE_VISITS_LIMIT),
  };
}
export type DueVisits = ReturnType<typeof makeDueVisits>;
