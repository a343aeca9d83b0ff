import type { FormProblem } from '../shared/components/ErrorSummary';

/** What the customer typed in the booking form's details step. */
export interface DetailsForm {
  name: string;
  email: string;
  phone: string;
  street: string;
  postalCode: string;
  city: string;
  problem: string;
  notifySms: boolean;
  accepted: boolean;
}

/** The longest "Décrivez le problème" the API takes (PROBLEM_DESCRIPTION_MAX on the server). */
export const PROBLEM_MAX = 1000;

/** The form's fields in page order: the API's field name, the control's id, its label. */
export const DETAIL_FIELDS = [
  { field: 'customer.name', id: 'name', label: 'Nom et prénom' },
  { field: 'customer.email', id: 'email', label: 'Adresse e-mail' },
  { field: 'customer.phone', id: 'phone', label: 'Téléphone' },
  { field: 'customer.address.street', id: 'street', label: 'Rue' },
  { field: 'customer.address.postalCode', id: 'postalCode', label: 'Code postal' },
  { field: 'customer.address.city', id: 'city', label: 'Ville' },
  { field: 'problemDescription', id: 'problem', label: 'Description du problème' },
  { field: 'consent', id: 'consent', label: 'Conditions' },
] as const;

// Rough on purpose: the server decides (its e-mail rule, the numbering plans, the postcode ranges).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PHONE_INTERNATIONAL = /^\+\d{8,15}$/;
const PHONE_FRENCH = /^0\d{9}$/;

/**
 * Every problem of the details step at once, keyed like the API's details, before anything is
 * sent: the customer corrects all of them in one go, not in rounds.
 */
export function checkDetails(form: DetailsForm, service: { atCustomer: boolean }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors['customer.name'] = 'Indiquez votre nom.';
  const email = form.email.trim();
  if (!email) errors['customer.email'] = 'Indiquez votre adresse e-mail.';
  else if (!EMAIL.test(email)) errors['customer.email'] = 'Cette adresse e-mail n’est pas valide (exemple : jean.martin@exemple.fr).';
  const phone = form.phone.replace(/[\s.\-()]/g, '');
  if (!phone) {
    if (service.atCustomer) errors['customer.phone'] = 'Indiquez votre téléphone : l’artisan vient chez vous et doit pouvoir vous joindre.';
    else if (form.notifySms) errors['customer.phone'] = 'Indiquez votre téléphone pour recevoir les SMS.';
  } else if (!PHONE_INTERNATIONAL.test(phone) && !PHONE_FRENCH.test(phone)) {
    errors['customer.phone'] = 'Ce numéro n’est pas valide (exemple : 06 12 34 56 78).';
  }
  const anyAddress = !!(form.street.trim() || form.postalCode.trim() || form.city.trim());
  if (service.atCustomer || anyAddress) {
    if (!form.street.trim()) errors['customer.address.street'] = 'Indiquez le numéro et la rue.';
    const postalCode = form.postalCode.replace(/\s/g, '');
    if (!postalCode) errors['customer.address.postalCode'] = 'Indiquez le code postal.';
    else if (!/^\d{5}$/.test(postalCode)) errors['customer.address.postalCode'] = 'Le code postal a 5 chiffres (exemple : 75011).';
    if (!form.city.trim()) errors['customer.address.city'] = 'Indiquez la ville.';
  }
  if (form.problem.trim().length > PROBLEM_MAX) errors.problemDescription = `${PROBLEM_MAX} caractères au maximum.`;
  if (!form.accepted) errors.consent = 'Pour réserver, acceptez les conditions d’annulation et de vente.';
  return errors;
}

/** The errors as the summary lists them: the form's fields in page order, then anything else. */
export function problemsOf(errors: Record<string, string>): FormProblem[] {
  const known = new Set<string>();
  const problems: FormProblem[] = [];
  for (const f of DETAIL_FIELDS) {
    const message = errors[f.field];
    known.add(f.field);
    if (message) problems.push({ message, fieldId: f.id, label: f.label });
  }
  for (const [field, message] of Object.entries(errors)) {
    if (known.has(field)) continue;
    // The address refused as a whole points at its first line.
    problems.push(field === 'customer.address' ? { message, fieldId: 'street', label: 'Adresse' } : { message });
  }
  return problems;
}
