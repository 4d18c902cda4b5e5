import {
  cometError,
  isCometError,
  type CometError,
  type CometHub,
  type CometRequest,
  type CometResponse,
} from '@cometkit/core';
import { createLog, errorResponse, preflight, readCallback, screenRequest, withCors } from '@cometkit/core/kit';
import { answerMessages } from '../answer-messages';
import { CALLBACK_POLLING, CONNECTION_TYPES } from '../message';
import { resolveBayeuxOptions, type BayeuxOptions, type ResolvedBayeuxOptions } from '../options';
import { createBayeuxServer, type BayeuxServer } from '../server';
import { createMemorySessionStore } from '../sessions/memory-session-store';
import type { SessionStore } from '../sessions/session-store';
import { httpAnswer, httpRefusal } from './http-answer';
import { bodyMessages, bodyRefused, queryMessages } from './read-messages';

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

const DEFAULT_CALLBACK = 'jsonpcallback';
/** The answer to a GET while callback-polling is off (the endpoint's `callbackPolling` option). */
const CALLBACK_POLLING_OFF = cometError('method_not_allowed', 'Callback-polling (GET) is disabled on this endpoint: use POST (long-polling).', { allow: ['POST', 'OPTIONS'] });

/**
 * Builds a Bayeux 1.0 endpoint on `hub`: the same channels, history and cursor order as every
 * cometkit transport (`/chat/room` is the hub's `chat/room`). Long-polling (POST JSON, or a
 * `message=` form), cross-origin long-polling (with the hub's `cors` options) and, when
 * `callbackPolling` is on, callback-polling (`GET ?message=…&jsonp=…`). Clients may publish only
 * when `publishing` is on. Sessions hold a cursor in the hub's log, not a queue.
 */
export function createBayeux(hub: CometHub, options: BayeuxOptions = {}): BayeuxEndpoint {
  const sessions = options.sessions ?? createMemorySessionStore();
  const resolved = resolveBayeuxOptions(hub, options, sessions);
  const log = createLog('bayeux', options.logger ?? hub.options.logger);
  // What this endpoint serves; `attachBayeuxWebSocket` adds `websocket` while it is attached.
  const connectionTypes = CONNECTION_TYPES.filter((type) => resolved.callbackPolling || type !== CALLBACK_POLLING);
  const server = createBayeuxServer(resolved, log, connectionTypes);
  const cors = hub.options;

  async function expireSessions(now = Date.now()): Promise<string[]> {
    const ids = await sessions.expire(now);
    for (const id of ids) server.held.release(id, 'expired');
    return ids;
  }
  const sweeper = setInterval(() => {
    expireSessions().catch((error: unknown) => log.error('session sweep failed: %O', error));
  }, Math.min(resolved.sessionTimeoutMs, 5_000));
  sweeper.unref();

  /** Answers a request: a preflight, a refusal, or its messages' answer (CORS headers added). */
  function handle(request: CometRequest): Promise<CometResponse> {
    if (request.method === 'OPTIONS') return Promise.resolve(withCors(preflight(request, cors), request, cors));
    // The kit's request screen, as at every door: the host, and a cross-site request with cookies.
    const screened = screenRequest(request, cors, 'read');
    if (screened) return Promise.resolve(withCors(errorResponse(screened), request, cors));
    if (request.method !== 'GET' && request.method !== 'POST') {
      const error = cometError('method_not_allowed', 'Use POST (long-polling) or GET (callback-polling).', { allow: ['GET', 'POST', 'OPTIONS'] });
      return Promise.resolve(withCors(errorResponse(error), request, cors));
    }
    if (request.method === 'GET') {
      // A `<script>` on any page can send a GET: unless the app asked for callback-polling, a GET changes nothing.
      if (!resolved.callbackPolling) return Promise.resolve(withCors(errorResponse(CALLBACK_POLLING_OFF), request, cors));
      const named = readCallback(new URLSearchParams({ callback: request.query.get('jsonp') ?? DEFAULT_CALLBACK }));
      if (isCometError(named)) return Promise.resolve(withCors(errorResponse(named), request, cors));
      try {
        return Promise.resolve(respond(request, named, queryMessages(request)));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Plain promise steps, no async function: while a connect is held, its request keeps only the
    // held connect's promise and the step after it, not a suspended frame per step.
    return request.body(resolved.maxBodyBytes).then(
      (body) => respond(request, undefined, bodyMessages(body, request)),
      (error: unknown) => respond(request, undefined, bodyRefused(error)),
    );
  }

  /** The response to a request's messages (or to the reason it has none). */
  function respond(request: CometRequest, callback: string | undefined, messages: object[] | CometError): CometResponse | Promise<CometResponse> {
    // The messages are taken apart: their bytes need not live as long as a held connect.
    request.releaseBody?.();
    if (isCometError(messages)) return withCors(httpRefusal(messages, callback), request, cors);
    if (messages.length > resolved.maxBatch) {
      return withCors(httpRefusal(cometError('bad_request', `At most ${resolved.maxBatch} messages in one request.`), callback), request, cors);
    }
    return answerMessages(server, messages, request, rawLength(request)).then(
      (answer) => httpAnswer(answer, request, callback, cors),
      (error: unknown) => failed(error, request),
    );
  }

  /** A session store that is away (Redis) refuses with `unavailable`: a 503 the client retries. */
  function failed(error: unknown, request: CometRequest): CometResponse {
    if (!isCometError(error)) throw error;
    log.debug('request failed: %s', error.message);
    return withCors(errorResponse(error), request, cors);
  }

  const endpoint: BayeuxEndpoint = { sessions, options: resolved, expireSessions, close: () => clearInterval(sweeper), handle };
  internals.set(endpoint, { server, connectionTypes });
  return endpoint;
}

/** What a door other than HTTP (the WebSocket one) needs of an endpoint, kept off its public surface. */
export interface EndpointInternals {
  readonly server: BayeuxServer;
  /** The endpoint's live list of connection types (handshakes list it, connects are checked against it). */
  readonly connectionTypes: string[];
}

const internals = new WeakMap<BayeuxEndpoint, EndpointInternals>();

/** The internals of an endpoint `createBayeux` built; a TypeError for anything else. */
export function internalsOf(endpoint: BayeuxEndpoint): EndpointInternals {
  const found = internals.get(endpoint);
  if (!found) throw new TypeError('cometkit: attachBayeuxWebSocket takes an endpoint built by createBayeux');
  return found;
}

/** The size of what the client sent, to skip measuring each message of a small request. */
function rawLength(request: CometRequest): number {
  if (request.method === 'GET') return request.query.toString().length;
  const length = Number(request.header('content-length'));
  return Number.isFinite(length) ? length : Number.MAX_SAFE_INTEGER;
}
