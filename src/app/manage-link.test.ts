import { describe, expect, it } from 'vitest';
import { signManageToken } from '../domain/manage-token.ts';
import { makeManageLinks } from './manage-link.ts';
import type { BookingRecord } from '../domain/booking.ts';
import type { BookingStore } from './ports/booking-store.ts';

const NOW = Date.parse('2027-03-01T07:00:00Z');
const ID = '6f1c1d3e-0000-4000-8000-000000000001';
const booking = { id: ID, status: 'confirmed', startMs: NOW + 86_400_000 } as BookingRecord;
const store = { findBookingById: async (id: string) => (id === ID ? booking : undefined) } as unknown as BookingStore;

/** Links e-mailed before the signing key changed (the upgrade that took it out of backups) keep opening. */
describe('manage links across a change of signing key', () => {
  const links = makeManageLinks({ store, clock: { now: () => NOW }, secret: 'new-key', previousSecrets: ['old-key'], baseUrl: 'https://rdv.example', ttlDays: 30 });

  it('signs new links with the current key only', () => {
    const token = new URL(links.urlFor(booking)).searchParams.get('token')!;
    expect(token).toBe(signManageToken(ID, booking.startMs + 30 * 86_400_000, 'new-key'));
  });

  it('opens a link signed with the previous key, and one signed with the current key', async () => {
    await expect(links.resolve(signManageToken(ID, NOW + 3_600_000, 'old-key'))).resolves.toBe(booking);
    await expect(links.resolve(signManageToken(ID, NOW + 3_600_000, 'new-key'))).resolves.toBe(booking);
  });

  it('refuses a link signed with any other key, and an expired link of the previous key', async () => {
    await expect(links.resolve(signManageToken(ID, NOW + 3_600_000, 'forged'))).rejects.toMatchObject({ code: 'MANAGE_LINK_INVALID' });
    await expect(links.resolve(signManageToken(ID, NOW - 1, 'old-key'))).rejects.toMatchObject({ code: 'MANAGE_LINK_EXPIRED' });
    const withoutPrevious = makeManageLinks({ store, clock: { now: () => NOW }, secret: 'new-key', baseUrl: 'https://rdv.example', ttlDays: 30 });
    await expect(withoutPrevious.resolve(signManageToken(ID, NOW + 3_600_000, 'old-key'))).rejects.toMatchObject({ code: 'MANAGE_LINK_INVALID' });
  });
});
