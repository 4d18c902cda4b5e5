import type { ResolvedOptions } from '@cometkit/core';

/** Options of {@link attachWebSocket}. Every limit has a safe default, most of them the hub's. */
export interface WebSocketOptions {
  /** The path sockets open on: the hub's mount plus `/ws`. Default `/comet/ws`. */
  path?: string;
  /** Largest frame a client may send, bytes; a larger one closes the socket (1009). Default: the hub's `limits.maxBodyBytes` (64 KiB). */
  maxPayload?: number;
  /** Frames a client may send per second; more close the socket (1008). Default 50. */
  maxFramesPerSecond?: number;
  /**
   * Bytes waiting to go out to a socket when a live message comes, past which its client is cut
   * off as too slow (it resumes by cursor). Default: the hub's `streams.maxBufferedBytes` (1 MiB).
   */
  maxBufferedBytes?: number;
  /** How long a cut-off or closed socket may take to take its last bytes before it is destroyed. Default: the hub's `streams.drainTimeoutMs`. */
  drainTimeoutMs?: number;
  /**
   * A heartbeat frame when idle, and a ping, this often; a peer that has not answered the
   * previous ping by the next is terminated. Default: the hub's `heartbeatMs` (20 s).
   */
  heartbeatMs?: number;
  /** Age at which a socket is ended (`age`; its client reconnects with its cursor). Default: none. */
  maxAgeMs?: number;
  /**
   * Serve sockets on a hub with no `authenticate`, `rules` or `authorize`: anyone may open one and
   * subscribe to any channel. Off by default, so an endpoint cannot be opened to everyone by
   * accident: the upgrade skips the framework's middleware (an `app.use()` login gate does not
   * run for it), so the hub's own hooks are what guard it.
   */
  public?: boolean;
}

/** {@link WebSocketOptions} with the defaults filled in from the hub's options. */
export interface ResolvedWebSocketOptions {
  readonly path: string;
  readonly maxPayload: number;
  readonly maxFramesPerSecond: number;
  readonly maxBufferedBytes: number;
  readonly drainTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly maxAgeMs: number;
}

/** The longest delay a Node timer takes (about 24.8 days): "no maximum age". */
const NEVER_MS = 2 ** 31 - 1;

/** Defaults an endpoint sets apart from the hub's: its path, and limits its frames call for. */
export interface WebSocketDefaults {
  readonly path: string;
  readonly maxPayload?: number;
  readonly maxFramesPerSecond?: number;
}

/** The hub's own endpoint: `/comet/ws`, frames up to the hub's body limit, 50 a second. */
const HUB_DEFAULTS: WebSocketDefaults = { path: '/comet/ws' };

/**
 * Fills in defaults (an endpoint's own, then the hub's options) and checks the numbers, as the
 * hub does for its own.
 */
export function resolveWebSocketOptions(options: WebSocketOptions, hub: ResolvedOptions, defaults: WebSocketDefaults = HUB_DEFAULTS): ResolvedWebSocketOptions {
  const path = options.path ?? defaults.path;
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('cometkit: the WebSocket path must start with /');
  return {
    path,
    maxPayload: positive('maxPayload', options.maxPayload, defaults.maxPayload ?? hub.maxBodyBytes),
    maxFramesPerSecond: positive('maxFramesPerSecond', options.maxFramesPerSecond, defaults.maxFramesPerSecond ?? 50),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, hub.maxBufferedBytes),
    drainTimeoutMs: positive('drainTimeoutMs', options.drainTimeoutMs, hub.drainTimeoutMs),
    heartbeatMs: positive('heartbeatMs', options.heartbeatMs, hub.heartbeatMs),
    maxAgeMs: Math.min(positive('maxAgeMs', options.maxAgeMs, NEVER_MS), NEVER_MS),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`cometkit: WebSocket ${name} must be a positive number`);
  return value;
}
