/** Decisions §8: SMS come with the pro and business plans; starter is e-mail only. */
export const planAllowsSms = (plan: string): boolean => plan === 'pro' || plan === 'business';
