import type { PlanCode } from '../../domain/plans.ts';

/**
 * Text columns that hold one of our own unions, read back as that union. The column's CHECK
 * constraint (or the only code that writes it) guarantees the value: one narrowing per union, here.
 */
export const storedPlan = (plan: string): PlanCode => plan as PlanCode;
