/**
 * Domain and use-case errors. Each carries a stable SCREAMING_SNAKE code and a French
 * message fit for a customer; the HTTP adapter maps codes to statuses in one table.
 */
export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(details: ErrorDetail[], message = 'Certaines informations sont invalides. Merci de vérifier le formulaire.') {
    super('VALIDATION_ERROR', message, details);
  }
}

export class NotFoundError extends AppError {}

export class ConflictError extends AppError {}

/** A business rule refuses the request (too late, plan limit, payment declined…). */
export class PolicyError extends AppError {}

/** Missing or invalid artisan credentials (session cookie or API token). */
export class AuthError extends AppError {}

/** A provider (payment, mail…) could not be reached; nothing was lost, the caller may retry. */
export class UnavailableError extends AppError {}

export const serviceNotFound = (): AppError =>
  new AppError('SERVICE_NOT_FOUND', "Cette prestation n'existe pas ou n'est plus proposée.");

export const bookingNotFound = (): NotFoundError =>
  new NotFoundError('BOOKING_NOT_FOUND', 'Réservation introuvable. Vérifiez le code et l’adresse e-mail.');

export const slotUnavailable = (): ConflictError =>
  new ConflictError('SLOT_UNAVAILABLE', "Le créneau sélectionné n'est plus disponible. Merci de choisir un autre horaire.");

export const slotNotOffered = (): AppError =>
  new AppError('SLOT_NOT_OFFERED', "Ce créneau n'est pas proposé à la réservation. Merci de choisir un horaire parmi les disponibilités.");

export const bookingCancelled = (): ConflictError =>
  new ConflictError('BOOKING_CANCELLED', 'Cette réservation a été annulée : elle ne peut plus être déplacée.');

export const bookingPast = (): ConflictError =>
  new ConflictError('BOOKING_PAST', 'Ce rendez-vous a déjà commencé ou est passé : il ne peut plus être modifié en ligne.');

export const unauthenticated = (): AuthError =>
  new AuthError('UNAUTHENTICATED', 'Connexion requise : identifiez-vous pour accéder à cet espace.');
