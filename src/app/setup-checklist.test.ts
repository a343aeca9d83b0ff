import { describe, expect, it } from 'vitest';
import type { ArtisanProfile } from '../domain/artisan-settings.ts';
import type { ServiceRecord } from '../domain/service.ts';
import { makeSetupChecklist } from './setup-checklist.ts';

const profile = (openingRules: ArtisanProfile['openingRules']): ArtisanProfile => ({
  id: 'a1',
  displayName: 'Sophie Martin Plomberie',
  trade: null,
  email: 'contact@sophie-plomberie.fr',
  phone: null,
  timezone: 'Europe/Paris',
  plan: 'starter',
  slotStepMinutes: 30,
  minNoticeMinutes: 120,
  bookingHorizonDays: 90,
  closedOnPublicHolidays: true,
  openingRules,
  breakRules: [],
  termsOfSale: null,
});
const service = (depositRate: number, isActive = true): ServiceRecord => ({
  id: `s-${depositRate}-${isActive}`,
  artisanId: 'a1',
  name: 'Débouchage',
  description: null,
  durationMinutes: 60,
  basePriceCents: 12000,
  depositRate,
  isActive,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  refundPolicy: null,
  minNoticeMinutes: null,
  atCustomer: false,
  maintenanceIntervalMonths: null,
});
const MONDAY = [{ id: 'r1', dayOfWeek: 1, startMinutes: 480, endMinutes: 1020 }];

const checklistOf = (hours: boolean, services: ServiceRecord[], chosen: boolean) =>
  makeSetupChecklist({
    settings: { readArtisan: async () => profile(hours ? MONDAY : []) },
    services: { listServices: async () => services },
    payments: { chosen: async () => chosen },
  })('a1');

describe('setup checklist', () => {
  it.each([
    ['a new artisan: nothing done', false, [], false, { hours: false, service: false, payments: false, ready: false }],
    ['an archived service does not count', true, [service(0.3, false)], false, { hours: true, service: false, payments: false, ready: false }],
    ['a deposit to take and no choice made', true, [service(0.3)], false, { hours: true, service: true, payments: false, ready: false }],
    ['a deposit to take, the way chosen', true, [service(0.3)], true, { hours: true, service: true, payments: true, ready: true }],
    ['no active service asks a deposit: nothing to take', true, [service(0), service(0.3, false)], false, { hours: true, service: true, payments: true, ready: true }],
    ['payments chosen but the page is closed every day', false, [service(0.3)], true, { hours: false, service: true, payments: true, ready: false }],
  ] as const)('%s', async (_case, hours, services, chosen, expected) => {
    expect(await checklistOf(hours, [...services], chosen)).toEqual(expected);
  });

  it('names an unknown artisan with the settings error', async () => {
    const read = makeSetupChecklist({ settings: { readArtisan: async () => undefined }, services: { listServices: async () => [] }, payments: { chosen: async () => false } });
    await expect(read('nobody')).rejects.toMatchObject({ code: 'ARTISAN_NOT_FOUND' });
  });
});
