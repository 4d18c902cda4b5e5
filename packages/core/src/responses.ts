import type { CometError } from './errors';
import type { CometBodyResponse, CometHeaders } from './neutral';

const JSON_HEADERS: CometHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

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

/**
 * The response for a {@link CometError}: its status and `{ "error": { "code", "message" } }`,
 * with `Retry-After` on a 503.
 */
export function errorResponse(error: CometError, headers: CometHeaders = {}): CometBodyResponse {
  const retry: CometHeaders = error.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
  return { ...json(error.status, error.toBody(), { ...retry, ...headers }), error: error.code };
}
