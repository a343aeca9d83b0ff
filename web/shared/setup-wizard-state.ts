/** The setup wizard's steps after the account (hours, a first service, payments). */
export type Step = 'hours' | 'service' | 'payments';

/**
 * Where the wizard is kept between reloads. The server says which steps are done (GET
 * /api/admin/setup-checklist: hours, an active service, payments), so a reload, another tab or
 * a day later resumes at the first step not done, with what was saved. The browser keeps only
 * what the server has no reason to: that this artisan is still in the wizard, and the steps
 * they chose to skip ("Passer cette étape"). On another device the wizard does not reopen; the
 * agenda's checklist lists what is left instead.
 */
const STORAGE_KEY = 'artisanconnect.setup-wizard';
export interface Kept {
  artisanId: string;
  skipped: Step[];
}
export function kept(): Kept | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Kept | null;
    return v && typeof v.artisanId === 'string' && Array.isArray(v.skipped) ? v : undefined;
  } catch {
    return undefined;
  }
}
export function keep(v: Kept | undefined): void {
  try {
    if (v) localStorage.setItem(STORAGE_KEY, JSON.stringify(v));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage refused (private mode): the wizard then lasts as long as the page */
  }
}
