// Client for the management API (docs/management-api.md). Same origin; the session cookie
// (HttpOnly, Path=/api/v2) is sent by the browser, so no credential lives in JavaScript.

const BASE = '/api/v2';

/** An error answer of the API: HTTP status plus the §2.5 error array. */
export class ApiError extends Error {
  constructor(status, errors, requestId, retryAfter) {
    super(errors.map((e) => e.message).join(' '));
    this.status = status;
    this.errors = errors;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  get code() {
    return this.errors[0] ? this.errors[0].code : null;
  }
}

let unauthorizedHandler = () => {};

/** Called whenever an API call answers 401 (except login itself). */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** Percent-encodes one path parameter (§2.9). */
export const seg = encodeURIComponent;

/**
 * Calls the API and returns the envelope {data, metadata, page}, or null for 204.
 * query values may be arrays (repeated keys); null, undefined and '' are dropped.
 */
export async function api(path, { method = 'GET', query, body, signal } = {}) {
  const url = new URL(BASE + path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== null && v !== undefined && v !== '') url.searchParams.append(key, String(v));
    }
  }
  const headers = { Accept: 'application/json' };
  const init = { method, headers, signal, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, [{ code: 'network_error',
      message: 'The orchestrator could not be reached. Is it running?', field: null }], null, null);
  }
  const requestId = res.headers.get('X-Request-ID');
  if (res.status === 204 || res.status === 304) return null;
  let json = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const errors = json && Array.isArray(json.errors) && json.errors.length
      ? json.errors
      : [{ code: `http_${res.status}`, message: `The server answered ${res.status} ${res.statusText}.`, field: null }];
    const retry = Number.parseInt(res.headers.get('Retry-After') || '', 10);
    const err = new ApiError(res.status, errors, requestId, Number.isNaN(retry) ? null : retry);
    if (res.status === 401 && path !== '/login') unauthorizedHandler(err);
    throw err;
  }
  if (!json || typeof json !== 'object') {
    throw new ApiError(res.status, [{ code: 'bad_response',
      message: 'The server sent a response that is not JSON.', field: null }], requestId, null);
  }
  return json;
}

/** True when the run can no longer change (§7.1). */
export function isTerminal(status) {
  return status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED';
}
