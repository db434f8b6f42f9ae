import type { ErrorBody } from './types';

/** API_BASE is where the REST API lives, same origin as the SPA. */
export const API_BASE = '/api/v1';

const STATUS_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'too_many',
  503: 'unavailable',
};

/**
 * ApiError is an error answer of the API ({code, error, field}) or a failure
 * to reach it (code "network", status 0).
 */
export class ApiError extends Error {
  readonly code: string;
  /** The JSON field at fault, or "" when the error is not about one field. */
  readonly field: string;
  /** The HTTP status, 0 when no answer came. */
  readonly status: number;

  constructor(status: number, code: string, message: string, field = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** isAbortError tells a request cancelled by its AbortSignal from a real failure. */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException
    ? err.name === 'AbortError'
    : typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A plain value is sent as JSON; FormData is sent as multipart. */
  body?: unknown;
  /** Query parameters; null, undefined and "" are left out. */
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
}

type UnauthorizedListener = (err: ApiError) => void;
let unauthorizedListener: UnauthorizedListener | null = null;

/**
 * onUnauthorized registers the one function told when any request answers
 * 401 (the session ended); it returns a function that unregisters it.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListener = listener;
  return () => {
    if (unauthorizedListener === listener) unauthorizedListener = null;
  };
}

/** buildUrl joins the API base, a path and the query parameters that have a value. */
export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = path.startsWith('/api/') ? path : API_BASE + path;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

/**
 * request calls the API and returns its JSON answer (undefined for 204).
 * It sends the session cookie, sends plain bodies as JSON and turns every
 * failure into an ApiError, except an abort, which is rethrown as it is.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal } = options;
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new ApiError(0, 'network', err instanceof Error ? err.message : 'Network error.');
  }

  if (res.status === 204 || res.status === 205) {
    return undefined as T;
  }

  const text = await res.text();
  let data: unknown = undefined;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    const err = toApiError(res.status, res.statusText, data);
    if (err.status === 401 && unauthorizedListener) unauthorizedListener(err);
    throw err;
  }
  if (data === undefined && text !== '') {
    throw new ApiError(res.status, 'internal', 'The server answered with something that is not JSON.');
  }
  return data as T;
}

function toApiError(status: number, statusText: string, data: unknown): ApiError {
  const fallbackCode = STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'invalid');
  if (isErrorBody(data)) {
    return new ApiError(status, data.code || fallbackCode, data.error || statusText, data.field ?? '');
  }
  return new ApiError(status, fallbackCode, statusText || `HTTP ${status}`);
}

function isErrorBody(data: unknown): data is ErrorBody {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return typeof d.code === 'string' || typeof d.error === 'string';
}
