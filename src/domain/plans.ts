/** The plans an artisan can be on: the one list the type and the HTTP schemas are drawn from. */
export const PLAN_CODES = ['starter', 'pro', 'business'] as const;
export type PlanCode = (typeof PLAN_CODES)[number];

/** What each plan allows (decisions §8). `null` means no limit. */
export interface PlanLimits {
  /** Online bookings taken per calendar month (artisan's timezone). */
  monthlyBookings: number | null;
  sms: boolean;
  calendars: number | null;
}

export const PLAN_LIMITS: Readonly<Record<PlanCode, PlanLimits>> = {
  starter: { monthlyBookings: 50, sms: false, calendars: 1 },
  pro: { monthlyBookings: null, sms: true, calendars: 3 },
  business: { monthlyBookings: null, sms: true, calendars: null },
};

export const planLimits = (plan: PlanCode): PlanLimits => PLAN_LIMITS[plan];
