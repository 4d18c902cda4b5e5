import {
  cometError,
  isCometError,
  type CometError,
  type CometHub,
  type CometRequest,
  type CometResponse,
  type ResolvedOptions,
} from '@cometkit/core';
import {
  corsHeaders,
  createLog,
  errorResponse,
  escapeLineTerminators,
  preflight,
  readCallback,
  withCors,
  type CometBodyResponse,
  type CometHeaders,
} from '@cometkit/core/kit';
import { createMemorySessionStore } from './memory-session-store';
import { resolveBayeuxOptions, type BayeuxOptions, type ResolvedBayeuxOptions } from './options';
import { registerEndpoint } from './endpoint-internals';
import { CONNECTION_TYPES } from './message';
import { answerBody, answerText, createProtocol, type Answer } from './protocol';
import { bodyMessages, bodyRefused, queryMessages } from './read-messages';
import type { SessionStore } from './session-store';

/** A Bayeux endpoint over a hub: mount it like a hub (`app.use('/bayeux', cometExpress(bayeux))`). */
export interface BayeuxEndpoint {
  /** Answers every request below the mount: CometD posts to `/handshake`, `/connect`, … */
  handle(request: CometRequest): Promise<CometResponse>;
  /** The session store in use. */
  readonly sessions: SessionStore;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedBayeuxOptions;
  /** Sweeps expired sessions now (it also happens on a timer). Resolves with the ids removed. */
  expireSessions(now?: number): Promise<string[]>;
  /** Stops the session sweeper (the hub's `close()` ends held connects). */
  close(): void;
}

const JSON_HEADERS: CometHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache, no-store' };
/** What {@link withCors} makes of `JSON_HEADERS` for a request with no CORS grant: built once, not per answer. */
const JSON_HEADERS_VARY: CometHeaders = { ...JSON_HEADERS, vary: 'Origin' };
const SCRIPT_HEADERS: CometHeaders = {
  'content-type': 'application/javascript; charset=utf-8',
  'cache-control': 'no-cache, no-store',
  'x-content-type-options': 'nosniff',
  'content-disposition': 'attachment',
};
/** What a connect whose client left settles with; the Node bridge writes nothing for it. */
const GONE = errorResponse(cometError('bad_request', 'The client went away.'));
const DEFAULT_CALLBACK = 'jsonpcallback';

/**
 * Builds a Bayeux 1.0 endpoint on `hub`: the same channels, history and cursor order as every
 * cometkit transport (`/chat/room` is the hub's `chat/room`). Long-polling (POST JSON, or a
 * `message=` form), callback-polling (`GET ?message=…&jsonp=…`) and cross-origin long-polling
 * (with the hub's `cors` options). Sessions hold a cursor in the hub's log, not a queue.
 */
export function createBayeux(hub: CometHub, options: BayeuxOptions = {}): BayeuxEndpoint {
  const sessions = options.sessions ?? createMemorySessionStore();
  const resolved = resolveBayeuxOptions(hub, options, sessions);
  const log = createLog('bayeux', options.logger ?? hub.options.logger);
  // What this endpoint serves; `attachBayeuxWebSocket` adds `websocket` while it is attached.
  const connectionTypes = [...CONNECTION_TYPES];
  const protocol = createProtocol(resolved, log, connectionTypes);
  const cors = hub.options;

  async function expireSessions(now = Date.now()): Promise<string[]> {
    const ids = await sessions.expire(now);
    protocol.release(ids);
    return ids;
  }
  const sweeper = setInterval(() => {
    expireSessions().catch((error: unknown) => log.error('session sweep failed: %O', error));
  }, Math.min(resolved.sessionTimeoutMs, 5_000));
  sweeper.unref();

  /** Answers a request: a preflight, a refusal, or its messages' answer (CORS headers added). */
  function answer(request: CometRequest): Promise<CometResponse> {
    if (request.method === 'OPTIONS') return Promise.resolve(withCors(preflight(request, cors), request, cors));
    if (request.method !== 'GET' && request.method !== 'POST') {
      const error = cometError('method_not_allowed', 'Use POST (long-polling) or GET (callback-polling).', { allow: ['GET', 'POST', 'OPTIONS'] });
      return Promise.resolve(withCors(errorResponse(error), request, cors));
    }
    if (request.method === 'GET') {
      const named = readCallback(new URLSearchParams({ callback: request.query.get('jsonp') ?? DEFAULT_CALLBACK }));
      if (isCometError(named)) return Promise.resolve(withCors(errorResponse(named), request, cors));
      try {
        return Promise.resolve(answerMessages(request, named, queryMessages(request)));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Plain promise steps, no async function: while a connect is held, its request keeps only the
    // held connect's promise and the step after it, not a suspended frame per step.
    return request.body(resolved.maxBodyBytes).then(
      (body) => answerMessages(request, undefined, bodyMessages(body, request)),
      (error: unknown) => answerMessages(request, undefined, bodyRefused(error)),
    );
  }

  /** The answer to a request's messages (or to the reason it has none). */
  function answerMessages(request: CometRequest, callback: string | undefined, messages: object[] | CometError): CometResponse | Promise<CometResponse> {
    // The messages are taken apart: their bytes need not live as long as a held connect.
    request.releaseBody?.();
    if (isCometError(messages)) return withCors(refuse(messages, callback), request, cors);
    if (messages.length > resolved.maxBatch) {
      return withCors(refuse(cometError('bad_request', `At most ${resolved.maxBatch} messages in one request.`), callback), request, cors);
    }
    return protocol.process(messages, request, rawLength(request)).then(
      (result) => respond(result, request, callback, cors),
      (error: unknown) => failed(error, request),
    );
  }

  /** A session store that is away (Redis) refuses with `unavailable`: a 503 the client retries. */
  function failed(error: unknown, request: CometRequest): CometResponse {
    if (!isCometError(error)) throw error;
    log.debug('request failed: %s', error.message);
    return withCors(errorResponse(error), request, cors);
  }

  const endpoint: BayeuxEndpoint = {
    sessions,
    options: resolved,
    expireSessions,
    close: () => clearInterval(sweeper),
    handle: answer,
  };
  registerEndpoint(endpoint, { protocol, connectionTypes, log });
  return endpoint;
}

/**
 * The HTTP answer, with its CORS headers: nothing for a client that left, else the JSON array, or
 * the script that hands it over. The JSON answer's headers are what `withCors` would give, without
 * copying them for every answer when the request has no CORS grant.
 */
function respond(result: Answer, request: CometRequest, callback: string | undefined, cors: ResolvedOptions): CometResponse {
  if (result.gone) return GONE;
  watchDelivery(request, result);
  if (callback !== undefined) return withCors(script(callback, answerText(result)), request, cors);
  const grant = corsHeaders(request, cors);
  return { status: 200, headers: grant ? { ...JSON_HEADERS, ...grant } : JSON_HEADERS_VARY, body: answerBody(result) };
}

/** An answer the client never got in full (it left before or while it was written) is read again. */
function watchDelivery(request: CometRequest, result: Answer): void {
  if (!result.undelivered) return;
  if (request.signal.aborted) return result.undelivered();
  const onAbort = (): void => {
    request.signal.removeEventListener('abort', onAbort);
    result.undelivered!();
  };
  request.signal.addEventListener('abort', onAbort);
}

/** The size of what the client sent, to skip measuring each message of a small request. */
function rawLength(request: CometRequest): number {
  if (request.method === 'GET') return request.query.toString().length;
  const length = Number(request.header('content-length'));
  return Number.isFinite(length) ? length : Number.MAX_SAFE_INTEGER;
}

/** A request with no Bayeux message to answer: 400 JSON, or the error handed to the JSONP callback. */
function refuse(error: CometError, callback: string | undefined): CometBodyResponse {
  if (callback === undefined) return errorResponse(error);
  return { ...script(callback, JSON.stringify({ ...error.toBody(), status: error.status })), error: error.code };
}

function script(callback: string, json: string): CometBodyResponse {
  const body = `/**/typeof ${callback}==='function'&&${callback}(${escapeLineTerminators(json)});`;
  return { status: 200, headers: SCRIPT_HEADERS, body };
}
