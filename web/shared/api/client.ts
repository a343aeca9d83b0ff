import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * The one way the front talks to the API: typed from the service's OpenAPI document
 * (`schema.d.ts`, generated), same origin, JSON. Errors come back as the contract's body.
 */
export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The address prefix of the business whose page this is (`/plomberie-dupont`), as the server
 * wrote it in the page; '' when the page is at the instance's root or on the business's own host.
 */
export function businessBase(): string {
  return document.querySelector('meta[name="ac-business"]')?.getAttribute('content') ?? '';
}

/** `business`: the customer pages call their business's API under its prefix (`/{slug}/api/…`). */
export function createApiClient(options: { fetch?: typeof fetch; headers?: Record<string, string>; business?: boolean } = {}) {
  const baseUrl = location.origin + (options.business ? businessBase() : '');
  return createClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}), headers: options.headers ?? {} });
}

export type Schemas = components['schemas'];

/**
 * The JSON body of a route's answer with status S (by default its success, 200 or 201), as
 * the OpenAPI document declares it: `ResponseOf<'/api/admin/me', 'get'>`,
 * `ResponseOf<'/api/bookings', 'post', 202>`. For the types of API results the screens keep.
 */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number = 200 | 201> = paths[P][M] extends { responses: infer R }
  ? JsonOf<R[Extract<S, keyof R>]>
  : never;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** The contract's error body, French message and optional per-field details. */
export interface ApiError {
  code: string;
  message: string;
  details?: { field: string; message: string }[];
  /** From the Retry-After header of a 429 or 503: when to try again. */
  retryAfterSeconds?: number;
}

export const OFFLINE_MESSAGE = 'Impossible de joindre le service. Vérifiez votre connexion puis réessayez.';

/** Reads the contract's error out of whatever an openapi-fetch call returned as `error`. */
export function apiError(error: unknown, status?: number): ApiError & { status: number } {
  const body = (error as { error?: Partial<ApiError> } | undefined)?.error;
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    return { code: body.code, message: body.message, ...(body.details ? { details: body.details } : {}), status: status ?? 0 };
  }
  return { code: 'UNKNOWN', message: 'Une erreur est survenue. Merci de réessayer.', status: status ?? 0 };
}

/** Per-field French messages keyed by the API's field path (`customer.email`). */
export function fieldErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of error.details ?? []) if (!(d.field in out)) out[d.field] = d.message;
  return out;
}

/**
 * Runs one call and returns its data, or throws the contract's error (with the HTTP status);
 * a network failure becomes the French "offline" message.
 */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch {
    throw Object.assign(new Error(OFFLINE_MESSAGE), { api: { code: 'OFFLINE', message: OFFLINE_MESSAGE, status: 0 } });
  }
  if (result.error !== undefined || !result.response.ok) {
    const e = apiError(result.error, result.response.status);
    const retryAfter = Number(result.response.headers.get('retry-after'));
    if (Number.isInteger(retryAfter) && retryAfter > 0) e.retryAfterSeconds = retryAfter;
    throw Object.assign(new Error(e.message), { api: e });
  }
  return result.data as T;
}

/** The contract's error carried by an exception thrown by `call`. */
export function errorOf(e: unknown): ApiError & { status: number } {
  const api = (e as { api?: ApiError & { status: number } } | undefined)?.api;
  return api ?? { code: 'UNKNOWN', message: 'Une erreur est survenue. Merci de réessayer.', status: 0 };
}

/** Like `call`, with the HTTP status (201 booked, 202 3-D Secure to complete…). */
export async function callWithStatus<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ status: number; data: T }> {
  let status = 0;
  const data = await call(
    request.then((r) => {
      status = r.response.status;
      return r;
    }),
  );
  return { status, data };
}
