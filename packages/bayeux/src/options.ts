import type { CometHub, CometLogger, CometRequest } from '@cometkit/core';
import type { BayeuxMessage } from './message';
import type { SessionStore } from './sessions/session-store';

/** What an extension is told besides the message. */
export interface ExtensionContext {
  /** The HTTP request the message came in (`request.raw` is the framework's own). */
  readonly request: CometRequest;
  /** The message's clientId when it names a live session (undefined on a handshake). */
  readonly clientId?: string;
}

/**
 * A server extension, as in Faye and CometD: `incoming` sees each message before the server
 * acts on it, `outgoing` each reply and delivery before it is sent. Either may change the message
 * (strip a secret from `ext`, add fields) and return it, or return a promise of it. An `incoming`
 * that sets `message.error` (a Bayeux error string such as `403::Not allowed`) rejects the
 * message: the server answers it unsuccessful with that error and does nothing else with it.
 */
export interface BayeuxExtension {
  incoming?(message: BayeuxMessage, context: ExtensionContext): BayeuxMessage | Promise<BayeuxMessage>;
  outgoing?(message: BayeuxMessage, context: ExtensionContext): BayeuxMessage | Promise<BayeuxMessage>;
}

/** Options of `createBayeux`. Every limit has a safe default. */
export interface BayeuxOptions {
  /** Where sessions live. Default: this process's memory ({@link createMemorySessionStore}). */
  sessions?: SessionStore;
  /** How long a `/meta/connect` is held with nothing to say (`advice.timeout`). Default: the hub's `longPollTimeoutMs`. */
  timeoutMs?: number;
  /** `advice.interval`: how long a client waits between connects. Default 0. */
  intervalMs?: number;
  /** A session with no `/meta/connect` for this long (after the last one ended) is gone. Default 30,000 ms. */
  sessionTimeoutMs?: number;
  /** Extensions, run in order on incoming messages and in order on outgoing ones. */
  extensions?: readonly BayeuxExtension[];
  /** Grant the CometD ack extension to clients that ask for it (`ext: { ack: true }`). Default true. */
  ack?: boolean;
  /**
   * Let clients publish to hub channels (`{ channel: '/chat/room', data }`). Default false: a
   * publish is refused with `403:<channel>:Publishing is disabled` and nothing is published, so an
   * endpoint mounted to push to clients is not a way for anyone to publish (the hub's `authorize`
   * still decides each publish when this is on). `/service/…` messages go to extensions either way;
   * they are never broadcast. Faye and CometD clients that call `publish()` need it on.
   */
  publishing?: boolean;
  /**
   * Serve callback-polling (JSONP: `GET ?message=…&jsonp=…`) and list it in handshakes. Default
   * false: a GET is refused (405, JSON error body) and changes nothing, since a `<script>` tag on
   * any site can send one with the user's cookies. Turn it on only for old browsers' clients that
   * cannot use cross-origin long-polling (CometD's `callback-polling` transport); the request
   * screen (host, cross-site requests with cookies) still applies.
   */
  callbackPolling?: boolean;
  limits?: {
    /** Largest request body (POST) in bytes. Default 256 KiB. */
    maxBodyBytes?: number;
    /** Largest message (its JSON text) in a request. Default 128 KiB. */
    maxMessageBytes?: number;
    /** Most messages in one request. Default 100. */
    maxBatch?: number;
    /** Most subscriptions of one session. Default 100. */
    maxSubscriptions?: number;
    /** Most sessions in the store (with the memory store: in this process). Default 20,000. */
    maxSessions?: number;
    /**
     * Most live sessions one WebSocket may have handshaken (a session it disconnected, or that
     * expired, no longer counts). Default 4: Faye and CometD make one per socket.
     */
    maxSessionsPerSocket?: number;
    /**
     * Most `/meta/connect`s one WebSocket may hold at once, each for a different session (a
     * session's new connect replaces its old one). Default 4: Faye and CometD hold one.
     */
    maxConnectsPerSocket?: number;
    /**
     * Longest message `id` (a string's length, a number's digits), on every door: a longer one is
     * refused with `400:id:Field too large` and is not echoed. Default 256: Faye and CometD send
     * short counters.
     */
    maxIdLength?: number;
    /**
     * Largest `ext` of a message (its JSON text), on every door: a larger one is refused with
     * `400:ext:Field too large`. Default 4 KiB: the ack and timesync extensions send a few dozen
     * bytes, an auth token a few hundred.
     */
    maxExtBytes?: number;
  };
  /** Where diagnostics go. Default: the hub's `logger`. */
  logger?: CometLogger;
}

/** The options in force. */
export interface ResolvedBayeuxOptions {
  readonly hub: CometHub;
  readonly sessions: SessionStore;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly extensions: readonly BayeuxExtension[];
  readonly ack: boolean;
  readonly publishing: boolean;
  readonly callbackPolling: boolean;
  readonly maxBodyBytes: number;
  readonly maxMessageBytes: number;
  readonly maxBatch: number;
  readonly maxSubscriptions: number;
  readonly maxSessions: number;
  readonly maxSessionsPerSocket: number;
  readonly maxConnectsPerSocket: number;
  readonly maxIdLength: number;
  readonly maxExtBytes: number;
}

function whole(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer of at least ${min}, not ${String(value)}.`);
  return value;
}

/** Fills in defaults and checks every number (a bad option is a bug: it throws a TypeError). */
export function resolveBayeuxOptions(hub: CometHub, options: BayeuxOptions, sessions: SessionStore): ResolvedBayeuxOptions {
  const limits = options.limits ?? {};
  return {
    hub,
    sessions,
    timeoutMs: whole('timeoutMs', options.timeoutMs, hub.options.longPollTimeoutMs),
    intervalMs: whole('intervalMs', options.intervalMs, 0),
    sessionTimeoutMs: whole('sessionTimeoutMs', options.sessionTimeoutMs, 30_000, 1),
    extensions: options.extensions ?? [],
    ack: options.ack ?? true,
    publishing: options.publishing ?? false,
    callbackPolling: options.callbackPolling ?? false,
    maxBodyBytes: whole('limits.maxBodyBytes', limits.maxBodyBytes, 256 * 1024, 1),
    maxMessageBytes: whole('limits.maxMessageBytes', limits.maxMessageBytes, 128 * 1024, 1),
    maxBatch: whole('limits.maxBatch', limits.maxBatch, 100, 1),
    maxSubscriptions: whole('limits.maxSubscriptions', limits.maxSubscriptions, 100, 1),
    maxSessions: whole('limits.maxSessions', limits.maxSessions, 20_000, 1),
    maxSessionsPerSocket: whole('limits.maxSessionsPerSocket', limits.maxSessionsPerSocket, 4, 1),
    maxConnectsPerSocket: whole('limits.maxConnectsPerSocket', limits.maxConnectsPerSocket, 4, 1),
    maxIdLength: whole('limits.maxIdLength', limits.maxIdLength, 256, 1),
    maxExtBytes: whole('limits.maxExtBytes', limits.maxExtBytes, 4 * 1024, 2),
  };
}
