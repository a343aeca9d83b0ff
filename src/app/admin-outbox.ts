import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { normalizePublicCode } from '../domain/public-code.ts';
import type { Clock } from './ports/clock.ts';

/** The messages kept by the embedded mailbox (what would have been sent without SMTP/Twilio). */
export interface MessageLog<Message> {
  list(artisanId: string, filter: { channel?: 'email' | 'sms'; publicCode?: string; limit: number; offset: number }): Promise<{ messages: Message[]; total: number }>;
}

/** The outbox jobs as the back office sees them; a dead one can be given a new series of attempts. */
export interface JobQueue<Job> {
  list(artisanId: string, filter: { status?: string; limit: number; offset: number }): Promise<{ rows: Job[]; total: number }>;
  /** True when the job was dead and is pending again. */
  retryDead(artisanId: string, id: string, nowMs: number): Promise<boolean>;
  status(artisanId: string, id: string): Promise<string | undefined>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The back office's view of what was sent and what is waiting: the mailbox, the outbox jobs, and
 * a retry of a job that failed for good. The rules (a code in its public form, only a dead job
 * can be retried, an unknown id answers as missing) live here; the route only speaks HTTP.
 */
export function makeAdminOutbox<Message, Job>(deps: { mailbox: MessageLog<Message>; outbox: JobQueue<Job>; clock: Clock }) {
  const jobNotFound = () => new NotFoundError('OUTBOX_JOB_NOT_FOUND', "Cette tâche d'envoi n'existe pas.");
  return {
    listMessages(artisanId: string, filter: { channel?: 'email' | 'sms'; bookingCode?: string; limit: number; offset: number }) {
      const publicCode = filter.bookingCode === undefined ? undefined : normalizePublicCode(filter.bookingCode);
      if (filter.bookingCode !== undefined && !publicCode) {
        throw new ValidationError([{ field: 'bookingCode', message: 'Le code de réservation doit avoir la forme AC-XXXXXX.' }]);
      }
      return deps.mailbox.list(artisanId, { channel: filter.channel, publicCode, limit: filter.limit, offset: filter.offset });
    },
    listJobs: (artisanId: string, filter: { status?: string; limit: number; offset: number }) => deps.outbox.list(artisanId, filter),
    async retryJob(artisanId: string, id: string): Promise<void> {
      if (!UUID_RE.test(id)) throw jobNotFound();
      if (await deps.outbox.retryDead(artisanId, id, deps.clock.now())) return;
      if (!(await deps.outbox.status(artisanId, id))) throw jobNotFound();
      throw new ConflictError('OUTBOX_JOB_NOT_DEAD', 'Seule une tâche en échec définitif peut être relancée : celle-ci est en cours ou déjà traitée.');
    },
  };
}
