import { sql } from 'kysely';
import { REPORT_TOPIC, type CompletionReportStore } from '../../app/completion-reports.ts';
import type { ReportEntry, ReportPreset } from '../../domain/completion-report.ts';
import type { Database } from './database.ts';
import { first, qb, run } from './kysely.ts';

const storedEntries = (v: unknown): ReportEntry[] => v as ReportEntry[];

export function makeCompletionReportStore(db: Database, uuid: () => string): CompletionReportStore {
  return {
    async context(artisanId, booking, writerMemberId) {
      const r = await first(
        db,
        qb
          .selectFrom('artisans as a')
          .leftJoin('services as s', (j) => j.onRef('s.artisan_id', '=', 'a.id').on('s.id', '=', booking.serviceId))
          .leftJoin('admin_users as m', (j) => j.onRef('m.artisan_id', '=', 'a.id').on('m.id', '=', booking.technicianId ?? writerMemberId ?? '00000000-0000-0000-0000-000000000000'))
          .select(['a.display_name', 'a.trade', 'a.email', 'a.phone', 's.report_preset', 'm.name as technician_name'])
          .where('a.id', '=', artisanId),
      );
      if (!r) throw new Error(`business ${artisanId} not found`);
      return {
        preset: (r.report_preset ?? 'standard') as ReportPreset,
        business: { displayName: r.display_name, trade: r.trade, email: r.email, phone: r.phone },
        technicianName: r.technician_name || r.display_name,
      };
    },
    async save(artisanId, bookingId, report) {
      const at = new Date(report.writtenMs);
      await db.transaction(async (q) => {
        await run(
          q,
          qb
            .insertInto('completion_reports')
            .values({
              artisan_id: artisanId,
              booking_id: bookingId,
              entries: JSON.stringify(report.entries),
              technician_name: report.technicianName,
              pdf: report.pdf,
              created_at: at,
              updated_at: at,
            })
            .onConflict((oc) =>
              oc.columns(['artisan_id', 'booking_id']).doUpdateSet({
                entries: sql`excluded.entries`,
                technician_name: sql`excluded.technician_name`,
                pdf: sql`excluded.pdf`,
                updated_at: sql`excluded.updated_at`,
              }),
            ),
        );
        // A corrected report replaces one not sent yet: the customer gets the last one once.
        await run(q, qb.updateTable('outbox').set({ status: 'cancelled' }).where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId).where('topic', '=', REPORT_TOPIC).where('status', '=', 'pending'));
        await run(q, qb.insertInto('outbox').values({ artisan_id: artisanId, id: uuid(), topic: REPORT_TOPIC, booking_id: bookingId, payload: '{}', run_at: sql<Date>`now()` }));
      });
    },
    async read(artisanId, bookingId) {
      const r = await first(
        db,
        qb.selectFrom('completion_reports').select(['entries', 'technician_name', 'updated_at']).where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId),
      );
      return r ? { entries: storedEntries(r.entries), technicianName: r.technician_name, writtenMs: r.updated_at.getTime() } : undefined;
    },
    async pdf(artisanId, bookingId) {
      const r = await first(db, qb.selectFrom('completion_reports').select('pdf').where('artisan_id', '=', artisanId).where('booking_id', '=', bookingId));
      return r ? Buffer.from(r.pdf) : undefined;
    },
    async preset(artisanId, serviceId) {
      const r = await first(db, qb.selectFrom('services').select('report_preset').where('artisan_id', '=', artisanId).where('id', '=', serviceId));
      return r ? (r.report_preset as ReportPreset) : undefined;
    },
    async setPreset(artisanId, serviceId, preset) {
      const rows = await run(db, qb.updateTable('services').set({ report_preset: preset }).where('artisan_id', '=', artisanId).where('id', '=', serviceId).returning('id'));
      return rows.length > 0;
    },
  };
}
