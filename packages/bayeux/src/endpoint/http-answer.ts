import {
  cometError,
  type CometError,
  type CometRequest,
  type CometResponse,
  type ResolvedOptions,
} from '@cometkit/core';
import { corsHeaders, errorResponse, withCors, type CometBodyResponse, type CometHeaders } from '@cometkit/core/kit';
import { answerBody, answerText, type Answer } from '../answer';
import { jsonpError, jsonpScript } from '@cometkit/core/kit';

const JSON_HEADERS: CometHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache, no-store' };
/** What {@link withCors} makes of `JSON_HEADERS` for a request with no CORS grant: built once, not per answer. */
const JSON_HEADERS_VARY: CometHeaders = { ...JSON_HEADERS, vary: 'Origin' };
/** What a connect whose client left settles with; the Node bridge writes nothing for it. */
const GONE = errorResponse(cometError('bad_request', 'The client went away.'));

/**
 * An answer as the HTTP response, with its CORS headers: nothing for a client that left, else the
 * JSON array, or the script that hands it to `callback` (callback-polling). The JSON answer's
 * headers are what `withCors` would give, without copying them for every answer when the request
 * has no CORS grant.
 */
export function httpAnswer(answer: Answer, request: CometRequest, callback: string | undefined, cors: ResolvedOptions): CometResponse {
  if (answer.gone) return GONE;
  watchDelivery(request, answer);
  if (callback !== undefined) return withCors(jsonpScript(callback, answerText(answer)), request, cors);
  const grant = corsHeaders(request, cors);
  return { status: 200, headers: grant ? { ...JSON_HEADERS, ...grant } : JSON_HEADERS_VARY, body: answerBody(answer) };
}

/** A request with no Bayeux message to answer: 400 JSON, or the error handed to the JSONP callback. */
export function httpRefusal(error: CometError, callback: string | undefined): CometBodyResponse {
  return callback === undefined ? errorResponse(error) : jsonpError(callback, error);
}

/** An answer the client never got in full (it left before or while it was written) is read again. */
function watchDelivery(request: CometRequest, answer: Answer): void {
  if (!answer.undelivered) return;
  if (request.signal.aborted) return answer.undelivered();
  const onAbort = (): void => {
    request.signal.removeEventListener('abort', onAbort);
    answer.undelivered!();
  };
  request.signal.addEventListener('abort', onAbort);
}
