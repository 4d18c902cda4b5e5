import { isStreamResponse, type CometHeaders, type CometRequest, type CometResponse } from '../neutral';
import type { ResolvedOptions } from '../options';

/** Methods and request headers a cross-origin client may use. */
const PREFLIGHT: CometHeaders = {
  'access-control-allow-methods': 'GET, POST',
  // Authorization: a client's token header (its `headers` option), for poll, stream and publish.
  'access-control-allow-headers': 'Content-Type, Last-Event-ID, Authorization',
  'access-control-max-age': '600',
};

/**
 * CORS headers for a request from an allowed origin; none when CORS is off or the origin is not
 * listed (the browser then refuses to hand the response to the page).
 */
export function corsHeaders(request: CometRequest, options: ResolvedOptions): CometHeaders | undefined {
  const origin = request.header('origin');
  if (origin === undefined || !options.corsAllows(origin)) return undefined;
  const headers: CometHeaders = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (options.corsCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/** The answer to a preflight `OPTIONS`: 204, with the CORS grant when the origin is allowed. */
export function preflight(request: CometRequest, options: ResolvedOptions): CometResponse {
  const cors = corsHeaders(request, options);
  return { status: 204, headers: cors ? { ...cors, ...PREFLIGHT } : { allow: 'GET, POST, OPTIONS' }, body: '' };
}

const VARY_ORIGIN: CometHeaders = { vary: 'Origin' };

/**
 * `response` with CORS headers added when the request's origin is allowed. Called only when CORS is
 * configured, and then every answer depends on `Origin`: `Vary: Origin` goes on all of them, so a
 * shared cache (`client.js` is cached `public`) never hands one origin's answer to another.
 */
export function withCors(response: CometResponse, request: CometRequest, options: ResolvedOptions): CometResponse {
  const headers = { ...response.headers, ...(corsHeaders(request, options) ?? VARY_ORIGIN) };
  // A stream is an object with behaviour (a class instance): wrap it rather than copy it.
  if (isStreamResponse(response)) return { status: response.status, headers, start: (sink) => response.start(sink) };
  return { ...response, headers };
}
