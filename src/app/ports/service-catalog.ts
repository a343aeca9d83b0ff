import type { ServiceRecord } from '../../domain/service.ts';

export interface ServiceCatalog {
  /** Every service of the artisan, archived ones included. */
  listServices(artisanId: string): Promise<ServiceRecord[]>;
  findService(artisanId: string, id: string): Promise<ServiceRecord | undefined>;
  /** AlreadyExistsError when the id is taken. */
  insertService(service: ServiceRecord): Promise<void>;
  /** Like updateArtisan: `decide` sees the locked row; undefined when there is no such service. */
  updateService(artisanId: string, id: string, decide: (current: ServiceRecord) => ServiceRecord): Promise<ServiceRecord | undefined>;
  /** Deletes a service no booking ever referenced. */
  deleteService(artisanId: string, id: string): Promise<'deleted' | 'has_bookings' | 'not_found'>;
}
