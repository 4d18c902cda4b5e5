import type { CometError } from './errors';
import type { CometBodyResponse, CometHeaders } from './neutral';

const JSON_HEADERS: CometHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

/** A JSON response from text that is already JSON. */
export function jsonText(status: number, body: string | Buffer, headers: CometHeaders = {}): CometBodyResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body };
}

/** A JSON response from a value. */
export function json(status: number, value: unknown, headers: CometHeaders = {}): CometBodyResponse {
  return jsonText(status, JSON.stringify(value), headers);
}

/** The response for a {@link CometError}: its status and `{ "error": { "code", "message" } }`. */
export function errorResponse(error: CometError, headers: CometHeaders = {}): CometBodyResponse {
  return json(error.status, error.toBody(), headers);
}
