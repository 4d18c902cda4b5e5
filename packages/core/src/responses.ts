import type { CometError } from './errors';
import type { CometBodyResponse, CometHeaders } from './neutral';

// Frozen: answers that share it also share its copy with a Content-Length (see writeResponse).
const JSON_HEADERS: CometHeaders = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
});

/** A JSON response from text that is already JSON. */
export function jsonText(status: number, body: string | Buffer, headers?: CometHeaders): CometBodyResponse {
  // Every held poll answers through here: share the headers object unless some are added.
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body };
}

/** A JSON response from a value. */
export function json(status: number, value: unknown, headers?: CometHeaders): CometBodyResponse {
  return jsonText(status, JSON.stringify(value), headers);
}

/** Seconds a client should wait before retrying a 503 (it adds its own backoff and jitter). */
export const RETRY_AFTER_SECONDS = 2;

// An error body can echo the caller's text (a channel name): never let it be sniffed as HTML or
// framed by another origin (the forever-iframe route answers its errors through here too).
const ERROR_HEADERS: CometHeaders = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' };

/**
 * The response for a {@link CometError}: its status and `{ "error": { "code", "message" } }`,
 * with `Retry-After` on a 503, `Allow` on a 405, and never sniffed or framed cross-origin.
 */
export function errorResponse(error: CometError, headers: CometHeaders = {}): CometBodyResponse {
  const retry: CometHeaders | undefined = error.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : undefined;
  return { ...json(error.status, error.toBody(), { ...ERROR_HEADERS, ...retry, ...error.headers, ...headers }), error: error.code };
}
