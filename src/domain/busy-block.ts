/** A busy block the artisan sees: imported from a calendar, or time off entered by hand. */
export interface BusyBlockRecord {
  id: string;
  artisanId: string;
  providerId: string;
  summary: string;
  startMs: number;
  endMs: number;
  /** A member's own time (Business plan): it blocks only them; absent: the whole business's. */
  memberId?: string;
}
