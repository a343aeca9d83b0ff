import { checkReportEntries, reportFields, type ReportEntry, type ReportField, type ReportPreset } from '../domain/completion-report.ts';
import type { BookingRecord } from '../domain/booking.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { ManageLinks } from './manage-link.ts';
import { makeFindBooking } from './manage-booking.ts';
import type { BookingStore } from './ports/booking-store.ts';
import type { Clock } from './ports/clock.ts';
import type { Mailer, NotificationStore } from './ports/notifications.ts';

/** The outbox topic that e-mails a report to the customer (bookingId: the report's booking). */
export const REPORT_TOPIC = 'notify.completion_report';

export interface ReportBusiness {
  displayName: string;
  trade: string | null;
  email: string;
  phone: string | null;
}

/** What the PDF is made of. */
export interface CompletionReportDocument {
  business: ReportBusiness;
  booking: BookingRecord;
  technicianName: string;
  entries: ReportEntry[];
  writtenMs: number;
}

export type ReportRenderer = (doc: CompletionReportDocument) => Promise<Buffer>;

export interface StoredReport {
  entries: ReportEntry[];
  technicianName: string;
  writtenMs: number;
}

export interface CompletionReportStore {
  /** The service's preset, the business's details and the technician's name (the booking's, else the writer's, else the business's). */
  context(artisanId: string, booking: BookingRecord, writerMemberId: string | undefined): Promise<{ preset: ReportPreset; business: ReportBusiness; technicianName: string }>;
  /** Keeps the report (a new one replaces the last) and queues its e-mail, in one transaction. */
  save(artisanId: string, bookingId: string, report: StoredReport & { pdf: Buffer }): Promise<void>;
  read(artisanId: string, bookingId: string): Promise<StoredReport | undefined>;
  pdf(artisanId: string, bookingId: string): Promise<Buffer | undefined>;
  /** The service's report form; undefined when the service is not the business's. */
  preset(artisanId: string, serviceId: string): Promise<ReportPreset | undefined>;
  setPreset(artisanId: string, serviceId: string, preset: ReportPreset): Promise<boolean>;
}

const serviceNotFound = (): NotFoundError => new NotFoundError('NOT_FOUND', 'Prestation introuvable.');
export const reportNotFound = (): NotFoundError => new NotFoundError('REPORT_NOT_FOUND', 'Aucun compte rendu n’a encore été établi pour ce rendez-vous.');
const notCompleted = (): ConflictError => new ConflictError('BOOKING_NOT_COMPLETED', 'Marquez d’abord l’intervention comme réalisée : le compte rendu suit une intervention faite.');

/** The PDF's file name, as the customer's download and the e-mail's attachment carry it. */
export const reportFileName = (booking: Pick<BookingRecord, 'publicCode'>): string => `compte-rendu-${booking.publicCode}.pdf`;

/**
 * The completion report (issue 22 item 2): the form of a booking's service, the report written
 * once the booking is marked done (a French PDF, kept with the booking and e-mailed to the
 * customer through the outbox), and the PDF again for the back office and the manage link.
 */
export function makeCompletionReports(deps: { store: CompletionReportStore; bookings: BookingStore; render: ReportRenderer; clock: Clock }) {
  const findBooking = makeFindBooking({ store: deps.bookings });
  return {
    /** The fields to fill for this booking's service, and the report already written if any. */
    async form(artisanId: string, publicCode: string): Promise<{ fields: ReportField[]; report?: StoredReport }> {
      const booking = await findBooking({ artisanId, publicCode });
      const ctx = await deps.store.context(artisanId, booking, undefined);
      const report = await deps.store.read(artisanId, booking.id);
      return { fields: reportFields(ctx.preset), ...(report ? { report } : {}) };
    },

    async write(input: { artisanId: string; publicCode: string; values: Record<string, string>; writerMemberId?: string }): Promise<StoredReport> {
      const booking = await findBooking({ artisanId: input.artisanId, publicCode: input.publicCode });
      if (booking.status !== 'completed') throw notCompleted();
      const ctx = await deps.store.context(input.artisanId, booking, input.writerMemberId);
      const entries = checkReportEntries(ctx.preset, input.values);
      const writtenMs = deps.clock.now();
      const report: StoredReport = { entries, technicianName: ctx.technicianName, writtenMs };
      const pdf = await deps.render({ business: ctx.business, booking, ...report });
      await deps.store.save(input.artisanId, booking.id, { ...report, pdf });
      return report;
    },

    async pdf(artisanId: string, publicCode: string): Promise<{ pdf: Buffer; fileName: string }> {
      const booking = await findBooking({ artisanId, publicCode });
      const pdf = await deps.store.pdf(artisanId, booking.id);
      if (!pdf) throw reportNotFound();
      return { pdf, fileName: reportFileName(booking) };
    },

    /** A service's report form: its preset and the fields it gives. */
    async serviceForm(artisanId: string, serviceId: string): Promise<{ preset: ReportPreset; fields: ReportField[] }> {
      const preset = await deps.store.preset(artisanId, serviceId);
      if (!preset) throw serviceNotFound();
      return { preset, fields: reportFields(preset) };
    },

    async setServiceForm(artisanId: string, serviceId: string, preset: ReportPreset): Promise<{ preset: ReportPreset; fields: ReportField[] }> {
      if (!(await deps.store.setPreset(artisanId, serviceId, preset))) throw serviceNotFound();
      return { preset, fields: reportFields(preset) };
    },

    /** The customer's copy, for a booking their manage link opened. */
    async pdfOf(booking: BookingRecord): Promise<{ pdf: Buffer; fileName: string }> {
      const pdf = await deps.store.pdf(booking.artisanId, booking.id);
      if (!pdf) throw reportNotFound();
      return { pdf, fileName: reportFileName(booking) };
    },
  };
}
export type CompletionReports = ReturnType<typeof makeCompletionReports>;

/**
 * E-mails a report to the customer, the PDF attached, with the manage link to download it
 * again. Once per job, as booking notifications (the delivery ledger, a Message-ID derived
 * from the job).
 */
export function makeSendCompletionReport(deps: {
  store: Pick<CompletionReportStore, 'pdf' | 'read'>;
  notifications: NotificationStore;
  mailer: Mailer;
  links: Pick<ManageLinks, 'urlFor'>;
  render: (input: { booking: BookingRecord; business: string; report: StoredReport; manageUrl: string }) => { subject: string; text: string; html: string };
  clock: Clock;
  messageIdDomain: string;
}) {
  return async function sendReport(job: { id: string; bookingId: string | null }): Promise<'sent' | 'skipped' | 'nothing'> {
    if (!job.bookingId) return 'nothing';
    const ctx = await deps.notifications.readContext(job.bookingId);
    const email = ctx?.booking.customer.email;
    if (!ctx || !email) return 'nothing';
    const { booking, artisan } = ctx;
    const [report, pdf] = await Promise.all([deps.store.read(booking.artisanId, booking.id), deps.store.pdf(booking.artisanId, booking.id)]);
    if (!report || !pdf) return 'nothing';
    const key = 'customer.email';
    if ((await deps.notifications.deliveredKeys(booking.artisanId, job.id)).has(key)) return 'skipped';
    const messageId = `${job.id}.customer-email@${deps.messageIdDomain}`;
    const receipt = await deps.mailer.send({
      kind: 'completion_report',
      recipientKind: 'customer',
      artisanId: booking.artisanId,
      bookingId: booking.id,
      outboxId: job.id,
      messageId,
      to: { name: booking.customer.name, address: email },
      sender: { name: artisan.displayName, replyTo: artisan.email },
      ...deps.render({ booking, business: artisan.displayName, report, manageUrl: deps.links.urlFor(booking) }),
      attachments: [{ filename: reportFileName(booking), contentType: 'application/pdf', content: pdf }],
    });
    await deps.notifications.recordDelivery({
      artisanId: booking.artisanId,
      outboxId: job.id,
      key,
      channel: 'email',
      messageId,
      providerRef: receipt.providerRef ?? null,
      bookingId: booking.id,
      sentMs: deps.clock.now(),
    });
    return 'sent';
  };
}
