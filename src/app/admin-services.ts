import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { checkRefundPolicy, type RefundPolicy } from '../domain/refund-policy.ts';
import { SERVICE_ID_RE, slugify } from '../domain/service-id.ts';
import { AlreadyExistsError } from './ports/already-exists-error.ts';
import type { ServiceCatalog } from './ports/service-catalog.ts';
import type { ServiceRecord } from '../domain/service.ts';

export interface ServiceFields {
  name: string;
  description?: string | null;
  durationMinutes: number;
  basePriceCents: number;
  depositRate?: number;
  isActive?: boolean;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  /** null: the default policy (decisions §6). */
  refundPolicy?: RefundPolicy | null;
  /** null: the business's minimum notice. */
  minNoticeMinutes?: number | null;
  /** "Intervention chez le client": bookings need the address and a phone. */
  atCustomer?: boolean;
  /** A maintenance interval in months (issue 22); null: none. */
  maintenanceIntervalMonths?: number | null;
}

export type ServiceInput = ServiceFields & { id?: string };
export type ServicePatch = Partial<ServiceFields>;

const DEFAULT_DEPOSIT_RATE = 0.3;

const serviceNotFound = (): NotFoundError => new NotFoundError('SERVICE_NOT_FOUND', 'Cette prestation est introuvable.');

/**
 * The artisan's catalogue. Bookings copy duration, price, rate, refund policy and buffers
 * when they are made, so editing a service changes only future bookings; a service that
 * was ever booked is archived (isActive: false), never deleted.
 */
export function makeAdminServices(deps: { services: ServiceCatalog }) {
  return {
    list: (artisanId: string): Promise<ServiceRecord[]> => deps.services.listServices(artisanId),

    async get(artisanId: string, id: string): Promise<ServiceRecord> {
      const service = await deps.services.findService(artisanId, id);
      if (!service) throw serviceNotFound();
      return service;
    },

    async create(artisanId: string, input: ServiceInput): Promise<ServiceRecord> {
      const details: ErrorDetail[] = [];
      const id = input.id?.trim() || slugify(input.name);
      if (!SERVICE_ID_RE.test(id)) details.push({ field: 'id', message: 'Identifiant invalide : lettres, chiffres, « - » et « _ » uniquement.' });
      const service = applyFields(
        {
          id, artisanId, name: '', description: null, durationMinutes: 0, basePriceCents: 0, depositRate: DEFAULT_DEPOSIT_RATE,
          isActive: true, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, refundPolicy: null, minNoticeMinutes: null,
          atCustomer: false, maintenanceIntervalMonths: null,
        },
        input,
        details,
      );
      if (details.length > 0) throw new ValidationError(details);
      try {
        await deps.services.insertService(service);
      } catch (error) {
        if (error instanceof AlreadyExistsError) {
          throw new ConflictError(
            'SERVICE_ID_TAKEN',
            `Une prestation porte déjà l'identifiant « ${id} ». Choisissez un autre nom ou précisez un autre identifiant.`,
          );
        }
        throw error;
      }
      return service;
    },

    async update(artisanId: string, id: string, patch: ServicePatch): Promise<ServiceRecord> {
      const updated = await deps.services.updateService(artisanId, id, (current) => {
        const details: ErrorDetail[] = [];
        const next = applyFields(current, patch, details);
        if (details.length > 0) throw new ValidationError(details);
        return next;
      });
      if (!updated) throw serviceNotFound();
      return updated;
    },

    async remove(artisanId: string, id: string): Promise<void> {
      const outcome = await deps.services.deleteService(artisanId, id);
      if (outcome === 'not_found') throw serviceNotFound();
      if (outcome === 'has_bookings') {
        throw new ConflictError(
          'SERVICE_HAS_BOOKINGS',
          'Cette prestation a déjà des réservations : elle ne peut pas être supprimée. Archivez-la (isActive: false) pour ne plus la proposer.',
        );
      }
    },
  };
}

function applyFields(current: ServiceRecord, fields: Partial<ServiceFields>, details: ErrorDetail[]): ServiceRecord {
  const next: ServiceRecord = { ...current };
  if (fields.name !== undefined) next.name = fields.name.trim().replace(/\s+/g, ' ');
  if (fields.name !== undefined && !next.name) details.push({ field: 'name', message: 'Le nom de la prestation est obligatoire.' });
  if (fields.description !== undefined) next.description = fields.description?.trim() || null;
  if (fields.durationMinutes !== undefined) next.durationMinutes = fields.durationMinutes;
  if (fields.basePriceCents !== undefined) next.basePriceCents = fields.basePriceCents;
  if (fields.depositRate !== undefined) next.depositRate = fields.depositRate;
  if (fields.isActive !== undefined) next.isActive = fields.isActive;
  if (fields.bufferBeforeMinutes !== undefined) next.bufferBeforeMinutes = fields.bufferBeforeMinutes;
  if (fields.bufferAfterMinutes !== undefined) next.bufferAfterMinutes = fields.bufferAfterMinutes;
  if (fields.minNoticeMinutes !== undefined) next.minNoticeMinutes = fields.minNoticeMinutes;
  if (fields.atCustomer !== undefined) next.atCustomer = fields.atCustomer;
  if (fields.maintenanceIntervalMonths !== undefined) next.maintenanceIntervalMonths = fields.maintenanceIntervalMonths;
  if (fields.refundPolicy !== undefined) {
    if (fields.refundPolicy) checkRefundPolicy(fields.refundPolicy, 'refundPolicy', details);
    next.refundPolicy = fields.refundPolicy
      ? { tiers: [...fields.refundPolicy.tiers].sort((a, b) => b.minHoursBefore - a.minHoursBefore).map((t) => ({ minHoursBefore: t.minHoursBefore, refundRate: t.refundRate })) }
      : null;
  }
  return next;
}
