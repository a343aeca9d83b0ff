import type { RefundPolicy } from './refund-policy.ts';

export interface ServiceRecord {
  id: string;
  artisanId: string;
  name: string;
  description: string | null;
  durationMinutes: number;
  basePriceCents: number;
  depositRate: number;
  isActive: boolean;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  refundPolicy: RefundPolicy | null;
}
