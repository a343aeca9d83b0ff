import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { AppError, NotFoundError, UnavailableError, type ErrorDetail } from '../../domain/errors.ts';
import { isDatabaseUnavailable, sqlState } from '../db/database.ts';
import { maskContacts } from '../mask-contacts.ts';

/** The one code -> HTTP status table (contract + decisions §5–7). */
const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400,
  SERVICE_NOT_FOUND: 400,
  SLOT_NOT_OFFERED: 400,
  MANAGE_LINK_INVALID: 400,
  INVITATION_LINK_INVALID: 400,
  RESET_LINK_INVALID: 400,
  SIGNUP_LINK_INVALID: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  PAYMENT_DECLINED: 402,
  CSRF_REJECTED: 403,
  SESSION_REQUIRED: 403,
  TOKEN_SCOPE_MISSING: 403,
  ROLE_FORBIDDEN: 403,
  SETUP_CODE_INVALID: 403,
  SIGNUP_CLOSED: 403,
  INVITATION_INVALID: 403,
  OPERATOR_SETUP_CODE_INVALID: 403,
  NOT_FOUND: 404,
  BOOKING_NOT_FOUND: 404,
  DUE_VISIT_NOT_FOUND: 404,
  REPORT_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  TEAM_NOT_FOUND: 404,
  OUTBOX_JOB_NOT_FOUND: 404,
  ARTISAN_NOT_FOUND: 404,
  BUSINESS_NOT_FOUND: 404,
  BACKUP_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  EXCEPTION_NOT_FOUND: 404,
  BUSY_BLOCK_NOT_FOUND: 404,
  SLOT_UNAVAILABLE: 409,
  ALREADY_CANCELLED: 409,
  WEBHOOK_ENDPOINT_DISABLED: 409,
  BOOKING_CANCELLED: 409,
  BOOKING_PAST: 409,
  BOOKING_NOT_STARTED: 409,
  BOOKING_CLOSED: 409,
  BOOKING_NOT_COMPLETED: 409,
  DUE_VISIT_NOT_INVITABLE: 409,
  PLAN_LIMIT_REACHED: 409,
  CUSTOMER_HAS_ACTIVE_BOOKINGS: 409,
  BOOKING_STATE_CHANGED: 409,
  PAYMENT_HOLD_EXPIRED: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  OUTBOX_JOB_NOT_DEAD: 409,
  EXCEPTION_EXISTS: 409,
  SERVICE_ID_TAKEN: 409,
  SERVICE_HAS_BOOKINGS: 409,
  TERMS_CHANGED: 409,
  SETUP_ALREADY_DONE: 409,
  OPERATOR_SETUP_ALREADY_DONE: 409,
  OPERATOR_EMAIL_TAKEN: 409,
  SLUG_TAKEN: 409,
  EMAIL_TAKEN: 409,
  LAST_OWNER: 409,
  MEMBER_ALREADY_JOINED: 409,
  TEAM_NAME_TAKEN: 409,
  TECHNICIAN_BUSY: 409,
  SIGNUP_NOT_BY_INVITATION: 409,
  INVITATION_USED: 409,
  HOST_NAME_TAKEN: 409,
  BUSINESS_SUSPENDED: 409,
  BUSINESS_DELETION_SCHEDULED: 409,
  BACKUPS_NOT_CONFIGURED: 409,
  CALENDAR_SYNC_IN_PROGRESS: 409,
  DEPOSIT_NOT_ONLINE: 409,
  MANAGE_LINK_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  POSTCODE_NOT_COVERED: 422,
  SERVICE_NOT_STAFFED: 422,
  RATE_LIMITED: 429,
  PAYMENT_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  FRONT_NOT_BUILT: 503,
  LOGIN_BUSY: 503,
};

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `Trop de tentatives. Merci de réessayer dans ${retryAfterSeconds} seconde${retryAfterSeconds > 1 ? 's' : ''}.`);
  }
}

/** 503s the service chooses to answer under load (a busy sign-in), not failures of a dependency. */
const SHED_CODES: ReadonlySet<string> = new Set(['LOGIN_BUSY']);

/** Every 503 says when to come back (Retry-After); this is the default, in seconds. */
const RETRY_AFTER_SECONDS = 5;

export const serviceUnavailable = (message = 'Le service est momentanément indisponible. Merci de réessayer dans quelques instants.'): UnavailableError =>
  new UnavailableError('SERVICE_UNAVAILABLE', message);

/** The error serializer of the logs: pino's, with anything that looks like a contact masked. */
export function maskedError(err: unknown): unknown {
  const mask = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return maskContacts(value);
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, depth + 1)]));
  };
  return mask(err instanceof Error ? pino.stdSerializers.err(err) : err, 0);
}

/**
 * Requests Node's HTTP parser refuses (malformed request line or headers, header overflow,
 * timeout) never reach Fastify's handlers: they get the contract's body here, then the socket
 * is closed, as Node does by default.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', errorBody('REQUEST_TIMEOUT', 'La requête a mis trop de temps à arriver. Merci de réessayer.')]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', errorBody('HEADERS_TOO_LARGE', 'Les en-têtes de la requête sont trop volumineux.')]
        : [400, 'Bad Request', errorBody('BAD_REQUEST', "La requête n'a pas pu être comprise.")];
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}

/** Where a request's input is, when a refusal cannot name the field. */
const inputOf = (request: FastifyRequest): string => (request.method === 'GET' || request.method === 'DELETE' || request.method === 'HEAD' ? 'query' : 'body');

export function statusOf(error: AppError): number {
  // The same code can be a 404 on a read (unknown service on availability) and a 400 on a write.
  if (error instanceof NotFoundError) return 404;
  return STATUS_BY_CODE[error.code] ?? 400;
}

export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: details && details.length > 0 ? { code, message, details } : { code, message } };
}

/** The message of a body the request schema refused (the details say which fields). */
export const SCHEMA_REFUSAL = 'Certaines informations sont invalides. Merci de vérifier le formulaire.';

const FIELD_MESSAGES: Record<string, (params: Record<string, unknown>) => string> = {
  required: () => 'Ce champ est obligatoire.',
  format: (p) => (p.format === 'email' ? "L'adresse e-mail n'est pas valide." : "Le format n'est pas valide."),
  pattern: () => "Le format n'est pas valide.",
  type: () => "Le type de valeur n'est pas valide.",
  minLength: (p) => (p.limit === 1 ? 'Ce champ ne peut pas être vide.' : `Au moins ${String(p.limit)} caractères.`),
  maxLength: (p) => `${String(p.limit)} caractères au maximum.`,
  enum: () => "Cette valeur n'est pas acceptée.",
  const: () => "Cette valeur n'est pas acceptée.",
  minimum: (p) => `La valeur doit être au moins ${String(p.limit)}.`,
  maximum: (p) => `La valeur doit être au plus ${String(p.limit)}.`,
};

export interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/** Turns schema validation issues into per-field details with French messages. */
export function validationDetails(issues: readonly AjvIssue[], context: string | undefined): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    if (issue.keyword === 'anyOf' || issue.keyword === 'if') continue;
    const path = issue.instancePath.split('/').filter(Boolean);
    if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') path.push(issue.params.missingProperty);
    const field = path.join('.') || context || 'body';
    if (seen.has(field)) continue;
    seen.add(field);
    const message = /(^|\.)email$/i.test(field) && issue.keyword === 'pattern'
      ? "L'adresse e-mail n'est pas valide."
      : (FIELD_MESSAGES[issue.keyword] ?? (() => "La valeur n'est pas valide."))(issue.params);
    details.push({ field, message });
  }
  return details;
}

/**
 * The one error handler: domain errors become the contract's body with their status;
 * framework errors (bad JSON, too large, unknown content type) get their own codes;
 * anything else is a masked 500 whose detail stays in the log with the request id.
 */
export function handleError(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (thrown instanceof AppError) {
    const error = thrown;
    if (error instanceof RateLimitedError) reply.header('retry-after', String(error.retryAfterSeconds));
    const status = statusOf(error);
    if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    // Load shedding is expected under a flood: a debug line, not a warning with a stack.
    if (SHED_CODES.has(error.code)) request.log.debug({ code: error.code }, 'request shed');
    else if (status >= 500) request.log.warn({ err: error }, 'request failed on an unavailable dependency');
    // A VALIDATION_ERROR always says where (the contract's per-field details).
    const details = error.code === 'VALIDATION_ERROR' && !error.details?.length ? [{ field: inputOf(request), message: "Une valeur n'est pas valide." }] : error.details;
    return reply.status(status).send(errorBody(error.code, error.message, details));
  }
  const error = thrown as FastifyError;
  if (error.validation) {
    return reply
      .status(400)
      .send(errorBody('VALIDATION_ERROR', SCHEMA_REFUSAL, validationDetails(error.validation as AjvIssue[], error.validationContext)));
  }
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return reply.status(400).send(errorBody('BAD_URL', "Cette adresse n'est pas valide (caractères mal encodés)."));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.status(400).send(errorBody('VALIDATION_ERROR', "Le corps de la requête n'est pas un JSON valide.", [{ field: 'body', message: 'JSON invalide.' }]));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', 'La requête est trop volumineuse.'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return reply.status(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'Le contenu doit être envoyé au format JSON (application/json).'));
  }
  // The database cannot be reached (restarted, network cut): the transaction did not commit,
  // the client may retry shortly.
  if (isDatabaseUnavailable(thrown)) {
    request.log.warn({ err: error }, 'request failed: database unavailable');
    reply.header('retry-after', '5');
    return reply.status(503).send(errorBody('SERVICE_UNAVAILABLE', 'Le service est momentanément indisponible. Merci de réessayer dans quelques instants.'));
  }
  // PostgreSQL data exceptions (class 22: bad encoding, value out of range…) come from input
  // that slipped past the schemas; the statement failed, so nothing was written.
  if (sqlState(thrown)?.startsWith('22')) {
    // Each route checks its fields first; this is the last resort, and still says where.
    request.log.warn({ err: error }, 'input refused by the database');
    const where = inputOf(request);
    return reply
      .status(400)
      .send(errorBody('VALIDATION_ERROR', 'Certaines informations sont invalides. Merci de vérifier le formulaire.', [{ field: where, message: "Une valeur n'est pas acceptée (caractère interdit ou valeur hors limites)." }]));
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    request.log.info({ err: error }, 'client error');
    return reply.status(error.statusCode).send(errorBody('BAD_REQUEST', "La requête n'a pas pu être comprise."));
  }
  request.log.error({ err: error }, 'unexpected error');
  return reply.status(500).send(errorBody('INTERNAL_ERROR', 'Une erreur technique est survenue. Merci de réessayer dans quelques instants.'));
}
