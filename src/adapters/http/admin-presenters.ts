import { presentAvailability } from './presenters.ts';
import type { ArtisanSettingsView } from '../../app/admin-settings.ts';
import type { Availability } from '../../app/get-availability.ts';
import type { BookingSummary } from '../../domain/booking.ts';
import type { BusyBlockRecord } from '../../domain/busy-block.ts';
import type { ServiceRecord } from '../../domain/service.ts';
import { MANUAL_PROVIDER } from '../../app/time-off.ts';
import { depositCents } from '../../domain/money.ts';
import { formatInstant } from '../../domain/time.ts';
import { termsVersion } from '../../domain/terms.ts';

/** Entities -> the back office's DTOs: the artisan sees everything about their own data. */

export function presentArtisan({ profile, upcomingPublicHolidays }: ArtisanSettingsView) {
  return { ...profile, termsVersion: termsVersion(profile.termsOfSale), upcomingPublicHolidays };
}

export function presentAdminService(s: ServiceRecord) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    durationMinutes: s.durationMinutes,
    basePriceCents: s.basePriceCents,
    depositRate: s.depositRate,
    depositCents: depositCents(s.basePriceCents, s.depositRate),
    isActive: s.isActive,
    bufferBeforeMinutes: s.bufferBeforeMinutes,
    bufferAfterMinutes: s.bufferAfterMinutes,
    refundPolicy: s.refundPolicy,
    minNoticeMinutes: s.minNoticeMinutes,
    atCustomer: s.atCustomer,
    ...(s.maintenanceIntervalMonths !== null ? { maintenanceIntervalMonths: s.maintenanceIntervalMonths } : {}),
  };
}

export function presentBusyBlock(b: BusyBlockRecord, timezone: string) {
  return {
    id: b.id,
    providerId: b.providerId,
    source: 'external' as const,
    summary: b.summary,
    startDateTime: formatInstant(b.startMs, timezone),
    endDateTime: formatInstant(b.endMs, timezone),
    deletable: b.providerId === MANUAL_PROVIDER,
    ...(b.memberId ? { memberId: b.memberId } : {}),
  };
}

export function presentBookingSummary(b: BookingSummary, timezone: string) {
  return {
    publicCode: b.publicCode,
    serviceName: b.serviceName,
    customerName: b.customerName,
    status: b.status,
    startDateTime: formatInstant(b.startMs, timezone),
    endDateTime: formatInstant(b.endMs, timezone),
  };
}

/** The public availability with each blocker in full (booking code, summary, provider): decisions §4. */
export function presentExplainedAvailability(a: Availability) {
  const view = presentAvailability(a);
  return {
    ...view,
    slots: a.slots.map((s, i) => ({ ...view.slots[i]!, startDateTime: formatInstant(s.startMs, a.timezone), blockedBy: s.blockedBy.map((b) => ({ ...b })) })),
  };
}
