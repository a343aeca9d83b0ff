import { describe, expect, it } from 'vitest';
import { bookingColumns } from '../src/adapters/db/booking-row.ts';
import type { BookingRecord } from '../src/domain/booking.ts';
import { ENGINES, databaseForSuite } from './helpers/db.ts';

// A booking's columns are listed once, by bookingColumns: booking_hold inserts that row whole.
// A column it does not name would be written NULL, whatever the table's default.
describe.each(ENGINES)('the bookings columns on %s', (engine) => {
  const t = databaseForSuite(engine);

  it('bookingColumns names every column of the bookings table, and no other', async () => {
    const booking: BookingRecord = {
      id: '6f1c1d3e-0000-4000-8000-000000000001', publicCode: 'AC-ABC123', artisanId: '6f1c1d3e-0000-4000-8000-000000000002',
      serviceId: 'diag', serviceName: 'Diagnostic', status: 'pending_payment', channel: 'online',
      customer: { name: 'Jean Martin', email: 'jean@example.com' }, problemDescription: null, startMs: Date.parse('2027-03-02T08:00:00Z'),
      endMs: Date.parse('2027-03-02T08:30:00Z'), durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 15,
      priceCents: 4000, depositRate: 0.3, depositCents: 1200, paymentStatus: 'pending', paymentProvider: null,
      paymentIntentId: null, paymentMethodId: null, refundCents: 0, refundedCents: 0, refundPolicy: { tiers: [] } as unknown as BookingRecord['refundPolicy'],
      notifyEmail: true, notifySms: false, timezone: 'Europe/Paris', holdExpiresMs: null, captureMethod: null, refundCapCents: null,
      dispute: null, cancelledBy: null, createdMs: Date.parse('2027-03-01T08:00:00Z'), updatedMs: Date.parse('2027-03-01T08:00:00Z'),
    };
    const rows = await t.db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'bookings'`,
    );
    expect(Object.keys(bookingColumns(booking)).sort()).toEqual(rows.map((r) => r.name).sort());
  });
});
